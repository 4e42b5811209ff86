/**
 * Store ports: the only way services reach storage. Two adapters implement every port:
 * `embedded` (SQLite through better-sqlite3) and `elasticsearch` (@elastic/elasticsearch).
 * Services never import an adapter; `createStore(config)` in `./index.ts` picks one.
 *
 * Conventions: every method is async (the cluster adapter needs it); times are epoch
 * milliseconds inside the server and ISO strings at the HTTP edge; documents are nested
 * objects (dotted keys are expanded at ingest).
 */
import type {
  AlertFilter,
  AlertGroupField,
  AlertSortField,
  AuditEvent,
  ClosingReason,
  Execution,
  Role,
  WorkflowStatus,
} from '@execwatch/api';

export type Doc = Record<string, unknown>;

// ---------------------------------------------------------------- events

/** One parsed bulk action with its raw source line (kept raw so the adapter can avoid JS parsing). */
export interface BulkOperation {
  action: 'index' | 'create';
  index: string;
  id?: string;
  /**
   * The source line (one JSON object): its bytes exactly as received (UTF-8), or text when it was
   * rewritten on the way (dotted keys expanded) or built in code.
   */
  source: string | Uint8Array;
  /** 1-based line number of the source line in the request body (for error messages). */
  line: number;
}

/** A per-item result in Elasticsearch's bulk response shape. */
export interface BulkItemResult {
  action: 'index' | 'create';
  _index: string;
  _id: string | null;
  status: number;
  result?: 'created' | 'updated';
  error?: { type: string; reason: string };
}

export interface EventHit {
  _index: string;
  _id: string;
  _source: Doc;
}

/** One process event of a session, reduced to what says what the process did. */
// A type, not an interface: such records pass where plain records are read (the session scorer's input).
export type SessionProcessFacts = {
  entity_id: string | null;
  parent_entity_id: string | null;
  name: string | null;
  executable: string | null;
  args: string[];
  working_directory: string | null;
  /** `process.start`, else `@timestamp`. */
  start: string | null;
};

/** What a detection run asks of the event store. */
export interface RuleSearchRequest {
  /** EQL query text of the rule. */
  query: string;
  /** Index patterns of the rule, e.g. `logs-cloud_defend*`. */
  index: string[];
  /** The run window on the timestamp override (inclusive from, exclusive to), epoch ms. */
  window: { from: number; to: number };
  /** Timestamp override field (e.g. `event.ingested`); falls back to `@timestamp` when absent on a document. */
  timestampOverride: string | null;
  /** Active (unexpired) exception items that apply to the rule; matching events are suppressed. */
  exceptions: ExceptionItemForMatching[];
  /** max_signals: at most this many hits (events or sequences) are returned. */
  size: number;
  /** When set, also return up to this many of the events the exceptions suppressed (exception preview). */
  suppressedSample?: number;
}

/** The part of a Kibana exception list item the matcher needs (see @execwatch/exceptions). */
export interface ExceptionItemForMatching {
  id: string;
  item_id: string;
  list_id: string;
  entries: unknown[];
  expire_time?: string | null;
}

export interface RuleSearchResult {
  /** Matching events (event queries), oldest first, at most `size`. */
  events: EventHit[];
  /** Matching sequences (sequence queries), at most `size`. */
  sequences: { join_keys: unknown[]; events: EventHit[] }[];
  /** Matches before `size` was applied (after exceptions). */
  total: number;
  /** Matches suppressed by exceptions, in all and per exception item id. */
  suppressed: number;
  suppressedByItem: Record<string, number>;
  /** Up to `suppressedSample` suppressed events (empty unless asked). */
  suppressedEvents: EventHit[];
  /** Set when the store returned partial results (shard failures, timeouts). */
  partial: string | null;
}

