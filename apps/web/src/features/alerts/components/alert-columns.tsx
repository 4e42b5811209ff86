import type { ReactNode } from 'react';
import { EuiBadge, EuiText } from '@elastic/eui';
import type { Alert, AlertSortField } from '@execwatch/api';
import { formatArgs, formatTime } from '../../../lib/format';
import { SeverityDot } from '../../../components/severity-badge';
import { StatusBadge } from '../../../components/status-badge';
import { RequestedByCell } from '../../attribution/components/requested-by-cell';
import { SessionRiskCell } from '../../session-risk/components/session-risk-cell';
import type { AlertsViewState } from '../alerts-view-state';

/** What a cell may do to the page besides showing its value. */
export interface ColumnActions {
  /** Narrows the list (a cell's "filter by this value"); absent where the table cannot filter. */
  onFilter?: (patch: Partial<AlertsViewState>) => void;
}

/** A column the analyst can show or hide. */
export interface AlertColumn {
  id: string;
  name: string;
  sortField?: AlertSortField;
  width?: string;
  render: (alert: Alert, actions: ColumnActions) => ReactNode;
}

function Mono({ children }: { children: ReactNode }) {
  return <code style={{ fontSize: 12, wordBreak: 'break-all' }}>{children}</code>;
}

/** Long text cut to two lines; the whole text is in the tooltip and the flyout. */
function Clamp({ text }: { text: string }) {
  return (
    <span title={text} style={{ display: '-webkit-box', WebkitLineClamp: 2, WebkitBoxOrient: 'vertical', overflow: 'hidden', fontSize: 12 }}>
      {text}
    </span>
  );
}

export const alertColumns: AlertColumn[] = [
  { id: 'time', name: '@timestamp', sortField: '@timestamp', width: '170px', render: (a) => formatTime(a['@timestamp']) },
  { id: 'rule', name: 'Rule', sortField: 'rule.name', width: '180px', render: (a) => <Clamp text={a.rule.name} /> },
  { id: 'severity', name: 'Severity', sortField: 'severity', width: '100px', render: (a) => <SeverityDot severity={a.severity} /> },
  { id: 'risk', name: 'Risk', sortField: 'risk_score', width: '60px', render: (a) => a.risk_score },
  { id: 'session_risk', name: 'Session risk', sortField: 'session_risk', width: '170px', render: (a) => <SessionRiskCell session={a.session} /> },
  {
    id: 'reason',
    name: 'Reason',
    width: '260px',
    render: (a) => <Clamp text={a.reason} />,
  },
  {
    id: 'namespace',
    name: 'Namespace / pod',
    sortField: 'namespace',
    render: (a) => (
      <span>
        {a.entity.namespace ?? '—'}
        <br />
        <EuiText size="xs" color="subdued" component="span">
          {a.entity.pod ?? ''}
        </EuiText>
      </span>
    ),
  },
  { id: 'image', name: 'Container image', sortField: 'image', render: (a) => <Mono>{a.entity.image ?? '—'}</Mono> },
  {
    id: 'user',
    name: 'Linux user',
    sortField: 'user',
    width: '90px',
    render: (a) => <span title="Linux user in the container">{a.entity.user_name ?? a.entity.user_id ?? '—'}</span>,
  },
  {
    id: 'requested_by',
    name: 'Requested by',
    sortField: 'requested_by',
    width: '170px',
    render: (a, { onFilter }) => (
      <RequestedByCell
        attribution={a.attribution}
        onFilterUser={onFilter && ((username) => onFilter({ requestedBy: [username] }))}
        onFilterVerdict={onFilter && ((match) => onFilter({ attribution: [match] }))}
      />
    ),
  },
  { id: 'args', name: 'Process args', render: (a) => <Mono>{formatArgs(a.entity.args) || '—'}</Mono> },
  { id: 'status', name: 'Status', sortField: 'workflow_status', width: '120px', render: (a) => <StatusBadge status={a.workflow_status} /> },
  {
    id: 'assignees',
    name: 'Assignees',
    width: '110px',
    render: (a) => (a.assignees.length === 0 ? '—' : a.assignees.map((u) => <EuiBadge key={u}>{u}</EuiBadge>)),
  },
  {
    id: 'checklist',
    name: 'Checklist',
    width: '110px',
    render: (a) => {
      const { done, total, required_remaining: remaining } = a.checklist;
      if (total === 0) return '—';
      // Plain elements: this cell renders 50 times on the first paint.
      return (
        <div style={{ width: 90, fontSize: 12 }} data-test-subj="checklist-progress" title={`${done} of ${total} steps done; ${remaining} required step(s) left`}>
          {done}/{total}
          <div style={{ height: 4, background: '#E3E8F2', borderRadius: 2 }} role="progressbar" aria-label="Checklist progress" aria-valuenow={done} aria-valuemin={0} aria-valuemax={total}>
            <div style={{ height: 4, width: `${Math.round((done / total) * 100)}%`, background: remaining === 0 ? '#008A5E' : '#0B64DD', borderRadius: 2 }} />
          </div>
        </div>
      );
    },
  },
];

export const defaultVisibleColumns = ['time', 'rule', 'severity', 'risk', 'session_risk', 'reason', 'namespace', 'image', 'user', 'requested_by', 'args', 'status', 'assignees', 'checklist'];
