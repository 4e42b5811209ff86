import type { AlertGroupField, WorkflowStatus } from '@execwatch/api';
import type Database from 'better-sqlite3';
import type { AlertPatch, AlertStats, AlertStore, Doc, StoredAlert } from '../ports';
import { setPaths } from '../set-paths';
import type { Db } from './db';
import { alertColumns, type AlertColumns } from './alert-columns';
import { alertFilterSql } from './alert-filter-sql';
import { alertPatchSql, applyAlertPatch } from './alert-patch';
import { SUMMARY_FIELDS, summaryDoc } from './alert-summary';

interface AlertRow {
  rowid: number;
  id: string;
  idx: string;
  doc: string;
}

const SORT_COLUMNS: Record<string, string> = {
  '@timestamp': 'ts',
  original_time: 'original_time',
  severity: 'severity_rank',
  risk_score: 'risk',
  workflow_status: 'status',
  'rule.name': 'rule_name',
  namespace: 'namespace',
  pod: 'pod',
  image: 'image',
  user: 'user',
  requested_by: 'requested_by',
  session_risk: 'session_risk',
};

const GROUP_COLUMNS: Record<AlertGroupField, string> = {
  namespace: 'namespace',
  image: 'image',
  user: 'user',
  rule: 'rule_name',
  pod: 'pod',
  cluster: 'cluster',
  requested_by: 'requested_by',
};

/** Round histogram intervals, smallest first. */
const INTERVALS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400].map((s) => s * 1000);

/** The smallest round interval giving at most `buckets` buckets over `rangeMs`. */
export function histogramInterval(rangeMs: number, buckets: number): number {
  const wanted = rangeMs / Math.max(1, buckets);
  return INTERVALS.find((i) => i >= wanted) ?? (INTERVALS[INTERVALS.length - 1] as number);
}

const toAlert = (r: AlertRow): StoredAlert => ({ id: r.id, index: r.idx, doc: JSON.parse(r.doc) as Doc }); // stored as JSON objects

const COLUMN_NAMES: (keyof AlertColumns)[] = [
  'status', 'severity', 'severity_rank', 'risk', 'rule_id', 'rule_name', 'ts', 'original_time',
  'namespace', 'pod', 'image', 'user', 'cluster', 'requested_by', 'attribution', 'session_risk', 'session_id', 'assignees', 'tags', 'search_text',
];

