import { useEffect, useState, type FormEvent } from 'react';
import {
  EuiButton,
  EuiButtonEmpty,
  EuiCallOut,
  EuiFieldText,
  EuiFlexGrid,
  EuiFlexGroup,
  EuiFlexItem,
  EuiForm,
  EuiFormRow,
  EuiPanel,
  EuiSpacer,
  EuiStat,
  EuiText,
  EuiTitle,
} from '@elastic/eui';
import type { StoreStats } from '@execwatch/api';
import { QueryError } from '../../../components/query-error';
import { formatCount, formatRelative, formatTime } from '../../../lib/format';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useAbility } from '../../auth/components/abilities-context';
import { useStoreStatsQuery } from '../api/use-store-stats-query';
import { useUpdateStoreSettingsMutation } from '../api/use-update-store-settings-mutation';
import { diskSentence, formatBytes, retentionInputError } from '../storage-text';

const sourceLabel = (source: 'setting' | 'environment') => (source === 'setting' ? 'set by an admin' : 'environment default');

function Figures({ stats }: { stats: StoreStats }) {
  const events = stats.events === null ? '—' : `${stats.events_exact ? '' : '≈ '}${formatCount(stats.events)}`;
  const projected =
    stats.projected_bytes === null ? '—' : formatBytes(stats.projected_bytes);
  const figures = [
    { key: 'size', title: formatBytes(stats.size_bytes), description: stats.reusable_bytes ? `On disk (${formatBytes(stats.reusable_bytes)} freed, reused by new events)` : 'On disk' },
    { key: 'events', title: events, description: 'Events stored' },
    { key: 'oldest-event', title: stats.oldest_event ? formatRelative(stats.oldest_event) : '—', description: stats.oldest_event ? `Oldest event (${formatTime(stats.oldest_event)})` : 'Oldest event' },
    { key: 'events-per-day', title: stats.events_per_day === null ? '—' : formatCount(stats.events_per_day), description: 'Events per day' },
    { key: 'projected', title: projected, description: `Size at this rate with ${stats.retention.events} of events` },
    { key: 'alerts', title: stats.alerts === null ? '—' : formatCount(stats.alerts), description: stats.oldest_alert ? `Alerts (oldest ${formatRelative(stats.oldest_alert)})` : 'Alerts' },
  ];
  return (
    <EuiFlexGrid columns={3} gutterSize="m">
      {figures.map((f) => (
        <EuiFlexItem key={f.key}>
          <EuiStat title={f.title} description={f.description} titleSize="s" reverse data-test-subj={`storage-${f.key}`} />
        </EuiFlexItem>
      ))}
    </EuiFlexGrid>
  );
}

