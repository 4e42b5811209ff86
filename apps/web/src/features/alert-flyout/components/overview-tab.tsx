import type { ReactNode } from 'react';
import { EuiButtonIcon, EuiDescriptionList, EuiPanel, EuiSpacer, EuiText, EuiTitle, EuiToolTip } from '@elastic/eui';
import { RouterLink } from '../../../components/router-link';
import type { AlertDetail } from '@execwatch/api';
import { Deferred } from '../../../components/deferred';
import { SeverityBadge } from '../../../components/severity-badge';
import { StatusBadge } from '../../../components/status-badge';
import { AttributionPanel } from '../../attribution/components/attribution-panel';
import { WhatHappened } from '../../session-risk/components/what-happened';
import { closingReasonLabels, formatArgs, formatTime } from '../../../lib/format';
import { AssigneesTags } from './assignees-tags';

interface Props {
  alert: AlertDetail;
  onFilter: (field: string, value: string) => void;
  /** Opens the Session tab (the process tree and every behaviour's evidence). */
  onShowSession?: () => void;
}

function Value({ children, field, value, onFilter }: { children?: ReactNode; field?: string; value: string | null; onFilter: Props['onFilter'] }) {
  if (value === null || value === '') return <span>—</span>;
  return (
    <span>
      <code style={{ wordBreak: 'break-all' }}>{children ?? value}</code>
      {field && (
        <EuiToolTip content={`Filter alerts by ${field}`}>
          <EuiButtonIcon
            iconType="filter"
            size="xs"
            aria-label={`Filter alerts by ${field}: ${value}`}
            onClick={() => onFilter(field, value)}
            data-test-subj="overview-filter"
          />
        </EuiToolTip>
      )}
    </span>
  );
}

/** Reason, rule, severity, status history and the who/what/where of the exec. */
export function OverviewTab({ alert, onFilter, onShowSession }: Props) {
  const e = alert.entity;
  const statusLine =
    alert.workflow_user && alert.workflow_status_updated_at
      ? `by ${alert.workflow_user} on ${formatTime(alert.workflow_status_updated_at)}`
      : 'not changed since the alert was created';
  return (
    <div data-test-subj="alert-overview">
      <AttributionPanel attribution={alert.attribution} entity={e} onFilter={onFilter} />
      <EuiSpacer size="m" />
      <WhatHappened session={alert.session} compact onShowSession={onShowSession} />
      <EuiSpacer size="m" />
      <EuiPanel color="subdued" paddingSize="s" hasBorder={false}>
        <EuiText size="s">
          <p data-test-subj="alert-reason">{alert.reason}</p>
        </EuiText>
      </EuiPanel>
      <EuiSpacer size="m" />
      <EuiDescriptionList
        compressed
        type="column"
        columnWidths={[1, 2]}
        listItems={[
          {
            title: 'Rule',
            description: (
              <RouterLink to={`/rules/${encodeURIComponent(alert.rule.rule_id)}`}>{alert.rule.name}</RouterLink>
            ),
          },
          { title: 'Severity', description: <SeverityBadge severity={alert.severity} /> },
          { title: 'Rule risk score', description: String(alert.risk_score) },
          {
            title: 'Status',
            description: (
              <span data-test-subj="alert-status-history">
                <StatusBadge status={alert.workflow_status} /> {statusLine}
                {alert.workflow_reason ? ` · ${closingReasonLabels[alert.workflow_reason]}` : ''}
                {alert.workflow_reason_text ? `: ${alert.workflow_reason_text}` : ''}
              </span>
            ),
          },
          { title: 'Alert created', description: formatTime(alert['@timestamp']) },
          { title: 'Event time', description: formatTime(alert.original_time) },
        ]}
      />
      <EuiSpacer size="m" />
      <EuiTitle size="xxs">
        <h3>Who, what, where</h3>
      </EuiTitle>
      <EuiSpacer size="s" />
      <EuiDescriptionList
        compressed
        type="column"
        columnWidths={[1, 2]}
        data-test-subj="alert-entity"
        listItems={[
          { title: 'Cluster', description: <Value field="orchestrator.cluster.name" value={e.cluster} onFilter={onFilter} /> },
          { title: 'Namespace', description: <Value field="orchestrator.namespace" value={e.namespace} onFilter={onFilter} /> },
          { title: 'Pod', description: <Value field="orchestrator.resource.name" value={e.pod} onFilter={onFilter} /> },
          { title: 'Container id', description: <Value field="container.id" value={e.container_id} onFilter={onFilter} /> },
          { title: 'Container image', description: <Value field="container.image.name" value={e.image} onFilter={onFilter} /> },
          { title: 'Host', description: <Value field="host.name" value={e.host} onFilter={onFilter} /> },
          {
            title: 'Linux user in the container',
            description: <Value field="user.id" value={e.user_id} onFilter={onFilter}>{`${e.user_name ?? '?'} (id ${e.user_id ?? '?'})`}</Value>,
          },
          { title: 'Command line', description: <Value value={e.command_line ?? (formatArgs(e.args) || null)} onFilter={onFilter} /> },
          { title: 'Executable', description: <Value value={e.executable} onFilter={onFilter} /> },
          { title: 'Working directory', description: <Value value={e.working_directory} onFilter={onFilter} /> },
          { title: 'Interactive', description: e.interactive === null ? '—' : e.interactive ? 'yes' : 'no' },
          {
            title: 'Entry leader',
            description: (
              <Value field="process.entry_leader.entity_id" value={e.entry_leader_entity_id} onFilter={onFilter}>
                {`${e.entry_leader_entity_id ?? ''} (${e.entry_meta_type ?? 'unknown'} entry${e.same_as_process ? ', is this process' : ''})`}
              </Value>
            ),
          },
          { title: 'Parent', description: <Value value={e.parent_name ? `${e.parent_name} ${formatArgs(e.parent_args)}`.trim() : null} onFilter={onFilter} /> },
        ]}
      />
      <EuiSpacer size="m" />
      <Deferred>
        <AssigneesTags alert={alert} />
      </Deferred>
    </div>
  );
}
