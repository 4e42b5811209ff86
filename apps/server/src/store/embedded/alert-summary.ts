import { ALERT_LIST_FIELDS } from '../../presenters/alert-presenter';
import { hasDottedKey } from '../../ingest/expand-dotted';
import type { Doc } from '../ports';

/** The fields kept in an alert's `list_doc`: those the alert list presents. */
export const SUMMARY_FIELDS: ReadonlySet<string> = new Set(ALERT_LIST_FIELDS);
const PATHS = ALERT_LIST_FIELDS.map((f) => f.split('.'));

/**
 * The summary document stored beside an alert (JSON text): only SUMMARY_FIELDS, nested as in the
 * document. Null when the document has dotted keys or arrays on a field's path (the list then reads
 * the whole document, so nothing a reader of the full document would find is lost).
 */
export function summaryDoc(doc: Doc, text: string): string | null {
  if (hasDottedKey(text)) return null;
  const out: Doc = {};
  for (const parts of PATHS) {
    let node: unknown = doc;
    let i = 0;
    for (; i < parts.length - 1; i++) {
      if (node === null || typeof node !== 'object') break;
      if (Array.isArray(node)) return null;
      node = (node as Doc)[parts[i] as string]; // a plain object (checked above); i < length
    }
    if (i < parts.length - 1 || node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) return null;
    const value = (node as Doc)[parts[i] as string]; // a plain object (checked above)
    if (value === undefined) continue;
    let target = out;
    for (let j = 0; j < parts.length - 1; j++) {
      const key = parts[j] as string; // j < length
      const next = target[key];
      if (next === undefined) {
        const created: Doc = {};
        target[key] = created;
        target = created;
      } else {
        target = next as Doc; // only ever created above as an object
      }
    }
    target[parts[parts.length - 1] as string] = value; // parts is never empty
  }
  return JSON.stringify(out);
}
