import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ecsFieldType, validateExceptionItem } from './validate';
import { ECS_FIELD_TYPES } from './ecs-field-types';
import { cicdPipelineTemplate, interactiveContainerTemplate, knownAdminAccountTemplate, maintenanceWindowTemplate } from './templates';
import { compileExceptionMatcher } from './matcher';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const entry = (e: Record<string, unknown>) => ({ entries: [e] });

describe('validateExceptionItem', () => {
  it.each([
    ['a field name with a leading space', entry({ field: ' host.name', operator: 'included', type: 'match', value: 'a' }), 'field " host.name" starts or ends with a space; no field has that name'],
    ['empty match_any', entry({ field: 'user.name', operator: 'included', type: 'match_any', value: [] }), 'match_any needs at least one value'],
    ['unknown operator', entry({ field: 'user.name', operator: 'is', type: 'match', value: 'a' }), 'unknown operator "is" (included or excluded)'],
    ['wildcard on a boolean', entry({ field: 'process.interactive', operator: 'included', type: 'wildcard', value: 't*' }), 'wildcard needs a string field; process.interactive is boolean'],
    ['wildcard on an ip', entry({ field: 'orchestrator.resource.ip', operator: 'included', type: 'wildcard', value: '10.*' }), 'wildcard needs a string field; orchestrator.resource.ip is ip'],
    ['value list', entry({ field: 'user.name', operator: 'included', type: 'list', list: { id: 'x', type: 'keyword' } }), 'value lists are not supported'],
    ['unknown type', entry({ field: 'user.name', operator: 'included', type: 'regex', value: 'a' }), 'unknown entry type "regex" (match, match_any, wildcard, exists, nested)'],
    ['no entries', { entries: [] }, 'an item needs at least one entry'],
    ['expiry in the past', { expire_time: '2025-06-01T00:00:00Z', entries: [{ field: 'user.name', operator: 'included', type: 'exists' }] }, 'expire_time 2025-06-01T00:00:00Z is in the past'],
    ['bad nested sub-entry', entry({ field: 'p', type: 'nested', entries: [{ field: 'q', operator: 'included', type: 'wildcard', value: 'a*' }] }), 'a nested entry may only hold match, match_any or exists entries, not wildcard'],
    ['a wildcard with too many stars', entry({ field: 'process.args', operator: 'included', type: 'wildcard', value: '*?'.repeat(65) }), 'wildcard pattern has 65 unescaped * wildcards; at most 64 are allowed'],
    ['an overlong wildcard', entry({ field: 'process.args', operator: 'included', type: 'wildcard', value: `${'x'.repeat(1100)}*` }), 'wildcard pattern is 1101 characters long; at most 1024 are allowed'],
  ])('rejects %s', (_name, item, message) => {
    const r = validateExceptionItem(item, { now: NOW });
    expect(r.errors.map((e) => e.message)).toContain(message);
  });

  it('accepts a valid item and warns (only) about fields no rule index has', () => {
    const item = {
      expire_time: '2026-06-01T00:00:00Z',
      entries: [
        { field: 'user.name', operator: 'included', type: 'match', value: 'ops' },
        { field: 'container.image.name', operator: 'included', type: 'wildcard', value: 'x/*' },
        { field: 'container.labels.team', operator: 'included', type: 'match', value: 'core' },
        { field: 'kubernetes.audit.user.username', operator: 'included', type: 'exists' },
      ],
    };
    const r = validateExceptionItem(item, { now: NOW, knownFields: new Set(Object.keys(ECS_FIELD_TYPES)) });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      { path: 'entries.3.field', message: 'no index of the rule has the field kubernetes.audit.user.username; the entry will never match' },
    ]);
  });

  it('knows ECS types, including keyword sub-fields of object fields', () => {
    expect(ecsFieldType('process.entry_leader.same_as_process')).toBe('boolean');
    expect(ecsFieldType('container.labels.app')).toBe('keyword');
    expect(ecsFieldType('no.such.field')).toBeNull();
  });

  it('builds its type map from the shared ECS subset (same facts)', (ctx) => {
    const domain = process.env.EXECWATCH_DOMAIN_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/domain');
    const csv = path.join(domain, 'ecs_fields_subset.csv');
    if (!existsSync(csv)) {
      ctx.skip(`${csv} is absent (set EXECWATCH_DOMAIN_DIR)`);
      return;
    }
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    for (const [field, type] of rows) expect(ECS_FIELD_TYPES[field]).toBe(type);
  });
});

describe('false-positive templates', () => {
  const alert = {
    user: { name: 'sre-admin', id: '1000' },
    orchestrator: { namespace: 'ci', cluster: { name: 'prod-eu' }, resource: { label: ['app:runner'] } },
    container: { image: { name: 'registry.local/runner' } },
  };

  it('builds narrow entries that match the alert they came from', () => {
    for (const t of [knownAdminAccountTemplate(alert), cicdPipelineTemplate(alert, 'label'), cicdPipelineTemplate(alert, 'service_account'), interactiveContainerTemplate(alert)]) {
      expect(t.entries).toHaveLength(2);
      expect(t.missing).toEqual([]);
      expect(compileExceptionMatcher([{ id: t.id, entries: t.entries }], { now: NOW }).match(alert)).toBe(t.id);
      expect(validateExceptionItem({ entries: t.entries }, { now: NOW }).errors).toEqual([]);
    }
    expect(knownAdminAccountTemplate(alert).entries.map((e) => e.field)).toEqual(['user.name', 'orchestrator.namespace']);
    expect(cicdPipelineTemplate(alert).entries.map((e) => e.field)).toEqual(['orchestrator.namespace', 'container.image.name']);
    expect(cicdPipelineTemplate(alert, 'label').entries[1]).toEqual({ field: 'orchestrator.resource.label', operator: 'included', type: 'match', value: 'app:runner' });
  });

  it('gives the maintenance window an expiry and notes fields the alert lacks', () => {
    const t = maintenanceWindowTemplate({ orchestrator: { namespace: 'ci' } }, NOW + 3_600_000);
    expect(t.expire_time).toBe('2026-01-01T01:00:00.000Z');
    expect(t.missing).toEqual(['orchestrator.cluster.name']);
    expect(knownAdminAccountTemplate({ user: { id: '0' }, orchestrator: { namespace: 'x' } }).entries[0].field).toBe('user.id');
  });
});
