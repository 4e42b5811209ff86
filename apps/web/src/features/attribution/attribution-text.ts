import type { AttributionCandidateView, AttributionMatch, AttributionReason, AttributionView } from '@execwatch/api';

/** The verdict badge's words. */
export const verdictLabels: Record<AttributionMatch, string> = {
  exact: 'Attributed',
  ambiguous: 'Ambiguous',
  none: 'Not attributed',
  unknown: 'Not attributed yet',
};

/** The verdict badge's EUI colour: only an exact match is "good news". */
export const verdictColors: Record<AttributionMatch, 'success' | 'warning' | 'default' | 'hollow'> = {
  exact: 'success',
  ambiguous: 'warning',
  none: 'default',
  unknown: 'hollow',
};

/** What each verdict means, for the badge's tooltip and the filter's options. */
export const verdictExplanations: Record<AttributionMatch, string> = {
  exact: 'Exactly one kube-apiserver request fits this session: its identity is the one shown.',
  ambiguous: 'Several requests fit this session; Execwatch lists them all and picks none.',
  none: 'No allowed request in the audit log fits this session.',
  unknown: 'The alert has not been joined with the audit log yet.',
};

const reasonSentences: Record<AttributionReason, string> = {
  no_audit_events_from_cluster: 'No audit events have arrived from this cluster: is the audit webhook set up?',
  no_audit_events_for_pod: 'The audit log has nothing about this pod around the session start: does the audit policy record pods/exec?',
  no_matching_request: 'Audit events name this pod, but no exec request fits this session.',
  refused_only: 'Only refused requests fit: none that was allowed started this session.',
  not_attributed_yet: "Not attributed yet: waiting for the apiserver's audit events",
  unreadable_attribution: 'The attribution stored on this alert could not be read.',
};

/** A reason without a match, in plain words. */
export function reasonSentence(reason: AttributionReason): string {
  return reasonSentences[reason];
}

/** Every fitting request, even when the API lists only the first few. */
export function candidateCount(a: AttributionView): number {
  return Math.max(a.candidates_total, a.candidates.length);
}

/**
 * One sentence for the verdict: who (exact), how many fit (ambiguous), or why there is no answer.
 * An unexpected combination (no reason on `none`) falls back to the server's own detail.
 */
export function verdictSentence(a: AttributionView): string {
  switch (a.match) {
    case 'exact':
      return `Requested by ${a.user?.username ?? 'an unnamed user'}${a.impersonated_user?.username ? ` as ${a.impersonated_user.username}` : ''}`;
    case 'ambiguous': {
      const n = candidateCount(a);
      return `${n} ${n === 1 ? 'request fits' : 'requests fit'} this session; Execwatch does not pick one`;
    }
    case 'none':
    case 'unknown':
      if (a.reason) return reasonSentence(a.reason);
      return a.detail ?? (a.match === 'none' ? 'No request fits this session.' : reasonSentence('not_attributed_yet'));
  }
}

/** `kubectl/v1.31.0 (linux/amd64) kubernetes/abc1234` -> `kubectl/v1.31.0`: the client and its version. */
export function clientName(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const first = userAgent.trim().split(/\s+/)[0];
  return first && first.length > 0 ? first : null;
}

/** Groups every authenticated identity has say nothing about who this is. */
const UNINFORMATIVE_GROUPS = new Set(['system:authenticated', 'system:unauthenticated']);

/** The groups worth naming beside a user (the ones that tell teams or service-account namespaces apart). */
export function tellingGroups(groups: readonly string[]): string[] {
  return groups.filter((g) => !UNINFORMATIVE_GROUPS.has(g));
}

function magnitude(ms: number): string {
  const abs = Math.abs(ms);
  return abs < 1000 ? `${Math.round(abs)} ms` : `${(Math.round(abs / 100) / 10).toFixed(1)} s`;
}

/** Request time minus session start, signed: `-300 ms`, `+1.2 s`, `0 ms`. */
export function formatOffset(ms: number): string {
  return `${ms < 0 ? '-' : ms > 0 ? '+' : ''}${magnitude(ms)}`;
}

/** The offset for people: `300 ms before the session start`. */
export function describeOffset(ms: number): string {
  if (ms === 0) return 'at the session start';
  return `${magnitude(ms)} ${ms < 0 ? 'before' : 'after'} the session start`;
}

/** `Refused: mallory from 203.0.113.50, 403` */
export function refusedLine(c: AttributionCandidateView): string {
  const who = c.username ?? 'an unnamed user';
  const from = c.source_ips.length > 0 ? ` from ${c.source_ips.join(', ')}` : '';
  const outcome = c.response_code !== null ? String(c.response_code) : c.decision === 'forbid' ? 'forbidden' : 'refused';
  return `Refused: ${who}${from}, ${outcome}`;
}

/** What the alerts table's "Requested by" cell says, with the text of its tooltip. */
export function requestedByCell(a: AttributionView): { text: string; tooltip: string } {
  switch (a.match) {
    case 'exact':
      return { text: a.user?.username ?? 'unnamed', tooltip: a.detail ?? verdictSentence(a) };
    case 'ambiguous':
      return { text: `ambiguous (${candidateCount(a)})`, tooltip: a.detail ?? verdictSentence(a) };
    case 'none':
      return { text: 'none', tooltip: a.detail ?? verdictSentence(a) };
    case 'unknown':
      return { text: 'unknown', tooltip: a.detail ?? verdictSentence(a) };
  }
}

/** True for the guide's step about who is responsible for the exec. */
export function isResponsibleIdentityStep(text: string): boolean {
  return /user or service account/i.test(text);
}

/**
 * The answer the audit log gives to that step, e.g.
 * `Kubernetes: alice@example.com (sre) from 198.51.100.7 via kubectl/v1.31.0`; the verdict sentence otherwise.
 */
export function responsibleIdentityAnswer(a: AttributionView): string {
  if (a.match === 'exact' && a.user) {
    const groups = tellingGroups(a.user.groups);
    const client = clientName(a.user_agent);
    return [
      `Kubernetes: ${a.user.username}`,
      groups.length > 0 ? ` (${groups.join(', ')})` : '',
      a.impersonated_user?.username ? ` as ${a.impersonated_user.username}` : '',
      a.source_ips.length > 0 ? ` from ${a.source_ips.join(', ')}` : '',
      client ? ` via ${client}` : '',
    ].join('');
  }
  if (a.match === 'ambiguous') {
    const names = [...new Set(a.candidates.map((c) => c.username ?? 'an unnamed user'))];
    return `${verdictSentence(a)}${names.length > 0 ? `: ${names.join(', ')}` : ''}`;
  }
  return verdictSentence(a);
}
