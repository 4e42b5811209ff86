import { useEffect, useRef, useState } from 'react';
import { EuiTextColor, EuiToolTip, type EuiToolTipRef } from '@elastic/eui';
import type { SessionRisk } from '@execwatch/api';
import { behaviorLine, orderedBehaviors, riskBadgeTitle, topBehaviorTitles } from '../session-risk-text';
import { SessionRiskBadge } from './session-risk-badge';

function BehaviorsTooltip({ session }: { session: SessionRisk }) {
  const behaviors = orderedBehaviors(session);
  return (
    <div>
      <strong>{riskBadgeTitle(session)}</strong>
      {behaviors.length === 0 ? (
        <p style={{ margin: 0 }}>No risky behaviour recognised.</p>
      ) : (
        <ul style={{ margin: '4px 0 0', paddingLeft: 16, listStyle: 'disc' }}>
          {behaviors.map((b) => (
            <li key={b.id}>
              {behaviorLine(b)}
              {b.match_count > 1 ? `, ${b.match_count} processes` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * The alerts table's "Session risk" cell: the score as a badge coloured by level, the one or two heaviest
 * behaviours under it, every behaviour with its ATT&CK technique in the tooltip. The tooltip is mounted on the
 * first hover or focus: the cell renders once per row on the first paint, and few of them are ever pointed at.
 */
export function SessionRiskCell({ session }: { session: SessionRisk | null }) {
  const [armed, setArmed] = useState<'hover' | 'focus' | null>(null);
  const tip = useRef<EuiToolTipRef>(null);
  const anchor = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (armed === null) return;
    // Mounting the tooltip replaced the element under the pointer or the focus: give the focus back, then show it.
    if (armed === 'focus') anchor.current?.focus();
    tip.current?.showToolTip();
  }, [armed]);
  if (!session) {
    return (
      <span data-test-subj="session-risk" data-risk-level="unscored" title="The session's commands have not been scored yet" style={{ fontSize: 12 }}>
        <EuiTextColor color="subdued">not scored</EuiTextColor>
      </span>
    );
  }
  const top = topBehaviorTitles(session, 2);
  const cell = (
    <span
      ref={anchor}
      tabIndex={0}
      onMouseEnter={armed ? undefined : () => setArmed('hover')}
      onFocus={armed ? undefined : () => setArmed('focus')}
      data-test-subj="session-risk"
      data-risk-level={session.risk_level}
      data-risk-score={session.risk_score}
      style={{ display: 'inline-flex', flexDirection: 'column', alignItems: 'flex-start', gap: 2, maxWidth: 190 }}
    >
      <SessionRiskBadge session={session} />
      {top.length > 0 && (
        <EuiTextColor color="subdued" data-test-subj="session-risk-behaviors">
          <span style={{ display: '-webkit-box', WebkitLineClamp: 2, WebkitBoxOrient: 'vertical', overflow: 'hidden', fontSize: 11, lineHeight: '14px' }}>
            {top.join(' · ')}
          </span>
        </EuiTextColor>
      )}
    </span>
  );
  if (!armed) return cell;
  return (
    <EuiToolTip ref={tip} content={<BehaviorsTooltip session={session} />} position="right">
      {cell}
    </EuiToolTip>
  );
}
