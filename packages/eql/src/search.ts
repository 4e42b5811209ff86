import type { Ast, Pipe } from './ast';
import { compile, optionalFields, type CompiledKey, type CompiledPlan, type CompiledTerm } from './compile';
import { EqlRequestError } from './errors';
import { fieldGetter, type EvalContext, type ValueFn } from './evaluator';
import { distinctValues, firstValue } from './field-access';
import { makeGetter } from './field-access';
import { FieldIndex } from './mappings';
import { parse } from './parser';
import { compileQueryDsl } from './query-dsl';
import { HitBuffer, keptWindow } from './hit-buffer';
import { formatDate, parseDate, parseIsoFast } from './scalars';

/** The body of Elasticsearch's `_eql/search`. */
export interface EqlSearchRequest {
  query: string;
  timestamp_field?: string;
  tiebreaker_field?: string;
  event_category_field?: string;
  size?: number;
  result_position?: 'head' | 'tail';
  filter?: object | object[];
  fetch_size?: number;
  max_samples_per_key?: number;
}

export interface EqlEvent {
  _index?: string;
  _id?: string;
  _source: Record<string, unknown>;
  missing?: boolean;
}

export interface EqlSequence {
  join_keys: unknown[];
  events: EqlEvent[];
}

/** The `hits` object of an `_eql/search` response. */
export interface EqlHits {
  total: { value: number; relation: 'eq' };
  events?: EqlEvent[];
  sequences?: EqlSequence[];
}

export interface SearchOptions {
  mappings?: object;
  /** The clock for date math in `filter`; default Date.now(). */
  now?: number;
  /**
   * The caller guarantees documents arrive ordered by timestamp (then tiebreaker), as a store's ORDER BY gives them.
   * Sequences over a stream then keep only their live partial matches; a document out of order is an error.
   * Without it, a stream's sequence candidates are kept so that unordered input can be sorted and replayed.
   */
  ordered?: boolean;
}

