import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  EuiButtonIcon,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFormRow,
  EuiLoadingChart,
  EuiPageTemplate,
  EuiPanel,
  EuiSelect,
  EuiSpacer,
  EuiToolTip,
} from '@elastic/eui';
import { useQueryClient } from '@tanstack/react-query';
import type { AlertDetail, AlertFilter, AlertGroupField } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { errorMessage } from '../../../lib/http';
import { useAbility } from '../../auth/components/abilities-context';
import { useDisplayTimeZone } from '../../preferences/time-zone';
import { createRowCursorStore, lastPageOf, stepFrom, type Direction, type FlyoutNavigation, type RowCursorStore } from '../alert-navigation';
import { useAcknowledgeAlertMutation } from '../api/use-acknowledge-alert-mutation';
import { isModalOpen, shortcutFor } from '../keyboard-shortcuts';
import { alertKeys } from '../../alert-flyout/api/keys';
import { fetchAlert } from '../../alert-flyout/api/use-alert-query';
import { afterFirstScreen, markFirstScreenShown } from '../../../app/first-screen';
import { Deferred } from '../../../components/deferred';
import { QueryError } from '../../../components/query-error';
import { AuditFeedBanner } from '../../attribution/components/audit-feed-banner';
import { RuleHealthBanner } from '../../rules/components/rule-health-banner';
import { sameSelection, serializeAlertsViewState, toAlertFilter, type AlertsViewState } from '../alerts-view-state';
import { useAlertStatsQuery } from '../api/use-alert-stats-query';
import { alertsListKey, fetchAlerts, useAlertsQuery } from '../api/use-alerts-query';
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
// the help lists keys with EuiCode, which brings a syntax highlighter (~750 kB): only when asked for
const ShortcutsHelpModal = lazy(() => import('./shortcuts-help-modal').then((m) => ({ default: m.ShortcutsHelpModal })));

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
  /** "Select all N": the view's filter with its time range frozen when the rows were fetched, and N. */
  frozen?: { filter: AlertFilter; total: number };
}
const emptySelection: Selection = { ids: new Set(), allMatching: false };

