import { describe, expect, it } from 'vitest';
import { ALERT_RUNTIME_FIELDS, TEMPLATE_VERSION, indexNames, indexTemplates } from './indices';
import { FakeCluster, storeOn } from './test-helpers';

describe('index templates', () => {
  it('names the indices per space', () => {
    expect(indexNames('default')).toMatchObject({ alerts: 'execwatch-alerts-default', exceptions: 'execwatch-exceptions', users: 'execwatch-users', audit: 'execwatch-audit' });
    expect(() => indexNames('Bad Space')).toThrow(/invalid space/);
  });

  it('versions every template through _meta.version and maps the alert fields the list uses', () => {
    const templates = indexTemplates(indexNames('default'));
    expect(Object.keys(templates).sort()).toEqual(
      ['execwatch-alerts', 'execwatch-audit', 'execwatch-checklists', 'execwatch-exceptions', 'execwatch-executions', 'execwatch-notes', 'execwatch-notifications', 'execwatch-rules', 'execwatch-settings', 'execwatch-users'].sort(),
    );
    for (const t of Object.values(templates)) expect(t._meta).toEqual({ version: TEMPLATE_VERSION, managed_by: 'execwatch' });
    const alerts = templates['execwatch-alerts'];
    expect(alerts?.index_patterns).toEqual(['execwatch-alerts-*']);
    const mappings = alerts?.template?.mappings;
    expect(mappings?.runtime && Object.keys(mappings.runtime).sort()).toEqual(Object.values(ALERT_RUNTIME_FIELDS).sort());
    const alertProps = JSON.stringify(mappings?.properties);
    for (const field of ['workflow_status', 'workflow_tags', 'workflow_assignee_ids', 'original_time', 'risk_score']) expect(alertProps).toContain(`"${field}"`);
  });

  it('installs templates and indices once; a second start changes nothing', async () => {
    const cluster = new FakeCluster();
    await storeOn(cluster).init();
    const firstPuts = cluster.requests.filter((r) => r.method === 'PUT').map((r) => r.path);
    expect(firstPuts.filter((p) => p.startsWith('/_index_template/'))).toHaveLength(10);
    expect(firstPuts).toContain('/execwatch-alerts-default');
    expect(cluster.templates.get('execwatch-alerts')).toMatchObject({ index_patterns: ['execwatch-alerts-*'], _meta: { version: TEMPLATE_VERSION } });

    cluster.requests.length = 0;
    await storeOn(cluster, { instanceId: 'second' }).init();
    expect(cluster.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
  });

  it('replaces a template installed by an older version', async () => {
    const cluster = new FakeCluster();
    await storeOn(cluster).init();
    cluster.templates.set('execwatch-users', { index_patterns: ['execwatch-users'], _meta: { version: TEMPLATE_VERSION - 1 } });
    cluster.requests.length = 0;
    await storeOn(cluster).init();
    const puts = cluster.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/_index_template/')).map((r) => r.path);
    expect(puts).toEqual(['/_index_template/execwatch-users']);
  });
});
