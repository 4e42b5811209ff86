import { useState } from 'react';
import {
  EuiAccordion,
  EuiBadge,
  EuiButtonEmpty,
  EuiFlexGroup,
  EuiFlexItem,
  EuiPanel,
  EuiSpacer,
  EuiText,
} from '@elastic/eui';
import type { AlertStatsResponse, AlertGroupField } from '@execwatch/api';
import { formatCount, severityColors } from '../../../lib/format';
import { toAlertFilter, type AlertsViewState } from '../alerts-view-state';
import { useAlertsQuery } from '../api/use-alerts-query';
import { AlertsTable } from './alerts-table';
import { BulkActions } from './bulk-actions';

type Group = NonNullable<AlertStatsResponse['groups']>[number];

/** The filter that selects one group's alerts. */
export function groupFilterPatch(field: AlertGroupField, key: string | null): Partial<AlertsViewState> {
  const value = key ?? '';
  switch (field) {
    case 'namespace':
      return { namespace: [value] };
    case 'image':
      return { image: [value] };
    case 'user':
      return { user: [value] };
    case 'rule':
      return { fields: { 'kibana.alert.rule.name': value } };
    case 'pod':
      return { fields: { 'orchestrator.resource.name': value } };
    case 'cluster':
      return { fields: { 'orchestrator.cluster.name': value } };
    case 'requested_by':
      return { fields: { 'kubernetes.audit.user.username': value } };
  }
}

function GroupBody({ view, field, group, visibleColumns, onOpenAlert }: { view: AlertsViewState; field: AlertGroupField; group: Group; visibleColumns: string[]; onOpenAlert: (id: string) => void }) {
  const [page, setPage] = useState<Partial<AlertsViewState>>({ page: 1, size: 25 });
  const groupView: AlertsViewState = { ...view, ...groupFilterPatch(field, group.key), ...page, fields: { ...view.fields, ...(groupFilterPatch(field, group.key).fields ?? {}) } };
  const alerts = useAlertsQuery(groupView);
  return (
    <AlertsTable
      data={alerts.data}
      isLoading={alerts.isFetching}
      sortField={groupView.sortField}
      sortOrder={groupView.sortOrder}
      page={groupView.page}
      size={groupView.size}
      visibleColumns={visibleColumns}
      onPageChange={(patch) => setPage((p) => ({ ...p, ...patch }))}
      onOpenAlert={onOpenAlert}
      testSubj="alerts-table"
    />
  );
}

/** Alerts grouped by one field, each group with its counts and actions on the whole group. */
export function AlertGroups({
  view,
  groups,
  onFilterToGroup,
  visibleColumns,
  onOpenAlert,
}: {
  view: AlertsViewState;
  groups: Group[];
  onFilterToGroup: (patch: Partial<AlertsViewState>) => void;
  visibleColumns: string[];
  onOpenAlert: (id: string) => void;
}) {
  const field = view.groupBy;
  if (!field) return null;
  if (groups.length === 0) {
    return (
      <EuiText color="subdued" size="s">
        <p>No groups: no alerts match.</p>
      </EuiText>
    );
  }
  return (
    <div data-test-subj="alert-groups">
      {groups.map((group) => {
        const patch = groupFilterPatch(field, group.key);
        const groupFilterView = { ...view, ...patch, fields: { ...view.fields, ...(patch.fields ?? {}) } };
        return (
          <EuiPanel key={group.key ?? '(none)'} paddingSize="s" hasBorder style={{ marginBottom: 8 }} data-test-subj="alert-group">
            <EuiAccordion
              id={`group-${field}-${group.key ?? 'none'}`}
              buttonContent={
                <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false}>
                  <EuiFlexItem grow={false}>
                    <strong>{group.key ?? `(no ${field})`}</strong>
                  </EuiFlexItem>
                  <EuiFlexItem grow={false}>
                    <EuiBadge color="hollow">{formatCount(group.count)} alerts</EuiBadge>
                  </EuiFlexItem>
                  {Object.entries(group.by_severity).map(([severity, count]) =>
                    count > 0 ? (
                      <EuiFlexItem grow={false} key={severity}>
                        <EuiBadge color={severityColors[severity as keyof typeof severityColors] ?? 'default' /* unknown keys fall back */}>
                          {severity}: {count}
                        </EuiBadge>
                      </EuiFlexItem>
                    ) : null,
                  )}
                </EuiFlexGroup>
              }
              extraAction={
                <EuiFlexGroup gutterSize="xs" responsive={false}>
                  <EuiFlexItem grow={false}>
                    <EuiButtonEmpty size="xs" iconType="filter" onClick={() => onFilterToGroup({ ...patch, groupBy: null, fields: { ...view.fields, ...(patch.fields ?? {}) } })}>
                      Filter to group
                    </EuiButtonEmpty>
                  </EuiFlexItem>
                  <EuiFlexItem grow={false}>
                    <BulkActions target={{ kind: 'query', filter: toAlertFilter(groupFilterView), total: group.count }} onDone={() => undefined} />
                  </EuiFlexItem>
                </EuiFlexGroup>
              }
              paddingSize="s"
            >
              <EuiSpacer size="xs" />
              <GroupBody view={view} field={field} group={group} visibleColumns={visibleColumns} onOpenAlert={onOpenAlert} />
            </EuiAccordion>
          </EuiPanel>
        );
      })}
    </div>
  );
}