export interface EventStore {
  /** Stores bulk operations; one bad item fails alone. `event.ingested` is set to `ingestedAt`. */
  bulk(ops: BulkOperation[], ingestedAt: number): Promise<BulkItemResult[]>;
  /** Runs a rule's EQL over its window. */
  searchRule(req: RuleSearchRequest): Promise<RuleSearchResult>;
  /**
   * Process events of one session (same `process.entry_leader.entity_id`), oldest first. `entryLeaderStart`
   * is the leader's `process.entry_leader.start` as the alert holds it (absent: the leader has none); the
   * embedded store keys its session index by it, other stores may ignore it.
   */
  sessionEvents(entryLeaderEntityId: string, limit: number, entryLeaderStart?: string | number): Promise<{ events: EventHit[]; truncated: boolean }>;
  /**
   * The processes of one session as its events name them (only the fields that say what a process did),
   * oldest first: what scoring a session reads, without whole documents.
   */
  sessionProcesses(entryLeaderEntityId: string, limit: number, entryLeaderStart?: string | number): Promise<{ processes: SessionProcessFacts[]; truncated: boolean }>;
  /** How many events one session has stored (all kinds), cheaply: to tell whether a session has grown. */
  sessionSize(entryLeaderEntityId: string, entryLeaderStart?: string | number): Promise<number>;
  /**
   * Events where `field` equals `value` (any value of a multi-valued field), newest first. A store that bounds the
   * search (the embedded one reads at most a set number of the range's newest events) says `relation: 'gte'` when
   * `total` counts only what it read.
   */
  relatedEvents(field: string, value: string, range: { from: number; to: number }, limit: number): Promise<{ total: number; events: EventHit[]; relation?: 'eq' | 'gte' }>;
  /** Number of stored events (for health and benchmarks). */
  count(): Promise<number>;
}

// ---------------------------------------------------------------- alerts

/** A stored alert: the Kibana-compatible document (ECS source fields + `kibana.alert.*`, nested). */
export interface StoredAlert {
  id: string;
  index: string;
  doc: Doc;
}

export interface AlertQuery {
  filter: AlertFilter;
  sort: { field: AlertSortField; order: 'asc' | 'desc' };
  page: number;
  size: number;
  /**
   * List views: when set, each returned `doc` may hold only these dotted fields (adapters that cannot
   * project return whole documents). Reading a page then costs no full-document parse.
   */
  fields?: string[];
}

export interface AlertPatch {
  status?: WorkflowStatus;
  reason?: ClosingReason | null;
  reason_text?: string | null;
  assignees?: string[];
  tags?: string[];
  add_tags?: string[];
  remove_tags?: string[];
  add_assignees?: string[];
  remove_assignees?: string[];
  /** Who made the change and when (epoch ms); recorded on status changes. */
  user: string;
  at: number;
}

export interface AlertStats {
  total: number;
  byStatus: Record<WorkflowStatus, number>;
  histogram: { intervalMs: number; buckets: { key: number; count: number }[] };
  groups?: { key: string | null; count: number; bySeverity: Record<string, number>; byStatus: Record<string, number> }[];
}

export interface AlertStore {
  /** Creates alerts whose ids do not exist yet; returns how many were new and how many already existed. */
  createMany(alerts: StoredAlert[]): Promise<{ created: number; existing: number }>;
  get(id: string): Promise<StoredAlert | null>;
  search(q: AlertQuery): Promise<{ total: number; alerts: StoredAlert[] }>;
  stats(filter: AlertFilter, opts: { groupBy?: AlertGroupField; groupsSize: number; buckets: number; range: { from: number; to: number } }): Promise<AlertStats>;
  /** Applies a patch to one alert; returns the updated alert or null when absent. */
  update(id: string, patch: AlertPatch): Promise<StoredAlert | null>;
  /** Applies a patch to every alert matching ids or filter (never capped at one page); returns ids updated. */
  updateMany(target: { ids: string[] } | { filter: AlertFilter }, patch: AlertPatch): Promise<{ updated: number }>;
  /** Ids of alerts matching a filter (streaming would be preferable for huge sets; capped by `limit`). */
  ids(filter: AlertFilter, limit: number): Promise<string[]>;
  /**
   * Sets the values at dotted paths of one alert's document, each replaced whole (null removes it); returns
   * the updated alert or null when absent. For what the server adds to an alert after it was created.
   */
  setFields(id: string, fields: Readonly<Record<string, unknown>>): Promise<StoredAlert | null>;
}

