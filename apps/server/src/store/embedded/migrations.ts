import { NESTED_ARRAYS_COLUMN, STORED_COLUMNS, nestedArraysSql } from './hot-fields';

const GENERATED_HOT_COLUMNS = ['g_interactive', 'g_same_as_process', 'g_entry_meta_type', 'g_has_container_id', 'g_event_type', 'g_nested_arrays'];

/** A numbered schema change; each runs once, in a transaction, in order. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'events',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        idx TEXT NOT NULL,
        id TEXT NOT NULL,
        -- 1 when the client chose the _id: only those need a uniqueness check (generated ids are random).
        explicit_id INTEGER NOT NULL,
        -- event.ingested (the ingest time) and @timestamp, epoch ms.
        ingested INTEGER,
        ts INTEGER,
        doc BLOB NOT NULL,
        -- Hot fields of the container-exec rules, computed from the document (see hot-fields.ts). They live
        -- only in the window index below, so a rule run filters on the index and reads few rows.
        g_interactive ANY GENERATED ALWAYS AS (doc ->> '$.process.interactive') VIRTUAL,
        g_same_as_process ANY GENERATED ALWAYS AS (doc ->> '$.process.entry_leader.same_as_process') VIRTUAL,
        g_entry_meta_type ANY GENERATED ALWAYS AS (doc ->> '$.process.entry_leader.entry_meta.type') VIRTUAL,
        g_has_container_id ANY GENERATED ALWAYS AS ((doc ->> '$.container.id') IS NOT NULL) VIRTUAL,
        g_event_type ANY GENERATED ALWAYS AS (doc ->> '$.event.type') VIRTUAL,
        -- 1 when a parent object of a hot field is an array (objects in arrays): the columns cannot decide then.
        g_nested_arrays ANY GENERATED ALWAYS AS (
          json_type(doc, '$.process') = 'array' OR json_type(doc, '$.event') = 'array' OR json_type(doc, '$.container') = 'array'
          OR json_type(doc, '$.process.entry_leader') = 'array' OR json_type(doc, '$.process.entry_leader.entry_meta') = 'array'
        ) VIRTUAL
      );
      CREATE UNIQUE INDEX events_explicit_id ON events (idx, id) WHERE explicit_id = 1;
      CREATE INDEX events_override_time ON events (
        coalesce(ingested, ts), g_interactive, g_same_as_process, g_entry_meta_type, g_has_container_id, g_nested_arrays, g_event_type
      );
      CREATE INDEX events_ts ON events (ts);
      CREATE INDEX events_entry_leader ON events (doc ->> '$.process.entry_leader.entity_id');
      CREATE TABLE event_indices (name TEXT PRIMARY KEY);
    `,
  },
  {
    version: 2,
    name: 'alerts',
    sql: `
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        idx TEXT NOT NULL,
        doc TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT,
        severity_rank INTEGER,
        risk REAL,
        rule_id TEXT,
        rule_name TEXT,
        ts INTEGER,
        original_time INTEGER,
        namespace TEXT,
        pod TEXT,
        image TEXT,
        user TEXT,
        cluster TEXT,
        assignees TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        search_text TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX alerts_status_ts ON alerts (status, ts);
      CREATE INDEX alerts_ts ON alerts (ts);
      CREATE INDEX alerts_rule_ts ON alerts (rule_id, ts);
    `,
  },
  {
    version: 3,
    name: 'rules, executions, exceptions',
    sql: `
      CREATE TABLE rule_states (rule_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX executions_rule_started ON executions (rule_id, started_at);
      CREATE TABLE exception_lists (
        id TEXT PRIMARY KEY,
        list_id TEXT NOT NULL UNIQUE,
        doc TEXT NOT NULL
      );
      CREATE TABLE exception_items (
        id TEXT PRIMARY KEY,
        item_id TEXT NOT NULL UNIQUE,
        list_id TEXT NOT NULL,
        created_at TEXT,
        doc TEXT NOT NULL
      );
      CREATE INDEX exception_items_list ON exception_items (list_id, created_at);
      CREATE TABLE exception_hits (
        item_id TEXT PRIMARY KEY,
        hits INTEGER NOT NULL,
        last_hit_at INTEGER
      );
    `,
  },
  {
    version: 4,
    name: 'triage, users, audit, settings',
    sql: `
      CREATE TABLE checklist_entries (
        alert_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        done INTEGER NOT NULL,
        by_user TEXT NOT NULL,
        at INTEGER NOT NULL,
        note TEXT,
        PRIMARY KEY (alert_id, step_id)
      );
      CREATE TABLE notes (
        id TEXT PRIMARY KEY,
        alert_id TEXT NOT NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX notes_alert ON notes (alert_id, created_at);
      CREATE TABLE users (username TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE api_keys (id TEXT PRIMARY KEY, username TEXT NOT NULL, created_at INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX api_keys_user ON api_keys (username);
      CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE auth_failures (key TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX auth_failures_key_at ON auth_failures (key, at);
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        user TEXT,
        action TEXT NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX audit_log_ts ON audit_log (ts);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 5,
    name: 'alert list: order indexes, list_doc',
    // The list's default order is `ts DESC, id DESC` (optionally within a status): with id in the index
    // a page is read straight off it, without sorting the rows of equal time.
    // list_doc: the fields the alert list shows (see alert-summary.ts), so a page parses ~1 kB per alert
    // instead of the whole ~7 kB document. NULL (rows written before, unusual documents): use doc.
    sql: `
      ALTER TABLE alerts ADD COLUMN list_doc TEXT;
      CREATE INDEX alerts_status_ts_id ON alerts (status, ts, id);
      CREATE INDEX alerts_ts_id ON alerts (ts, id);
      DROP INDEX alerts_status_ts;
      DROP INDEX alerts_ts;
    `,
  },
  {
    version: 6,
    name: 'alert counts, groups and free text from covering indexes',
    // An alert row holds its ~7 kB document, so a scan of the table reads about a page per alert. This narrow
    // index holds every column that counts, groups, sorts and column filters read (the free text too), so those
    // are answered from it instead; only the page's rows are then read from the table.
    sql: `
      CREATE INDEX alerts_narrow ON alerts (status, ts, id, severity, severity_rank, risk, original_time, rule_id, rule_name, namespace, pod, image, user, cluster, search_text);
    `,
  },
  {
    version: 7,
    name: 'events: stored hot columns, session index by leader start',
    // The hot columns were generated from the document on every insert, and the session index was keyed by the
    // leader's random-looking id, so every insert landed on its own page of a large index. The columns are now
    // plain and filled in when documents are prepared (doc-prep.ts, off the request thread), and the session
    // index leads with the leader's start, so new rows land near its end. Existing rows are filled in here.
    sql: `
      DROP INDEX events_override_time;
      DROP INDEX events_entry_leader;
      ${GENERATED_HOT_COLUMNS.map((c) => `ALTER TABLE events DROP COLUMN ${c};`).join('\n      ')}
      ${[...STORED_COLUMNS.map((c) => c.name), NESTED_ARRAYS_COLUMN].map((c) => `ALTER TABLE events ADD COLUMN ${c} ANY;`).join('\n      ')}
      UPDATE events SET ${STORED_COLUMNS.map((c) => `${c.name} = ${c.sql('doc')}`).join(', ')};
      UPDATE events SET ${NESTED_ARRAYS_COLUMN} = ${nestedArraysSql('doc', (name) => name)};
      CREATE INDEX events_override_time ON events (
        coalesce(ingested, ts), g_interactive, g_same_as_process, g_entry_meta_type, g_has_container_id, g_nested_arrays, g_event_type
      );
      CREATE INDEX events_entry_leader ON events (g_leader_start, g_leader_id);
    `,
  },
  {
    version: 8,
    name: 'events: Kubernetes audit events by pod and by arrival',
    // Attribution reads the audit events of one pod around a session's start, and follows audit events as they
    // arrive. Both indexes hold audit rows only (partial), so process events pay one comparison of their index name.
    sql: `
      CREATE INDEX events_kube_audit_pod ON events (
        doc ->> '$.kubernetes.audit.objectRef.namespace', doc ->> '$.kubernetes.audit.objectRef.name', ts
      ) WHERE idx GLOB 'logs-kubernetes.audit_logs-*';
      CREATE INDEX events_kube_audit_seq ON events (seq) WHERE idx GLOB 'logs-kubernetes.audit_logs-*';
      CREATE INDEX events_kube_audit_ts ON events (ts) WHERE idx GLOB 'logs-kubernetes.audit_logs-*';
    `,
  },
  {
    version: 9,
    name: 'alerts: who ran the exec (requested_by, attribution), what the session did (session_risk) and which session (session_id)',
    // The Kubernetes user of an exact attribution, the attribution's verdict and the session's risk score, as
    // columns the list filters, sorts and groups on; the narrow index holds them too, so counts by them read no rows.
    sql: `
      ALTER TABLE alerts ADD COLUMN requested_by TEXT;
      ALTER TABLE alerts ADD COLUMN attribution TEXT NOT NULL DEFAULT 'unknown';
      ALTER TABLE alerts ADD COLUMN session_risk REAL;
      ALTER TABLE alerts ADD COLUMN session_id TEXT;
      UPDATE alerts SET session_id = doc ->> '$.process.entry_leader.entity_id';
      CREATE INDEX alerts_session ON alerts (session_id);
      UPDATE alerts SET session_risk = doc ->> '$.execwatch.session.risk_score' WHERE doc ->> '$.execwatch.session.risk_score' IS NOT NULL;
      UPDATE alerts SET attribution = coalesce(doc ->> '$.execwatch.attribution.match', 'unknown'),
        requested_by = CASE WHEN doc ->> '$.execwatch.attribution.match' = 'exact' THEN doc ->> '$.kubernetes.audit.user.username' END
        WHERE doc ->> '$.execwatch.attribution.match' IS NOT NULL;
      DROP INDEX alerts_narrow;
      CREATE INDEX alerts_narrow ON alerts (status, ts, id, severity, severity_rank, risk, original_time, rule_id, rule_name, namespace, pod, image, user, cluster, search_text, requested_by, attribution, session_risk);
    `,
  },
  {
    version: 10,
    name: 'audit log hash chain; sign-in throttle counters',
    // Each audit record carries the hash of the one before it and its own (see auth/audit-chain.ts); the head
    // (last seq and hash) is kept beside. SQLite has no sha256, so records written before this migration get
    // their hashes at the store's next start (store/embedded/audit.ts): the update trigger allows exactly that,
    // filling in both hashes of a record that has none, once, and nothing else.
    sql: `
      ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit_log ADD COLUMN hash TEXT;
      DROP TRIGGER audit_log_no_update;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        WHEN NOT (OLD.hash IS NULL AND OLD.prev_hash IS NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
          AND NEW.seq IS OLD.seq AND NEW.id IS OLD.id AND NEW.ts IS OLD.ts AND NEW.user IS OLD.user AND NEW.action IS OLD.action AND NEW.doc IS OLD.doc)
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log WHEN NEW.hash IS NULL OR NEW.prev_hash IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit records are chained: prev_hash and hash are required'); END;
      CREATE TABLE audit_chain_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
      CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head WHEN NEW.seq <= OLD.seq
        BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;
      CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TABLE auth_throttle (key TEXT PRIMARY KEY, count INTEGER NOT NULL, last_at INTEGER NOT NULL);
      CREATE INDEX auth_throttle_last_at ON auth_throttle (last_at);
    `,
  },
  {
    version: 12,
    name: 'events: compressed documents (fmt, doc_dictionaries)',
    // A row's `fmt` says how its `doc` is stored (see doc-codec.ts): 0 plain JSONB, as every row before this
    // migration, N zstd with dictionary N. Adding the column rewrites nothing: old rows stay readable as they are.
    sql: `
      ALTER TABLE events ADD COLUMN fmt INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE doc_dictionaries (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, samples INTEGER NOT NULL, dict BLOB NOT NULL);
    `,
  },
  {
    version: 13,
    name: 'notifications: inbox entries per user; claimed outbound deliveries',
    sql: `
      CREATE TABLE notifications (
        id TEXT PRIMARY KEY, recipient TEXT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, alert_id TEXT,
        alerts_count INTEGER NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL, read_at INTEGER
      );
      CREATE INDEX notifications_recipient ON notifications (recipient, created_at);
      CREATE TABLE notification_deliveries (key TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL);
    `,
  },
];
