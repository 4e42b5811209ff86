import { EuiBadge, EuiBasicTable, EuiFlexGroup, EuiFlexItem, EuiPanel, EuiSpacer, EuiText, EuiTitle, type EuiBasicTableColumn } from '@elastic/eui';
import type { AuditFeedCluster } from '@execwatch/api';
import { QueryError } from '../../../components/query-error';
import { formatCount, formatRelative, formatTime } from '../../../lib/format';
import { useAuditFeedHealthQuery } from '../api/use-audit-feed-health-query';
import { attributionShares, clusterLabel, shareLabels, type AttributionShare, type AttributionShareKey } from '../audit-feed-health';

const shareColors: Record<AttributionShareKey, string> = {
  exact: '#008A5E',
  ambiguous: '#D6BF57',
  none: '#69707D',
  unknown: '#CAD3E2',
};

const shareBadgeColors: Record<AttributionShareKey, 'success' | 'warning' | 'default' | 'hollow'> = {
  exact: 'success',
  ambiguous: 'warning',
  none: 'default',
  unknown: 'hollow',
};

/** The verdict shares as one stacked bar (plain elements: EUI has no stacked progress bar). */
function SharesBar({ shares }: { shares: AttributionShare[] }) {
  const label = shares.map((s) => `${shareLabels[s.key]} ${s.percent}%`).join(', ');
  return (
    <div role="img" aria-label={`Attribution of the exec alerts: ${label}`} style={{ display: 'flex', height: 8, width: '100%', minWidth: 160, borderRadius: 4, overflow: 'hidden', background: '#E3E8F2' }}>
      {shares
        .filter((s) => s.percent > 0)
        .map((s) => (
          <div key={s.key} title={`${shareLabels[s.key]}: ${formatCount(s.count)} (${s.percent}%)`} style={{ width: `${s.percent}%`, background: shareColors[s.key] }} />
        ))}
    </div>
  );
}

function Shares({ cluster }: { cluster: AuditFeedCluster }) {
  if (cluster.alerts === 0) {
    return (
      <EuiText size="xs" color="subdued">
        <span>no exec alerts</span>
      </EuiText>
    );
  }
  const shares = attributionShares(cluster);
  return (
    <div data-test-subj="audit-feed-shares">
      <SharesBar shares={shares} />
      <EuiSpacer size="xs" />
      <EuiFlexGroup gutterSize="xs" responsive={false} wrap>
        {shares.map((s) => (
          <EuiFlexItem grow={false} key={s.key}>
            <EuiBadge color={shareBadgeColors[s.key]} data-test-subj={`audit-feed-share-${s.key}`} title={`${formatCount(s.count)} of ${formatCount(cluster.alerts)} exec alerts`}>
              {shareLabels[s.key]} {s.percent}%
            </EuiBadge>
          </EuiFlexItem>
        ))}
      </EuiFlexGroup>
    </div>
  );
}

const columns: Array<EuiBasicTableColumn<AuditFeedCluster>> = [
  {
    field: 'cluster',
    name: 'Cluster',
    render: (_: unknown, c: AuditFeedCluster) => (c.cluster === null ? <EuiText size="xs" color="subdued"><span>{clusterLabel(null)}</span></EuiText> : <strong>{c.cluster}</strong>),
  },
  { field: 'alerts', name: 'Exec alerts', width: '100px', render: (_: unknown, c: AuditFeedCluster) => formatCount(c.alerts) },
  { field: 'exact', name: 'Who ran the exec (exact / ambiguous / none / not yet)', width: '40%', render: (_: unknown, c: AuditFeedCluster) => <Shares cluster={c} /> },
  {
    field: 'audit_events',
    name: 'Audit events',
    width: '150px',
    render: (_: unknown, c: AuditFeedCluster) => {
      const verbs = Object.entries(c.verbs)
        .sort((a, b) => b[1] - a[1])
        .map(([verb, n]) => `${verb} ${formatCount(n)}`)
        .join(', ');
      return (
        <span>
          {formatCount(c.audit_events)}
          {verbs && (
            <EuiText size="xs" color="subdued">
              <span>{verbs}</span>
            </EuiText>
          )}
        </span>
      );
    },
  },
  {
    field: 'last_audit_event_at',
    name: 'Last audit event',
    width: '150px',
    render: (_: unknown, c: AuditFeedCluster) =>
      c.last_audit_event_at ? (
        <span title={formatTime(c.last_audit_event_at)} data-test-subj="audit-feed-last-event">
          {formatRelative(c.last_audit_event_at)}
        </span>
      ) : (
        <EuiText size="xs" color="danger">
          <span data-test-subj="audit-feed-last-event">never</span>
        </EuiText>
      ),
  },
];

/** "Who ran the exec: last 24 h": per cluster, how the exec alerts were attributed and what the audit feed sent. */
export function AuditFeedPanel() {
  const health = useAuditFeedHealthQuery();
  return (
    <EuiPanel hasBorder paddingSize="m" data-test-subj="audit-feed-panel">
      <EuiTitle size="xs">
        <h2>Who ran the exec: last 24 h</h2>
      </EuiTitle>
      <EuiText size="xs" color="subdued">
        <p>Exec alerts per cluster by how the kube-apiserver audit log attributed them, and the audit events that arrived.</p>
      </EuiText>
      <EuiSpacer size="s" />
      {health.isError ? (
        <QueryError error={health.error} title="The audit feed's health could not be loaded" onRetry={() => void health.refetch()} />
      ) : (
        <EuiBasicTable<AuditFeedCluster>
          tableCaption="Audit feed per cluster"
          items={health.data?.clusters ?? []}
          columns={columns}
          loading={health.isPending}
          compressed
          rowProps={(c: AuditFeedCluster) => ({ 'data-test-subj': 'audit-feed-cluster', 'data-cluster': c.cluster ?? '' })}
          noItemsMessage={health.isPending ? 'Loading…' : 'No exec alerts and no audit events in the last 24 hours.'}
        />
      )}
    </EuiPanel>
  );
}
