/**
 * Scores an exec session from its processes: which behaviours of the recogniser tables it shows, the
 * combinations between them, and how soon after the exec it turned risky.
 *
 * Why the formula is what it is:
 * - Each behaviour counts once, however many processes show it: twenty `cat`s of the token are one
 *   token read, and repeating a command must not let a session climb.
 * - Weights combine as independent evidence, risk = 100 * (1 - prod(1 - w / 100)) over the behaviours,
 *   the combinations and the tempo bonus. Every extra behaviour raises the score, a second strong one adds
 *   less than the first (the session is already almost surely hostile), the result never passes 100, and a
 *   pile of weak discovery commands stays low (all three discovery behaviours together make 16).
 * - Combinations weigh what single processes cannot show: a download that is then run, a token read that is
 *   then used against the API, a network tool installed and then used for a shell. They need the order (by
 *   process start time) or the shared path, so an admin who reads a config file and later runs curl does
 *   not earn them.
 * - Tempo: a person debugging looks around first; a playbook goes straight for credentials or a payload. A
 *   behaviour of weight >= RISKY_WEIGHT starting at the exec earns up to TEMPO_MAX_WEIGHT, fading linearly
 *   to nothing TEMPO_WINDOW_MS after it. It needs `entryStart` from the caller: taking the earliest process
 *   instead would let an added process lower the score.
 * - Deterministic and independent of input order: every choice (evidence, witnesses, products) goes through
 *   a total order on processes or on ids, never through the order processes arrived in. Adding processes
 *   never lowers the score: conditions that look beyond one process (files downloaded in the session) only
 *   ever add matches, and none of them can be negated.
 */
import { riskLevelSchema } from '@execwatch/api';
import type { z } from 'zod';
import { compileMatch, dependsOnSession, Subject, type Predicate, type SessionContext } from './matcher';
import { readProcess, type ProcessFacts, type ProcessInput } from './process-facts';
import { COMBINATIONS, MARKERS, PIPELINE_WINDOW_MS, RECOGNISERS, TEMPO_TECHNIQUE, type Combination, type Technique } from './recognisers';

export type { ProcessInput } from './process-facts';

export const RISK_LEVELS = riskLevelSchema.options;
export type RiskLevel = z.infer<typeof riskLevelSchema>;

/** Lowest score of each level above `low`. */
export const RISK_LEVEL_THRESHOLDS = { medium: 25, high: 50, critical: 75 } as const;

/** Sessions at or above this score are high risk: triage asks for more before they can be closed as benign. */
export const HIGH_RISK_THRESHOLD = RISK_LEVEL_THRESHOLDS.high;

/** Behaviours at least this heavy count as the session turning risky, for the tempo bonus. */
export const RISKY_WEIGHT = 15;
export const TEMPO_MAX_WEIGHT = 15;
export const TEMPO_WINDOW_MS = 10 * 60_000;
export const TEMPO_BEHAVIOR_ID = 'tempo.quick_start';
export const DEFAULT_MAX_EVIDENCE = 5;

export interface EvidenceItem {
  entity_id: string | null;
  name: string;
  args: string[];
  executable: string | null;
  /** Process start (or event time), ISO 8601. */
  time: string | null;
}

export interface SessionBehavior {
  id: string;
  title: string;
  technique_id: string;
  technique_name: string;
  weight: number;
  /** Distinct processes that showed the behaviour (evidence lists at most `maxEvidence` of them). */
  match_count: number;
  evidence: EvidenceItem[];
}

export interface SessionScore {
  risk_score: number;
  /** Heaviest first, then by id. */
  behaviors: SessionBehavior[];
  /** Distinct processes scored (by entity id). */
  process_count: number;
}

export interface ScoreOptions {
  /** Start of the exec'd shell (the entry leader), ISO or epoch ms; without it there is no tempo bonus. */
  entryStart?: string | number | null;
  /** Evidence items kept per behaviour (default 5). */
  maxEvidence?: number;
}

/** The level of a score: low < 25 <= medium < 50 <= high < 75 <= critical. */
export function riskLevel(score: number): RiskLevel {
  if (score >= RISK_LEVEL_THRESHOLDS.critical) return 'critical';
  if (score >= RISK_LEVEL_THRESHOLDS.high) return 'high';
  if (score >= RISK_LEVEL_THRESHOLDS.medium) return 'medium';
  return 'low';
}

