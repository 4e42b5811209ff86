import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyAttributionView, exceptionEntrySchema, type AttributionView } from '@execwatch/api';
import {
  conditionOperators,
  conditionProblem,
  conditionToEntry,
  documentValues,
  entryToCondition,
  exceptionTemplates,
  identifyingGroups,
  isSequenceRule,
  isServiceAccountName,
  namesAlertOnlyField,
  templateConditions,
  templateHint,
  templateName,
  type Condition,
  type ExceptionTemplate,
  type TemplateId,
} from './exception-conditions';
import { parseWarningHeader } from './api/warnings';

const value = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s.trim() !== '');
const condition: fc.Arbitrary<Condition> = fc.record({
  field: fc.constantFrom('user.name', 'orchestrator.namespace', 'container.image.name'),
  operator: fc.constantFrom(...conditionOperators),
  values: fc.array(value, { minLength: 1, maxLength: 4 }),
});

describe('conditions and Kibana entries', () => {
  it('maps each operator to the Kibana entry type and operator', () => {
    const base = { field: 'user.name', values: ['a', 'b'] };
    expect(conditionToEntry({ ...base, operator: 'is' })).toEqual({ field: 'user.name', operator: 'included', type: 'match', value: 'a' });
    expect(conditionToEntry({ ...base, operator: 'is_not_one_of' })).toEqual({ field: 'user.name', operator: 'excluded', type: 'match_any', value: ['a', 'b'] });
    expect(conditionToEntry({ ...base, operator: 'does_not_exist' })).toEqual({ field: 'user.name', operator: 'excluded', type: 'exists' });
    expect(conditionToEntry({ ...base, operator: 'matches' })).toEqual({ field: 'user.name', operator: 'included', type: 'wildcard', value: 'a' });
  });

  it('produces entries the API schema accepts and reads them back unchanged', () => {
    fc.assert(
      fc.property(condition, (c) => {
        const entry = conditionToEntry(c);
        expect(exceptionEntrySchema.safeParse(entry).success).toBe(true);
        expect(conditionToEntry(entryToCondition(entry) ?? c)).toEqual(entry);
      }),
    );
  });

  it('says what is missing in an incomplete condition', () => {
    expect(conditionProblem({ field: '', operator: 'is', values: ['x'] })).toBe('Choose a field');
    expect(conditionProblem({ field: 'user.name', operator: 'is', values: ['  '] })).toBe('Enter a value');
    expect(conditionProblem({ field: 'user.name', operator: 'exists', values: [] })).toBeNull();
  });

  it('leaves nested and value-list entries to the caller', () => {
    expect(entryToCondition({ field: 'user.name', operator: 'included', type: 'list', list: { id: 'l', type: 'keyword' } })).toBeNull();
  });
});

describe('pre-filling from an alert', () => {
  const document = { user: { name: 'sre-admin' }, orchestrator: { namespace: 'kube-system', resource: { label: ['app:ci', 'team:ops'] } }, 'container.image.name': 'runner' };

  it('reads nested and dotted fields, arrays as several values', () => {
    expect(documentValues(document, 'user.name')).toEqual(['sre-admin']);
    expect(documentValues(document, 'container.image.name')).toEqual(['runner']);
    expect(documentValues(document, 'orchestrator.resource.label')).toEqual(['app:ci', 'team:ops']);
    expect(documentValues(document, 'missing.field')).toEqual([]);
  });

  it('fills a template: one value is "is", several are "is one of"', () => {
    const label = exceptionTemplates.find((t) => t.id === 'cicd_label');
    const image = exceptionTemplates.find((t) => t.id === 'cicd_image');
    expect(image && templateConditions(image, { document })).toEqual([
      { field: 'orchestrator.namespace', operator: 'is', values: ['kube-system'] },
      { field: 'container.image.name', operator: 'is', values: ['runner'] },
    ]);
    expect(label && templateConditions(label, { document })[1]).toEqual({ field: 'orchestrator.resource.label', operator: 'is_one_of', values: ['app:ci', 'team:ops'] });
  });

  it('recognises EQL sequence rules', () => {
    expect(isSequenceRule({ language: 'eql', query: ' sequence by host.id [process where true]' })).toBe(true);
    expect(isSequenceRule({ language: 'eql', query: 'process where process.interactive == true' })).toBe(false);
  });
});