/** The alert store over the `alerts` table. */
export function createAlertStore(db: Db): AlertStore {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO alerts (id, idx, doc, list_doc, ${COLUMN_NAMES.join(', ')}) VALUES (@id, @idx, @doc, @list_doc, ${COLUMN_NAMES.map((c) => `@${c}`).join(', ')})`,
  );
  const updateRow = db.prepare(`UPDATE alerts SET doc = @doc, list_doc = @list_doc, ${COLUMN_NAMES.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`);
  const getRow = db.prepare<[string], AlertRow>('SELECT rowid, id, idx, doc FROM alerts WHERE id = ?');
  // Statements of list queries, by SQL text: a list request should not pay for compiling SQL.
  const statements = new Map<string, Database.Statement<unknown[], unknown>>();
  const statement = <R>(sql: string): Database.Statement<unknown[], R> => {
    let stmt = statements.get(sql);
    if (!stmt) {
      if (statements.size >= 100) statements.clear();
      stmt = db.prepare<unknown[], unknown>(sql);
      statements.set(sql, stmt);
    }
    return stmt as Database.Statement<unknown[], R>; // rows of this SQL have the shape R (the caller's SELECT)
  };
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();

  // Totals by filter, reused while the table is unchanged: `written` counts this connection's writes,
  // `data_version` moves when another connection commits. A list page then costs no count(*) scan.
  let written = 0;
  const totals = new Map<string, { version: string; n: number }>();
  const countWhere = (where: { sql: string; params: (string | number)[] }): number => {
    const version = `${written}:${dataVersion.get() ?? 0}`;
    const key = `${where.sql}\u0000${JSON.stringify(where.params)}`;
    const hit = totals.get(key);
    if (hit?.version === version) return hit.n;
    const n = statement<{ n: number }>(`SELECT count(*) AS n FROM alerts WHERE ${where.sql}`).get(...where.params)?.n ?? 0;
    if (totals.size >= 64) totals.clear();
    totals.set(key, { version, n });
    return n;
  };

  const createTx = db.transaction((alerts: StoredAlert[]) => {
    written++;
    let created = 0;
    for (const a of alerts) {
      const doc = JSON.stringify(a.doc);
      created += insert.run({ id: a.id, idx: a.index, doc, list_doc: summaryDoc(a.doc, doc), ...alertColumns(a.doc) }).changes;
    }
    return created;
  });

  const write = (row: AlertRow, patch: AlertPatch): StoredAlert => rewrite(row, applyAlertPatch(JSON.parse(row.doc) as Doc, patch)); // stored as JSON objects
  const rewrite = (row: AlertRow, doc: Doc): StoredAlert => {
    written++;
    const text = JSON.stringify(doc);
    updateRow.run({ id: row.id, doc: text, list_doc: summaryDoc(doc, text), ...alertColumns(doc) });
    return { id: row.id, index: row.idx, doc };
  };

  /** One UPDATE for any number of alerts (never paged); the patch is applied in SQL. */
  const updateWhere = (where: { sql: string; params: (string | number)[] }, patch: AlertPatch): number => {
    const set = alertPatchSql(patch);
    written++;
    return db.prepare(`UPDATE alerts SET ${set.sql} WHERE ${where.sql}`).run(...set.params, ...where.params).changes;
  };

  return {
    async createMany(alerts) {
      const created = createTx(alerts);
      return { created, existing: alerts.length - created };
    },

    async get(id) {
      const row = getRow.get(id);
      return row ? toAlert(row) : null;
    },

    async search(q) {
      const where = alertFilterSql(q.filter);
      const total = countWhere(where);
      const col = SORT_COLUMNS[q.sort.field] ?? 'ts';
      const dir = q.sort.order === 'asc' ? 'ASC' : 'DESC';
      // Missing values sort last either way, as Elasticsearch does; ties break on id for stable pages.
      const order = col === 'ts' ? `ts ${dir}, id ${dir}` : `${col} IS NULL, ${col} ${dir}, ts DESC, id DESC`;
      const size = Math.min(Math.max(q.size, 0), 1000);
      const offset = Math.max(q.page - 1, 0) * size;
      // A list view names the fields it shows: when list_doc holds them all, only that is parsed.
      const summary = q.fields !== undefined && q.fields.every((f) => SUMMARY_FIELDS.has(f));
      const docCol = summary ? 'coalesce(list_doc, doc)' : 'doc';
      // A free-text filter is decided row by row: walking the time index would read whole rows until a page of
      // matches turns up. When every filter column is in the narrow index, find the page there, then read its rows.
      const narrow = where.sql.includes('search_text') && !/\b(doc|tags|assignees)\b/.test(where.sql);
      const sql = narrow
        ? `SELECT rowid, id, idx, ${docCol} AS doc FROM alerts WHERE rowid IN (SELECT rowid FROM alerts INDEXED BY alerts_narrow WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?) ORDER BY ${order}`
        : `SELECT rowid, id, idx, ${docCol} AS doc FROM alerts WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`;
      const rows = statement<AlertRow>(sql).all(...where.params, size, offset);
      return { total, alerts: rows.map(toAlert) };
    },

    async stats(filter, opts) {
      const where = alertFilterSql(filter);
      const total = countWhere(where);
      const noStatus = alertFilterSql(filter, { ignoreStatus: true });
      const byStatus: Record<WorkflowStatus, number> = { open: 0, acknowledged: 0, closed: 0 };
      for (const r of db.prepare<unknown[], { status: string; n: number }>(`SELECT status, count(*) AS n FROM alerts WHERE ${noStatus.sql} GROUP BY status`).all(...noStatus.params)) {
        if (r.status in byStatus) byStatus[r.status as WorkflowStatus] = r.n; // checked by `in`
      }
      const { from, to } = opts.range;
      const intervalMs = histogramInterval(Math.max(to - from, 1), opts.buckets);
      const counts = new Map<number, number>();
      const hist = db.prepare<unknown[], { k: number; n: number }>(
        `SELECT (ts / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS k, count(*) AS n FROM alerts WHERE ts >= ? AND ts <= ? AND (${where.sql}) GROUP BY k`,
      );
      for (const r of hist.all(intervalMs, intervalMs, from, to, ...where.params)) counts.set(r.k, r.n);
      const buckets: { key: number; count: number }[] = [];
      for (let k = Math.floor(from / intervalMs) * intervalMs; k <= to && buckets.length < 10_000; k += intervalMs) {
        buckets.push({ key: k, count: counts.get(k) ?? 0 });
      }
      const stats: AlertStats = { total, byStatus, histogram: { intervalMs, buckets } };
      if (opts.groupBy) {
        const col = GROUP_COLUMNS[opts.groupBy];
        const rows = db
          .prepare<unknown[], { key: string | null; severity: string | null; status: string; n: number }>(
            `SELECT ${col} AS key, severity, status, count(*) AS n FROM alerts WHERE ${where.sql} GROUP BY ${col}, severity, status`,
          )
          .all(...where.params);
        const groups = new Map<string | null, { key: string | null; count: number; bySeverity: Record<string, number>; byStatus: Record<string, number> }>();
        for (const r of rows) {
          let g = groups.get(r.key);
          if (!g) {
            g = { key: r.key, count: 0, bySeverity: {}, byStatus: {} };
            groups.set(r.key, g);
          }
          g.count += r.n;
          const sev = r.severity ?? 'unknown';
          g.bySeverity[sev] = (g.bySeverity[sev] ?? 0) + r.n;
          g.byStatus[r.status] = (g.byStatus[r.status] ?? 0) + r.n;
        }
        stats.groups = [...groups.values()]
          .sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)))
          .slice(0, opts.groupsSize);
      }
      return stats;
    },

    async update(id, patch) {
      return db.transaction(() => {
        const row = getRow.get(id);
        return row ? write(row, patch) : null;
      })();
    },

    async setFields(id, fields) {
      return db.transaction(() => {
        const row = getRow.get(id);
        return row ? rewrite(row, setPaths(JSON.parse(row.doc) as Doc, fields)) : null; // stored as JSON objects
      })();
    },

    async updateMany(target, patch) {
      if ('ids' in target) {
        if (target.ids.length === 0) return { updated: 0 };
        return { updated: updateWhere({ sql: 'id IN (SELECT value FROM json_each(?))', params: [JSON.stringify([...new Set(target.ids)])] }, patch) };
      }
      return { updated: updateWhere(alertFilterSql(target.filter), patch) };
    },

    async ids(filter, limit) {
      const where = alertFilterSql(filter);
      return db
        .prepare<unknown[], { id: string }>(`SELECT id FROM alerts WHERE ${where.sql} ORDER BY ts DESC, id DESC LIMIT ?`)
        .all(...where.params, limit)
        .map((r) => r.id);
    },
  };
}