// ---------------------------------------------------------------- Kubernetes audit events

/** The data streams of Kubernetes audit events (Elastic's Kubernetes integration). */
export const KUBE_AUDIT_INDEX_PATTERN = 'logs-kubernetes.audit_logs-*';

/** Kubernetes audit events as stored by the event store, read for attribution (who ran an exec). */
export interface KubeAuditStore {
  /** Audit events of requests to one pod with `@timestamp` in [from, to], oldest first, at most `limit`. */
  forPod(q: { namespace: string; pod: string; from: number; to: number; limit: number }): Promise<EventHit[]>;
  /** Audit events stored after `cursor` (opaque; null: from the first), oldest first: the late-arrival feed. */
  since(cursor: string | null, limit: number): Promise<{ events: EventHit[]; cursor: string | null }>;
  /** Whether any audit event is stored at all. */
  any(): Promise<boolean>;
  /** Audit events with `@timestamp` at or after `since`, by cluster (`orchestrator.cluster.name`, null: not named) and verb. */
  summary(since: number): Promise<KubeAuditSummary[]>;
}

export interface KubeAuditSummary {
  cluster: string | null;
  verb: string | null;
  events: number;
  /** The newest `@timestamp`, epoch ms. */
  lastAt: number | null;
}

// ---------------------------------------------------------------- rules and executions

/** Per-rule state that changes at run time (the rule's content comes from TOML files). */
export interface RuleState {
  rule_id: string;
  enabled: boolean;
  overrides: { interval?: string; from?: string; max_signals?: number; required_steps?: string[] };
  /** End of the window the last successful run covered, epoch ms. */
  last_covered_to: number | null;
  updated_at: number;
  updated_by: string | null;
  /** Kibana's rule `revision`: settings changes made so far (absent: none). */
  revision?: number;
}

export interface RuleStore {
  getState(ruleId: string): Promise<RuleState | null>;
  listStates(): Promise<RuleState[]>;
  putState(state: RuleState): Promise<void>;
  /**
   * Claims a rule run for one server instance until `until` (epoch ms); returns false when another
   * instance holds an unexpired claim. The embedded store has one instance and always grants it.
   */
  claimRun(ruleId: string, owner: string, until: number): Promise<boolean>;
  releaseRun(ruleId: string, owner: string): Promise<void>;
}

export interface ExecutionLog {
  /** Inserts or replaces an execution record (a run writes `running` first, then its outcome). */
  put(execution: Execution): Promise<void>;
  list(ruleId: string, opts: { size: number; page: number; from?: number; to?: number }): Promise<{ total: number; executions: Execution[] }>;
  latest(ruleId: string): Promise<Execution | null>;
}

// ---------------------------------------------------------------- exceptions

/** Kibana exception lists and items stored as their Kibana JSON shapes (see @execwatch/api exceptions). */
export interface ExceptionStore {
  getList(by: { id?: string; list_id?: string }): Promise<Doc | null>;
  findLists(opts: { page: number; perPage: number }): Promise<{ total: number; data: Doc[] }>;
  putList(list: Doc): Promise<void>;
  deleteList(id: string): Promise<void>;
  getItem(by: { id?: string; item_id?: string }): Promise<Doc | null>;
  findItems(listIds: string[], opts: { page: number; perPage: number; filter?: string }): Promise<{ total: number; data: Doc[] }>;
  putItem(item: Doc): Promise<void>;
  deleteItem(id: string): Promise<void>;
  /** Adds hit counts (events suppressed) and the last match time per item id. */
  recordHits(hits: Record<string, number>, at: number): Promise<void>;
  hitStats(itemIds: string[]): Promise<Record<string, { hits: number; last_hit_at: number | null }>>;
}

