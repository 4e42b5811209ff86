import { lazy, Suspense, useMemo, useState } from 'react';
import {
  EuiBadge,
  EuiBasicTable,
  EuiButton,
  EuiButtonIcon,
  EuiConfirmModal,
  EuiFilterButton,
  EuiFilterGroup,
  EuiFlexGroup,
  EuiFlexItem,
  EuiPageTemplate,
  EuiPanel,
  EuiSpacer,
  EuiSwitch,
  EuiText,
  EuiTitle,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import { useSearchParams } from 'react-router-dom';
import type { ExceptionItemStats } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { QueryError } from '../../../components/query-error';
import { errorMessage } from '../../../lib/http';
import { formatTime } from '../../../lib/format';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useRulesQuery } from '../../rules/api/use-rules-query';
import { useDeleteExceptionItemMutation } from '../api/use-delete-exception-item-mutation';
import { useExceptionListsQuery } from '../api/use-exception-lists-query';
import { useExceptionSettingsQuery } from '../api/use-exception-settings-query';
import { useExceptionStatsQuery } from '../api/use-exception-stats-query';
import { useExpireExceptionItemMutation } from '../api/use-expire-exception-item-mutation';
import { useExportExceptionListMutation } from '../api/use-export-exception-list-mutation';
import { useUpdateExceptionSettingsMutation } from '../api/use-update-exception-settings-mutation';
import { ExceptionStateBadge } from './exception-state-badge';
import { ImportModal } from './import-modal';

const ExceptionFlyout = lazy(() => import('./exception-flyout'));

const stateFilters = ['all', 'active', 'expired', 'stale'] as const;
type StateFilter = (typeof stateFilters)[number];

function parseStateFilter(value: string | null): StateFilter {
  return stateFilters.find((s) => s === value) ?? 'all';
}

