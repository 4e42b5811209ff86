import type { SessionBehaviorDto, SessionEvidence, SessionRisk } from '@execwatch/api';
import { formatArgs } from '../../lib/format';

export type RiskLevel = SessionRisk['risk_level'];

/** Sessions at or above this score are high risk: closing them takes a comment or a confirmation (the server's rule). */
export const HIGH_RISK_THRESHOLD = 50;

/** Lowest score of each level above low, as the server grades them. */
export const RISK_LEVEL_THRESHOLDS = { medium: 25, high: 50, critical: 75 } as const;

/** The level of a score, for places that only have the number. */
export function riskLevelOf(score: number): RiskLevel {
  if (score >= RISK_LEVEL_THRESHOLDS.critical) return 'critical';
  if (score >= RISK_LEVEL_THRESHOLDS.high) return 'high';
  if (score >= RISK_LEVEL_THRESHOLDS.medium) return 'medium';
  return 'low';
}

export const riskLevelLabels: Record<RiskLevel, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/**
 * EUI badge colours by level: low stays quiet so the risky sessions stand out in a long queue, critical is the one
 * solid badge. (EUI's filled "risk" badge puts white on orange, below the contrast WCAG AA asks for.)
 */
export const riskBadgeColors: Record<RiskLevel, { color: 'default' | 'warning' | 'risk' | 'danger'; fill: boolean }> = {
  low: { color: 'default', fill: false },
  medium: { color: 'warning', fill: false },
  high: { color: 'risk', fill: false },
  critical: { color: 'danger', fill: true },
};

/** What each level means, for the badge's tooltip. */
export const riskLevelRanges: Record<RiskLevel, string> = {
  low: 'below 25',
  medium: '25 to 49',
  high: '50 to 74',
  critical: '75 and above',
};

/** True for a scored session at or above the high-risk threshold. */
export function isHighRisk(session: SessionRisk | null | undefined): boolean {
  return session !== null && session !== undefined && session.risk_score >= HIGH_RISK_THRESHOLD;
}

/** Heaviest first (the server sends them so; ties keep the server's order). */
export function orderedBehaviors(session: SessionRisk): SessionBehaviorDto[] {
  return session.behaviors.map((b, i) => ({ b, i })).sort((x, y) => y.b.weight - x.b.weight || x.i - y.i).map(({ b }) => b);
}

/** The titles of the `n` heaviest behaviours. */
export function topBehaviorTitles(session: SessionRisk, n: number): string[] {
  return orderedBehaviors(session)
    .slice(0, n)
    .map((b) => b.title);
}

/** `Reverse shell (T1059.004)` */
export function behaviorLine(b: Pick<SessionBehaviorDto, 'title' | 'technique_id'>): string {
  return `${b.title} (${b.technique_id})`;
}

/** `This session scored 91: Reverse shell; Service account token read` */
export function riskSentence(session: SessionRisk, titles = 3): string {
  const top = topBehaviorTitles(session, titles);
  return `This session scored ${session.risk_score}${top.length > 0 ? `: ${top.join('; ')}` : ''}`;
}

/** What the badge's tooltip says: the level and its range. */
export function riskBadgeTitle(session: SessionRisk): string {
  return `Session risk ${session.risk_score} of 100: ${riskLevelLabels[session.risk_level].toLowerCase()} (${riskLevelRanges[session.risk_level]})`;
}

/** The command an evidence process ran, as a shell would show it. */
export function evidenceCommand(e: Pick<SessionEvidence, 'args' | 'name' | 'executable'>): string {
  return formatArgs(e.args) || e.name || e.executable || '?';
}

/** Processes that showed the behaviour beyond the evidence the server kept. */
export function moreEvidence(b: Pick<SessionBehaviorDto, 'match_count' | 'evidence'>): number {
  return Math.max(b.match_count - b.evidence.length, 0);
}

/** For the process tree: the behaviours each process earned, by its entity id (heaviest first). */
export function behaviorsByProcess(session: SessionRisk | null | undefined): Map<string, SessionBehaviorDto[]> {
  const out = new Map<string, SessionBehaviorDto[]>();
  if (!session) return out;
  for (const b of orderedBehaviors(session)) {
    for (const e of b.evidence) {
      if (!e.entity_id) continue;
      const list = out.get(e.entity_id) ?? [];
      if (!list.some((x) => x.id === b.id)) list.push(b);
      out.set(e.entity_id, list);
    }
  }
  return out;
}

/** A behaviour's badge colour by its weight: the ones that alone point to an attack stand out. */
export function behaviorBadgeColor(weight: number): 'default' | 'warning' | 'risk' | 'danger' {
  if (weight >= 30) return 'danger';
  if (weight >= 15) return 'risk';
  if (weight >= 6) return 'warning';
  return 'default';
}
