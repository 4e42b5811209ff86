import type { Execution } from '@execwatch/api';
import type { ExecutionLog, RuleState, RuleStore } from '../ports';
import type { Db } from './db';

const parse = <T>(text: string): T => JSON.parse(text) as T; // rows hold what this module wrote

/** Rule run state; one server instance, so run claims are always granted. */
export function createRuleStore(db: Db): RuleStore {
  const get = db.prepare<[string], { doc: string }>('SELECT doc FROM rule_states WHERE rule_id = ?');
  const put = db.prepare('INSERT INTO rule_states (rule_id, doc) VALUES (?, ?) ON CONFLICT (rule_id) DO UPDATE SET doc = excluded.doc');
  return {
    async getState(ruleId) {
      const row = get.get(ruleId);
      return row ? parse<RuleState>(row.doc) : null;
    },
    async listStates() {
      return db.prepare<[], { doc: string }>('SELECT doc FROM rule_states ORDER BY rule_id').all().map((r) => parse<RuleState>(r.doc));
    },
    async putState(state) {
      put.run(state.rule_id, JSON.stringify(state));
    },
    async claimRun() {
      return true;
    },
    async releaseRun() {},
  };
}

/** Execution records, newest first. */
export function createExecutionLog(db: Db): ExecutionLog {
  const put = db.prepare(
    'INSERT INTO executions (id, rule_id, started_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET rule_id = excluded.rule_id, started_at = excluded.started_at, doc = excluded.doc',
  );
  return {
    async put(e) {
      const started = Date.parse(e.started_at);
      put.run(e.id, e.rule_id, Number.isNaN(started) ? 0 : started, JSON.stringify(e));
    },
    async list(ruleId, opts) {
      const conds = ['rule_id = ?'];
      const params: (string | number)[] = [ruleId];
      if (opts.from !== undefined) {
        conds.push('started_at >= ?');
        params.push(opts.from);
      }
      if (opts.to !== undefined) {
        conds.push('started_at <= ?');
        params.push(opts.to);
      }
      const where = conds.join(' AND ');
      const total = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM executions WHERE ${where}`).get(...params)?.n ?? 0;
      const rows = db
        .prepare<unknown[], { doc: string }>(`SELECT doc FROM executions WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`)
        .all(...params, opts.size, Math.max(opts.page - 1, 0) * opts.size);
      return { total, executions: rows.map((r) => parse<Execution>(r.doc)) };
    },
    async latest(ruleId) {
      const row = db.prepare<[string], { doc: string }>('SELECT doc FROM executions WHERE rule_id = ? ORDER BY started_at DESC, id DESC LIMIT 1').get(ruleId);
      return row ? parse<Execution>(row.doc) : null;
    },
  };
}
