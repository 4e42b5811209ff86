import { describe, expect, it } from 'vitest';
import { FakeCluster, FIXED_NOW, storeOn } from './test-helpers';

const RULE = '420e5bb4-93bf-40a3-8f4a-4cc1af90eca1';
const LEASE_DOC = `lease:${RULE}`;

describe('rule-run leases (several server instances on one cluster)', () => {
  it('creates an absent lease with op_type=create and nothing else', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    expect(await a.rules.claimRun(RULE, 'a', FIXED_NOW + 60_000)).toBe(true);
    const writes = cluster.requests.filter((r) => r.method !== 'GET');
    expect(writes).toHaveLength(1);
    // The recording holds the decoded path.
    expect(writes[0]?.path).toBe(`/execwatch-rules/_create/${LEASE_DOC}`);
    expect(writes[0]?.body).toMatchObject({ type: 'lease', rule_id: RULE, owner: 'a', until: new Date(FIXED_NOW + 60_000).toISOString() });
  });

  it('lets exactly one of two instances win a race for the same run', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    const b = storeOn(cluster, { instanceId: 'b' });
    const results = await Promise.all([a.rules.claimRun(RULE, 'a', FIXED_NOW + 60_000), b.rules.claimRun(RULE, 'b', FIXED_NOW + 60_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 'a' : 'b';
    expect(cluster.doc('execwatch-rules', LEASE_DOC)?.source).toMatchObject({ owner: winner });
  });

  it('lets exactly one of five instances take over an expired lease (if_seq_no / if_primary_term)', async () => {
    const cluster = new FakeCluster();
    let now = FIXED_NOW;
    const clock = () => now;
    const dead = storeOn(cluster, { instanceId: 'dead', now: clock });
    expect(await dead.rules.claimRun(RULE, 'dead', FIXED_NOW + 30_000)).toBe(true);
    const others = ['b', 'c', 'd', 'e', 'f'].map((id) => ({ id, store: storeOn(cluster, { instanceId: id, now: clock }) }));

    // Held and unexpired: everyone else is refused.
    const refused = await Promise.all(others.map((o) => o.store.rules.claimRun(RULE, o.id, FIXED_NOW + 90_000)));
    expect(refused.every((r) => r === false)).toBe(true);

    now = FIXED_NOW + 31_000;
    const seqBefore = cluster.doc('execwatch-rules', LEASE_DOC)?.seqNo;
    const results = await Promise.all(others.map((o) => o.store.rules.claimRun(RULE, o.id, now + 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const takeovers = cluster.requests.filter((r) => r.method === 'PUT' && r.path.includes('/_doc/'));
    expect(takeovers.length).toBe(5);
    for (const t of takeovers) expect(t.querystring).toMatchObject({ if_seq_no: String(seqBefore), if_primary_term: '1' });
    const winner = others[results.indexOf(true)]?.id;
    expect(cluster.doc('execwatch-rules', LEASE_DOC)?.source).toMatchObject({ owner: winner });
  });

  it('renews its own lease and releases it only when it still holds it', async () => {
    const cluster = new FakeCluster();
    const a = storeOn(cluster, { instanceId: 'a' });
    const b = storeOn(cluster, { instanceId: 'b' });
    expect(await a.rules.claimRun(RULE, 'a', FIXED_NOW + 10_000)).toBe(true);
    expect(await a.rules.claimRun(RULE, 'a', FIXED_NOW + 20_000)).toBe(true);
    await b.rules.releaseRun(RULE, 'b');
    expect(cluster.doc('execwatch-rules', LEASE_DOC)?.source).toMatchObject({ owner: 'a' });
    await a.rules.releaseRun(RULE, 'a');
    expect(cluster.doc('execwatch-rules', LEASE_DOC)).toBeUndefined();
    expect(await b.rules.claimRun(RULE, 'b', FIXED_NOW + 10_000)).toBe(true);
  });

  it('claims each scheduled run once across two instances over many rounds', async () => {
    const cluster = new FakeCluster();
    let now = FIXED_NOW;
    const instances = ['a', 'b'].map((id) => ({ id, store: storeOn(cluster, { instanceId: id, now: () => now }) }));
    const runsBy: Record<string, number> = { a: 0, b: 0 };
    for (let round = 0; round < 10; round++) {
      // Both schedulers fire for the same run; the lease lasts until the next one is due.
      const won = await Promise.all(instances.map((i) => i.store.rules.claimRun(RULE, i.id, now + 5 * 60_000 - 1)));
      expect(won.filter(Boolean)).toHaveLength(1);
      instances.forEach((i, k) => {
        if (won[k]) runsBy[i.id] = (runsBy[i.id] ?? 0) + 1;
      });
      now += 5 * 60_000;
    }
    expect((runsBy.a ?? 0) + (runsBy.b ?? 0)).toBe(10);
  });
});

describe('alert writes from two instances', () => {
  it('never duplicates: the second instance finds every alert already present', async () => {
    const cluster = new FakeCluster();
    const alerts = ['x1', 'x2', 'x3'].map((id) => ({ id, index: 'execwatch-alerts-default', doc: { '@timestamp': '2024-06-01T12:00:00.000Z', kibana: { alert: { uuid: id } } } }));
    const [first, second] = await Promise.all([storeOn(cluster, { instanceId: 'a' }).alerts.createMany(alerts), storeOn(cluster, { instanceId: 'b' }).alerts.createMany(alerts)]);
    expect((first?.created ?? 0) + (second?.created ?? 0)).toBe(3);
    expect((first?.existing ?? 0) + (second?.existing ?? 0)).toBe(3);
    expect(cluster.indices.get('execwatch-alerts-default')?.size).toBe(3);
  });
});
