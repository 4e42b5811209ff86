import { isUtf8 } from 'node:buffer';
import type Database from 'better-sqlite3';
import { NESTED_ARRAYS_COLUMN, STORED_COLUMNS, nestedArraysSql } from './hot-fields';
import { TIMESTAMP_MS } from './time-sql';

/** A source line: its UTF-8 bytes as received, or text (lines rewritten in JS, such as expanded dotted keys). */
export type SourceLine = string | Uint8Array;

/** Why a source line cannot become a stored document. */
export type PrepError =
  | { kind: 'invalid_utf8' }
  | { kind: 'malformed'; message: string }
  | { kind: 'not_object'; type: string };

/** The `@timestamp` of a prepared document: 0 usable, 1 missing, 2 present but not a date. */
export const TS_OK = 0;
export const TS_MISSING = 1;
export const TS_INVALID = 2;

/**
 * What storing each source line needs besides the line itself, column by column (cheap to pass between
 * threads): `ts[i]` its `@timestamp` in epoch ms (NaN when unusable, see `tsState`),
 * `columns[i * STORED_WIDTH + k]` its k-th stored column (`STORED_NAMES` order), and `errors[i]` non-null
 * when it cannot be stored at all (so the insert, which converts the line again, never fails on it).
 */
export interface PreparedDocs {
  count: number;
  ts: Float64Array<ArrayBuffer>;
  tsState: Uint8Array<ArrayBuffer>;
  columns: (string | number | null)[];
  errors: (PrepError | null)[];
}

/** The stored columns in the order of `PreparedDocs.columns`. */
export const STORED_NAMES: readonly string[] = [...STORED_COLUMNS.map((c) => c.name), NESTED_ARRAYS_COLUMN];
export const STORED_WIDTH = STORED_NAMES.length;

/**
 * The statement reading one source line: SQLite validates and converts the text to JSONB (faster than
 * JSON.parse in JS) and works out `@timestamp` and the stored columns. Raw rows: [ts, type, tsType,
 * ...stored columns]. The document itself is not returned: copying it back costs about what converting
 * it again at insert does, and the insert runs on another thread.
 */
const PREP_SQL = `
  SELECT t, json_type(d) AS type, CASE WHEN t IS NULL THEN json_type(d, '$."@timestamp"') END AS ts_type,
    ${STORED_COLUMNS.map((c) => c.name).join(', ')},
    ${nestedArraysSql('d', (name) => name)} AS ${NESTED_ARRAYS_COLUMN}
  FROM (
    SELECT d, ${TIMESTAMP_MS('d')} AS t, ${STORED_COLUMNS.map((c) => `${c.sql('d')} AS ${c.name}`).join(', ')}
    FROM (SELECT jsonb(CAST(? AS TEXT)) AS d)
  )`;

/** Prepares documents with `db` (any connection: the statement reads no table). */
export function createDocPrep(db: Database.Database): (sources: readonly SourceLine[]) => PreparedDocs {
  const stmt = db.prepare<[SourceLine], unknown[]>(PREP_SQL).raw(true);
  return (sources) => {
    const n = sources.length;
    const ts = new Float64Array(n);
    const tsState = new Uint8Array(n);
    const columns: (string | number | null)[] = new Array<string | number | null>(n * STORED_WIDTH).fill(null);
    const errors: (PrepError | null)[] = new Array<PrepError | null>(n).fill(null);
    for (let i = 0; i < n; i++) {
      ts[i] = NaN;
      const src = sources[i] as SourceLine; // i < n
      if (typeof src !== 'string' && !isUtf8(src)) {
        errors[i] = { kind: 'invalid_utf8' };
        continue;
      }
      let row: unknown[] | undefined;
      try {
        row = stmt.get(src);
      } catch (e) {
        errors[i] = { kind: 'malformed', message: e instanceof Error ? e.message : String(e) };
        continue;
      }
      if (!row) continue; // a SELECT without FROM always yields its row
      const type = row[1] as string | null; // json_type(): text or NULL
      if (type !== 'object') {
        errors[i] = { kind: 'not_object', type: type ?? 'nothing' };
        continue;
      }
      const t = row[0] as number | null; // TIMESTAMP_MS: integer or NULL
      if (t === null) tsState[i] = row[2] === null ? TS_MISSING : TS_INVALID;
      else ts[i] = t;
      for (let k = 0; k < STORED_WIDTH; k++) columns[i * STORED_WIDTH + k] = row[3 + k] as string | number | null; // SQL scalars
    }
    return { count: n, ts, tsState, columns, errors };
  };
}
