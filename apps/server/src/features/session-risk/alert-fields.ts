/**
 * The session score on the alert document (`execwatch.session.*`), and the presenter that turns it into the
 * API's `session`. Stored evidence is trimmed: an alert document is read on every list page, a session's
 * full process list is one request away (`GET /api/alerts/{id}/session`).
 */
import { getField, num, str } from '../../services/detection/get-field';
import { relatedSessionAlertSchema, sessionBehaviorSchema, riskLevelSchema, type RelatedSessionAlert, type SessionBehaviorDto, type SessionRisk, type StoredSession } from '@execwatch/api';
import { riskLevel, type SessionBehavior, type SessionScore } from './score';

/** Every stored field, as dotted paths (for list projections and index mappings). */
export const SESSION_ALERT_FIELDS = [
  'execwatch.session.risk_score',
  'execwatch.session.risk_level',
  'execwatch.session.behaviors',
  'execwatch.session.scored_at',
  'execwatch.session.process_count',
  'execwatch.session.related_alerts',
] as const;

/** Evidence items stored per behaviour. */
export const STORED_EVIDENCE_PER_BEHAVIOR = 3;
/** Arguments stored per evidence item, and characters per argument (encoded payloads can be huge). */
export const STORED_ARGS = 32;
export const STORED_ARG_CHARS = 512;

function trimArgs(args: readonly string[]): string[] {
  const kept = args.slice(0, STORED_ARGS).map((a) => (a.length > STORED_ARG_CHARS ? `${a.slice(0, STORED_ARG_CHARS)}…` : a));
  if (args.length > STORED_ARGS) kept.push(`… ${args.length - STORED_ARGS} more`);
  return kept;
}

function storedBehavior(b: SessionBehavior): SessionBehaviorDto {
  return {
    id: b.id,
    title: b.title,
    technique_id: b.technique_id,
    technique_name: b.technique_name,
    weight: b.weight,
    match_count: b.match_count,
    evidence: b.evidence.slice(0, STORED_EVIDENCE_PER_BEHAVIOR).map((e) => ({ ...e, args: trimArgs(e.args) })),
  };
}

function isoOf(at: Date | string | number): string {
  const d = at instanceof Date ? at : new Date(at);
  if (!Number.isFinite(d.getTime())) throw new RangeError(`scored_at is not a time: ${String(at)}`);
  return d.toISOString();
}

/** `execwatch.session` for a scored session. */
export function storedSession(score: SessionScore, scoredAt: Date | string | number, relatedAlerts: RelatedSessionAlert[] = []): StoredSession {
  return {
    risk_score: score.risk_score,
    risk_level: riskLevel(score.risk_score),
    behaviors: score.behaviors.map(storedBehavior),
    scored_at: isoOf(scoredAt),
    process_count: score.process_count,
    related_alerts: relatedAlerts,
  };
}

/** The fields to write on the alert: `{ execwatch: { session } }`. */
export function sessionAlertFields(score: SessionScore, scoredAt: Date | string | number): { execwatch: { session: StoredSession } } {
  return { execwatch: { session: storedSession(score, scoredAt) } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `alertDoc` with `execwatch.session` set; the other `execwatch.*` fields (attribution) are kept. */
export function withSessionFields(alertDoc: Readonly<Record<string, unknown>>, score: SessionScore, scoredAt: Date | string | number): Record<string, unknown> {
  const existing = isRecord(alertDoc.execwatch) ? alertDoc.execwatch : {};
  const doc: Record<string, unknown> = { ...alertDoc, execwatch: { ...existing, session: storedSession(score, scoredAt) } };
  // A dotted copy would shadow the nested one for readers that look at dotted keys first.
  for (const k of Object.keys(doc)) if (k.startsWith('execwatch.session')) delete doc[k];
  return doc;
}

/** The API's `session` from a stored alert document; null when the session was never scored. */
export function presentSession(alertDoc: unknown): SessionRisk | null {
  const score = num(alertDoc, 'execwatch.session.risk_score');
  if (score === null) return null;
  const riskScore = Math.min(100, Math.max(0, Math.round(score)));
  const level = riskLevelSchema.safeParse(str(alertDoc, 'execwatch.session.risk_level'));
  const stored = getField(alertDoc, 'execwatch.session.behaviors');
  const list = Array.isArray(stored) ? stored : stored === undefined || stored === null ? [] : [stored];
  const behaviors: SessionBehaviorDto[] = [];
  for (const item of list) {
    const parsed = sessionBehaviorSchema.safeParse(item);
    if (parsed.success) behaviors.push(parsed.data);
  }
  behaviors.sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    risk_score: riskScore,
    risk_level: level.success ? level.data : riskLevel(riskScore),
    behaviors,
    scored_at: str(alertDoc, 'execwatch.session.scored_at'),
    related_alerts: relatedAlertsOf(alertDoc),
  };
}

function relatedAlertsOf(alertDoc: unknown): RelatedSessionAlert[] {
  const stored = getField(alertDoc, 'execwatch.session.related_alerts');
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((r) => {
    const parsed = relatedSessionAlertSchema.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
}