// ---------------------------------------------------------------- triage state

export interface ChecklistEntry {
  alert_id: string;
  step_id: string;
  done: boolean;
  by: string;
  at: number;
  note: string | null;
}

export interface ChecklistStore {
  list(alertId: string): Promise<ChecklistEntry[]>;
  /** Done-step counts per alert, for list views. */
  doneCounts(alertIds: string[]): Promise<Record<string, string[]>>;
  put(entry: ChecklistEntry): Promise<void>;
}

export interface NoteRecord {
  id: string;
  alert_id: string;
  text: string;
  author: string;
  created_at: number;
}

export interface NoteStore {
  list(alertId: string): Promise<NoteRecord[]>;
  counts(alertIds: string[]): Promise<Record<string, number>>;
  add(note: NoteRecord): Promise<void>;
}

// ---------------------------------------------------------------- users, keys, sessions, audit

export interface UserRecord {
  username: string;
  full_name: string | null;
  roles: Role[];
  enabled: boolean;
  /** scrypt hash in `scrypt$N$r$p$salt$hash` form; never leaves the server. */
  password_hash: string;
  created_at: number;
  updated_at: number;
  /** When the password last changed or the user was disabled: API keys created before then are refused. */
  credentials_changed_at?: number;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  username: string;
  /** Hash of the secret part; the secret is shown once at creation. */
  key_hash: string;
  created_at: number;
  expires_at: number | null;
  invalidated: boolean;
}

