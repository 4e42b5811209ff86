import { memo, useEffect, useMemo, useRef, useSyncExternalStore, type MouseEvent as ReactMouseEvent } from 'react';
import {
  EuiBasicTable,
  EuiButtonIcon,
  EuiEmptyPrompt,
  EuiToolTip,
  type Criteria,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import type { Alert, AlertSortField, ListAlertsResponse } from '@execwatch/api';
import { pageSizes, type AlertsViewState } from '../alerts-view-state';
import { RowAddException } from '../../exceptions/components/row-add-exception';
import { useDisplayTimeZone } from '../../preferences/time-zone';
import type { RowCursorStore } from '../alert-navigation';
import { isRowOpeningClick } from '../keyboard-shortcuts';
import { alertColumns } from './alert-columns';

const noCursor = () => null;
const noSubscription = () => () => undefined;

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
  /** The keyboard's row cursor (j/k); its row is highlighted. Omit for tables the keyboard does not walk. */
  cursor?: RowCursorStore;
}

function sortFieldOf(columnId: string): AlertSortField | undefined {
  return alertColumns.find((c) => c.id === columnId)?.sortField;
}

/**
 * The alerts table: server-side sort and paging, row selection, a details button per row.
 * Memoized on plain props so that opening the flyout (a URL change) does not re-render 50 rows.
 */
export const AlertsTable = memo(function AlertsTable({ data, isLoading, sortField, sortOrder, page: pageNumber, size, visibleColumns, onPageChange, onOpenAlert, onFilter, selectedIds, onSelectionChange, testSubj, cursor }: Props) {
  // Times are formatted while rendering the cells: a new zone must re-render this memoized table.
  const timeZone = useDisplayTimeZone();
  const highlighted = useSyncExternalStore(cursor?.subscribe ?? noSubscription, cursor ? () => cursor.get().id : noCursor);
  const tableRef = useRef<HTMLDivElement>(null);
  const view = { sortField, sortOrder, page: pageNumber, size };
  const columns = useMemo<Array<EuiBasicTableColumn<Alert>>>(() => {
    const open: EuiBasicTableColumn<Alert> = {
      name: 'Actions',
      width: '72px',
      render: (alert: Alert) => (
        <span style={{ display: 'inline-flex', gap: 2 }}>
          <EuiToolTip content="Open the alert's details (or click the row; Enter on the highlighted row)" disableScreenReaderOutput>
            <EuiButtonIcon
              iconType="maximize"
              aria-label={`View details of alert ${alert.rule.name} on ${alert.entity.pod ?? alert.id}`}
              onClick={() => onOpenAlert(alert.id)}
              data-test-subj="alert-open"
            />
          </EuiToolTip>
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
  }, [visibleColumns, onOpenAlert, onFilter, timeZone]);

  const items = data?.alerts ?? [];
  const sortColumn = alertColumns.find((c) => c.sortField === view.sortField)?.id ?? 'time';
  const selected = useMemo(() => items.filter((a) => selectedIds?.has(a.id)), [items, selectedIds]);

  // A row the keyboard moved to comes into view; focus left on a control of another row would take Enter.
  useEffect(() => {
    if (!highlighted || !cursor?.get().byKeyboard || !tableRef.current) return;
    const row = tableRef.current.querySelector(`tr[data-alert-id="${CSS.escape(highlighted)}"]`);
    // Vertically only: `scrollIntoView` would also scroll the page sideways to the start of a row wider than it.
    const rect = row?.getBoundingClientRect();
    if (rect && rect.bottom > window.innerHeight) window.scrollBy(0, rect.bottom - window.innerHeight + 8);
    else if (rect && rect.top < 0) window.scrollBy(0, rect.top - 8);
    const active = document.activeElement;
    if (active instanceof HTMLElement && tableRef.current.contains(active)) active.blur();
  }, [highlighted, cursor]);

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
    <div ref={tableRef}>
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
        'data-highlighted': alert.id === highlighted ? 'true' : undefined,
        style: alert.id === highlighted ? highlightStyle : rowStyle,
        onClick: (event: ReactMouseEvent<HTMLTableRowElement>) => {
          const target = event.target instanceof Element ? event.target : null;
          if (isRowOpeningClick(target, target !== null && event.currentTarget.contains(target), window.getSelection()?.toString() ?? '')) onOpenAlert(alert.id);
        },
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
    </div>
  );
});

const rowStyle = { cursor: 'pointer' };
// The keyboard's row: an outline that reads on selected (blue-tinted) rows too.
const highlightStyle = { cursor: 'pointer', outline: '2px solid #0B64DD', outlineOffset: -2, background: '#E6F1FA' };