function RetentionForm({ stats }: { stats: StoreStats }) {
  const { allowed, reason } = useAbility('users:manage');
  const [events, setEvents] = useState(stats.retention.events);
  const [alerts, setAlerts] = useState(stats.retention.alerts);
  const [touched, setTouched] = useState(false);
  const mutation = useUpdateStoreSettingsMutation({ onSuccess: () => setTouched(false) });
  // a refetch shows what is in force, unless the admin is editing
  useEffect(() => {
    if (touched) return;
    setEvents(stats.retention.events);
    setAlerts(stats.retention.alerts);
  }, [stats.retention.events, stats.retention.alerts, touched]);
  const eventsError = retentionInputError(events);
  const alertsError = retentionInputError(alerts);
  const changed = events.trim() !== stats.retention.events || alerts.trim() !== stats.retention.alerts;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (eventsError || alertsError) return;
    mutation.mutate({
      ...(events.trim() !== stats.retention.events ? { events_retention: events.trim() } : {}),
      ...(alerts.trim() !== stats.retention.alerts ? { alerts_retention: alerts.trim() } : {}),
    });
  };
  const anySetting = stats.retention.events_source === 'setting' || stats.retention.alerts_source === 'setting';
  return (
    <EuiForm component="form" onSubmit={submit} data-test-subj="storage-retention-form">
      <EuiFlexGroup gutterSize="m" alignItems="flexEnd" responsive={false} wrap>
        <EuiFlexItem grow={false}>
          <EuiFormRow
            label="Keep events for"
            helpText={stats.retention.enforced_by === 'cluster' ? 'the cluster’s lifecycle deletes events' : sourceLabel(stats.retention.events_source)}
            isInvalid={touched && eventsError !== null}
            error={eventsError}
          >
            <AbilityTooltip reason={reason}>
              <EuiFieldText
                compressed
                value={events}
                disabled={!allowed || stats.retention.enforced_by === 'cluster'}
                isInvalid={touched && eventsError !== null}
                onChange={(e) => {
                  setTouched(true);
                  setEvents(e.target.value);
                }}
                data-test-subj="storage-events-retention-input"
                aria-label="Event retention"
              />
            </AbilityTooltip>
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiFormRow label="Keep alerts for" helpText={sourceLabel(stats.retention.alerts_source)} isInvalid={touched && alertsError !== null} error={alertsError}>
            <AbilityTooltip reason={reason}>
              <EuiFieldText
                compressed
                value={alerts}
                disabled={!allowed}
                isInvalid={touched && alertsError !== null}
                onChange={(e) => {
                  setTouched(true);
                  setAlerts(e.target.value);
                }}
                data-test-subj="storage-alerts-retention-input"
                aria-label="Alert retention"
              />
            </AbilityTooltip>
          </EuiFormRow>
        </EuiFlexItem>
        <EuiFlexItem grow={false}>
          <EuiFormRow hasEmptyLabelSpace>
            <AbilityTooltip reason={reason}>
              <EuiButton
                size="s"
                type="submit"
                fill
                disabled={!allowed || !changed || eventsError !== null || alertsError !== null}
                isLoading={mutation.isPending}
                data-test-subj="storage-retention-save"
              >
                Save retention
              </EuiButton>
            </AbilityTooltip>
          </EuiFormRow>
        </EuiFlexItem>
        {allowed && anySetting ? (
          <EuiFlexItem grow={false}>
            <EuiFormRow hasEmptyLabelSpace>
              <EuiButtonEmpty
                size="s"
                onClick={() => mutation.mutate({ events_retention: null, alerts_retention: null })}
                isLoading={mutation.isPending}
                data-test-subj="storage-retention-reset"
              >
                Use the environment defaults
              </EuiButtonEmpty>
            </EuiFormRow>
          </EuiFlexItem>
        ) : null}
      </EuiFlexGroup>
    </EuiForm>
  );
}

/** The store over time: its size and growth, the retention in force (admins change it) and the disk guard. */
export function StoragePanel() {
  const stats = useStoreStatsQuery();
  const disk = stats.data ? diskSentence(stats.data.disk) : null;
  return (
    <EuiPanel hasBorder paddingSize="m" data-test-subj="storage-panel">
      <EuiTitle size="xs">
        <h2>Event store</h2>
      </EuiTitle>
      <EuiText size="xs" color="subdued">
        <p>Old events are deleted as the retention says; an alert keeps the events of its session as long as the alert is kept.</p>
      </EuiText>
      <EuiSpacer size="m" />
      {stats.isError ? (
        <QueryError error={stats.error} title="Store figures could not be loaded" onRetry={() => void stats.refetch()} />
      ) : !stats.data ? (
        <EuiText size="s" color="subdued">
          <p>Loading store figures…</p>
        </EuiText>
      ) : (
        <>
          {stats.data.disk?.blocked ? (
            <>
              <EuiCallOut color="danger" iconType="warning" size="s" title="Disk almost full: ingest is refused" data-test-subj="storage-disk-blocked">
                <p>{disk}</p>
              </EuiCallOut>
              <EuiSpacer size="m" />
            </>
          ) : null}
          <Figures stats={stats.data} />
          <EuiSpacer size="m" />
          <RetentionForm stats={stats.data} />
          <EuiSpacer size="s" />
          <EuiText size="xs" color="subdued" data-test-subj="storage-footnote">
            <p>
              {disk && !stats.data.disk?.blocked ? <span data-test-subj="storage-disk">{disk}. </span> : null}
              {stats.data.last_pass
                ? `Last retention pass ${formatRelative(stats.data.last_pass.at)}: ${formatCount(stats.data.last_pass.events_deleted)} events and ${formatCount(stats.data.last_pass.alerts_deleted)} alerts deleted.`
                : 'No retention pass has run since the server started.'}
            </p>
          </EuiText>
        </>
      )}
    </EuiPanel>
  );
}