/** The alerts page: range, query, filters, counts, histogram, grouping, the table and the flyout; its keyboard shortcuts. */
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

  // The table's page, from the cache the table fills: what j/k and previous/next walk.
  const list = useAlertsQuery(listView);
  const [cursor] = useState<RowCursorStore>(createRowCursorStore);
  const [helpOpen, setHelpOpen] = useState(false);
  const onShowHelp = useCallback(() => setHelpOpen(true), []);
  // "c" asks the flyout's status control to open its close dialog (with the checklist gate and the close guard).
  const [closeRequest, setCloseRequest] = useState<{ alertId: string; seq: number } | null>(null);
  useEffect(() => {
    if (closeRequest && closeRequest.alertId !== view.alert) setCloseRequest(null);
  }, [view.alert, closeRequest]);
  const triage = useAbility('alerts:triage');
  const toast = useToast();
  const acknowledge = useAcknowledgeAlertMutation();
  const queryClient = useQueryClient();

  const pageAlerts = list.data?.alerts;
  const pageIds = useMemo(() => (pageAlerts ?? []).map((a) => a.id), [pageAlerts]);
  const lastPage = lastPageOf(list.data?.total ?? 0, listView.size);
  const latest = useRef({ view, listView, pageIds, lastPage, pageAlerts, triage });
  latest.current = { view, listView, pageIds, lastPage, pageAlerts, triage };

  const openAlert = useCallback(
    (id: string) => {
      const index = latest.current.pageIds.indexOf(id);
      if (index >= 0 || cursor.get().id !== id) cursor.set({ id, index, byKeyboard: false });
      // Ask for the alert before rendering the flyout, so the request overlaps the render.
      void queryClient.prefetchQuery({ queryKey: alertKeys.detail(id), queryFn: ({ signal }) => fetchAlert(id, signal) });
      update({ alert: id });
    },
    [update, queryClient, cursor],
  );

  /** Moves the cursor (and the open alert, when the flyout is open) one alert on, across a page edge if need be. */
  const walk = useCallback(
    async (direction: Direction, fromKeyboard: boolean) => {
      const { view: v, listView: lv, pageIds: ids, lastPage: last } = latest.current;
      const inFlyout = v.alert !== null;
      const step = stepFrom({ ids, from: inFlyout ? v.alert : cursor.get().id, cursor: cursor.get(), page: lv.page, lastPage: last }, direction);
      if (step.kind === 'none') {
        if (fromKeyboard) toast({ title: step.reason, color: 'primary' });
        return;
      }
      if (step.kind === 'alert') {
        cursor.set({ id: step.id, index: step.index, byKeyboard: true });
        if (inFlyout) openAlert(step.id);
        return;
      }
      const pageView = { ...lv, page: step.page };
      try {
        const data = await queryClient.fetchQuery({ queryKey: alertsListKey(pageView), queryFn: ({ signal }) => fetchAlerts(pageView, signal) });
        const index = step.pick === 'first' ? 0 : data.alerts.length - 1;
        const target = data.alerts[index];
        if (!target) return;
        cursor.set({ id: target.id, index, byKeyboard: true });
        if (inFlyout) void queryClient.prefetchQuery({ queryKey: alertKeys.detail(target.id), queryFn: ({ signal }) => fetchAlert(target.id, signal) });
        update(inFlyout ? { page: step.page, alert: target.id } : { page: step.page });
      } catch (err) {
        toast({ title: `Page ${step.page} could not be loaded`, text: errorMessage(err), color: 'danger' });
      }
    },
    [cursor, openAlert, queryClient, toast, update],
  );

  useEffect(() => {
    const statusOf = (id: string) =>
      queryClient.getQueryData<AlertDetail>(alertKeys.detail(id))?.workflow_status ?? latest.current.pageAlerts?.find((a) => a.id === id)?.workflow_status;
    const onKeyDown = (event: KeyboardEvent) => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      const action = shortcutFor(
        { key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, repeat: event.repeat, isComposing: event.isComposing, defaultPrevented: event.defaultPrevented, target },
        isModalOpen(document),
      );
      if (!action) return;
      const { view: v, triage: can } = latest.current;
      if (action === 'help') {
        event.preventDefault();
        setHelpOpen((open) => !open);
        return;
      }
      // Grouped, the page shows one table per group: the keyboard walks the ungrouped table only.
      const walkable = v.groupBy === null;
      const subject = v.alert ?? (walkable ? cursor.get().id : null);
      if (action === 'next' || action === 'previous') {
        if (!walkable) return;
        event.preventDefault();
        void walk(action, true);
      } else if (action === 'open') {
        const id = cursor.get().id;
        if (!walkable || v.alert !== null || !id || !latest.current.pageIds.includes(id)) return;
        event.preventDefault();
        openAlert(id);
      } else if (subject) {
        event.preventDefault();
        if (!can.allowed) {
          toast({ title: action === 'acknowledge' ? 'You cannot acknowledge alerts' : 'You cannot close alerts', text: can.reason, color: 'warning' });
        } else if (action === 'acknowledge') {
          if (statusOf(subject) === 'acknowledged') {
            toast({ title: 'This alert is already acknowledged', color: 'primary' });
            return;
          }
          acknowledge.mutate(subject, {
            onSuccess: () => toast({ title: 'Alert marked as acknowledged' }),
            onError: (err) => toast({ title: 'The alert could not be acknowledged', text: errorMessage(err), color: 'danger' }),
          });
        } else if (statusOf(subject) === 'closed') {
          toast({ title: 'This alert is already closed', color: 'primary' });
        } else {
          if (v.alert !== subject) openAlert(subject);
          setCloseRequest({ alertId: subject, seq: Date.now() });
        }
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [cursor, walk, openAlert, acknowledge, toast, queryClient]);

  const navigation = useMemo<FlyoutNavigation | null>(() => {
    if (!view.alert) return null;
    const onStep = (direction: Direction) => void walk(direction, false);
    if (view.groupBy) {
      const reason = 'Previous and next follow the ungrouped table: set Group by to None';
      return { previousDisabled: reason, nextDisabled: reason, previousHint: null, nextHint: null, onStep };
    }
    const input = { ids: pageIds, from: view.alert, cursor: cursor.get(), page: listView.page, lastPage };
    const previous = stepFrom(input, 'previous');
    const next = stepFrom(input, 'next');
    return {
      previousDisabled: previous.kind === 'none' ? previous.reason : null,
      nextDisabled: next.kind === 'none' ? next.reason : null,
      previousHint: previous.kind === 'page' ? `on page ${previous.page}` : null,
      nextHint: next.kind === 'page' ? `on page ${next.page}` : null,
      onStep,
    };
  }, [view.alert, view.groupBy, pageIds, listView.page, lastPage, cursor, walk]);

  return (
    <>
      <AlertsWorkspace view={listView} update={update} cursor={cursor} onOpenAlert={openAlert} onShowHelp={onShowHelp} />
      {view.alert && (
        <Suspense fallback={null}>
          <AlertFlyout
            alertId={view.alert}
            onClose={onClose}
            onFilter={onFilter}
            navigation={navigation}
            closeRequest={closeRequest?.alertId === view.alert ? closeRequest.seq : undefined}
          />
        </Suspense>
      )}
      {helpOpen && (
        <Suspense fallback={null}>
          <ShortcutsHelpModal onClose={() => setHelpOpen(false)} />
        </Suspense>
      )}
    </>
  );
}

/** Below this window height the page drops its description and shrinks the chart, so the table keeps several rows. */
const SHORT_VIEWPORT = 820;

function useShortViewport(): boolean {
  const [short, setShort] = useState(() => window.innerHeight < SHORT_VIEWPORT);
  useEffect(() => {
    const onResize = () => setShort(window.innerHeight < SHORT_VIEWPORT);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return short;
}

const CHART_KEY = 'execwatch.alerts.chart';

/**
 * Whether the alerts-over-time chart is shown: the analyst's last choice on this browser; by default shown, except
 * on a short window, where the rows matter more.
 */
function useChartShown(short: boolean): [boolean, (shown: boolean) => void] {
  const [saved, setSaved] = useState<boolean | null>(() => {
    try {
      const raw = window.localStorage.getItem(CHART_KEY);
      return raw === null ? null : raw === 'shown';
    } catch {
      return null;
    }
  });
  const set = useCallback((shown: boolean) => {
    setSaved(shown);
    try {
      window.localStorage.setItem(CHART_KEY, shown ? 'shown' : 'hidden');
    } catch {
      // Without storage the choice lasts until the page is reloaded.
    }
  }, []);
  return [saved ?? !short, set];
}

type UpdateView = ReturnType<typeof useAlertsView>[1];

interface WorkspaceProps {
  view: AlertsViewState;
  update: UpdateView;
  cursor: RowCursorStore;
  onOpenAlert: (id: string) => void;
  onShowHelp: () => void;
}

const AlertsWorkspace = memo(function AlertsWorkspace({ view, update, cursor, onOpenAlert: openAlert, onShowHelp }: WorkspaceProps) {
  useDisplayTimeZone(); // the histogram's axis and the banners format times
  const short = useShortViewport();
  const chartHeight = short ? 72 : 140;
  const [chartShown, setChartShown] = useChartShown(short);
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

  // The rows are the first screen: what waits for them (the time picker, the flyout's code) may load now.
  const answered = alerts.data !== undefined || alerts.isError;
  useEffect(() => {
    if (answered) markFirstScreenShown();
  }, [answered]);
  // Fetch the flyout's code while the analyst reads the table, so opening it is instant.
  useEffect(() => {
    let mounted = true;
    void afterFirstScreen().then(() => mounted && void loadFlyout());
    return () => {
      mounted = false;
    };
  }, []);

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
    ? { kind: 'query', filter: selection.frozen?.filter ?? toAlertFilter(view), total: selection.frozen?.total ?? total }
    : { kind: 'ids', ids: [...selection.ids] };

  return (
    <EuiPageTemplate panelled={false} restrictWidth={false} grow>
      <EuiPageTemplate.Header
        pageTitle="Alerts"
        description={short ? undefined : 'Interactive exec sessions launched against running containers (MITRE ATT&CK T1609).'}
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
        paddingSize={short ? 's' : undefined}
      />
      <EuiPageTemplate.Section paddingSize="m">
        <Deferred placeholder={<div style={{ height: chartHeight + 150 }} />}>
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
          {(chartShown || stats.isError) && <EuiSpacer size="m" />}
          {(chartShown || stats.isError) && (
          <EuiPanel hasBorder paddingSize="s" data-test-subj="alerts-chart-panel">
            {stats.isError ? (
              <QueryError error={stats.error} title="Counts and histogram could not be loaded" onRetry={() => void stats.refetch()} />
            ) : stats.data ? (
              <Suspense fallback={<EuiLoadingChart size="l" />}>
                <AlertsHistogram histogram={stats.data.histogram} height={chartHeight} onBrush={(from, to) => update({ from, to })} />
              </Suspense>
            ) : (
              <div style={{ height: chartHeight, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
                <EuiLoadingChart size="l" />
              </div>
            )}
          </EuiPanel>
          )}
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
                onSelectAllMatching={() => {
                  const fetchedAt = alerts.dataUpdatedAt;
                  setSelection({ ids: new Set(pageIds), allMatching: true });
                  void import('../frozen-filter').then(({ frozenFilter }) =>
                    setSelection((current) => (current.allMatching && !current.frozen ? { ...current, frozen: { filter: frozenFilter(view, fetchedAt), total } } : current)),
                  );
                }}
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
              <EuiFlexItem grow={false}>
                <EuiToolTip content={chartShown ? 'Hide the alerts-over-time chart' : 'Show the alerts-over-time chart'} disableScreenReaderOutput>
                  <EuiButtonIcon
                    iconType="chartBarVertical"
                    aria-label={chartShown ? 'Hide the chart' : 'Show the chart'}
                    aria-pressed={chartShown}
                    display={chartShown ? 'base' : 'empty'}
                    onClick={() => setChartShown(!chartShown)}
                    data-test-subj="alerts-chart-toggle"
                  />
                </EuiToolTip>
              </EuiFlexItem>
              <EuiFlexItem grow={false}>
                <EuiToolTip content="Keyboard shortcuts (?)" disableScreenReaderOutput>
                  <EuiButtonIcon iconType="keyboard" aria-label="Keyboard shortcuts" onClick={onShowHelp} data-test-subj="shortcuts-help-button" />
                </EuiToolTip>
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
            cursor={cursor}
          />
        )}
      </EuiPageTemplate.Section>
    </EuiPageTemplate>
  );
});
