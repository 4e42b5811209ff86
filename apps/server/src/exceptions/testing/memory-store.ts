/**
 * A small in-memory Store for exception tests: real exception, settings and audit behaviour; alerts
 * and events held in arrays, with the rule search treating every event in the window as a match
 * (the EQL part belongs to the event store's own tests) and applying exceptions with the real matcher.
 */
import { compileExceptionMatcher } from '@execwatch/exceptions';
import type { AuditEvent } from '@execwatch/api';
import type { Doc, EventHit, ExceptionStore, RuleSearchRequest, RuleSearchResult, Store, StoredAlert } from '../../store/ports';

export interface MemoryStore {
  store: Store;
  alerts: StoredAlert[];
  events: (EventHit & { at: number })[];
  audit: AuditEvent[];
  searches: RuleSearchRequest[];
}

function memoryExceptions(): ExceptionStore {
  const lists = new Map<string, Doc>();
  const items = new Map<string, Doc>();
  const hits = new Map<string, { hits: number; last_hit_at: number | null }>();
  const page = <T>(all: T[], p: number, perPage: number) => all.slice((p - 1) * perPage, p * perPage);
  return {
    async getList(by) {
      for (const l of lists.values()) if ((by.id !== undefined && l.id === by.id) || (by.list_id !== undefined && l.list_id === by.list_id)) return structuredClone(l);
      return null;
    },
    async findLists({ page: p, perPage }) {
      const all = [...lists.values()].sort((a, b) => String(a.list_id).localeCompare(String(b.list_id)));
      return { total: all.length, data: page(all, p, perPage).map((d) => structuredClone(d)) };
    },
    async putList(list) {
      for (const [id, l] of lists) if (l.list_id === list.list_id && id !== list.id) lists.delete(id);
      lists.set(String(list.id), structuredClone(list));
    },
    async deleteList(id) {
      lists.delete(id);
    },
    async getItem(by) {
      for (const i of items.values()) if ((by.id !== undefined && i.id === by.id) || (by.item_id !== undefined && i.item_id === by.item_id)) return structuredClone(i);
      return null;
    },
    async findItems(listIds, { page: p, perPage, filter }) {
      const all = [...items.values()].filter((i) => listIds.includes(String(i.list_id)) && (!filter || JSON.stringify(i).toLowerCase().includes(filter.toLowerCase())));
      return { total: all.length, data: page(all, p, perPage).map((d) => structuredClone(d)) };
    },
    async putItem(item) {
      for (const [id, i] of items) if (i.item_id === item.item_id && id !== item.id) items.delete(id);
      items.set(String(item.id), structuredClone(item));
    },
    async deleteItem(id) {
      items.delete(id);
      hits.delete(id);
    },
    async recordHits(h, at) {
      for (const [id, n] of Object.entries(h)) {
        const prev = hits.get(id) ?? { hits: 0, last_hit_at: null };
        hits.set(id, { hits: prev.hits + n, last_hit_at: Math.max(prev.last_hit_at ?? 0, at) });
      }
    },
    async hitStats(ids) {
      return Object.fromEntries(ids.map((id) => [id, hits.get(id) ?? { hits: 0, last_hit_at: null }]));
    },
  };
}

const unused = (what: string) => () => {
  throw new Error(`${what} is not part of the exception tests`);
};

/** Builds the in-memory store. */
export function createMemoryStore(): MemoryStore {
  const settings = new Map<string, unknown>();
  const state: Omit<MemoryStore, 'store'> = { alerts: [], events: [], audit: [], searches: [] };
  const store = {
    kind: 'embedded',
    exceptions: memoryExceptions(),
    settings: {
      async get<T>(key: string): Promise<T | null> {
        // values are whatever the same test stored under the key
        return (settings.get(key) as T | undefined) ?? null;
      },
      async set<T>(key: string, value: T): Promise<void> {
        settings.set(key, value);
      },
    },
    alerts: {
      async ids(filter: { rule_id?: string[] }, limit: number) {
        return state.alerts.filter((a) => !filter.rule_id || filter.rule_id.includes(String((a.doc.kibana as { alert: { rule: { rule_id: string } } }).alert.rule.rule_id))).slice(0, limit).map((a) => a.id);
      },
      async get(id: string) {
        return state.alerts.find((a) => a.id === id) ?? null;
      },
      createMany: unused('alerts.createMany'),
      search: unused('alerts.search'),
      stats: unused('alerts.stats'),
      update: unused('alerts.update'),
      updateMany: unused('alerts.updateMany'),
    },
    events: {
      async searchRule(req: RuleSearchRequest): Promise<RuleSearchResult> {
        state.searches.push(req);
        const matcher = compileExceptionMatcher(req.exceptions, { now: req.window.to });
        const kept: EventHit[] = [];
        const suppressedEvents: EventHit[] = [];
        const suppressedByItem: Record<string, number> = {};
        let suppressed = 0;
        for (const e of state.events) {
          if (e.at < req.window.from || e.at >= req.window.to) continue;
          const id = matcher.match(e._source);
          if (id === null) kept.push(e);
          else {
            suppressed++;
            suppressedByItem[id] = (suppressedByItem[id] ?? 0) + 1;
            if (suppressedEvents.length < (req.suppressedSample ?? 0)) suppressedEvents.push(e);
          }
        }
        return { events: kept.slice(0, req.size), sequences: [], total: kept.length, suppressed, suppressedByItem, suppressedEvents, partial: null };
      },
      bulk: unused('events.bulk'),
      sessionEvents: unused('events.sessionEvents'),
      relatedEvents: unused('events.relatedEvents'),
      count: unused('events.count'),
    },
    audit: {
      async append(e: AuditEvent) {
        state.audit.push(e);
      },
      search: unused('audit.search'),
    },
    init: async () => {},
    close: async () => {},
  };
  // Only the ports the exception code uses are real; the others throw if reached.
  return { ...state, store: store as unknown as Store, alerts: state.alerts, events: state.events, audit: state.audit, searches: state.searches };
}
