import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { AuditEvent } from '@execwatch/api';
import type { AuditFn, AuditInput } from '../http/context';
import type { Logger } from '../log';
import type { AuditLog } from '../store/ports';
import type { SourceIp } from './source-ip';

const SECRET_KEYS = /^(password|password_hash|key_hash|api_key|encoded|secret|token)$/i;
const MAX_DEPTH = 12;

/** A copy of `value` with secret-looking fields removed, so no password or key ever lands in the audit log. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return '[truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEYS.test(k)) continue;
    out[k] = redactSecrets(v, depth + 1, seen);
  }
  return out;
}

export interface Auditor {
  /**
   * Records a failed sign-in, and a lockout when it reached a limit. Attempts refused while locked out are not
   * recorded one by one, so that a guessing flood cannot flood the audit log.
   */
  signInFailed(req: Request, input: { action: string; target: { type: string; id: string | null }; method: string; reason: string }, reached: string[]): Promise<void>;
  /** The AuditFn routes receive: attributes the event to the request's user and address. */
  audit: AuditFn;
  /** Appends an event for an explicit user (sign-ins, where no user is authenticated yet). */
  record(req: Request | null, user: string | null, input: AuditInput): Promise<void>;
}

/** Builds audit events and appends them to the append-only audit log. */
export function createAuditor(log: AuditLog, logger: Logger, now: () => number, sourceIp: SourceIp): Auditor {
  async function record(req: Request | null, user: string | null, input: AuditInput): Promise<void> {
    const event: AuditEvent = {
      id: randomUUID(),
      '@timestamp': new Date(now()).toISOString(),
      user,
      source_ip: req ? sourceIp(req) : null,
      action: input.action,
      outcome: input.outcome ?? 'success',
      target: { type: input.target.type, id: input.target.id },
      before: input.before === undefined ? null : redactSecrets(input.before),
      after: input.after === undefined ? null : redactSecrets(input.after),
    };
    try {
      await log.append(event);
    } catch (err) {
      logger.error('audit append failed', { action: input.action, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }
  return {
    record,
    async signInFailed(req, input, reached) {
      await record(req, null, { action: input.action, outcome: 'failure', target: input.target, after: { method: input.method, reason: input.reason } });
      if (reached.length > 0) {
        await record(req, null, { action: 'auth.lockout', outcome: 'failure', target: input.target, after: { method: input.method, limits: reached } });
      }
    },
    audit: (req, input) => record(req, req.auth?.username ?? null, input),
  };
}
