import { useState } from 'react';
import {
  EuiBadge,
  EuiButtonEmpty,
  EuiFlexGroup,
  EuiFlexItem,
  EuiIconTip,
  EuiLink,
  EuiPanel,
  EuiSpacer,
  EuiText,
  EuiTitle,
} from '@elastic/eui';
import type { SessionBehaviorDto, SessionRisk } from '@execwatch/api';
import { formatTime } from '../../../lib/format';
import { techniqueUrl } from '../../attack/technique-url';
import { behaviorBadgeColor, evidenceCommand, moreEvidence, orderedBehaviors } from '../session-risk-text';
import { SessionRiskBadge } from './session-risk-badge';

interface Props {
  session: SessionRisk | null;
  /** The overview's short version: the first evidence of each behaviour, a link to the Session tab for the rest. */
  compact?: boolean;
  /** Opens the Session tab (the compact version's "see the process tree"). */
  onShowSession?: () => void;
}

/** Behaviours the compact version lists before pointing to the Session tab. */
const COMPACT_BEHAVIORS = 4;
/** Behaviours the Session tab lists before "show all": the list stays short above the process tree. */
const SHORT_BEHAVIORS = 5;

function TechniqueLink({ behavior: b }: { behavior: SessionBehaviorDto }) {
  return (
    <EuiLink href={techniqueUrl(b.technique_id)} target="_blank" external title={`MITRE ATT&CK ${b.technique_id}: ${b.technique_name}`} data-test-subj="what-happened-technique">
      {b.technique_id}
    </EuiLink>
  );
}

function Behavior({ behavior: b, compact }: { behavior: SessionBehaviorDto; compact: boolean }) {
  const evidence = compact ? b.evidence.slice(0, 1) : b.evidence;
  const more = moreEvidence(b) + (b.evidence.length - evidence.length);
  return (
    <li data-test-subj="what-happened-behavior" data-behavior-id={b.id} style={{ marginBottom: compact ? 6 : 10 }}>
      <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false} wrap>
        <EuiFlexItem grow={false}>
          <EuiBadge color={behaviorBadgeColor(b.weight)} title={`Weight ${b.weight} of 100`}>
            +{b.weight}
          </EuiBadge>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiText size="s">
            <strong data-test-subj="what-happened-title">{b.title}</strong>
          </EuiText>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiText size="xs">
            <span>
              <TechniqueLink behavior={b} />
              {!compact && <span style={{ color: '#516381' }}> {b.technique_name}</span>}
            </span>
          </EuiText>
        </EuiFlexItem>
      </EuiFlexGroup>
      {evidence.length > 0 && (
        <ul style={{ listStyle: 'none', margin: '2px 0 0 0', padding: 0 }}>
          {evidence.map((e, i) => (
            <li key={`${e.entity_id ?? 'process'}-${i}`} data-test-subj="what-happened-evidence" data-entity-id={e.entity_id ?? ''} style={{ fontSize: 12, lineHeight: '18px', paddingLeft: 4 }}>
              <code style={{ wordBreak: 'break-all' }}>{evidenceCommand(e)}</code>
              <span style={{ color: '#516381' }}> · {formatTime(e.time)}</span>
            </li>
          ))}
        </ul>
      )}
      {more > 0 && (
        <EuiText size="xs" color="subdued">
          <span>
            and {more} more process{more === 1 ? '' : 'es'}
          </span>
        </EuiText>
      )}
    </li>
  );
}

/**
 * "What happened": the behaviours the session showed, heaviest first, each with its ATT&CK technique and the
 * processes that showed it (command and start time).
 */
export function WhatHappened({ session, compact = false, onShowSession }: Props) {
  const [showAll, setShowAll] = useState(false);
  const behaviors = session ? orderedBehaviors(session) : [];
  const shown = compact ? behaviors.slice(0, COMPACT_BEHAVIORS) : showAll ? behaviors : behaviors.slice(0, SHORT_BEHAVIORS);
  return (
    <EuiPanel hasBorder paddingSize={compact ? 's' : 'm'} data-test-subj="what-happened" data-compact={compact ? 'true' : 'false'}>
      <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false}>
        <EuiFlexItem grow={false}>
          <EuiTitle size="xs">
            <h3>What happened</h3>
          </EuiTitle>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <SessionRiskBadge session={session} prefix="Session risk" />
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiIconTip
            type="info"
            size="s"
            aria-label="How the session risk is scored"
            content="Behaviours recognised in the commands of this exec session, each weighed by how strongly it alone points to an attack, combined into a score of 0 to 100. The score follows the session as commands arrive. The rule's own severity and risk stay as they are."
          />
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="s" />
      {!session ? (
        <EuiText size="s" color="subdued">
          <p>Not scored yet: the session's commands are scored a few seconds after the alert is created.</p>
        </EuiText>
      ) : behaviors.length === 0 ? (
        <EuiText size="s" color="subdued" data-test-subj="what-happened-none">
          <p>No risky behaviour recognised in the commands of this session so far.</p>
        </EuiText>
      ) : (
        <ol style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label="Behaviours of the session">
          {shown.map((b) => (
            <Behavior key={b.id} behavior={b} compact={compact} />
          ))}
        </ol>
      )}
      {session && session.related_alerts.length > 0 && (
        <div data-test-subj="what-happened-related">
          <EuiSpacer size="s" />
          <EuiText size="xs">
            <strong>Other alerts of this session, counted in the score:</strong>
          </EuiText>
          <ul style={{ listStyle: 'none', margin: '2px 0 0', padding: 0 }}>
            {session.related_alerts.map((r) => (
              <li key={r.id} style={{ fontSize: 12, lineHeight: '18px' }}>
                {r.rule_name ?? r.rule_id ?? r.id}
                <span style={{ color: '#516381' }}>
                  {r.severity ? ` · ${r.severity}` : ''} · {formatTime(r['@timestamp'])}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {!compact && behaviors.length > SHORT_BEHAVIORS && (
        <EuiButtonEmpty size="xs" flush="left" iconType={showAll ? 'arrowUp' : 'arrowDown'} onClick={() => setShowAll(!showAll)} data-test-subj="what-happened-show-all">
          {showAll ? 'Show the heaviest only' : `Show all ${behaviors.length} behaviours`}
        </EuiButtonEmpty>
      )}
      {compact && session && onShowSession && (
        <EuiButtonEmpty size="xs" flush="left" iconType="sessionViewer" onClick={onShowSession} data-test-subj="what-happened-show-session">
          {behaviors.length > shown.length ? `${behaviors.length - shown.length} more behaviour(s) and the process tree` : 'See the process tree'}
        </EuiButtonEmpty>
      )}
    </EuiPanel>
  );
}
