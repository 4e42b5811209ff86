/** Events related to an alert by one field value (same container, pod, user...). */
import type { RelatedEventsQuery, RelatedEventsResponse } from '@execwatch/api';
import { badRequest } from '../../http/errors';
import type { Store } from '../../store/ports';
import { resolveDate } from '../dates';
import { str, strings } from '../detection/get-field';

const defaultLookbackMs = 7 * 24 * 3_600_000;

/** Searches stored events where `field` equals `value` within the range (default: the last 7 days). */
export async function relatedEvents(store: Store, q: RelatedEventsQuery, now: number): Promise<RelatedEventsResponse> {
  const to = q.to === undefined ? now : resolveDate(q.to, now, 'to', true);
  const from = q.from === undefined ? to - defaultLookbackMs : resolveDate(q.from, now, 'from');
  if (from > to) throw badRequest('from: must not be after to');
  const { total, events, relation } = await store.events.relatedEvents(q.field, q.value, { from, to }, q.size);
  return {
    total,
    total_relation: relation ?? 'eq',
    range: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    events: events.map((e) => {
      const args = strings(e._source, 'process.args');
      return {
        id: e._id,
        index: e._index,
        '@timestamp': str(e._source, '@timestamp'),
        event_action: str(e._source, 'event.action'),
        process_name: str(e._source, 'process.name'),
        command_line: args.length > 0 ? args.join(' ') : null,
        user_name: str(e._source, 'user.name') ?? str(e._source, 'process.user.name'),
        document: e._source,
      };
    }),
  };
}
