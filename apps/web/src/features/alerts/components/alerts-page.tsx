import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  EuiFlexGroup,
  EuiFlexItem,
  EuiFormRow,
  EuiLoadingChart,
  EuiPageTemplate,
  EuiPanel,
  EuiSelect,
  EuiSpacer,
} from '@elastic/eui';
import { useQueryClient } from '@tanstack/react-query';
import type { AlertGroupField } from '@execwatch/api';
import { alertKeys } from '../../alert-flyout/api/keys';
import { fetchAlert } from '../../alert-flyout/api/use-alert-query';
import { Deferred } from '../../../components/deferred';
import { QueryError } from '../../../components/query-error';
import { AuditFeedBanner } from '../../attribution/components/audit-feed-banner';
import { RuleHealthBanner } from '../../rules/components/rule-health-banner';
import { sameSelection, serializeAlertsViewState, toAlertFilter, type AlertsViewState } from '../alerts-view-state';
import { useAlertStatsQuery } from '../api/use-alert-stats-query';
import { useAlertsQuery } from '../api/use-alerts-query';
import { useAlertsView } from '../use-alerts-view';
import { AlertGroups } from './alert-groups';
import { AlertsTable } from './alerts-table';
import { AttributionFilter } from './attribution-filter';
import { BulkActions, type BulkTarget } from './bulk-actions';
import { ColumnPicker } from './column-picker';
import { FieldFilter } from './field-filter';
import { FieldFilterBadges } from './field-filter-badges';
import { LazyTimeRangePicker } from './lazy-time-range-picker';
import { QueryBar } from './query-bar';
import { SelectionBar } from './selection-bar';
import { SessionRiskFilter } from './session-risk-filter';
import { SeverityFilter } from './severity-filter';
import { StatusFilter } from './status-filter';
import { useVisibleColumns } from './use-visible-columns';

const AlertsHistogram = lazy(() => import('./alerts-histogram'));
const loadFlyout = () => import('../../alert-flyout/components/alert-flyout');
const AlertFlyout = lazy(loadFlyout);

const groupOptions: Array<{ value: '' | AlertGroupField; text: string }> = [
  { value: '', text: 'None' },
  { value: 'namespace', text: 'Namespace' },
  { value: 'image', text: 'Container image' },
  { value: 'user', text: 'Linux user' },
  { value: 'requested_by', text: 'Requested by' },
  { value: 'rule', text: 'Rule' },
];

interface Selection {
  ids: Set<string>;
  allMatching: boolean;
}
const emptySelection: Selection = { ids: new Set(), allMatching: false };

/** The alerts page: range, query, filters, counts, histogram, grouping, the table and the flyout. */
export function AlertsPage() {
  const [view, update] = useAlertsView();
  // The workspace gets a view whose identity ignores the open alert, so opening or closing the
  // flyout re-renders the flyout only, not the filters, chart and table.
  const listKey = serializeAlertsViewState({ ...view, alert: null }).toString();
  const listView = useMemo(() => ({ ...view, alert: null }), [listKey]);
  const fieldsRef = useRef(view.fields);
  fieldsRef.current = view.fields;
  const onFilter = useCallback((field: string, value: string) => update({ fields: { ...fieldsRef.current, [field]: value }, alert: null }), [update]);
  const onClose = useCallback(() => update({ alert: null }), [update]);
  return (
    <>
      <AlertsWorkspace view={listView} update={update} />
      {view.alert && (
        <Suspense fallback={null}>
          <AlertFlyout alertId={view.alert} onClose={onClose} onFilter={onFilter} />
        </Suspense>
      )}
    </>
  );
}

type UpdateView = ReturnType<typeof useAlertsView>[1];

