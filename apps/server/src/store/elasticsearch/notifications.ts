import type { estypes } from '@elastic/elasticsearch';
import type { NotificationRecord, NotificationStore } from '../ports';
import type { EsContext } from './context';
import { countDocs, searchDocs } from './documents';
import { isConflict, withRetry } from './retry';

const iso = (ms: number) => new Date(ms).toISOString();
const keysOf = (r: NotificationRecord) => ({ id: r.id, recipient: r.recipient, unread: r.read_at === null, created_at: iso(r.created_at) });

/** Inbox entries per user, and claimed delivery keys, in `execwatch-notifications`. */
export function createNotificationStore(ctx: EsContext): NotificationStore {
  const index = ctx.names.notifications;
  const newestFirst: estypes.SortCombinations[] = [{ created_at: { order: 'desc' } }, { id: { order: 'desc' } }];
  return {
    async add(records) {
      if (records.length === 0) return;
      // `create`: an id already stored stays as it is (its read state included)
      const operations = records.flatMap((r) => [{ create: { _index: index, _id: r.id } }, { type: 'notification', ...keysOf(r), body: r }]);
      const res = await withRetry('store notifications', () => ctx.client.bulk({ operations, refresh: true }), ctx.retry, ctx.log);
      const failed = res.items.filter((i) => i.create?.error && i.create.status !== 409);
      if (failed.length > 0) throw new Error(`${failed.length} notifications could not be stored`);
    },
    async list(recipient, opts) {
      const mine = [{ term: { recipient } }];
      const [unread, page] = await Promise.all([
        countDocs(ctx, index, 'notification', [...mine, { term: { unread: true } }]),
        searchDocs<NotificationRecord>(ctx, index, 'notification', { filter: opts.unreadOnly ? [...mine, { term: { unread: true } }] : mine, sort: newestFirst, size: opts.size }),
      ]);
      return { unread, notifications: page.records };
    },
    async markRead(recipient, ids, at) {
      const filter = [{ term: { recipient } }, { term: { unread: true } }, ...(ids === 'all' ? [] : [{ terms: { id: [...ids] } }])];
      let marked = 0;
      for (;;) {
        const page = await searchDocs<NotificationRecord>(ctx, index, 'notification', { filter, sort: newestFirst, size: 1000 });
        if (page.records.length === 0) return marked;
        const operations = page.records.flatMap((r) => {
          const read = { ...r, read_at: at };
          return [{ index: { _index: index, _id: r.id } }, { type: 'notification', ...keysOf(read), body: read }];
        });
        await withRetry('mark notifications read', () => ctx.client.bulk({ operations, refresh: true }), ctx.retry, ctx.log);
        marked += page.records.length;
        if (page.records.length < 1000) return marked;
      }
    },
    async claimDelivery(key, at) {
      try {
        await withRetry('claim delivery', () => ctx.client.create({ index, id: `delivery:${key}`, document: { type: 'delivery', id: key, created_at: iso(at), body: { key, at } }, refresh: true }), ctx.retry, ctx.log);
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
    },
  };
}
