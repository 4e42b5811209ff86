import { memo, useMemo } from 'react';
import {
  EuiBasicTable,
  EuiButtonIcon,
  EuiEmptyPrompt,
  type Criteria,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import type { Alert, AlertSortField, ListAlertsResponse } from '@execwatch/api';
import { pageSizes, type AlertsViewState } from '../alerts-view-state';
import { RowAddException } from '../../exceptions/components/row-add-exception';
import { alertColumns } from './alert-columns';

interface Props {
  data: ListAlertsResponse | undefined;
  isLoading: boolean;
  sortField: AlertsViewState['sortField'];
  sortOrder: AlertsViewState['sortOrder'];
  page: number;
  size: number;
  visibleColumns: string[];
  onPageChange: (patch: Partial<AlertsViewState>) => void;
  onOpenAlert: (id: string) => void;
  /** A cell's "filter by this value"; omit to render cells without filter buttons. */
  onFilter?: (patch: Partial<AlertsViewState>) => void;
  /** Ticked ids; omit to render without checkboxes. */
  selectedIds?: ReadonlySet<string>;
  onSelectionChange?: (ids: string[]) => void;
  testSubj?: string;
}

function sortFieldOf(columnId: string): AlertSortField | undefined {
  return alertColumns.find((c) => c.id === columnId)?.sortField;
}

/**
 * The alerts table: server-side sort and paging, row selection, a details button per row.
 * Memoized on plain props so that opening the flyout (a URL change) does not re-render 50 rows.
 */
export const AlertsTable = memo(function AlertsTable({ data, isLoading, sortField, sortOrder, page: pageNumber, size, visibleColumns, onPageChange, onOpenAlert, onFilter, selectedIds, onSelectionChange, testSubj }: Props) {
  const view = { sortField, sortOrder, page: pageNumber, size };
  const columns = useMemo<Array<EuiBasicTableColumn<Alert>>>(() => {
    const open: EuiBasicTableColumn<Alert> = {
      name: 'Actions',
      width: '72px',
      render: (alert: Alert) => (
        <span style={{ display: 'inline-flex', gap: 2 }}>
          <EuiButtonIcon
            iconType="maximize"
            aria-label={`View details of alert ${alert.rule.name} on ${alert.entity.pod ?? alert.id}`}
            onClick={() => onOpenAlert(alert.id)}
            data-test-subj="alert-open"
          />
          <RowAddException ruleId={alert.rule.rule_id} alertId={alert.id} />
        </span>
      ),
    };
    const actions = { onFilter };
    const shown = alertColumns
      .filter((c) => visibleColumns.includes(c.id))
      .map<EuiBasicTableColumn<Alert>>((c) => ({
        field: c.id,
        name: c.name,
        width: c.width,
        sortable: c.sortField !== undefined,
        render: (_value: unknown, alert: Alert) => c.render(alert, actions),
      }));
    return [open, ...shown];
  }, [visibleColumns, onOpenAlert, onFilter]);

  const items = data?.alerts ?? [];
  const sortColumn = alertColumns.find((c) => c.sortField === view.sortField)?.id ?? 'time';
  const selected = useMemo(() => items.filter((a) => selectedIds?.has(a.id)), [items, selectedIds]);

  const onChange = ({ page, sort }: Criteria<Alert>) => {
    const patch: Partial<AlertsViewState> = {};
    if (sort) {
      const field = sortFieldOf(String(sort.field));
      if (field && (field !== view.sortField || sort.direction !== view.sortOrder)) {
        patch.sortField = field;
        patch.sortOrder = sort.direction;
      }
    }
    if (page) {
      if (page.size !== view.size) {
        patch.size = page.size;
        patch.page = 1;
      } else if (page.index + 1 !== view.page) {
        patch.page = page.index + 1;
      }
    }
    if (Object.keys(patch).length > 0) onPageChange(patch);
  };

  return (
    <EuiBasicTable<Alert>
      tableCaption="Alerts"
      data-test-subj={testSubj ?? 'alerts-table'}
      items={items}
      itemId="id"
      columns={columns}
      loading={isLoading}
      tableLayout="auto"
      compressed
      noItemsMessage={
        isLoading ? (
          'Loading alerts…'
        ) : (
          <EuiEmptyPrompt
            iconType="checkCircleFill"
            titleSize="xs"
            title={<h3>No alerts match</h3>}
            body={<p>Widen the time range or clear some filters.</p>}
            data-test-subj="alerts-empty"
          />
        )
      }
      rowProps={(alert: Alert) => ({
        'data-test-subj': 'alert-row',
        'data-alert-id': alert.id,
        onDoubleClick: () => onOpenAlert(alert.id),
      })}
      selection={
        onSelectionChange
          ? {
              selectable: () => true,
              selected,
              onSelectionChange: (rows: Alert[]) => onSelectionChange(rows.map((r) => r.id)),
            }
          : undefined
      }
      sorting={{ sort: { field: sortColumn as keyof Alert, direction: view.sortOrder } /* column ids double as field keys */ }}
      pagination={{
        pageIndex: view.page - 1,
        pageSize: view.size,
        totalItemCount: Math.min(data?.total ?? 0, view.size * 100_000),
        pageSizeOptions: [...pageSizes],
      }}
      onChange={onChange}
    />
  );
});
