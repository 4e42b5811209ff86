/**
 * Turns input lines into documents to index. Accepts plain NDJSON (one event document per line) and Elasticsearch
 * bulk format (an `index`/`create` action line followed by its source line), mixed freely.
 */
import type { Line } from './line-reader';

export const DEFAULT_INDEX = 'logs-cloud_defend.process-default';

export interface DocumentItem {
  kind: 'doc';
  /** Line of the document's source (what errors are reported against). */
  lineNo: number;
  op: 'index' | 'create';
  index: string;
  id?: string;
  /** The source line as read (validated as a JSON object). */
  source: string;
}

export interface BadLine {
  kind: 'bad';
  lineNo: number;
  reason: string;
}

export type InputItem = DocumentItem | BadLine;

interface PendingAction {
  lineNo: number;
  op: 'index' | 'create';
  index?: string;
  id?: string;
}

const ACTIONS = new Set(['index', 'create', 'update', 'delete']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An action line: one key naming a bulk operation, whose value is an object of metadata. */
function asAction(doc: Record<string, unknown>): { op: string; meta: Record<string, unknown> } | undefined {
  const keys = Object.keys(doc);
  if (keys.length !== 1 || !ACTIONS.has(keys[0])) return undefined;
  const meta = doc[keys[0]];
  return isPlainObject(meta) ? { op: keys[0], meta } : undefined;
}

function field(doc: Record<string, unknown>, outer: string, inner: string): unknown {
  const nested = doc[outer];
  if (isPlainObject(nested) && inner in nested) return nested[inner];
  return doc[`${outer}.${inner}`];
}

/** The data stream a document names in `data_stream.{type,dataset,namespace}`, if it names one completely. */
export function dataStreamOf(doc: Record<string, unknown>): string | undefined {
  const type = field(doc, 'data_stream', 'type');
  const dataset = field(doc, 'data_stream', 'dataset');
  const namespace = field(doc, 'data_stream', 'namespace');
  if (typeof type === 'string' && typeof dataset === 'string' && typeof namespace === 'string' && type && dataset && namespace) {
    return `${type}-${dataset}-${namespace}`;
  }
  return undefined;
}

function describeParseError(err: unknown): string {
  return `invalid JSON (${err instanceof Error ? err.message : String(err)})`;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/**
 * Classifies lines into documents and bad lines. `indexOverride` (the CLI's --index) wins over everything but an
 * action line's own `_index`; otherwise a document goes to the data stream it names, else the default.
 */
export async function* toItems(lines: AsyncIterable<Line>, indexOverride?: string): AsyncGenerator<InputItem> {
  let pending: PendingAction | undefined;
  let skipSource = false;
  for await (const line of lines) {
    if (line.text === undefined) {
      skipSource = false;
      if (pending) yield { kind: 'bad', lineNo: pending.lineNo, reason: 'action line without a source line' };
      pending = undefined;
      yield { kind: 'bad', lineNo: line.lineNo, reason: 'line too long' };
      continue;
    }
    const text = line.text.trim();
    if (text === '') continue;
    if (skipSource) {
      skipSource = false;
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      if (pending) {
        yield { kind: 'bad', lineNo: line.lineNo, reason: `${describeParseError(err)} as the source of the action on line ${pending.lineNo}` };
        pending = undefined;
      } else {
        yield { kind: 'bad', lineNo: line.lineNo, reason: describeParseError(err) };
      }
      continue;
    }
    if (!isPlainObject(parsed)) {
      yield { kind: 'bad', lineNo: line.lineNo, reason: `not a JSON object (got ${kindOf(parsed)})` };
      pending = undefined;
      continue;
    }
    if (pending) {
      const { op, index, id } = pending;
      pending = undefined;
      yield { kind: 'doc', lineNo: line.lineNo, op, index: index ?? indexOverride ?? dataStreamOf(parsed) ?? DEFAULT_INDEX, id, source: text };
      continue;
    }
    const action = asAction(parsed);
    if (action) {
      if (action.op !== 'index' && action.op !== 'create') {
        yield { kind: 'bad', lineNo: line.lineNo, reason: `unsupported bulk action "${action.op}" (only index and create)` };
        // The partial document after an `update` must not be indexed as an event: it is skipped with its action.
        skipSource = action.op === 'update';
        continue;
      }
      const index = typeof action.meta._index === 'string' && action.meta._index ? action.meta._index : undefined;
      const id = typeof action.meta._id === 'string' && action.meta._id ? action.meta._id : undefined;
      pending = { lineNo: line.lineNo, op: action.op, index, id };
      continue;
    }
    yield { kind: 'doc', lineNo: line.lineNo, op: 'create', index: indexOverride ?? dataStreamOf(parsed) ?? DEFAULT_INDEX, source: text };
  }
  if (pending) yield { kind: 'bad', lineNo: pending.lineNo, reason: 'action line without a source line' };
}