/** An input document with its place in the stream and its ordering values. */
interface Item {
  doc: object;
  source: Record<string, unknown>;
  seq: number;
  ts: number;
  tb: unknown;
  /** Sequences: which terms (and whether the until term) matched, computed once. */
  matched?: boolean[];
  untilMatched?: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Documents may be plain sources or search hits `{ _index, _id, _source }`. */
function sourceOf(doc: object): Record<string, unknown> {
  const d = doc as Record<string, unknown>;
  return isRecord(d._source) ? d._source : d;
}

function toEvent(item: Item): EqlEvent {
  const d = item.doc as Record<string, unknown>;
  const out: EqlEvent = { _source: item.source };
  if (item.source !== d) {
    if (typeof d._index === 'string') out._index = d._index;
    if (typeof d._id === 'string') out._id = d._id;
  }
  return out;
}

function compareTb(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareItems(a: Item, b: Item): number {
  return a.ts - b.ts || compareTb(a.tb, b.tb) || a.seq - b.seq;
}

/** Applies the query's pipes in order, then the request's size from the chosen end. */
function window<T>(list: T[], pipes: Pipe[], size: number, position: 'head' | 'tail'): T[] {
  let out = list;
  for (const p of pipes) out = p.kind === 'head' ? out.slice(0, p.count) : p.count === 0 ? [] : out.slice(-p.count);
  if (out.length > size) out = position === 'head' ? out.slice(0, size) : size === 0 ? [] : out.slice(-size);
  return out;
}

interface Setup {
  plan: CompiledPlan;
  /** The request's `filter`; null when there is none. */
  accept: ((source: object) => boolean) | null;
  /** A document's timestamp in epoch milliseconds; NaN when it has none that parses. */
  timestamp: (source: object) => number;
  tiebreaker: ValueFn | null;
  size: number;
  position: 'head' | 'tail';
  maxSamplesPerKey: number;
  ordered: boolean;
}

/**
 * Elasticsearch replaces an optional field that its indices do not map by the constant null. With a mapping and
 * documents in hand, a field is unmapped when neither mentions it (a document would have mapped it dynamically).
 */
function absentOptionalFields(ast: Ast, mappings: object | undefined, docs: unknown): Set<string> | undefined {
  if (!mappings || !Array.isArray(docs)) return undefined;
  const optional = optionalFields(ast);
  if (optional.size === 0) return undefined;
  const index = new FieldIndex(mappings);
  const absent = new Set<string>();
  for (const path of optional) {
    if (index.get(path)) continue;
    const get = makeGetter(path);
    if (!docs.some((d) => isRecord(d) && get(sourceOf(d)) !== undefined)) absent.add(path);
  }
  return absent;
}

/**
 * Plans of recent searches: a rule runs the same query again and again, and reusing its closures keeps them
 * optimized. Keyed by mappings object (by identity), then by query and options.
 */
const planCache = new WeakMap<object, Map<string, CompiledPlan>>();
const NO_MAPPINGS = {};
const PLAN_CACHE_SIZE = 64;

function cachedPlan(query: string, mappings: object | undefined, categoryField: string | undefined, timestampField: string, docs: unknown): CompiledPlan {
  const ast = parse(query);
  const absentFields = absentOptionalFields(ast, mappings, docs);
  const options = { mappings, eventCategoryField: categoryField, timestampField, absentFields };
  // plans that depend on the documents themselves are not shared
  if (absentFields && absentFields.size > 0) return compile(ast, options);
  let byQuery = planCache.get(mappings ?? NO_MAPPINGS);
  if (!byQuery) {
    byQuery = new Map();
    planCache.set(mappings ?? NO_MAPPINGS, byQuery);
  }
  const key = `${categoryField ?? ''}\u0000${timestampField}\u0000${query}`;
  let plan = byQuery.get(key);
  if (!plan) {
    plan = compile(ast, options);
    if (byQuery.size >= PLAN_CACHE_SIZE) byQuery.clear();
    byQuery.set(key, plan);
  }
  return plan;
}

function setup(request: EqlSearchRequest, options: SearchOptions, docs: unknown): Setup {
  if (!isRecord(request) || typeof request.query !== 'string') throw new EqlRequestError('request.query must be a string');
  const timestampField = request.timestamp_field ?? '@timestamp';
  const plan = cachedPlan(request.query, options.mappings, request.event_category_field, timestampField, docs);
  const size = request.size ?? 10;
  if (!Number.isInteger(size) || size < 0) throw new EqlRequestError('size must be a non-negative integer');
  const position = request.result_position ?? 'tail';
  if (position !== 'head' && position !== 'tail') throw new EqlRequestError("result_position must be 'head' or 'tail'");
  const maxSamplesPerKey = request.max_samples_per_key ?? 1;
  if (!Number.isInteger(maxSamplesPerKey) || maxSamplesPerKey < 1) throw new EqlRequestError('max_samples_per_key must be a positive integer');
  const accept = request.filter === undefined ? null : compileQueryDsl(request.filter, { mappings: options.mappings, timestampField, now: options.now });
  const ctx = plan.context;
  const timestamp = timestampReader(ctx, timestampField);
  const tiebreaker = request.tiebreaker_field ? fieldGetter(ctx, request.tiebreaker_field).get : null;
  return { plan, accept, timestamp, tiebreaker, size, position, maxSamplesPerKey, ordered: options.ordered === true };
}

/**
 * Reads the timestamp field as its date getter and firstValue would, with the usual shapes (one ISO-8601 string or
 * epoch millis, no mapped format or null_value) read directly: every candidate of a sequence needs its timestamp.
 */
function timestampReader(ctx: EvalContext, field: string): (source: object) => number {
  const { get, source, info } = fieldGetter(ctx, field);
  const generic = (doc: object): number => {
    const ts = firstValue(get(doc));
    return typeof ts === 'number' ? ts : Number.NaN;
  };
  if (info?.type !== 'date' || info.format !== undefined || info.nullValue !== undefined) return generic;
  const raw = makeGetter(source);
  return (doc) => {
    const v = raw(doc);
    if (typeof v === 'string') return parseIsoFast(v) ?? parseDate(v) ?? Number.NaN;
    if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
    return generic(doc);
  };
}

/** Feeds documents one at a time; `finish` produces the hits. Keeps only what the query needs, not the input. */
interface Runner {
  push(doc: object, seq: number): void;
  /** Optional fast path for a whole array. */
  pushAll?(docs: readonly unknown[]): void;
  setReplayable?(v: boolean): void;
  /** `replay` re-reads the input when it is an array, so unordered input need not be buffered. */
  finish(replay: readonly unknown[] | null): EqlHits;
}

function makeItem(s: Setup, doc: object, source: Record<string, unknown>, seq: number): Item | null {
  const ts = s.timestamp(source);
  if (Number.isNaN(ts)) return null;
  return { doc, source, seq, ts, tb: s.tiebreaker ? firstValue(s.tiebreaker(source)) : undefined };
}

function eventRunner(s: Setup, ast: Extract<Ast, { type: 'event' }>): Runner {
  const { limit, keep } = keptWindow(ast.pipes, s.size, s.position);
  const hits = new HitBuffer<Item>(compareItems, limit, keep);
  const matches = s.plan.matches;
  const accept = s.accept;
  // only matches reach the request filter and the timestamp: a document that does not match costs the match alone
  const push = (doc: object, seq: number): void => {
    const source = sourceOf(doc);
    if (!matches(source) || (accept !== null && !accept(source))) return;
    const item = makeItem(s, doc, source, seq);
    if (item) hits.push(item);
  };
  return {
    push,
    pushAll(docs) {
      // the hot loop of an event search over an array, without a call through the runner per document
      for (let i = 0; i < docs.length; i++) {
        const doc: unknown = docs[i];
        if (typeof doc !== 'object' || doc === null) continue;
        const source = sourceOf(doc);
        if (matches(source) && (accept === null || accept(source))) {
          const item = makeItem(s, doc, source, i);
          if (item) hits.push(item);
        }
      }
    },
    finish() {
      const events = window(hits.sorted(), ast.pipes, s.size, s.position).map(toEvent);
      return { total: { value: events.length, relation: 'eq' }, events };
    },
  };
}

/** The composite key tuples of a document for a term: the cartesian product of each key's distinct values. */
function keyTuples(keys: CompiledKey[], source: object): unknown[][] | null {
  if (keys.length === 1) {
    // the usual case: one key with one value
    const raw = keys[0].get(source);
    if (raw !== null && raw !== undefined && !Array.isArray(raw)) return [[raw]];
  }
  let tuples: unknown[][] = [[]];
  for (const k of keys) {
    let values = distinctValues(k.get(source));
    if (values.length === 0) {
      if (!k.optional) return null;
      values = [null];
    }
    if (values.length === 1) {
      for (const t of tuples) t.push(values[0]);
      continue;
    }
    const next: unknown[][] = [];
    for (const t of tuples) for (const v of values) next.push([...t, v]);
    tuples = next;
  }
  return tuples;
}

function keyString(tuple: unknown[]): string {
  if (tuple.length === 1 && typeof tuple[0] === 'string') return tuple[0];
  return `\u0001${JSON.stringify(tuple)}`;
}

function renderKeys(tuple: unknown[], keys: CompiledKey[], dateAsMillis: boolean): unknown[] {
  return tuple.map((v, i) => (keys[i]?.isDate && typeof v === 'number' ? (dateAsMillis ? String(v) : formatDate(v)) : v));
}

interface Partial {
  items: Item[];
}

/**
 * Evaluates every term of a sequence on one document into `out` and tells whether any matched. Written out for the
 * usual term counts, so that each call site sees one term's matcher and the engine can inline it.
 */
function termsMatcher(tests: readonly ((doc: object) => boolean)[]): (doc: object, out: boolean[]) => boolean {
  switch (tests.length) {
    case 2: {
      const [t0, t1] = tests;
      return (d, out) => {
        const m0 = (out[0] = t0(d));
        const m1 = (out[1] = t1(d));
        return m0 || m1;
      };
    }
    case 3: {
      const [t0, t1, t2] = tests;
      return (d, out) => {
        const m0 = (out[0] = t0(d));
        const m1 = (out[1] = t1(d));
        const m2 = (out[2] = t2(d));
        return m0 || m1 || m2;
      };
    }
    default: {
      const list = [...tests];
      const n = list.length;
      return (d, out) => {
        let any = false;
        for (let i = 0; i < n; i++) if ((out[i] = list[i](d))) any = true;
        return any;
      };
    }
  }
}

function sequenceRunner(s: Setup, ast: Extract<Ast, { type: 'sequence' }>): Runner {
  const terms = s.plan.terms;
  const until = s.plan.until;
  const positive: number[] = [];
  terms.forEach((t, i) => {
    if (!t.missing) positive.push(i);
  });
  const stages = positive.map((i) => terms[i]);
  const last = stages.length - 1;
  const maxspan = ast.maxspanMs;
  const hasMissing = positive.length !== terms.length;
  /** Candidates kept for a sorted replay, in case the input turns out not to be in order (only if it cannot be re-read). */
  const buffered: Item[] = [];
  /** Per join key, the latest partial match that has reached each stage: the live state, all that is kept. */
  const state = new Map<string, (Partial | undefined)[]>();
  const completed: { keys: unknown[]; items: Item[] }[] = [];
  // with no pipes only `size` sequences can be returned: keep just those (the first, or a sliding last few)
  const keep = ast.pipes.length === 0 && !hasMissing ? s.size : Infinity;
  const complete = (keys: unknown[], items: Item[]): void => {
    if (completed.length < keep) completed.push({ keys, items });
    else if (s.position === 'tail' && keep > 0) {
      completed.push({ keys, items });
      if (completed.length >= 2 * keep) completed.splice(0, completed.length - keep);
    }
  };
  const missingHits: { term: number; item: Item; keys: unknown[][] }[] = [];
  let inOrder = true;
  let lastTs = -Infinity;
  let lastTb: unknown = undefined;
  let lastSeq = -1;
  let sincePrune = 0;
  /** Set when the input can be read again (or is promised in order), so candidates need not be kept. */
  let replayable = s.ordered;
  const scratch = new Array<boolean>(terms.length).fill(false);
  const matchTerms = termsMatcher(terms.map((t) => t.matches));
  const untilMatches = until === null ? null : until.matches;
  const { accept, timestamp, tiebreaker } = s;

  /** Runs one event (in order) through the state machine; stages are tried last to first so it advances one step. */
  const advance = (doc: object, source: Record<string, unknown>, seq: number, ts: number, tb: unknown, matched: boolean[], untilMatched: boolean, known: Item | null): void => {
    let item = known;
    for (let st = last; st >= 0; st--) {
      if (!matched[positive[st]]) continue;
      if (st > 0 && state.size === 0) continue;
      const keys = stages[st].keys;
      // one key with one string value (the usual case) needs no tuple until a sequence completes
      const single = keys.length === 1 ? keys[0].get(source) : undefined;
      const tuples = typeof single === 'string' ? null : keyTuples(keys, source);
      if (typeof single !== 'string' && !tuples) continue;
      const count = tuples ? tuples.length : 1;
      for (let k = 0; k < count; k++) {
        // `single` is a string whenever there are no tuples (checked above)
        const ks = tuples ? keyString(tuples[k]) : (single as string);
        if (st === 0) {
          if (item === null) item = { doc, source, seq, ts, tb };
          if (last === 0) {
            complete(tuples ? tuples[k] : [single], [item]);
            continue;
          }
          let slots = state.get(ks);
          if (!slots) {
            slots = new Array<Partial | undefined>(last).fill(undefined);
            state.set(ks, slots);
          }
          slots[0] = { items: [item] };
          continue;
        }
        const slots = state.get(ks);
        const prev = slots?.[st - 1];
        if (!slots || !prev) continue;
        slots[st - 1] = undefined;
        if (maxspan !== null && ts - prev.items[0].ts > maxspan) continue;
        if (item === null) item = { doc, source, seq, ts, tb };
        const items = [...prev.items, item];
        if (st === last) complete(tuples ? tuples[k] : [single], items);
        else slots[st] = { items };
      }
    }
    // an until event ends the partial matches of its key, after the event itself has counted for the stages
    if (untilMatched && until) {
      const tuples = keyTuples(until.keys, source);
      if (tuples) for (const t of tuples) state.delete(keyString(t));
    }
  };

  const prune = (now: number): void => {
    if (maxspan === null) return;
    for (const [ks, slots] of state) {
      let live = false;
      for (let i = 0; i < slots.length; i++) {
        const p = slots[i];
        if (p && now - p.items[0].ts > maxspan) slots[i] = undefined;
        else if (p) live = true;
      }
      if (!live) state.delete(ks);
    }
  };

  /** Reads one input document; false when it matches no term (nothing of it is kept then). */
  const consider = (doc: object, seq: number, forReplay: Item[] | null): void => {
    const source = sourceOf(doc);
    const relevant = matchTerms(source, scratch);
    const untilMatched = untilMatches !== null && untilMatches(source);
    if ((!relevant && !untilMatched) || (accept !== null && !accept(source))) return;
    const ts = timestamp(source);
    if (Number.isNaN(ts)) return;
    const tb = tiebreaker === null ? undefined : firstValue(tiebreaker(source));
    let item: Item | null = null;
    if (forReplay) {
      forReplay.push({ doc, source, seq, ts, tb, matched: scratch.slice(), untilMatched });
      return;
    }
    if (hasMissing) {
      for (let i = 0; i < terms.length; i++) {
        if (!terms[i].missing || !scratch[i]) continue;
        const k = keyTuples(terms[i].keys, source);
        if (!k) continue;
        item ??= { doc, source, seq, ts, tb };
        missingHits.push({ term: i, item, keys: k });
      }
    }
    if (inOrder && (ts < lastTs || (ts === lastTs && (compareTb(tb, lastTb) || seq - lastSeq) < 0))) {
      if (s.ordered) throw new EqlRequestError(`document ${seq} is out of timestamp order, but the search was promised ordered input`);
      // out of order: everything is sorted and replayed at the end instead
      inOrder = false;
      state.clear();
      completed.length = 0;
    }
    lastTs = ts;
    lastTb = tb;
    lastSeq = seq;
    if (!replayable) buffered.push({ doc, source, seq, ts, tb, matched: scratch.slice(), untilMatched });
    if (!inOrder) return;
    advance(doc, source, seq, ts, tb, scratch, untilMatched, item);
    if (++sincePrune >= 4096) {
      sincePrune = 0;
      prune(ts);
    }
  };

  return {
    setReplayable(v: boolean) {
      replayable = v || s.ordered;
    },
    push(doc, seq) {
      consider(doc, seq, null);
    },
    pushAll(docs) {
      for (let i = 0; i < docs.length; i++) {
        const doc: unknown = docs[i];
        if (isRecord(doc)) consider(doc, i, null);
      }
    },
    finish(replay) {
      if (!inOrder) {
        if (replay) {
          buffered.length = 0;
          for (let i = 0; i < replay.length; i++) {
            const doc: unknown = replay[i];
            if (isRecord(doc)) consider(doc, i, buffered);
          }
        }
        buffered.sort(compareItems);
        state.clear();
        completed.length = 0;
        for (const it of buffered) advance(it.doc, it.source, it.seq, it.ts, it.tb, it.matched ?? [], it.untilMatched === true, it);
      }
      let results = completed;
      if (hasMissing) results = results.filter((c) => missingOk(c, terms, positive, missingHits, maxspan));
      const chosen = window(results, ast.pipes, s.size, s.position);
      const keyDefs = terms[0]?.keys ?? [];
      const sequences = chosen.map((c) => ({
        join_keys: renderKeys(c.keys, keyDefs, false),
        events: expandMissing(c.items, terms, positive),
      }));
      return { total: { value: sequences.length, relation: 'eq' }, sequences };
    },
  };
}

function expandMissing(items: Item[], terms: CompiledTerm[], positive: number[]): EqlEvent[] {
  const out: EqlEvent[] = [];
  let p = 0;
  for (let i = 0; i < terms.length; i++) {
    if (positive[p] === i) out.push(toEvent(items[p++]));
    else out.push({ _index: '', _id: '', _source: {}, missing: true });
  }
  return out;
}

/**
 * A sequence with missing-event terms is rejected when a missing term between two positive events has any event in
 * its gap (same key), or when events exist for all leading and trailing missing terms at once with the whole,
 * missing events included, within maxspan.
 */
function missingOk(
  c: { keys: unknown[]; items: Item[] },
  terms: CompiledTerm[],
  positive: number[],
  hits: { term: number; item: Item; keys: unknown[][] }[],
  maxspan: number | null,
): boolean {
  const ks = keyString(c.keys);
  let earliest = c.items[0].ts;
  let latest = c.items[c.items.length - 1].ts;
  const leading: number[] = [];
  const trailing: number[] = [];
  const inner: number[] = [];
  const lastPositive = positive[positive.length - 1];
  for (let i = 0; i < terms.length; i++) {
    if (!terms[i].missing) continue;
    (i < positive[0] ? leading : i > lastPositive ? trailing : inner).push(i);
  }
  const candidates = (i: number): Item[] => {
    const before = positive.filter((p) => p < i).length - 1;
    const lo = before >= 0 ? c.items[before] : null;
    const hi = before + 1 < c.items.length ? c.items[before + 1] : null;
    return hits
      .filter((h) => h.term === i && (!lo || compareItems(h.item, lo) > 0) && (!hi || compareItems(h.item, hi) < 0) && h.keys.some((k) => keyString(k) === ks))
      .map((h) => h.item)
      .sort(compareItems);
  };
  for (const i of inner) if (candidates(i).length > 0) return false;
  if (leading.length === 0 && trailing.length === 0) return true;
  // after the last positive event: earliest fits, in order
  let floor: Item | null = null;
  for (const i of trailing) {
    const pick = candidates(i).find((it) => !floor || compareItems(it, floor) > 0);
    if (!pick) return true;
    floor = pick;
    if (pick.ts > latest) latest = pick.ts;
  }
  // before it: latest fits, backwards
  let ceiling: Item | null = null;
  for (let k = leading.length - 1; k >= 0; k--) {
    const list = candidates(leading[k]).reverse();
    const pick = list.find((it) => !ceiling || compareItems(it, ceiling) < 0);
    if (!pick) return true;
    ceiling = pick;
    if (pick.ts < earliest) earliest = pick.ts;
  }
  return maxspan !== null && latest - earliest > maxspan;
}

function compareKeyValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sampleRunner(s: Setup, ast: Extract<Ast, { type: 'sample' }>): Runner {
  const terms = s.plan.terms;
  const max = s.maxSamplesPerKey;
  /** Per term, per key: the first matching documents (as many as a key can use). */
  const perTerm = terms.map(() => new Map<string, { tuple: unknown[]; items: Item[] }>());
  return {
    push(doc, seq) {
      const source = sourceOf(doc);
      if (s.accept !== null && !s.accept(source)) return;
      terms.forEach((t, i) => {
        if (!t.matches(source)) return;
        const tuples = keyTuples(t.keys, source);
        if (!tuples) return;
        const item: Item = { doc, source, seq, ts: 0, tb: undefined };
        for (const tuple of tuples) {
          const ks = keyString(tuple);
          let entry = perTerm[i].get(ks);
          if (!entry) {
            entry = { tuple, items: [] };
            perTerm[i].set(ks, entry);
          }
          if (entry.items.length < max * terms.length) entry.items.push(item);
        }
      });
    },
    finish() {
      const candidates = [...perTerm[0].entries()].filter(([ks]) => perTerm.every((m) => m.has(ks)));
      candidates.sort(([, a], [, b]) => {
        for (let i = 0; i < a.tuple.length; i++) {
          const c = compareKeyValues(a.tuple[i], b.tuple[i]);
          if (c !== 0) return c;
        }
        return 0;
      });
      const samples: EqlSequence[] = [];
      for (const [ks, { tuple }] of candidates) {
        const lists = perTerm.map((m) => m.get(ks)?.items ?? []);
        const count = Math.min(max, Math.max(...lists.map((l) => l.length)));
        for (let n = 0; n < count; n++) {
          // the n-th sample takes each term's n-th event (or its last), never the same event twice within a sample
          const picked: Item[] = [];
          for (const list of lists) {
            const preferred = list[Math.min(n, list.length - 1)];
            const taken = (it: Item): boolean => picked.some((p) => p.seq === it.seq);
            const next = preferred && !taken(preferred) ? preferred : list.find((it) => !taken(it));
            if (!next) break;
            picked.push(next);
          }
          if (picked.length !== terms.length) continue;
          samples.push({ join_keys: renderKeys(tuple, terms[0].keys, true), events: picked.map(toEvent) });
        }
      }
      // samples have no time order to take a tail from: size always counts from the first key
      const chosen = window(samples, ast.pipes, s.size, 'head');
      return { total: { value: chosen.length, relation: 'eq' }, sequences: chosen };
    },
  };
}

function runner(s: Setup): Runner {
  const ast = s.plan.ast;
  if (ast.type === 'event') return eventRunner(s, ast);
  if (ast.type === 'sequence') return sequenceRunner(s, ast);
  return sampleRunner(s, ast);
}

function isAsyncIterable(v: unknown): v is AsyncIterable<object> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

/**
 * Runs an `_eql/search` request over documents in memory, with Elasticsearch's semantics. Synchronous for
 * iterables, a Promise for async iterables. Throws EqlSyntaxError for invalid queries, EqlRequestError for bad requests.
 */
export function search(docs: Iterable<object>, request: EqlSearchRequest, options?: SearchOptions): EqlHits;
export function search(docs: AsyncIterable<object>, request: EqlSearchRequest, options?: SearchOptions): Promise<EqlHits>;
export function search(docs: Iterable<object> | AsyncIterable<object>, request: EqlSearchRequest, options?: SearchOptions): EqlHits | Promise<EqlHits>;
export function search(docs: Iterable<object> | AsyncIterable<object>, request: EqlSearchRequest, options: SearchOptions = {}): EqlHits | Promise<EqlHits> {
  const run = runner(setup(request, options, docs));
  if (isAsyncIterable(docs)) {
    return (async () => {
      let seq = 0;
      for await (const doc of docs) if (isRecord(doc)) run.push(doc, seq++);
      return run.finish(null);
    })();
  }
  if (Array.isArray(docs)) {
    run.setReplayable?.(true);
    if (run.pushAll) run.pushAll(docs);
    else {
      for (let i = 0; i < docs.length; i++) {
        const doc: unknown = docs[i];
        if (isRecord(doc)) run.push(doc, i);
      }
    }
    return run.finish(docs);
  }
  let seq = 0;
  for (const doc of docs) if (isRecord(doc)) run.push(doc, seq++);
  return run.finish(null);
}
