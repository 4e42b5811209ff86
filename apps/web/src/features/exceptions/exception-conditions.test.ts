import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exceptionEntrySchema } from '@execwatch/api';
import { conditionOperators, conditionProblem, conditionToEntry, documentValues, entryToCondition, isSequenceRule, templateConditions, exceptionTemplates, type Condition } from './exception-conditions';
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
    const admin = exceptionTemplates.find((t) => t.id === 'admin_account');
    const label = exceptionTemplates.find((t) => t.id === 'cicd_label');
    expect(admin && templateConditions(admin, document)).toEqual([
      { field: 'user.name', operator: 'is', values: ['sre-admin'] },
      { field: 'orchestrator.namespace', operator: 'is', values: ['kube-system'] },
    ]);
    expect(label && templateConditions(label, document)[1]).toEqual({ field: 'orchestrator.resource.label', operator: 'is_one_of', values: ['app:ci', 'team:ops'] });
  });

  it('recognises EQL sequence rules', () => {
    expect(isSequenceRule({ language: 'eql', query: ' sequence by host.id [process where true]' })).toBe(true);
    expect(isSequenceRule({ language: 'eql', query: 'process where process.interactive == true' })).toBe(false);
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
