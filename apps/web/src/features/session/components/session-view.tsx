import { useMemo } from 'react';
import { EuiBadge, EuiCallOut, EuiIcon, EuiSkeletonText, EuiSpacer, EuiText } from '@elastic/eui';
import type { SessionBehaviorDto, SessionProcess, SessionRisk } from '@execwatch/api';
import { QueryError } from '../../../components/query-error';
import { formatArgs, formatTime } from '../../../lib/format';
import { behaviorBadgeColor, behaviorsByProcess } from '../../session-risk/session-risk-text';
import { useSessionQuery } from '../api/use-session-query';
import { buildSessionTree, flattenSessionTree } from '../session-tree';

/** One process of the tree: start, command, user, and the badges of what it is and what it did. */
function ProcessRow({ process: p, depth, behaviors }: { process: SessionProcess; depth: number; behaviors: SessionBehaviorDto[] }) {
  return (
    <li
      role="treeitem"
      aria-level={depth + 1}
      aria-selected={p.is_alert_process}
      data-test-subj="session-process"
      data-entity-id={p.entity_id}
      data-alert-process={p.is_alert_process ? 'true' : 'false'}
      data-subsequent={p.is_subsequent ? 'true' : 'false'}
      data-behaviors={behaviors.length}
      style={{
        padding: '4px 8px',
        paddingLeft: 8 + depth * 20,
        borderLeft: p.is_alert_process ? '3px solid #BD271E' : p.is_subsequent ? '3px solid #DA8B45' : '3px solid transparent',
        background: p.is_alert_process ? '#FDECEB' : p.is_subsequent ? '#FEF6EE' : undefined,
        marginBottom: 2,
        fontSize: 12,
      }}
    >
      <span style={{ fontFamily: 'monospace' }}>
        {depth > 0 && <EuiIcon type="chevronSingleRight" size="s" aria-hidden style={{ marginRight: 4 }} />}
        <span style={{ color: '#4A4F58' }}>{formatTime(p.start)}</span> <strong>{formatArgs(p.args) || p.name || p.executable || p.entity_id}</strong>{' '}
        <span style={{ color: '#4A4F58' }}>
          user {p.user_name ?? p.user_id ?? '?'}
          {p.working_directory ? ` · cwd ${p.working_directory}` : ''}
          {p.pid !== null ? ` · pid ${p.pid}` : ''}
        </span>
      </span>{' '}
      {p.is_alert_process && <EuiBadge color="danger">exec'd shell (alert)</EuiBadge>}
      {p.is_subsequent && <EuiBadge color="warning">after the exec</EuiBadge>}
      {behaviors.map((b) => (
        <EuiBadge
          key={b.id}
          color={behaviorBadgeColor(b.weight)}
          title={`${b.technique_id} ${b.technique_name}, weight ${b.weight}`}
          data-test-subj="session-process-behavior"
          data-behavior-id={b.id}
        >
          {b.title}
        </EuiBadge>
      ))}
    </li>
  );
}

/**
 * The alert's session as a time-ordered process tree; commands run after the exec'd shell are highlighted, and
 * the processes that earned a behaviour of the session risk carry it as a badge.
 */
export function SessionView({ alertId, risk = null }: { alertId: string; risk?: SessionRisk | null }) {
  const session = useSessionQuery(alertId);
  const earned = useMemo(() => behaviorsByProcess(risk), [risk]);
  if (session.isPending) return <EuiSkeletonText lines={5} />;
  if (session.isError) return <QueryError error={session.error} title="The session could not be loaded" onRetry={() => void session.refetch()} />;
  const rows = flattenSessionTree(buildSessionTree(session.data.processes));
  const subsequent = session.data.processes.filter((p) => p.is_subsequent).length;
  return (
    <div data-test-subj="session-view">
      <EuiText size="xs" color="subdued">
        <p>
          Session <code>{session.data.entry_leader_entity_id ?? 'unknown'}</code> · {rows.length} process(es) ·{' '}
          <strong>{subsequent}</strong> ran after the exec'd shell
        </p>
      </EuiText>
      {session.data.truncated && (
        <EuiCallOut size="s" color="warning" title="Only the first processes of this session are shown." iconType="warning" />
      )}
      <EuiSpacer size="s" />
      {rows.length === 0 ? (
        <EuiText size="s" color="subdued">
          <p>No process events were recorded for this session.</p>
        </EuiText>
      ) : (
        <ol role="tree" aria-label="Session processes" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {rows.map(({ process: p, depth }) => (
            <ProcessRow key={p.entity_id} process={p} depth={depth} behaviors={earned.get(p.entity_id) ?? []} />
          ))}
        </ol>
      )}
    </div>
  );
}
