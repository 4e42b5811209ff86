/**
 * Reads Elasticsearch-style `Warning: 299 <agent> "<text>"` headers. Several warnings arrive either as
 * several headers, which fetch joins with ", ", or as one comma-separated header; quoted texts keep their commas.
 */
export function parseWarningHeader(header: string | null): string[] {
  if (!header) return [];
  const warnings: string[] = [];
  const pattern = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (const match of header.matchAll(pattern)) warnings.push(match[1].replace(/\\(.)/g, '$1'));
  return warnings;
}
