/**
 * Loads Elasticsearch's EQL spec suite (TOML cases + JSON datasets) from a folder and runs each case through
 * `search`, the way Elasticsearch's own harness runs them against a cluster.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { search, type EqlHits } from '../src/index';

export interface SpecCase {
  file: string;
  name: string;
  query: string;
  expected: number[][];
  joinKeys: string[] | null;
  size: number;
  maxSamplesPerKey?: number;
}

export interface Dataset {
  docs: object[];
  mapping: object;
  idField: string;
}

export interface CaseResult {
  case: SpecCase;
  ok: boolean;
  reason?: string;
}

const NULL_MARK = '__eql_spec_null__';

/** `<repo root>/../shared/eql-spec` unless EQL_SPEC_DIR says otherwise. */
export function specDir(): string {
  if (process.env.EQL_SPEC_DIR) return path.resolve(process.env.EQL_SPEC_DIR);
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  return path.resolve(repoRoot, '../shared/eql-spec');
}

export function specAvailable(dir = specDir()): boolean {
  return existsSync(path.join(dir, 'test_queries.toml')) && existsSync(path.join(dir, 'data'));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The spec files put `null` inside arrays, which TOML forbids; it is replaced by a marker before parsing. */
export function preprocessToml(text: string): string {
  return text.replace(/(?<=[[,]\s*)null(?=\s*[,\]])/g, `"${NULL_MARK}"`);
}

export function loadCases(dir: string, file: string): SpecCase[] {
  const doc: unknown = parseToml(preprocessToml(readFileSync(path.join(dir, file), 'utf8')));
  const list: unknown[] = isRecord(doc) && Array.isArray(doc.queries) ? doc.queries : [];
  return list.filter(isRecord).map((q) => {
    const ids = Array.isArray(q.expected_event_ids) ? q.expected_event_ids : [];
    const expected = ids.length > 0 && Array.isArray(ids[0]) ? ids.map((alt: unknown) => (Array.isArray(alt) ? alt.map(Number) : [Number(alt)])) : [ids.map(Number)];
    const jk = Array.isArray(q.join_keys) ? q.join_keys.map((k: unknown) => (k === NULL_MARK ? 'null' : String(k))) : null;
    return {
      file,
      name: String(q.name),
      query: String(q.query).trim(),
      expected,
      joinKeys: jk,
      size: typeof q.size === 'number' ? q.size : 50,
      maxSamplesPerKey: typeof q.max_samples_per_key === 'number' ? q.max_samples_per_key : undefined,
    };
  });
}

function readMapping(dir: string, name: string): Record<string, unknown> {
  const text = readFileSync(path.join(dir, 'data', `${name}.mapping`), 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n')
    .replaceAll('[runtime_random_keyword_type]', 'keyword');
  const m: unknown = JSON.parse(text);
  return isRecord(m) ? m : {};
}

function readDocs(dir: string, name: string): Record<string, unknown>[] {
  const text = readFileSync(path.join(dir, 'data', `${name}.data`), 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('//'))
    .join('\n')
    // FILETIME values exceed 2^53: keep their digits exact
    .replace(/"timestamp"\s*:\s*(\d+)/g, '"timestamp": "$1"');
  const docs: unknown = JSON.parse(text);
  return Array.isArray(docs) ? docs.filter(isRecord) : [];
}

function nanosToIso(nanos: bigint): string {
  const ms = nanos / 1_000_000n;
  const frac = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(ms)).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Date fields with a custom format are stored as Elasticsearch indexes them (epoch millis), index by index. */
function indexDates(docs: Record<string, unknown>[], mapping: Record<string, unknown>): void {
  const props = isRecord(mapping.properties) ? mapping.properties : {};
  for (const [field, def] of Object.entries(props)) {
    if (!isRecord(def) || def.type !== 'date' || typeof def.format !== 'string') continue;
    const format = def.format;
    for (const d of docs) {
      const v = d[field];
      if (typeof v !== 'string') continue;
      const parts: Record<string, number> = {};
      let ok = true;
      let at = 0;
      for (const tok of format.match(/yyyy|MM|dd|HH|mm|ss|[^a-zA-Z]/g) ?? []) {
        if (/^[^a-zA-Z]$/.test(tok)) {
          at += 1;
          continue;
        }
        const num = Number(v.slice(at, at + tok.length));
        if (Number.isNaN(num)) ok = false;
        parts[tok] = num;
        at += tok.length;
      }
      if (ok) d[field] = Date.UTC(parts.yyyy ?? 1970, (parts.MM ?? 1) - 1, parts.dd ?? 1, parts.HH ?? 0, parts.mm ?? 0, parts.ss ?? 0);
    }
    delete def.format;
  }
}

/** Loads the dataset a spec file runs against, shaped as the Elasticsearch harness indexes it. */
export function loadDataset(dir: string, file: string): Dataset {
  if (file === 'test_queries.toml' || file === 'test_queries_date.toml' || file === 'test_queries_date_nanos.toml') {
    const nanos = file === 'test_queries_date_nanos.toml';
    const mapping = readMapping(dir, 'endgame-140');
    const docs = readDocs(dir, 'endgame-140').map((d) => {
      const ft = BigInt(String(d.timestamp));
      const out: Record<string, unknown> = { ...d, timestamp: Number(ft) };
      out['@timestamp'] = nanos ? nanosToIso(ft) : Number(ft / 10_000n - 11_644_473_600_000n);
      return out;
    });
    if (nanos && isRecord(mapping.properties) && isRecord(mapping.properties['@timestamp'])) mapping.properties['@timestamp'].type = 'date_nanos';
    return { docs, mapping, idField: 'serial_event_id' };
  }
  if (file === 'test_extra.toml') return { docs: readDocs(dir, 'extra'), mapping: readMapping(dir, 'extra'), idField: 'sequence' };
  if (file === 'test_missing_events.toml') {
    return { docs: readDocs(dir, 'missing-events'), mapping: readMapping(dir, 'missing-events'), idField: 'sequence' };
  }
  if (file === 'test_sample.toml') {
    const docs: Record<string, unknown>[] = [];
    const merged: Record<string, unknown> = {};
    for (const name of ['sample1', 'sample2', 'sample3']) {
      const mapping = readMapping(dir, name);
      const part = readDocs(dir, name);
      indexDates(part, mapping);
      docs.push(...part);
      if (isRecord(mapping.properties)) for (const [k, v] of Object.entries(mapping.properties)) if (!(k in merged)) merged[k] = v;
    }
    return { docs, mapping: { properties: merged }, idField: 'id' };
  }
  if (file === 'test_sample_multi.toml') {
    const mapping = { properties: { event: { properties: { category: { type: 'alias', path: 'event_type' } } }, event_type: { type: 'keyword' } } };
    return { docs: readDocs(dir, 'sample-multi'), mapping, idField: 'id' };
  }
  throw new Error(`no dataset known for ${file}`);
}

export const SPEC_FILES = [
  'test_queries.toml',
  'test_queries_date.toml',
  'test_queries_date_nanos.toml',
  'test_extra.toml',
  'test_missing_events.toml',
  'test_sample.toml',
  'test_sample_multi.toml',
];

function idsOf(hits: EqlHits, idField: string): number[] {
  if (hits.events) return hits.events.map((e) => Number(e._source[idField]));
  return (hits.sequences ?? []).flatMap((s) => s.events.map((e) => (e.missing ? -1 : Number(e._source[idField]))));
}

function keysOf(hits: EqlHits): string[] {
  return (hits.sequences ?? []).flatMap((s) => s.join_keys.map((k) => String(k)));
}

/** Runs one case with result_position head and tail; both must give an expected answer. */
export function runCase(c: SpecCase, data: Dataset): CaseResult {
  for (const position of ['head', 'tail'] as const) {
    let hits: EqlHits;
    try {
      hits = search(
        data.docs,
        {
          query: c.query,
          size: c.size,
          result_position: position,
          tiebreaker_field: data.idField,
          event_category_field: 'event.category',
          timestamp_field: '@timestamp',
          max_samples_per_key: c.maxSamplesPerKey,
        },
        { mappings: data.mapping },
      );
    } catch (err) {
      return { case: c, ok: false, reason: `${position}: threw ${(err as Error).message}` };
    }
    const ids = idsOf(hits, data.idField);
    const match = c.expected.findIndex((alt) => alt.length === ids.length && alt.every((v, i) => v === ids[i]));
    if (match < 0) {
      return { case: c, ok: false, reason: `${position}: got ids [${ids.join(', ')}], expected [${c.expected.map((a) => a.join(', ')).join('] or [')}]` };
    }
    if (c.joinKeys && c.expected.length === 1) {
      const keys = keysOf(hits);
      if (keys.length !== c.joinKeys.length || keys.some((k, i) => k !== c.joinKeys?.[i])) {
        return { case: c, ok: false, reason: `${position}: got join_keys [${keys.join(', ')}], expected [${c.joinKeys.join(', ')}]` };
      }
    }
  }
  return { case: c, ok: true };
}

/** Runs every active case of every spec file found in `dir`. */
export function runSuite(dir = specDir()): { file: string; results: CaseResult[] }[] {
  const out: { file: string; results: CaseResult[] }[] = [];
  for (const file of SPEC_FILES) {
    if (!existsSync(path.join(dir, file))) continue;
    const data = loadDataset(dir, file);
    out.push({ file, results: loadCases(dir, file).map((c) => runCase(c, data)) });
  }
  return out;
}