/** The exceptions page: every item with its state, hits and last match; edit, expire, delete; import and export. */
export default function ExceptionsPage() {
  const [params, setParams] = useSearchParams();
  const stateFilter = parseStateFilter(params.get('state'));
  const stats = useExceptionStatsQuery();
  const lists = useExceptionListsQuery();
  const rules = useRulesQuery();
  const write = useAbility('exceptions:write');
  const [editing, setEditing] = useState<ExceptionItemStats | null>(null);
  const [deleting, setDeleting] = useState<ExceptionItemStats | null>(null);
  const [importing, setImporting] = useState(false);
  const expire = useExpireExceptionItemMutation();
  const remove = useDeleteExceptionItemMutation();
  const exportList = useExportExceptionListMutation();
  const toast = useToast();

  const items = useMemo(() => (stats.data?.data ?? []).filter((s) => stateFilter === 'all' || s.state === stateFilter), [stats.data, stateFilter]);
  const counts = useMemo(() => {
    const c: Record<StateFilter, number> = { all: 0, active: 0, expired: 0, stale: 0 };
    for (const s of stats.data?.data ?? []) {
      c.all++;
      c[s.state]++;
    }
    return c;
  }, [stats.data]);

  /** The rule whose list holds the item (for its preview); the first rule when the list is attached to none. */
  const ruleFor = (listId: string) => {
    const all = rules.data?.rules ?? [];
    return (all.find((r) => r.exceptions_list.some((l) => l.list_id === listId)) ?? all[0])?.rule_id;
  };

  const columns: Array<EuiBasicTableColumn<ExceptionItemStats>> = [
    {
      field: 'name',
      name: 'Name',
      render: (_: string, s: ExceptionItemStats) => (
        <span>
          <strong>{s.name}</strong>
          <br />
          <EuiText size="xs" color="subdued" component="span" style={{ wordBreak: 'break-all' }}>
            {s.item_id}
          </EuiText>
        </span>
      ),
    },
    { field: 'state', name: 'State', width: '90px', render: (_: string, s: ExceptionItemStats) => <ExceptionStateBadge state={s.state} /> },
    { field: 'hits', name: 'Hits', width: '70px', dataType: 'number' },
    { field: 'last_hit_at', name: 'Last match', width: '150px', render: (v: string | null) => (v ? formatTime(v) : 'never') },
    { field: 'expire_time', name: 'Expires', width: '150px', render: (v: string | null) => (v ? formatTime(v) : 'never') },
    { field: 'owner', name: 'Owner', width: '100px', render: (v: string | null) => v ?? '—' },
    {
      name: 'Governance',
      width: '170px',
      render: (s: ExceptionItemStats) =>
        s.missing_governance.length === 0 ? (
          '—'
        ) : (
          <EuiBadge color="warning" title="Imported as it was; add a comment and an owner when editing" data-test-subj="exception-missing-governance">
            no {s.missing_governance.join(', no ')}
          </EuiBadge>
        ),
    },
    {
      name: 'Actions',
      width: '120px',
      render: (s: ExceptionItemStats) => (
        <EuiFlexGroup gutterSize="xs" responsive={false}>
          <AbilityTooltip reason={write.reason}>
            <EuiButtonIcon iconType="pencil" aria-label={`Edit ${s.name}`} isDisabled={!write.allowed || !rules.data} onClick={() => setEditing(s)} data-test-subj="exception-edit" />
          </AbilityTooltip>
          <AbilityTooltip reason={write.reason}>
            <EuiButtonIcon
              iconType="clockCounter"
              aria-label={`Expire ${s.name} now`}
              title="Expire now"
              isDisabled={!write.allowed || s.state === 'expired'}
              onClick={() =>
                expire.mutate(s.id, {
                  onSuccess: () => toast({ title: `"${s.name}" expired` }),
                  onError: (err) => toast({ title: 'Could not expire the exception', text: errorMessage(err), color: 'danger' }),
                })
              }
              data-test-subj="exception-expire"
            />
          </AbilityTooltip>
          <AbilityTooltip reason={write.reason}>
            <EuiButtonIcon iconType="trash" color="danger" aria-label={`Delete ${s.name}`} isDisabled={!write.allowed} onClick={() => setDeleting(s)} data-test-subj="exception-delete" />
          </AbilityTooltip>
        </EuiFlexGroup>
      ),
    },
  ];

  const editRule = editing ? ruleFor(editing.list_id) : undefined;

  return (
    <EuiPageTemplate panelled={false} restrictWidth={false} grow>
      <EuiPageTemplate.Header
        pageTitle="Exceptions"
        description="Known false positives the rules skip. Review stale items (no match for a while) and expired ones."
        bottomBorder={false}
        rightSideItems={[
          <AbilityTooltip key="import" reason={write.reason}>
            <EuiButton iconType="upload" isDisabled={!write.allowed} onClick={() => setImporting(true)} data-test-subj="exceptions-import">
              Import
            </EuiButton>
          </AbilityTooltip>,
        ]}
      />
      <EuiPageTemplate.Section paddingSize="m">
        <EuiFlexGroup alignItems="flexStart">
          <EuiFlexItem grow={3}>
            <EuiFlexGroup justifyContent="spaceBetween" alignItems="center" responsive={false}>
              <EuiFlexItem grow={false}>
                <EuiFilterGroup aria-label="Filter by state">
                  {stateFilters.map((s) => (
                    <EuiFilterButton
                      key={s}
                      hasActiveFilters={stateFilter === s}
                      numFilters={counts[s]}
                      onClick={() => setParams((p) => {
                        const next = new URLSearchParams(p);
                        if (s === 'all') next.delete('state');
                        else next.set('state', s);
                        return next;
                      })}
                      data-test-subj={`exceptions-state-${s}`}
                    >
                      {s[0].toUpperCase() + s.slice(1)}
                    </EuiFilterButton>
                  ))}
                </EuiFilterGroup>
              </EuiFlexItem>
              <EuiFlexItem grow={false}>
                <EuiText size="xs" color="subdued">
                  Stale: no match for {stats.data?.stale_after_days ?? 30} days
                </EuiText>
              </EuiFlexItem>
            </EuiFlexGroup>
            <EuiSpacer size="s" />
            {stats.isError ? (
              <QueryError error={stats.error} title="Exceptions could not be loaded" onRetry={() => void stats.refetch()} />
            ) : (
              <EuiBasicTable<ExceptionItemStats>
                tableCaption="Exception items"
                items={items}
                itemId="id"
                columns={columns}
                loading={stats.isPending}
                noItemsMessage={stats.isPending ? 'Loading…' : 'No exceptions here.'}
                rowProps={(s: ExceptionItemStats) => ({ 'data-test-subj': 'exception-row', 'data-item-id': s.item_id, 'data-state': s.state })}
                compressed
                tableLayout="fixed"
                data-test-subj="exceptions-table"
              />
            )}
          </EuiFlexItem>
          <EuiFlexItem grow={1}>
            <ListsPanel lists={lists.data?.data ?? []} onExport={(listId) => exportList.mutate(listId, { onError: (err) => toast({ title: 'The export failed', text: errorMessage(err), color: 'danger' }) })} />
            <EuiSpacer size="m" />
            <SettingsPanel />
          </EuiFlexItem>
        </EuiFlexGroup>
      </EuiPageTemplate.Section>
      {editing && editRule && (
        <Suspense fallback={null}>
          <ExceptionFlyout ruleId={editRule} itemId={editing.id} onClose={() => setEditing(null)} />
        </Suspense>
      )}
      {importing && <ImportModal onClose={() => setImporting(false)} />}
      {deleting && (
        <EuiConfirmModal
          title={`Delete "${deleting.name}"?`}
          onCancel={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => toast({ title: `"${deleting.name}" deleted` }),
              onError: (err) => toast({ title: 'Could not delete the exception', text: errorMessage(err), color: 'danger' }),
              onSettled: () => setDeleting(null),
            })
          }
          cancelButtonText="Cancel"
          confirmButtonText="Delete"
          buttonColor="danger"
          isLoading={remove.isPending}
          data-test-subj="exception-delete-confirm"
        >
          <p>Alerts it suppressed would be raised again on the next runs. To keep the record, expire it instead.</p>
        </EuiConfirmModal>
      )}
    </EuiPageTemplate>
  );
}

