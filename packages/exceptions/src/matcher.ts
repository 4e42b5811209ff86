import type { ExceptionEntry, NestedSubEntry } from '@execwatch/api';
import { compileFieldReader, leafValues, stringValues, type FieldReader } from './field-values';
import { usableItems, type MatchableExceptionItem, type SkippedItem } from './item-input';
import { compileWildcard } from './wildcard';

/** A set of exception items compiled once for a run. */
export interface ExceptionMatcher {
  /** Id of the first item (in the given order) the document matches, or null. */
  match(doc: unknown): string | null;
  /** Every field the items read (nested fields as full paths). */
  fields: string[];
  /**
   * The fields `matchValues` takes values of, in its order: those of `fields` outside nested entries,
   * and the parent field of each nested entry (its objects are matched whole).
   */
  valueFields: string[];
  /**
   * Like `match`, given the value of each of `valueFields` instead of the document (as the document
   * holds it: a scalar, an array or an object; null or undefined when absent). For a store that reads
   * only those fields; values that objects inside arrays hold must come through `match` instead.
   */
  matchValues(values: readonly unknown[]): string | null;
  /** Items in force that are evaluated. */
  active: number;
  /** Items that cannot be evaluated (value lists, malformed entries), never applied. */
  skipped: SkippedItem[];
}

/**
 * Per-document cache of field values, by slot. One view is reused for every document of a run
 * (a generation stamp invalidates it), so matching allocates only the values it reads.
 */
class DocView {
  doc: unknown = null;
  /** Values by slot when the caller read the fields itself (`resetValues`), else null. */
  private given: readonly unknown[] | null = null;
  private generation = 0;
  private readonly rawGen: Uint32Array;
  private readonly strGen: Uint32Array;
  private readonly raw: unknown[][];
  private readonly str: string[][];
  constructor(private readonly readers: FieldReader[]) {
    this.rawGen = new Uint32Array(readers.length);
    this.strGen = new Uint32Array(readers.length);
    this.raw = new Array<unknown[]>(readers.length);
    this.str = new Array<string[]>(readers.length);
  }
  reset(doc: unknown): this {
    this.doc = doc;
    this.given = null;
    return this.advance();
  }
  resetValues(values: readonly unknown[]): this {
    this.doc = null;
    this.given = values;
    return this.advance();
  }
  private advance(): this {
    this.generation = this.generation === 0xffffffff ? 1 : this.generation + 1;
    if (this.generation === 1) {
      this.rawGen.fill(0);
      this.strGen.fill(0);
    }
    return this;
  }
  values(slot: number): unknown[] {
    if (this.rawGen[slot] !== this.generation) {
      this.raw[slot] = this.given === null ? this.readers[slot](this.doc) : leafValues(this.given[slot]);
      this.rawGen[slot] = this.generation;
    }
    return this.raw[slot];
  }
  strings(slot: number): string[] {
    if (this.strGen[slot] !== this.generation) {
      this.str[slot] = stringValues(this.values(slot));
      this.strGen[slot] = this.generation;
    }
    return this.str[slot];
  }
}

/** Field -> slot numbering shared by the entries of one scope (the document or one nested object). */
class SlotTable {
  readonly readers: FieldReader[] = [];
  /** Field of each slot. */
  readonly fields: string[] = [];
  private readonly slots = new Map<string, number>();
  slot(field: string): number {
    let s = this.slots.get(field);
    if (s === undefined) {
      s = this.readers.length;
      this.readers.push(compileFieldReader(field));
      this.fields.push(field);
      this.slots.set(field, s);
    }
    return s;
  }
}

type Predicate = (view: DocView) => boolean;

/**
 * Compiles exception items into one matcher: entries of an item are ANDed, items ORed, `excluded`
 * negates an entry, multi-valued fields match on any value, and matching is case-sensitive unless an
 * entry sets `case_insensitive`. Expired items (at `now`) are left out.
 *
 * Items with an `included` match/match_any entry are indexed by its values (the entry on the field
 * with the most distinct values among the items), so a document only evaluates the items it could
 * match: 500 items cost about as much as a handful.
 */
