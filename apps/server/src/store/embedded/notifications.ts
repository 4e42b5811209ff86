import type { NotificationRecord, NotificationStore } from '../ports';
import type { Db } from './db';

interface Row {
  id: string;
  recipient: string;
  kind: NotificationRecord['kind'];
  actor: string;
  alert_id: string | null;
  alerts_count: number;
  text: string;
  created_at: number;
  read_at: number | null;
}

/** Inbox entries per user (migration 13), and the claimed keys of outbound deliveries. */
export function createNotificationStore(db: Db): NotificationStore {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO notifications (id, recipient, kind, actor, alert_id, alerts_count, text, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const addAll = db.transaction((records: NotificationRecord[]) => {
    for (const r of records) insert.run(r.id, r.recipient, r.kind, r.actor, r.alert_id, r.alerts_count, r.text, r.created_at, r.read_at);
  });
  const unreadOf = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notifications WHERE recipient = ? AND read_at IS NULL');
  const listAll = db.prepare<[string, number], Row>('SELECT * FROM notifications WHERE recipient = ? ORDER BY created_at DESC, id DESC LIMIT ?');
  const listUnread = db.prepare<[string, number], Row>('SELECT * FROM notifications WHERE recipient = ? AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?');
  const readAll = db.prepare<[number, string]>('UPDATE notifications SET read_at = ? WHERE recipient = ? AND read_at IS NULL');
  const readSome = db.prepare<[number, string, string]>('UPDATE notifications SET read_at = ? WHERE recipient = ? AND read_at IS NULL AND id IN (SELECT value FROM json_each(?))');
  const claim = db.prepare<[string, number]>('INSERT OR IGNORE INTO notification_deliveries (key, claimed_at) VALUES (?, ?)');
  return {
    async add(records) {
      if (records.length > 0) addAll(records);
    },
    async list(recipient, opts) {
      const rows = (opts.unreadOnly ? listUnread : listAll).all(recipient, opts.size);
      return { unread: unreadOf.get(recipient)?.n ?? 0, notifications: rows.map((r) => ({ ...r })) };
    },
    async markRead(recipient, ids, at) {
      const res = ids === 'all' ? readAll.run(at, recipient) : readSome.run(at, recipient, JSON.stringify(ids));
      return res.changes;
    },
    async claimDelivery(key, at) {
      return claim.run(key, at).changes === 1;
    },
  };
}