interface Observation {
  facts: ProcessFacts;
  subject: Subject;
  argsKey: string;
}

/** A total order on observations: start time (unknown last), then entity key, executable, args. */
function compare(a: Observation, b: Observation): number {
  const ta = a.facts.time ?? Number.POSITIVE_INFINITY;
  const tb = b.facts.time ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.facts.key !== b.facts.key) return a.facts.key < b.facts.key ? -1 : 1;
  const ea = a.facts.executable ?? '';
  const eb = b.facts.executable ?? '';
  if (ea !== eb) return ea < eb ? -1 : 1;
  if (a.argsKey !== b.argsKey) return a.argsKey < b.argsKey ? -1 : 1;
  if (a.facts.recorded_name !== b.facts.recorded_name) return a.facts.recorded_name < b.facts.recorded_name ? -1 : 1;
  return 0;
}

/** The extent in time of a set of observations. */
class Span {
  min: Observation | null = null;
  max: Observation | null = null;
  minKnown = Number.POSITIVE_INFINITY;
  maxKnown = Number.NEGATIVE_INFINITY;
  unknown = false;

  add(o: Observation): void {
    if (!this.min || compare(o, this.min) < 0) this.min = o;
    if (!this.max || compare(o, this.max) > 0) this.max = o;
    const t = o.facts.time;
    if (t === null) this.unknown = true;
    else {
      if (t < this.minKnown) this.minKnown = t;
      if (t > this.maxKnown) this.maxKnown = t;
    }
  }

  merge(other: Span): void {
    if (other.min) this.add(other.min);
    if (other.max) this.add(other.max);
    this.unknown ||= other.unknown;
    this.minKnown = Math.min(this.minKnown, other.minKnown);
    this.maxKnown = Math.max(this.maxKnown, other.maxKnown);
  }
}

/** `first` came no later than `then` (a missing start time cannot disprove it). */
function precedes(first: Span, then: Span): boolean {
  return first.min !== null && then.min !== null && (first.unknown || then.unknown || first.minKnown <= then.maxKnown);
}

/** Everything one behaviour or marker matched, kept in bounded space except for the distinct keys. */
class Tally {
  readonly keys = new Set<string>();
  readonly span = new Span();
  /** The `limit` smallest observations with distinct keys, in order. */
  readonly top: Observation[] = [];
  writes: Map<string, Span> | null = null;
  touches: Map<string, Span> | null = null;
  byParent: Map<string, Observation[]> | null = null;

  constructor(private readonly limit: number) {}

  add(o: Observation): void {
    this.keys.add(o.facts.key);
    this.span.add(o);
    this.keep(o);
    if (this.writes) for (const path of o.subject.transfer()?.outputs ?? []) spanAt(this.writes, path).add(o);
    if (this.touches) for (const path of o.subject.touchedPaths()) spanAt(this.touches, path).add(o);
    if (this.byParent && o.facts.parent_entity_id !== null && o.facts.time !== null) {
      const list = this.byParent.get(o.facts.parent_entity_id);
      if (list) list.push(o);
      else this.byParent.set(o.facts.parent_entity_id, [o]);
    }
  }

  private keep(o: Observation): void {
    const top = this.top;
    const same = top.findIndex((t) => t.facts.key === o.facts.key);
    if (same >= 0) {
      const existing = top[same];
      if (existing && compare(o, existing) < 0) {
        top[same] = o;
        top.sort(compare);
      }
      return;
    }
    const worst = top[top.length - 1];
    if (top.length < this.limit) top.push(o);
    else if (worst && compare(o, worst) < 0) top[top.length - 1] = o;
    else return;
    top.sort(compare);
  }
}

function spanAt(map: Map<string, Span>, key: string): Span {
  let s = map.get(key);
  if (!s) {
    s = new Span();
    map.set(key, s);
  }
  return s;
}

interface CompiledEntry {
  id: string;
  test: Predicate;
  late: boolean;
}

const recogniserById = new Map(RECOGNISERS.map((r) => [r.id, r]));

