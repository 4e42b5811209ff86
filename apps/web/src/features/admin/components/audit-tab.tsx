import { useMemo, useState } from 'react';
import {
  EuiBadge,
  EuiBasicTable,
  EuiButton,
  EuiButtonIcon,
  EuiCode,
  EuiCodeBlock,
  EuiComboBox,
  EuiFlexGrid,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFormRow,
  EuiSpacer,
  EuiSuperDatePicker,
  EuiText,
  EuiToolTip,
  type EuiBasicTableColumn,
  type EuiComboBoxOptionOption,
  type Criteria,
} from '@elastic/eui';
import { useSearchParams } from 'react-router-dom';
import type { AuditEvent } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { QueryError } from '../../../components/query-error';
import { formatTime } from '../../../lib/format';
import { errorMessage } from '../../../lib/http';
import { useMe } from '../../auth/components/abilities-context';
import { useAuditQuery } from '../api/use-audit-query';
import { useExportAuditMutation } from '../api/use-export-audit-mutation';
import { useUsersQuery } from '../api/use-users-query';
import { AUDIT_PAGE_SIZE, KNOWN_AUDIT_ACTIONS, parseAuditParams, withAuditFilters, withAuditPage } from '../audit-filters';

const actionOptions: Array<EuiComboBoxOptionOption<string>> = KNOWN_AUDIT_ACTIONS.map((group) => ({
  label: group.area,
  isGroupLabelOption: true,
  options: group.actions.map((a) => ({ label: a, value: a, 'data-test-subj': `audit-action-option-${a}` })),
}));

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** The audit log: who did what, when, from where; filtered by actor, action and time, newest first; export. */
export function AuditTab() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const { filters, page } = parseAuditParams(params);
  const audit = useAuditQuery(filters, page, AUDIT_PAGE_SIZE);
  const users = useUsersQuery({ enabled: me.abilities['users:manage'] });
  const exportAudit = useExportAuditMutation();
  const toast = useToast();
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});

  const actorOptions = useMemo<Array<EuiComboBoxOptionOption<string>>>(
    () => (users.data?.users ?? []).map((u) => ({ label: u.username, value: u.username })),
    [users.data],
  );
  const selected = (value: string | undefined) => (value ? [{ label: value, value }] : []);

  const events = audit.data?.events ?? [];
  const expandedRows = Object.fromEntries(
    events.filter((e) => expanded[e.id]).map((e) => [e.id, <EventDetails key={e.id} event={e} />]),
  );

  const columns: Array<EuiBasicTableColumn<AuditEvent>> = [
    {
      width: '40px',
      isExpander: true,
      name: '',
      render: (e: AuditEvent) => (
        <EuiToolTip content={expanded[e.id] ? 'Hide the details' : 'Show before and after'}>
          <EuiButtonIcon
            iconType={expanded[e.id] ? 'chevronSingleDown' : 'chevronSingleRight'}
            aria-label={expanded[e.id] ? 'Hide the details' : 'Show the details'}
            onClick={() => setExpanded((x) => ({ ...x, [e.id]: !x[e.id] }))}
            data-test-subj="audit-row-expand"
          />
        </EuiToolTip>
      ),
    },
    { field: '@timestamp', name: 'Time', width: '200px', render: (v: string) => formatTime(v) },
    { field: 'user', name: 'Actor', width: '130px', render: (v: string | null) => <span data-test-subj="audit-actor">{v ?? '—'}</span> },
    { field: 'action', name: 'Action', width: '190px', render: (v: string) => <EuiCode data-test-subj="audit-action">{v}</EuiCode> },
    {
      field: 'outcome',
      name: 'Outcome',
      width: '100px',
      render: (v: AuditEvent['outcome']) => <EuiBadge color={v === 'success' ? 'success' : 'danger'}>{v}</EuiBadge>,
    },
    {
      name: 'Target',
      render: (e: AuditEvent) => (
        <span style={{ wordBreak: 'break-all' }} data-test-subj="audit-target">
          {e.target.type}
          {e.target.id ? ` ${e.target.id}` : ''}
        </span>
      ),
    },
    { field: 'source_ip', name: 'From', width: '130px', render: (v: string | null) => v ?? '—' },
  ];

  return (
    <>
      <EuiFlexGroup alignItems="flexEnd" gutterSize="m" wrap>
        <EuiFlexItem grow={false} style={{ minWidth: 200 }}>
          <EuiFormRow label="Actor" display="rowCompressed">
            <EuiComboBox<string>
              compressed
              placeholder="Anyone"
              singleSelection={{ asPlainText: true }}
              options={actorOptions}
              selectedOptions={selected(filters.user)}
              onChange={(opts) => setParams(withAuditFilters(params, { user: opts[0]?.value ?? opts[0]?.label }))}
              onCreateOption={(value) => setParams(withAuditFilters(params, { user: value.trim() || undefined }))}
              customOptionText="Filter by {searchValue}"
              isClearable
              aria-label="Filter by actor"
              data-test-subj="audit-filter-actor"
            />
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem grow={false} style={{ minWidth: 240 }}>
          <EuiFormRow label="Action" display="rowCompressed">
            <EuiComboBox<string>
              compressed
              placeholder="Any action"
              singleSelection={{ asPlainText: true }}
              options={actionOptions}
              selectedOptions={selected(filters.action)}
              onChange={(opts) => setParams(withAuditFilters(params, { action: opts[0]?.value ?? opts[0]?.label }))}
              onCreateOption={(value) => setParams(withAuditFilters(params, { action: value.trim() || undefined }))}
              customOptionText="Filter by {searchValue}"
              isClearable
              aria-label="Filter by action"
              data-test-subj="audit-filter-action"
            />
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiFormRow label="Time" display="rowCompressed">
            <EuiSuperDatePicker
              compressed
              start={filters.from}
              end={filters.to}
              onTimeChange={({ start, end }) => setParams(withAuditFilters(params, { from: start, to: end }))}
              onRefresh={() => void audit.refetch()}
              commonlyUsedRanges={[
                { start: 'now-15m', end: 'now', label: 'Last 15 minutes' },
                { start: 'now-1h', end: 'now', label: 'Last 1 hour' },
                { start: 'now-24h', end: 'now', label: 'Last 24 hours' },
                { start: 'now-7d', end: 'now', label: 'Last 7 days' },
                { start: 'now-30d', end: 'now', label: 'Last 30 days' },
              ]}
              width="auto"
              data-test-subj="audit-date-picker"
            />
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiToolTip content="Downloads every event matching these filters as ndjson (one JSON object a line)">
            <EuiButton
              size="s"
              iconType="download"
              isLoading={exportAudit.isPending}
              onClick={() =>
                exportAudit.mutate(filters, {
                  onSuccess: (count) => toast({ title: `Audit log exported`, text: `${count} events` }),
                  onError: (err) => toast({ title: 'The export failed', text: errorMessage(err), color: 'danger' }),
                })
              }
              data-test-subj="audit-export"
            >
              Export
            </EuiButton>
          </EuiToolTip>
        </EuiFlexItem>
      </EuiFlexGroup>
      <EuiSpacer size="s" />
      <EuiText size="xs" color="subdued" data-test-subj="audit-chain-note">
        <p>
          Records are hash-chained in the order they were written; nothing in the API edits or deletes them. Verify the chain on the server with{' '}
          <EuiCode>npm run audit:verify</EuiCode> (the API does not report its state).
        </p>
      </EuiText>
      <EuiSpacer size="s" />
      {audit.isError ? (
        <QueryError error={audit.error} title="The audit log could not be loaded" onRetry={() => void audit.refetch()} />
      ) : (
        <EuiBasicTable<AuditEvent>
          tableCaption="Audit log"
          items={events}
          itemId="id"
          columns={columns}
          loading={audit.isFetching}
          itemIdToExpandedRowMap={expandedRows}
          noItemsMessage={audit.isPending ? 'Loading…' : 'No audit events match these filters.'}
          rowProps={(e: AuditEvent) => ({ 'data-test-subj': 'audit-row', 'data-action': e.action, 'data-actor': e.user ?? '' })}
          pagination={{ pageIndex: page - 1, pageSize: AUDIT_PAGE_SIZE, totalItemCount: audit.data?.total ?? 0, showPerPageOptions: false }}
          onChange={({ page: p }: Criteria<AuditEvent>) => {
            if (p) setParams(withAuditPage(params, p.index + 1));
          }}
          data-test-subj="audit-table"
        />
      )}
    </>
  );
}

function EventDetails({ event }: { event: AuditEvent }) {
  return (
    <EuiFlexGrid columns={2} style={{ width: '100%' }} data-test-subj="audit-details">
      <EuiFlexItem>
        <EuiText size="xs">
          <strong>Before</strong>
        </EuiText>
        <EuiCodeBlock language="json" fontSize="s" paddingSize="s">
          {event.before === null ? '—' : pretty(event.before)}
        </EuiCodeBlock>
      </EuiFlexItem>
      <EuiFlexItem>
        <EuiText size="xs">
          <strong>After</strong>
        </EuiText>
        <EuiCodeBlock language="json" fontSize="s" paddingSize="s">
          {event.after === null ? '—' : pretty(event.after)}
        </EuiCodeBlock>
      </EuiFlexItem>
    </EuiFlexGrid>
  );
}
