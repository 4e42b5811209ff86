import type { BulkItemResult, BulkOperation } from '../store/ports';

/** An item that failed before reaching the store, at its position among all items of the request. */
export interface BulkParseError {
  position: number;
  line: number;
  result: BulkItemResult;
}

export interface ParsedBulkBody {
  operations: BulkOperation[];
  errors: BulkParseError[];
  /** Items in the request (operations + errors). */
  items: number;
}

type ActionName = 'index' | 'create' | 'delete' | 'update';
interface Action {
  name: ActionName;
  index: string | undefined;
  id: string | undefined;
}

const ACTIONS = new Set<string>(['index', 'create', 'delete', 'update']);

/** A body line: text, or its bytes as received (see splitLines). */
export type BodyLine = string | Uint8Array;

/** True for an empty or whitespace-only line. */
function isBlank(line: BodyLine): boolean {
  if (typeof line === 'string') return line.trim() === '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as number; // i < length
    if (c !== 32 && (c < 9 || c > 13)) return false;
  }
  return true;
}

const text = (line: BodyLine): string => (typeof line === 'string' ? line : Buffer.from(line.buffer, line.byteOffset, line.length).toString('utf8'));

/** Parses an action line; returns a reason string when it is not one. */
function parseAction(line: BodyLine): Action | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text(line));
  } catch {
    return 'Malformed action/metadata line: not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'Malformed action/metadata line: expected a JSON object';
  const keys = Object.keys(parsed);
  if (keys.length !== 1) return `Malformed action/metadata line: expected exactly one action, found ${keys.length}`;
  const name = keys[0] as string; // length checked
  if (!ACTIONS.has(name)) return `Malformed action/metadata line: unknown action [${name.slice(0, 50)}]`;
  const meta: unknown = (parsed as Record<string, unknown>)[name]; // a parsed JSON object
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return `Malformed action/metadata line: [${name}] must be an object`;
  const m = meta as Record<string, unknown>; // checked above
  const index = m._index;
  const id = m._id;
  if (index !== undefined && typeof index !== 'string') return 'Malformed action/metadata line: [_index] must be a string';
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number') return 'Malformed action/metadata line: [_id] must be a string';
  return { name: name as ActionName, index, id: id === undefined || id === null ? undefined : String(id) }; // name checked against ACTIONS
}

/**
 * Parses an Elasticsearch bulk body (NDJSON action/source line pairs). Every problem fails its own
 * item with Elasticsearch's per-item error shape; `delete` and `update` are answered "not supported".
 * Source lines stay raw (the store checks them, and expands dotted keys: see doc-prep.ts).
 */
export function parseBulkBody(body: Buffer | string, defaultIndex?: string): ParsedBulkBody {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lines.push(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end));
    start = end + 1;
  }
  return parseBulkLines(lines, defaultIndex);
}

/** Limits on the items of a bulk body. */
export interface BulkLineLimits {
  /** A source line longer than this (in bytes, or UTF-16 units for text) fails its item. */
  maxSourceBytes?: number;
}

/**
 * parseBulkBody over a body already split into lines (`\n`, trailing `\r` dropped). Lines given as bytes
 * stay bytes in the operations.
 */
export function parseBulkLines(lines: readonly BodyLine[], defaultIndex?: string, limits: BulkLineLimits = {}): ParsedBulkBody {
  const maxSource = limits.maxSourceBytes ?? Infinity;
  const operations: BulkOperation[] = [];
  const errors: BulkParseError[] = [];
  let position = 0;
  const fail = (line: number, action: 'index' | 'create', index: string, id: string | null, status: number, type: string, reason: string) => {
    errors.push({ position: position++, line, result: { action, _index: index, _id: id, status, error: { type, reason } } });
  };

  let lastActionText: string | undefined;
  let lastAction: Action | string | undefined;
  let i = 0;
  while (i < lines.length) {
    const actionLine = i + 1;
    const actionText = text(lines[i] as BodyLine); // i < length
    i++;
    if (isBlank(actionText)) continue;
    // Clients repeat the same action line for every document: parse each distinct text once.
    let action = actionText === lastActionText ? lastAction : undefined;
    if (action === undefined) {
      action = parseAction(actionText);
      lastActionText = actionText;
      lastAction = action;
    }
    if (typeof action === 'string') {
      // Without a valid action we cannot know whether the next line is its source: skip it unless it is an action itself.
      while (i < lines.length && isBlank(lines[i] as BodyLine)) i++;
      if (i < lines.length && typeof parseAction(lines[i] as BodyLine) === 'string') i++;
      fail(actionLine, 'index', defaultIndex ?? '', null, 400, 'illegal_argument_exception', `[line ${actionLine}] ${action}`);
      continue;
    }
    const index = action.index ?? defaultIndex;
    const resultAction = action.name === 'create' ? 'create' : 'index';
    if (action.name === 'delete' || action.name === 'update') {
      if (action.name === 'update') {
        while (i < lines.length && isBlank(lines[i] as BodyLine)) i++;
        i++;
      }
      fail(actionLine, resultAction, index ?? '', action.id ?? null, 400, 'illegal_argument_exception',
        `[line ${actionLine}] the ${action.name} action is not supported: this endpoint only stores new documents (index, create)`);
      continue;
    }
    while (i < lines.length && isBlank(lines[i] as BodyLine)) i++;
    if (i >= lines.length) {
      fail(actionLine, resultAction, index ?? '', action.id ?? null, 400, 'action_request_validation_exception', `[line ${actionLine}] the ${action.name} action has no source line after it`);
      continue;
    }
    const source = lines[i] as BodyLine; // i < length
    const sourceLine = i + 1;
    i++;
    if (index === undefined || index === '') {
      fail(actionLine, resultAction, '', action.id ?? null, 400, 'action_request_validation_exception', `[line ${actionLine}] index is missing`);
      continue;
    }
    if (action.id === '') {
      fail(actionLine, resultAction, index, '', 400, 'action_request_validation_exception', `[line ${actionLine}] if _id is specified it must not be empty`);
      continue;
    }
    if (source.length > maxSource) {
      fail(actionLine, resultAction, index, action.id ?? null, 400, 'document_parsing_exception',
        `[${sourceLine}:1] failed to parse: the document is [${source.length}] bytes, more than the limit of [${maxSource}] bytes`);
      continue;
    }
    const op: BulkOperation = { action: resultAction, index, source, line: sourceLine };
    if (action.id !== undefined) op.id = action.id;
    operations.push(op);
    position++;
  }
  // Operations fill the positions errors left free, in order.
  return { operations, errors, items: position };
}

/** Merges store results for `operations` with parse errors back into request order. */
export function mergeBulkResults(parsed: ParsedBulkBody, stored: BulkItemResult[]): BulkItemResult[] {
  const out: BulkItemResult[] = new Array<BulkItemResult>(parsed.items);
  for (const e of parsed.errors) out[e.position] = e.result;
  let k = 0;
  for (let p = 0; p < parsed.items; p++) {
    if (out[p] === undefined) out[p] = stored[k++] as BulkItemResult; // one store result per operation, in order
  }
  return out;
}