const AlertsWorkspace = memo(function AlertsWorkspace({ view, update }: { view: AlertsViewState; update: UpdateView }) {
  const alerts = useAlertsQuery(view);
  const stats = useAlertStatsQuery(view, alerts.isFetched);
  const [visibleColumns, setVisibleColumns] = useVisibleColumns();
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [selectionView, setSelectionView] = useState<AlertsViewState>(view);

  // A different filter selects different alerts: drop the selection. Paging, sorting and refreshes keep it.
  useEffect(() => {
    if (!sameSelection(view, selectionView)) {
      setSelection(emptySelection);
      setSelectionView(view);
    }
  }, [view, selectionView]);

  // Fetch the flyout's code while the analyst reads the table, so opening it is instant.
  useEffect(() => {
    const handle = window.setTimeout(() => void loadFlyout(), 300);
    return () => window.clearTimeout(handle);
  }, []);

  const queryClient = useQueryClient();
  const openAlert = useCallback(
    (id: string) => {
      // Ask for the alert before rendering the flyout, so the request overlaps the render.
      void queryClient.prefetchQuery({ queryKey: alertKeys.detail(id), queryFn: ({ signal }) => fetchAlert(id, signal) });
      update({ alert: id });
    },
    [update, queryClient],
  );
  const pageIds = useMemo(() => (alerts.data?.alerts ?? []).map((a) => a.id), [alerts.data]);
  const total = alerts.data?.total ?? 0;

  const onPageSelection = useCallback(
    (ids: string[]) => {
      setSelection((current) => {
        const next = new Set([...current.ids].filter((id) => !pageIds.includes(id)));
        for (const id of ids) next.add(id);
        return { ids: next, allMatching: false };
      });
    },
    [pageIds],
  );
  const tableSelectedIds = useMemo(() => (selection.allMatching ? new Set(pageIds) : selection.ids), [selection, pageIds]);

  const bulkTarget: BulkTarget = selection.allMatching
    ? { kind: 'query', filter: toAlertFilter(view), total }
    : { kind: 'ids', ids: [...selection.ids] };

  return (
    <EuiPageTemplate panelled={false} restrictWidth={false} grow>
      <EuiPageTemplate.Header
        pageTitle="Alerts"
        description="Interactive exec sessions launched against running containers (MITRE ATT&CK T1609)."
        rightSideItems={[
          <LazyTimeRangePicker
            key="range"
            from={view.from}
            to={view.to}
            refresh={view.refresh}
            onTimeChange={(from, to) => update({ from, to })}
            onRefreshChange={(refresh) => update({ refresh }, { replace: true })}
            onRefresh={() => {
              void alerts.refetch();
              void stats.refetch();
            }}
          />,
        ]}
        bottomBorder={false}
      />
      <EuiPageTemplate.Section paddingSize="m">
        <Deferred placeholder={<div style={{ height: 290 }} />}>
          <RuleHealthBanner from={view.from} to={view.to} />
          <AuditFeedBanner />
          <QueryBar value={view.query} onSubmit={(query) => update({ query })} />
          <EuiSpacer size="s" />
          <EuiFlexGroup gutterSize="s" wrap responsive={false} alignItems="center">
            <EuiFlexItem grow={false}>
              <StatusFilter value={view.status} counts={stats.data?.by_status} onChange={(status) => update({ status })} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <SessionRiskFilter value={view.minSessionRisk} onChange={(minSessionRisk) => update({ minSessionRisk })} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <SeverityFilter value={view.severity} onChange={(severity) => update({ severity })} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <AttributionFilter value={view.attribution} onChange={(attribution) => update({ attribution })} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <FieldFilter field="namespace" label="Namespace" view={view} onChange={(namespace) => update({ namespace })} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <FieldFilter field="image" label="Container image" view={view} onChange={(image) => update({ image })} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <FieldFilter field="user" label="Linux user" view={view} onChange={(user) => update({ user })} />
            </EuiFlexItem>
            <EuiFlexItem grow={false}>
              <FieldFilter field="requested_by" label="Requested by" view={view} onChange={(requestedBy) => update({ requestedBy })} />
            </EuiFlexItem>
          </EuiFlexGroup>
          {Object.keys(view.fields).length > 0 && <EuiSpacer size="s" />}
          <FieldFilterBadges
            fields={view.fields}
            onRemove={(field) => {
              const fields = { ...view.fields };
              delete fields[field];
              update({ fields });
            }}
          />
          <EuiSpacer size="m" />
          <EuiPanel hasBorder paddingSize="s">
            {stats.isError ? (
              <QueryError error={stats.error} title="Counts and histogram could not be loaded" onRetry={() => void stats.refetch()} />
            ) : stats.data ? (
              <Suspense fallback={<EuiLoadingChart size="l" />}>
                <AlertsHistogram histogram={stats.data.histogram} onBrush={(from, to) => update({ from, to })} />
              </Suspense>
            ) : (
              <div style={{ height: 140, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
                <EuiLoadingChart size="l" />
              </div>
            )}
          </EuiPanel>
        </Deferred>
        <EuiSpacer size="m" />
        <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false} justifyContent="spaceBetween">
          <EuiFlexItem grow={false}>
            {view.groupBy ? null : (
              <SelectionBar
                selectedCount={selection.ids.size}
                pageCount={pageIds.length}
                total={total}
                allMatching={selection.allMatching}
                onSelectAllMatching={() => setSelection({ ids: new Set(pageIds), allMatching: true })}
                onClear={() => setSelection(emptySelection)}
              />
            )}
          </EuiFlexItem>
          <EuiFlexItem grow={false}>
            <EuiFlexGroup gutterSize="s" alignItems="center" responsive={false}>
              {!view.groupBy && (selection.ids.size > 0 || selection.allMatching) && (
                <EuiFlexItem grow={false}>
                  <BulkActions target={bulkTarget} onDone={() => setSelection(emptySelection)} />
                </EuiFlexItem>
              )}
              <EuiFlexItem grow={false}>
                <EuiFormRow display="columnCompressed" label="Group by" style={{ minWidth: 220 }}>
                  <EuiSelect
                    compressed
                    options={groupOptions}
                    value={view.groupBy ?? ''}
                    onChange={(e) => update({ groupBy: e.target.value === '' ? null : (e.target.value as AlertGroupField) /* values come from groupOptions */ })}
                    data-test-subj="group-by"
                  />
                </EuiFormRow>
              </EuiFlexItem>
              <EuiFlexItem grow={false}>
                <ColumnPicker visible={visibleColumns} onChange={setVisibleColumns} />
              </EuiFlexItem>
            </EuiFlexGroup>
          </EuiFlexItem>
        </EuiFlexGroup>
        <EuiSpacer size="s" />
        {alerts.isError && !alerts.data ? (
          <QueryError error={alerts.error} title="Alerts could not be loaded" onRetry={() => void alerts.refetch()} />
        ) : view.groupBy ? (
          <AlertGroups
            view={view}
            groups={stats.data?.groups ?? []}
            onFilterToGroup={(patch) => update(patch)}
            onFilter={update}
            visibleColumns={visibleColumns}
            onOpenAlert={openAlert}
          />
        ) : (
          <AlertsTable
            data={alerts.data}
            isLoading={alerts.isPending || (alerts.isFetching && alerts.isPlaceholderData)}
            sortField={view.sortField}
            sortOrder={view.sortOrder}
            page={view.page}
            size={view.size}
            visibleColumns={visibleColumns}
            onPageChange={update}
            onOpenAlert={openAlert}
            onFilter={update}
            selectedIds={tableSelectedIds}
            onSelectionChange={onPageSelection}
          />
        )}
      </EuiPageTemplate.Section>
    </EuiPageTemplate>
  );
});