export function compileExceptionMatcher(items: readonly MatchableExceptionItem[], opts: { now: number }): ExceptionMatcher {
  const { usable, skipped } = usableItems(items, opts.now);
  const table = new SlotTable();
  const fields = new Set<string>();
  /** Whole item, for items evaluated in turn. */
  const tests: Predicate[] = [];
  /** Item minus its anchor entry, for items reached through the anchor index (the anchor already matched). */
  const rests: Predicate[] = [];
  const ids: string[] = [];
  const anchors = new Map<string, { slot: number; ci: boolean; byValue: Map<string, number[]> }>();
  const linear: number[] = [];

  // The most selective anchor is the field with the most distinct values across the items.
  const distinct = new Map<string, Set<string>>();
  for (const item of usable) {
    for (const e of item.entries) {
      if (!isAnchorable(e)) continue;
      const key = anchorKey(e);
      let set = distinct.get(key);
      if (!set) distinct.set(key, (set = new Set()));
      for (const v of anchorValues(e)) set.add(v);
    }
  }

  usable.forEach((item, index) => {
    const preds = item.entries.map((e) => compileEntry(e, table, fields));
    const osPred = item.osTypes.length > 0 ? [compileOsTypes(item.osTypes, table, fields)] : [];
    tests.push(allOf([...preds, ...osPred]));
    ids.push(item.id);
    let anchorAt = -1;
    item.entries.forEach((e, i) => {
      if (!isAnchorable(e)) return;
      const best = anchorAt === -1 ? -1 : (distinct.get(anchorKey(item.entries[anchorAt] as AnchorEntry))?.size ?? 0);
      if ((distinct.get(anchorKey(e))?.size ?? 0) > best) anchorAt = i;
    });
    if (anchorAt === -1) {
      rests.push(tests[index]);
      linear.push(index);
      return;
    }
    // anchorAt only ever points at an anchorable entry (checked above).
    const anchor = item.entries[anchorAt] as AnchorEntry;
    rests.push(allOf([...preds.filter((_, i) => i !== anchorAt), ...osPred]));
    const key = anchorKey(anchor);
    let group = anchors.get(key);
    if (!group) {
      group = { slot: table.slot(anchor.field), ci: anchor.case_insensitive === true, byValue: new Map() };
      anchors.set(key, group);
    }
    for (const v of new Set(anchorValues(anchor))) {
      const list = group.byValue.get(v);
      if (list) list.push(index);
      else group.byValue.set(v, [index]);
    }
  });
  const groups = [...anchors.values()];
  // Compiled matchers are used synchronously, one document at a time, so one view serves them all.
  const view = new DocView(table.readers);

  const firstMatch = (): string | null => {
    let best = Number.POSITIVE_INFINITY;
    for (const group of groups) {
      for (const s of view.strings(group.slot)) {
        const candidates = group.byValue.get(group.ci ? s.toLowerCase() : s);
        if (!candidates) continue;
        for (const idx of candidates) {
          if (idx >= best) break;
          if (rests[idx](view)) {
            best = idx;
            break;
          }
        }
      }
    }
    for (const idx of linear) {
      if (idx >= best) break;
      if (tests[idx](view)) {
        best = idx;
        break;
      }
    }
    return best === Number.POSITIVE_INFINITY ? null : ids[best];
  };

  return {
    match(doc) {
      if (tests.length === 0) return null;
      view.reset(doc);
      return firstMatch();
    },
    matchValues(values) {
      if (tests.length === 0) return null;
      view.resetValues(values);
      return firstMatch();
    },
    fields: [...fields],
    valueFields: [...table.fields],
    active: usable.length,
    skipped,
  };
}

type AnchorEntry = Extract<ExceptionEntry, { type: 'match' | 'match_any' }>;

function isAnchorable(e: ExceptionEntry): e is AnchorEntry {
  return (e.type === 'match' || e.type === 'match_any') && e.operator === 'included';
}

function anchorKey(e: AnchorEntry): string {
  return `${e.case_insensitive === true ? 'i' : 's'}:${e.field}`;
}

function anchorValues(e: AnchorEntry): string[] {
  const values = e.type === 'match' ? [e.value] : e.value;
  return e.case_insensitive === true ? values.map((v) => v.toLowerCase()) : values;
}

const always: Predicate = () => true;

function allOf(preds: Predicate[]): Predicate {
  if (preds.length === 0) return always;
  if (preds.length === 1) return preds[0];
  if (preds.length === 2) {
    const [a, b] = preds;
    return (view) => a(view) && b(view);
  }
  return (view) => {
    for (const p of preds) if (!p(view)) return false;
    return true;
  };
}

function compileEntry(entry: ExceptionEntry | NestedSubEntry, table: SlotTable, fields: Set<string>, parent?: string): Predicate {
  if (entry.type === 'nested') return compileNested(entry.field, entry.entries, table, fields);
  fields.add(parent ? `${parent}.${entry.field}` : entry.field);
  const slot = table.slot(entry.field);
  let positive: Predicate;
  switch (entry.type) {
    case 'match': {
      const ci = entry.case_insensitive === true;
      const want = ci ? entry.value.toLowerCase() : entry.value;
      positive = ci
        ? (view) => view.strings(slot).some((s) => s.toLowerCase() === want)
        : (view) => view.strings(slot).includes(want);
      break;
    }
    case 'match_any': {
      const ci = entry.case_insensitive === true;
      const want = new Set(entry.value.map((v) => (ci ? v.toLowerCase() : v)));
      positive = ci
        ? (view) => view.strings(slot).some((s) => want.has(s.toLowerCase()))
        : (view) => view.strings(slot).some((s) => want.has(s));
      break;
    }
    case 'wildcard': {
      const matches = compileWildcard(entry.value, entry.case_insensitive === true);
      positive = (view) => view.strings(slot).some(matches);
      break;
    }
    case 'exists':
      positive = (view) => view.values(slot).length > 0;
      break;
  }
  return entry.operator === 'excluded' ? (view) => !positive(view) : positive;
}

/** A nested entry matches when one object under `field` satisfies all its sub-entries (ES `nested`). */
function compileNested(field: string, entries: NestedSubEntry[], table: SlotTable, fields: Set<string>): Predicate {
  const slot = table.slot(field);
  const inner = new SlotTable();
  const preds = entries.map((e) => compileEntry(e, inner, fields, field));
  const all = allOf(preds);
  return (view) => {
    const sub = new DocView(inner.readers);
    return view.values(slot).some((obj) => typeof obj === 'object' && obj !== null && all(sub.reset(obj)));
  };
}

/** Kibana turns `os_types` into a match on `host.os.type` or `host.os.name.caseless`. */
function compileOsTypes(osTypes: string[], table: SlotTable, fields: Set<string>): Predicate {
  const want = new Set(osTypes);
  const typeSlot = table.slot('host.os.type');
  const caselessSlot = table.slot('host.os.name.caseless');
  fields.add('host.os.type');
  fields.add('host.os.name.caseless');
  return (view) => view.strings(typeSlot).some((s) => want.has(s)) || view.strings(caselessSlot).some((s) => want.has(s));
}