function ListsPanel({ lists, onExport }: { lists: Array<{ list_id: string; name: string }>; onExport: (listId: string) => void }) {
  return (
    <EuiPanel hasBorder paddingSize="m" data-test-subj="exception-lists">
      <EuiTitle size="xxs">
        <h2>Lists</h2>
      </EuiTitle>
      <EuiSpacer size="s" />
      {lists.length === 0 && <EuiText size="s">No lists yet.</EuiText>}
      {lists.map((l) => (
        <EuiFlexGroup key={l.list_id} alignItems="center" gutterSize="s" responsive={false} data-test-subj="exception-list" data-list-id={l.list_id}>
          <EuiFlexItem>
            <EuiText size="s">
              <strong>{l.name}</strong>
              <br />
              <small>{l.list_id}</small>
            </EuiText>
          </EuiFlexItem>
          <EuiFlexItem grow={false}>
            <EuiButtonIcon iconType="download" aria-label={`Export ${l.name}`} title="Export as ndjson" onClick={() => onExport(l.list_id)} data-test-subj="exception-list-export" />
          </EuiFlexItem>
        </EuiFlexGroup>
      ))}
    </EuiPanel>
  );
}

function SettingsPanel() {
  const settings = useExceptionSettingsQuery();
  const update = useUpdateExceptionSettingsMutation();
  const admin = useAbility('users:manage');
  const toast = useToast();
  return (
    <EuiPanel hasBorder paddingSize="m">
      <EuiTitle size="xxs">
        <h2>Governance</h2>
      </EuiTitle>
      <EuiSpacer size="s" />
      <AbilityTooltip reason={admin.reason}>
        <EuiSwitch
          label="Every new exception must expire"
          checked={settings.data?.expiry_mandatory ?? false}
          disabled={!admin.allowed || !settings.data || update.isPending}
          onChange={(e) => update.mutate({ expiry_mandatory: e.target.checked }, { onError: (err) => toast({ title: 'Could not change the setting', text: errorMessage(err), color: 'danger' }) })}
          data-test-subj="exceptions-expiry-mandatory"
        />
      </AbilityTooltip>
      <EuiSpacer size="s" />
      <EuiText size="xs" color="subdued">
        New exceptions expire after {settings.data?.default_expiry_days ?? 90} days unless changed. Every new item needs a justification; comments are append-only.
      </EuiText>
    </EuiPanel>
  );
}
