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

/** The verdicts of alerts that name no Kubernetes user. */
const UNNAMED_VERDICTS = ['ambiguous', 'none', 'unknown'] as const;

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
      // Only exact attributions name a user; the rest fall in one keyless group.
      return key === null ? { attribution: [...UNNAMED_VERDICTS] } : { requestedBy: [key] };
  }
}

/** The heading of the group of alerts without a value. */
function noValueLabel(field: AlertGroupField): string {
  return field === 'requested_by' ? '(no exact attribution)' : `(no ${field})`;
}

function GroupBody({ view, field, group, visibleColumns, onOpenAlert, onFilter }: { view: AlertsViewState; field: AlertGroupField; group: Group; visibleColumns: string[]; onOpenAlert: (id: string) => void; onFilter: (patch: Partial<AlertsViewState>) => void }) {
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
      onFilter={onFilter}
      testSubj="alerts-table"
    />
  );
}

/** Alerts grouped by one field, each group with its counts and actions on the whole group. */
export function AlertGroups({
  view,
  groups,
  onFilterToGroup,
  onFilter,
  visibleColumns,
  onOpenAlert,
}: {
  view: AlertsViewState;
  groups: Group[];
  onFilterToGroup: (patch: Partial<AlertsViewState>) => void;
  /** A cell's "filter by this value" inside a group. */
  onFilter: (patch: Partial<AlertsViewState>) => void;
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
                    <strong>{group.key ?? noValueLabel(field)}</strong>
                  </EuiFlexItem>
                  <EuiFlexItem grow={false}>
                    <EuiBadge color="hollow">{formatCount(group.count)} {group.count === 1 ? 'alert' : 'alerts'}</EuiBadge>
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
              <GroupBody view={view} field={field} group={group} visibleColumns={visibleColumns} onOpenAlert={onOpenAlert} onFilter={onFilter} />
            </EuiAccordion>
          </EuiPanel>
        );
      })}
    </div>
  );
}