function template(id: TemplateId): ExceptionTemplate {
  const t = exceptionTemplates.find((x) => x.id === id);
  if (!t) throw new Error(`no template ${id}`);
  return t;
}

/** An alert attributed exactly to `username` (the API's view), with the container's own user beside it. */
function attributedTo(username: string, groups: string[]): { document: Record<string, unknown>; attribution: AttributionView } {
  return {
    document: {
      user: { name: 'root', id: '0' },
      orchestrator: { namespace: 'payments' },
      container: { image: { name: 'registry.example.com/shop/web' } },
      kubernetes: { audit: { user: { username, groups } } },
    },
    attribution: { ...emptyAttributionView('exact', null, null), user: { username, groups } },
  };
}

const unattributed = (match: AttributionView['match'], reason: AttributionView['reason']) => ({
  document: { user: { name: 'root' }, orchestrator: { namespace: 'payments' }, container: { image: { name: 'registry.example.com/shop/web' } } },
  attribution: emptyAttributionView(match, reason, null),
});

describe('templates on people and pipelines', () => {
  const alice = attributedTo('alice@example.com', ['sre', 'platform', 'system:authenticated']);
  const runner = attributedTo('system:serviceaccount:ci:gitlab-runner', ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']);

  it('builds the known admin account on the Kubernetes user, not on the Linux user in the container', () => {
    const conditions = templateConditions(template('admin_account'), alice);
    expect(conditions).toEqual([
      { field: 'kubernetes.audit.user.username', operator: 'is', values: ['alice@example.com'] },
      { field: 'orchestrator.namespace', operator: 'is', values: ['payments'] },
    ]);
    expect(conditions.some((c) => c.field === 'user.name')).toBe(false);
    expect(templateHint(template('admin_account'), alice)).toBeNull();
    expect(templateName(template('admin_account'), alice)).toBe('Known admin account: alice@example.com');
  });

  it('builds the known admin group on the groups that tell people apart, never on the ones everyone has', () => {
    expect(templateConditions(template('admin_group'), alice)[0]).toEqual({ field: 'kubernetes.audit.user.groups', operator: 'is_one_of', values: ['sre', 'platform'] });
    expect(templateName(template('admin_group'), alice)).toBe('Known admin group: sre, platform');
    expect(identifyingGroups(['system:authenticated', 'system:serviceaccounts', 'system:serviceaccounts:ci', 'system:masters'])).toEqual(['system:serviceaccounts:ci', 'system:masters']);
    const loner = attributedTo('bob@example.com', ['system:authenticated']);
    expect(templateConditions(template('admin_group'), loner)[0]?.values).toEqual([]);
    expect(templateHint(template('admin_group'), loner)).toMatch(/^bob@example\.com is in no group but the ones every user has/);
  });

  it('builds the CI/CD pipeline on its service account, with the namespace and image when the alert has them', () => {
    expect(templateConditions(template('cicd_service_account'), runner)).toEqual([
      { field: 'kubernetes.audit.user.username', operator: 'is', values: ['system:serviceaccount:ci:gitlab-runner'] },
      { field: 'orchestrator.namespace', operator: 'is', values: ['payments'] },
      { field: 'container.image.name', operator: 'is', values: ['registry.example.com/shop/web'] },
    ]);
    expect(templateHint(template('cicd_service_account'), runner)).toBeNull();
    const bare = { ...runner, document: { kubernetes: runner.document.kubernetes } };
    expect(templateConditions(template('cicd_service_account'), bare).map((c) => c.field)).toEqual(['kubernetes.audit.user.username']);
  });

  it('says so when the pipeline template is given a person rather than a service account', () => {
    expect(isServiceAccountName('system:serviceaccount:ci:gitlab-runner')).toBe(true);
    expect(isServiceAccountName('alice@example.com')).toBe(false);
    expect(isServiceAccountName('system:serviceaccount:ci')).toBe(false);
    expect(templateHint(template('cicd_service_account'), alice)).toMatch(/requested by alice@example\.com, which is not a service account/);
  });

  it.each([
    ['ambiguous', null, /2 requests fit this session; Execwatch does not pick one \(bob@example\.com, carol@example\.com\)\./],
    ['none', 'no_audit_events_from_cluster', /No audit events have arrived from this cluster: is the audit webhook set up\?/],
    ['unknown', 'not_attributed_yet', /Not attributed yet: waiting for the apiserver's audit events\./],
  ] as const)('leaves the identity empty with a hint when the alert is %s', (match, reason, why) => {
    const base = unattributed(match, reason);
    const source =
      match === 'ambiguous'
        ? {
            ...base,
            attribution: {
              ...base.attribution,
              candidates_total: 2,
              candidates: ['bob@example.com', 'carol@example.com'].map((username, i) => ({
                audit_id: `a${i}`,
                username,
                groups: [],
                impersonated_user: null,
                source_ips: [],
                user_agent: null,
                verb: 'get',
                subresource: 'exec' as const,
                container: null,
                container_repeated: false,
                command: ['bash'],
                request_received_at: '2026-01-01T10:00:00.000Z',
                response_code: 101,
                decision: 'allow',
                decision_reason: null,
                distance_ms: -100 * (i + 1),
                status: 'success' as const,
              })),
            },
          }
        : base;
    for (const id of ['admin_account', 'cicd_service_account'] as const) {
      const [identity, ...rest] = templateConditions(template(id), source);
      expect(identity).toEqual({ field: 'kubernetes.audit.user.username', operator: 'is', values: [] });
      expect(conditionProblem(identity ?? { field: '', operator: 'is', values: [] })).toBe('Enter a value');
      expect(rest.map((c) => c.values)).toEqual(id === 'admin_account' ? [['payments']] : [['payments'], ['registry.example.com/shop/web']]);
      const hint = templateHint(template(id), source);
      expect(hint).toMatch(/left empty: this alert is not attributed exactly\./);
      expect(hint).toMatch(why);
      expect(hint).toContain(id === 'admin_account' ? 'e.g. alice@example.com' : 'e.g. system:serviceaccount:ci:gitlab-runner');
      expect(templateName(template(id), source)).toBe(template(id).name);
    }
  });

  it('reads the identity from the document when no attribution view is given', () => {
    expect(templateConditions(template('admin_account'), { document: alice.document })[0]?.values).toEqual(['alice@example.com']);
    expect(templateConditions(template('admin_account'), { document: { user: { name: 'sre-admin' } } })[0]?.values).toEqual([]);
    expect(templateHint(template('admin_account'), undefined)).toMatch(/^Kubernetes user left empty/);
  });

  it('knows an item on who ran the exec is matched against alerts, not events', () => {
    expect(namesAlertOnlyField(templateConditions(template('admin_account'), alice))).toBe(true);
    expect(namesAlertOnlyField([{ field: 'execwatch.attribution.match' }])).toBe(true);
    expect(namesAlertOnlyField(templateConditions(template('cicd_image'), alice))).toBe(false);
  });

  it('leaves the templates without an identity as they were', () => {
    expect(templateHint(template('cicd_image'), alice)).toBeNull();
    expect(templateConditions(template('alert'), alice).map((c) => c.field)).toEqual(['user.name', 'orchestrator.namespace', 'container.image.name', 'process.name']);
  });
});

describe('Warning headers', () => {
  it('reads several warnings, commas inside quotes kept', () => {
    expect(parseWarningHeader('299 execwatch "field x.y is unknown, check it", 299 execwatch "second"')).toEqual(['field x.y is unknown, check it', 'second']);
    expect(parseWarningHeader(null)).toEqual([]);
  });

  it('never throws on arbitrary headers', () => {
    fc.assert(fc.property(fc.string(), (h) => Array.isArray(parseWarningHeader(h))));
  });
});