function compileTables(): CompiledEntry[] {
  const entries = [...RECOGNISERS, ...MARKERS];
  const ids = new Set<string>();
  for (const e of entries) {
    if (ids.has(e.id)) throw new Error(`duplicate recogniser id ${e.id}`);
    ids.add(e.id);
  }
  for (const r of RECOGNISERS) if (!(r.weight >= 1 && r.weight <= 100)) throw new Error(`weight of ${r.id} must be 1-100`);
  for (const c of COMBINATIONS) {
    if (ids.has(c.id)) throw new Error(`duplicate combination id ${c.id}`);
    for (const ref of [...c.first, ...c.then]) if (!ids.has(ref)) throw new Error(`combination ${c.id} names unknown ${ref}`);
  }
  return entries.map((e) => ({ id: e.id, test: compileMatch(e.match), late: dependsOnSession(e.match) }));
}

const COMPILED = compileTables();
const EARLY = COMPILED.filter((e) => !e.late);
const LATE = COMPILED.filter((e) => e.late);

const NEEDS_WRITES = new Set(COMBINATIONS.filter((c) => c.relation === 'same-path').flatMap((c) => c.first));
const NEEDS_TOUCHES = new Set(COMBINATIONS.filter((c) => c.relation === 'same-path').flatMap((c) => c.then));
const NEEDS_PARENT = new Set(COMBINATIONS.filter((c) => c.relation === 'pipeline').flatMap((c) => [...c.first, ...c.then]));

function newTally(id: string, limit: number): Tally {
  const t = new Tally(limit);
  if (NEEDS_WRITES.has(id)) t.writes = new Map();
  if (NEEDS_TOUCHES.has(id)) t.touches = new Map();
  if (NEEDS_PARENT.has(id)) t.byParent = new Map();
  return t;
}

function evidenceOf(o: Observation): EvidenceItem {
  const f = o.facts;
  return { entity_id: f.entity_id, name: f.recorded_name, args: [...f.recorded_args], executable: f.executable, time: f.time === null ? null : new Date(f.time).toISOString() };
}

function behaviourOf(id: string, title: string, technique: Technique, weight: number, count: number, evidence: Observation[]): SessionBehavior {
  return { id, title, technique_id: technique.id, technique_name: technique.name, weight, match_count: count, evidence: evidence.map(evidenceOf) };
}

/** Witnesses of a satisfied combination, or null. */
function evaluateCombination(c: Combination, tallies: Map<string, Tally>): Observation[] | null {
  const present = (ids: readonly string[]) => ids.map((id) => tallies.get(id)).filter((t): t is Tally => t !== undefined);
  const firsts = present(c.first);
  const thens = present(c.then);
  if (firsts.length === 0 || thens.length === 0) return null;
  switch (c.relation) {
    case 'after': {
      const a = new Span();
      const b = new Span();
      for (const t of firsts) a.merge(t.span);
      for (const t of thens) b.merge(t.span);
      return precedes(a, b) && a.min && b.max ? [a.min, b.max] : null;
    }
    case 'same-path': {
      const writes = new Map<string, Span>();
      const touches = new Map<string, Span>();
      for (const t of firsts) for (const [path, s] of t.writes ?? []) spanAt(writes, path).merge(s);
      for (const t of thens) for (const [path, s] of t.touches ?? []) spanAt(touches, path).merge(s);
      for (const path of [...writes.keys()].sort()) {
        const w = writes.get(path);
        const x = touches.get(path);
        if (w && x && precedes(w, x) && w.min && x.max) return [w.min, x.max];
      }
      return null;
    }
    case 'pipeline': {
      const group = (ts: Tally[]) => {
        const byParent = new Map<string, Observation[]>();
        for (const t of ts) for (const [parent, list] of t.byParent ?? []) byParent.set(parent, [...(byParent.get(parent) ?? []), ...list]);
        return byParent;
      };
      const a = group(firsts);
      const b = group(thens);
      for (const parent of [...a.keys()].sort()) {
        const left = (a.get(parent) ?? []).sort(compare);
        const right = (b.get(parent) ?? []).sort(compare);
        let j = 0;
        for (const l of left) {
          // Both lists hold only observations with a known time (see Tally.add).
          const tl = l.facts.time ?? 0;
          while (j < right.length && (right[j]?.facts.time ?? 0) < tl - PIPELINE_WINDOW_MS) j++;
          const r = right[j];
          if (r && (r.facts.time ?? 0) <= tl + PIPELINE_WINDOW_MS && r.facts.key !== l.facts.key) return [l, r];
        }
      }
      return null;
    }
  }
}

/** Everything a condition reads of a process. */
function shapeOf(o: Observation): string {
  const f = o.facts;
  return `${f.name}\u0001${f.executable ?? ''}\u0001${f.working_directory ?? ''}\u0001${f.args.join('\u0000')}`;
}

