import { EuiBadge } from '@elastic/eui';
import type { SessionRisk } from '@execwatch/api';
import { riskBadgeColors, riskBadgeTitle, riskLevelLabels } from '../session-risk-text';

interface Props {
  session: SessionRisk | null;
  /** Words before the score, e.g. "Session risk" in the flyout header; the table's column says it already. */
  prefix?: string;
}

/** The session's risk score and level as a badge coloured by level; "not scored" until the server scored it. */
export function SessionRiskBadge({ session, prefix }: Props) {
  if (!session) {
    return (
      <EuiBadge color="hollow" title="The session's commands have not been scored yet" data-test-subj="session-risk-badge" data-risk-level="unscored">
        {prefix ? `${prefix}: ` : ''}not scored
      </EuiBadge>
    );
  }
  const { color, fill } = riskBadgeColors[session.risk_level];
  return (
    <EuiBadge
      color={color}
      fill={fill}
      title={riskBadgeTitle(session)}
      data-test-subj="session-risk-badge"
      data-risk-level={session.risk_level}
      data-risk-score={session.risk_score}
    >
      {prefix ? `${prefix} ` : ''}
      {session.risk_score} · {riskLevelLabels[session.risk_level]}
    </EuiBadge>
  );
}