export interface SessionRecord {
  id_hash: string;
  username: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface UserStore {
  get(username: string): Promise<UserRecord | null>;
  list(): Promise<UserRecord[]>;
  count(): Promise<number>;
  put(user: UserRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(username?: string): Promise<ApiKeyRecord[]>;
  putApiKey(key: ApiKeyRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | null>;
  putSession(session: SessionRecord): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /**
   * Replaces a user's password hash only if it is still `expected` (a rehash at a higher cost must not undo a
   * password change made meanwhile); returns whether it did.
   */
  replacePasswordHash(username: string, expected: string, next: string, at: number): Promise<boolean>;
  /** Counts a failed sign-in for a key (user or address) in a window; returns the count within it. */
  recordFailure(key: string, at: number, windowMs: number): Promise<number>;
  failures(key: string, since: number): Promise<number>;
  clearFailures(key: string): Promise<void>;
  /**
   * Atomic read-modify-write of one sign-in throttle counter: `update` gets the stored state (null: none) and
   * returns the state to store (null: delete it; left out: keep it as it is) and a result. Across server
   * instances the update is retried on a concurrent change, so `update` must be pure and may run more than once.
   */
  updateThrottle<T>(key: string, update: (current: ThrottleState | null) => { next?: ThrottleState | null; result: T }): Promise<T>;
  /** Deletes throttle counters whose last attempt is older than `before` (epoch ms). */
  pruneThrottle(before: number): Promise<void>;
}

/** A sign-in throttle counter: attempts counted since the last success (or since it was forgotten). */
export interface ThrottleState {
  count: number;
  /** Epoch ms of the last attempt counted. */
  last_at: number;
}

/** One audit record as stored in the hash chain (format: `auth/audit-chain.ts`). */
export interface AuditChainRecord {
  /** Position in the chain, from 1, without gaps. */
  seq: number;
  /** The event as stored (parsed JSON; the raw text when it no longer parses). */
  event: unknown;
  prev_hash: string | null;
  hash: string | null;
  /** The copies of event fields the store filters on, to check they still say what the event says. */
  indexed: { id: unknown; '@timestamp': unknown; user: unknown; action: unknown };
}

/** The last link of the chain as recorded at append time. */
export interface AuditChainHead {
  seq: number;
  hash: string;
}

export interface AuditLog {
  /**
   * Append-only: there is no update or delete. Each event is chained to the one before it by a hash
   * (`auth/audit-chain.ts`), so that a record changed or removed behind the API's back is found by verification.
   */
  append(event: AuditEvent): Promise<void>;
  search(opts: { from?: number; to?: number; user?: string; action?: string; page: number; size: number }): Promise<{ total: number; events: AuditEvent[] }>;
  /** Chained records with `from <= seq < to`, in seq order (missing ones are simply absent). */
  readChain(range: { from: number; to: number }): Promise<AuditChainRecord[]>;
  /** The head recorded with the last append, or null before the first chained record. */
  chainHead(): Promise<AuditChainHead | null>;
  /** Audit records stored, chained or not. */
  count(): Promise<number>;
}

// ---------------------------------------------------------------- retention

/** How long stored data is kept, in ms. */
export interface RetentionPolicy {
  eventsMs: number;
  alertsMs: number;
}

/** What one retention batch deleted; `more` when what is left to delete did not fit in it. */
export interface RetentionBatch {
  events: number;
  alerts: number;
  more: boolean;
}

/** The store's size and growth, read cheaply (no full scans of large tables). */
export interface StoreUsage {
  sizeBytes: number | null;
  reusableBytes: number | null;
  events: number | null;
  eventsExact: boolean;
  oldestEvent: number | null;
  eventsPerDay: number | null;
  /** Bytes one stored event takes, indexes and the rest of the store included (null: no events). */
  bytesPerEvent: number | null;
  alerts: number | null;
  oldestAlert: number | null;
}

/**
 * Deletes what has outlived its retention, a small batch at a time (so writers and readers never wait long),
 * and tells how large the store is. An alert keeps the events of its session (same entry leader) as long as
 * the alert is kept. `enforcedBy: 'cluster'`: the store's own lifecycle deletes (Elasticsearch), so batches
 * may delete nothing of events.
 */
export interface StoreRetention {
  readonly enforcedBy: 'execwatch' | 'cluster';
  deleteBatch(policy: RetentionPolicy, now: number, limit: number): Promise<RetentionBatch>;
  usage(now: number): Promise<StoreUsage>;
}

// ---------------------------------------------------------------- notifications

/** One inbox entry of one user (see features/notifications). */
export interface NotificationRecord {
  id: string;
  recipient: string;
  kind: 'assigned' | 'mentioned';
  actor: string;
  alert_id: string | null;
  alerts_count: number;
  text: string;
  created_at: number;
  read_at: number | null;
}

export interface NotificationStore {
  /** Stores new entries; an id already stored is left as it is. */
  add(records: NotificationRecord[]): Promise<void>;
  /** A user's entries, newest first, and how many are unread. */
  list(recipient: string, opts: { unreadOnly: boolean; size: number }): Promise<{ unread: number; notifications: NotificationRecord[] }>;
  /** Marks the user's entries read (by id, or all); returns how many were unread before. */
  markRead(recipient: string, ids: readonly string[] | 'all', at: number): Promise<number>;
  /** Claims an outbound delivery key once across instances: true the first time, false after. */
  claimDelivery(key: string, at: number): Promise<boolean>;
}

// ---------------------------------------------------------------- settings

export interface SettingsStore {
  get<T>(key: string): Promise<T | null>;
  set<T>(key: string, value: T): Promise<void>;
}

/** Everything a server needs, from one adapter. */
export interface Store {
  readonly kind: 'embedded' | 'elasticsearch';
  events: EventStore;
  kubeAudit: KubeAuditStore;
  alerts: AlertStore;
  rules: RuleStore;
  executions: ExecutionLog;
  exceptions: ExceptionStore;
  checklists: ChecklistStore;
  notes: NoteStore;
  notifications: NotificationStore;
  users: UserStore;
  audit: AuditLog;
  settings: SettingsStore;
  /** Retention and size; absent on stores that keep everything (test doubles). */
  retention?: StoreRetention;
  /** Waits until the store is ready (migrations, index templates). */
  init(): Promise<void>;
  close(): Promise<void>;
}
