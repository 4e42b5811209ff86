import {
  EuiBasicTable,
  EuiFlyout,
  EuiFlyoutBody,
  EuiFlyoutHeader,
  EuiText,
  EuiTitle,
  type EuiBasicTableColumn,
} from '@elastic/eui';
import { QueryError } from '../../../components/query-error';
import type { RelatedEvent } from '@execwatch/api';
import { displayValue, getPath } from '../../../lib/document';
import { formatTime } from '../../../lib/format';
import { useRelatedEventsQuery } from '../api/use-related-events-query';

type EventDoc = RelatedEvent;

const columns: Array<EuiBasicTableColumn<EventDoc>> = [
  { name: '@timestamp', width: '170px', render: (e: EventDoc) => formatTime(e['@timestamp']) },
  { name: 'event.action', width: '90px', render: (e: EventDoc) => e.event_action ?? '—' },
  { name: 'process', render: (e: EventDoc) => <code>{e.command_line ?? e.process_name ?? '—'}</code> },
  { name: 'user', width: '80px', render: (e: EventDoc) => e.user_name ?? '—' },
  { name: 'pod', render: (e: EventDoc) => displayValue(getPath(e.document, 'orchestrator.resource.name')) },
];

/** "Show related events": the events sharing one field value, in a child flyout. */
export function RelatedEventsFlyout({ field, value, from, to, onClose }: { field: string; value: string; from: string; to: string; onClose: () => void }) {
  const events = useRelatedEventsQuery(field, value, from, to);
  return (
    <EuiFlyout onClose={onClose} size="m" ownFocus aria-labelledby="related-events-title" data-test-subj="related-events-flyout" side="right">
      <EuiFlyoutHeader hasBorder>
        <EuiTitle size="s">
          <h2 id="related-events-title">Events with {field}: {value}</h2>
        </EuiTitle>
        <EuiText size="xs" color="subdued">
          {from} → {to}
          {events.data ? ` · ${events.data.total} event(s)` : ''}
        </EuiText>
      </EuiFlyoutHeader>
      <EuiFlyoutBody>
        {events.isError ? (
          <QueryError error={events.error} title="Related events could not be loaded" onRetry={() => void events.refetch()} />
        ) : (
          <EuiBasicTable<EventDoc>
            tableCaption={`Events with ${field} ${value}`}
            items={events.data?.events ?? []}
            columns={columns}
            loading={events.isPending}
            noItemsMessage={events.isPending ? 'Loading events…' : 'No events with this value in the range.'}
            compressed
          />
        )}
      </EuiFlyoutBody>
    </EuiFlyout>
  );
}
