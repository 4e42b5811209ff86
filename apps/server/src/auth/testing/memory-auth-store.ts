/**
 * In-memory UserStore, AuditLog and SettingsStore for the access-control tests (the embedded SQLite store
 * is used instead where its behaviour matters, e.g. the audit log surviving a restart).
 */
import type { AuditEvent } from '@execwatch/api';
import type { ApiKeyRecord, AuditLog, SessionRecord, SettingsStore, UserRecord, UserStore } from '../../store/ports';
import type { AuthStore } from '../store';

const clone = <T>(v: T): T => structuredClone(v);

/** A fresh in-memory store with the users, audit and settings ports. */
export function createMemoryAuthStore(): AuthStore {
  const users = new Map<string, UserRecord>();
  const keys = new Map<string, ApiKeyRecord>();
  const sessions = new Map<string, SessionRecord>();
  const failures = new Map<string, number[]>();
  const audit: AuditEvent[] = [];
  const settings = new Map<string, unknown>();

  const userStore: UserStore = {
    async get(username) {
      const u = users.get(username);
      return u ? clone(u) : null;
    },
    async list() {
      return [...users.values()].map(clone);
    },
    async count() {
      return users.size;
    },
    async put(user) {
      users.set(user.username, clone(user));
    },
    async getApiKey(id) {
      const k = keys.get(id);
      return k ? clone(k) : null;
    },
    async listApiKeys(username) {
      return [...keys.values()].filter((k) => username === undefined || k.username === username).map(clone);
    },
    async putApiKey(key) {
      keys.set(key.id, clone(key));
    },
    async getSession(idHash) {
      const s = sessions.get(idHash);
      return s ? clone(s) : null;
    },
    async putSession(session) {
      sessions.set(session.id_hash, clone(session));
    },
    async deleteSession(idHash) {
      sessions.delete(idHash);
    },
    async recordFailure(key, at, windowMs) {
      const kept = (failures.get(key) ?? []).filter((t) => t > at - windowMs);
      kept.push(at);
      failures.set(key, kept);
      return kept.length;
    },
    async failures(key, since) {
      return (failures.get(key) ?? []).filter((t) => t >= since).length;
    },
    async clearFailures(key) {
      failures.delete(key);
    },
  };

  const auditLog: AuditLog = {
    async append(event) {
      audit.push(clone(event));
    },
    async search(opts) {
      const matching = audit
        .filter((e) => {
          const t = Date.parse(e['@timestamp']);
          return (
            (opts.from === undefined || t >= opts.from) &&
            (opts.to === undefined || t <= opts.to) &&
            (opts.user === undefined || e.user === opts.user) &&
            (opts.action === undefined || e.action === opts.action)
          );
        })
        .reverse();
      const start = (opts.page - 1) * opts.size;
      return { total: matching.length, events: matching.slice(start, start + opts.size).map(clone) };
    },
  };

  const settingsStore: SettingsStore = {
    async get<T>(key: string) {
      // Values round-trip through the same code that stored them as T.
      return settings.has(key) ? (clone(settings.get(key)) as T) : null;
    },
    async set<T>(key: string, value: T) {
      settings.set(key, clone(value));
    },
  };

  return { users: userStore, audit: auditLog, settings: settingsStore };
}
