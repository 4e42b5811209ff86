import { AlertQuerySyntaxError, isFieldName } from '@execwatch/api';
import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../../log';
import type { CompatibilityVersion } from './client';
import type { IndexNames } from './indices';
import type { RetryPolicy } from './retry';

/** What every port of the adapter shares. */
export interface EsContext {
  client: Client;
  log: Logger;
  names: IndexNames;
  retry: RetryPolicy;
  compatibility: CompatibilityVersion;
  /** Index patterns holding events (sessions, related events, counts, ingest default). */
  eventIndices: string[];
  now: () => number;
}

/** Rejects field paths that are not plain dotted names (as the API defines them) before they reach a query. */
export function assertFieldName(field: string): string {
  if (!isFieldName(field)) throw new AlertQuerySyntaxError(`invalid field name "${field.slice(0, 60)}"`, 0);
  return field;
}

export type Source = Record<string, unknown>;

/** Reads a dotted path from a nested document (arrays yield their values). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Source)[part]; // checked to be a plain object just before
  }
  return cur;
}
