const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a bulk source line (see BulkOperation.source); throws a TypeError when its bytes are not UTF-8. */
export function sourceText(source: string | Uint8Array): string {
  return typeof source === 'string' ? source : strictUtf8.decode(source);
}
