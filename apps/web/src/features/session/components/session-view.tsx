import { EuiBadge, EuiCallOut, EuiIcon, EuiSkeletonText, EuiSpacer, EuiText } from '@elastic/eui';
import { QueryError } from '../../../components/query-error';
import { formatArgs, formatTime } from '../../../lib/format';
import { useSessionQuery } from '../api/use-session-query';
import { buildSessionTree, flattenSessionTree } from '../session-tree';

/** The alert's session as a time-ordered process tree; commands run after the exec'd shell are highlighted. */
export function SessionView({ alertId }: { alertId: string }) {
  const session = useSessionQuery(alertId);
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
        <ol role="tree" aria-label="Session processes" style={{ listStyle: 'none', margin: 0, padding: 0, fontFamily: 'monospace', fontSize: 12 }}>
          {rows.map(({ process: p, depth }) => (
            <li
              key={p.entity_id}
              role="treeitem"
              aria-level={depth + 1}
              aria-selected={p.is_alert_process}
              data-test-subj="session-process"
              data-alert-process={p.is_alert_process ? 'true' : 'false'}
              data-subsequent={p.is_subsequent ? 'true' : 'false'}
              style={{
                padding: '4px 8px',
                paddingLeft: 8 + depth * 20,
                borderLeft: p.is_alert_process ? '3px solid #BD271E' : p.is_subsequent ? '3px solid #DA8B45' : '3px solid transparent',
                background: p.is_alert_process ? '#FDECEB' : p.is_subsequent ? '#FEF6EE' : undefined,
                marginBottom: 2,
              }}
            >
              {depth > 0 && <EuiIcon type="chevronSingleRight" size="s" aria-hidden style={{ marginRight: 4 }} />}
              <span style={{ color: '#4A4F58' }}>{formatTime(p.start)}</span>{' '}
              <strong>{formatArgs(p.args) || p.name || p.executable || p.entity_id}</strong>{' '}
              <span style={{ color: '#4A4F58' }}>
                user {p.user_name ?? p.user_id ?? '?'}
                {p.working_directory ? ` · cwd ${p.working_directory}` : ''}
                {p.pid !== null ? ` · pid ${p.pid}` : ''}
              </span>{' '}
              {p.is_alert_process && <EuiBadge color="danger">exec'd shell (alert)</EuiBadge>}
              {p.is_subsequent && <EuiBadge color="warning">after the exec</EuiBadge>}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