function directoriesOf(files: ReadonlySet<string>): Set<string> {
  const dirs = new Set<string>();
  for (const f of files) {
    if (!f.startsWith('/')) continue;
    for (let cut = f.lastIndexOf('/'); cut > 0; cut = f.lastIndexOf('/', cut - 1)) {
      const dir = f.slice(0, cut);
      if (dir.indexOf('/', 1) < 0) break;
      dirs.add(dir);
    }
  }
  return dirs;
}

function epochMs(value: string | number | null | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** The tempo bonus and its witness: the earliest risky process, when it came soon enough after the exec. */
function tempoOf(tallies: Map<string, Tally>, entryStart: number | null): { weight: number; witness: Observation } | null {
  if (entryStart === null) return null;
  let witness: Observation | null = null;
  for (const [id, tally] of tallies) {
    const r = recogniserById.get(id);
    if (!r || r.weight < RISKY_WEIGHT || !Number.isFinite(tally.span.minKnown)) continue;
    // With a known time present, the span's smallest observation is the earliest known one.
    const first = tally.span.min;
    if (first && (!witness || compare(first, witness) < 0)) witness = first;
  }
  if (!witness || witness.facts.time === null) return null;
  const delta = Math.max(0, witness.facts.time - entryStart);
  if (delta >= TEMPO_WINDOW_MS) return null;
  const weight = Math.round(TEMPO_MAX_WEIGHT * (1 - delta / TEMPO_WINDOW_MS));
  return weight >= 1 ? { weight, witness } : null;
}

/** Scores a session from its processes (event documents or session-tree processes; any order, repeats allowed). */
export function scoreSession(processes: readonly ProcessInput[], opts: ScoreOptions = {}): SessionScore {
  const limit = Math.max(1, Math.floor(opts.maxEvidence ?? DEFAULT_MAX_EVIDENCE));
  const observations: Observation[] = [];
  const keys = new Set<string>();
  const downloaded = new Set<string>();
  for (const input of processes) {
    const facts = readProcess(input);
    const subject = new Subject(facts);
    keys.add(facts.key);
    const transfer = subject.transfer();
    if (transfer?.remote) for (const path of transfer.outputs) downloaded.add(path);
    observations.push({ facts, subject, argsKey: facts.recorded_args.join('\u0000') });
  }
  const ctx: SessionContext = { downloaded, downloadedDirs: directoriesOf(downloaded) };
  const tallies = new Map<string, Tally>();
  const record = (entries: CompiledEntry[]) => {
    // Within one call a condition depends only on what `shapeOf` covers; long sessions repeat the same
    // commands (loops, scripts, probes), so each distinct shape is matched once.
    const seen = new Map<string, CompiledEntry[]>();
    for (const o of observations) {
      const shape = shapeOf(o);
      let matched = seen.get(shape);
      if (!matched) {
        matched = entries.filter((e) => e.test(o.subject, ctx));
        seen.set(shape, matched);
      }
      for (const e of matched) {
        let t = tallies.get(e.id);
        if (!t) {
          t = newTally(e.id, limit);
          tallies.set(e.id, t);
        }
        t.add(o);
      }
    }
  };
  record(EARLY);
  record(LATE);

  const behaviors: SessionBehavior[] = [];
  for (const r of RECOGNISERS) {
    const t = tallies.get(r.id);
    if (t) behaviors.push(behaviourOf(r.id, r.title, r.technique, r.weight, t.keys.size, t.top));
  }
  for (const c of COMBINATIONS) {
    const witnesses = evaluateCombination(c, tallies);
    if (witnesses) behaviors.push(behaviourOf(c.id, c.title, c.technique, c.weight, witnesses.length, witnesses.slice(0, limit)));
  }
  const tempo = tempoOf(tallies, epochMs(opts.entryStart));
  if (tempo) behaviors.push(behaviourOf(TEMPO_BEHAVIOR_ID, 'Risky actions soon after the exec', TEMPO_TECHNIQUE, tempo.weight, 1, [tempo.witness]));

  behaviors.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let remaining = 1;
  for (const b of behaviors) remaining *= 1 - Math.min(100, Math.max(0, b.weight)) / 100;
  const risk = Math.min(100, Math.max(0, Math.round(100 * (1 - remaining))));
  behaviors.sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { risk_score: risk, behaviors, process_count: keys.size };
}
