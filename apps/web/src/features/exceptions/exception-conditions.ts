/**
 * The exception builder's model: conditions as the UI shows them (Kibana's operator names) and their
 * conversion to and from Kibana exception entries, plus the false-positive templates from the rule's guide.
 */
import type { ExceptionEntry, KibanaEntry } from '@execwatch/api';

export const conditionOperators = ['is', 'is_not', 'is_one_of', 'is_not_one_of', 'exists', 'does_not_exist', 'matches', 'does_not_match'] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

/** Labels as Kibana's exception builder shows them. */
export const operatorLabels: Record<ConditionOperator, string> = {
  is: 'is',
  is_not: 'is not',
  is_one_of: 'is one of',
  is_not_one_of: 'is not one of',
  exists: 'exists',
  does_not_exist: 'does not exist',
  matches: 'matches',
  does_not_match: 'does not match',
};

/** One row of the builder. `values` holds the value(s); single-value operators use the first. */
export interface Condition {
  field: string;
  operator: ConditionOperator;
  values: string[];
}

/** How many values an operator takes. */
export function operatorArity(operator: ConditionOperator): 'none' | 'one' | 'many' {
  if (operator === 'exists' || operator === 'does_not_exist') return 'none';
  if (operator === 'is_one_of' || operator === 'is_not_one_of') return 'many';
  return 'one';
}

/** Why a condition cannot be saved yet, or null when it is complete. */
export function conditionProblem(c: Condition): string | null {
  if (c.field.trim() === '') return 'Choose a field';
  const values = c.values.map((v) => v.trim()).filter((v) => v !== '');
  const arity = operatorArity(c.operator);
  if (arity === 'one' && values.length === 0) return 'Enter a value';
  if (arity === 'many' && values.length === 0) return 'Enter at least one value';
  return null;
}

/** The Kibana entry a complete condition stands for. */
export function conditionToEntry(c: Condition): ExceptionEntry {
  const field = c.field.trim();
  const values = c.values.map((v) => v.trim()).filter((v) => v !== '');
  const first = values[0] ?? '';
  switch (c.operator) {
    case 'is':
      return { field, operator: 'included', type: 'match', value: first };
    case 'is_not':
      return { field, operator: 'excluded', type: 'match', value: first };
    case 'is_one_of':
      return { field, operator: 'included', type: 'match_any', value: values };
    case 'is_not_one_of':
      return { field, operator: 'excluded', type: 'match_any', value: values };
    case 'exists':
      return { field, operator: 'included', type: 'exists' };
    case 'does_not_exist':
      return { field, operator: 'excluded', type: 'exists' };
    case 'matches':
      return { field, operator: 'included', type: 'wildcard', value: first };
    case 'does_not_match':
      return { field, operator: 'excluded', type: 'wildcard', value: first };
  }
}

/** The builder row of a stored entry; null for entries the builder cannot edit (nested, value lists). */
export function entryToCondition(e: KibanaEntry): Condition | null {
  if (e.type === 'nested' || e.type === 'list') return null;
  const included = e.operator === 'included';
  switch (e.type) {
    case 'match':
      return { field: e.field, operator: included ? 'is' : 'is_not', values: [e.value] };
    case 'match_any':
      return { field: e.field, operator: included ? 'is_one_of' : 'is_not_one_of', values: [...e.value] };
    case 'wildcard':
      return { field: e.field, operator: included ? 'matches' : 'does_not_match', values: [e.value] };
    case 'exists':
      return { field: e.field, operator: included ? 'exists' : 'does_not_exist', values: [] };
  }
}

/** A condition as one line of text, e.g. `user.name is one of sre-admin, platform-ops`. */
export function describeEntry(e: KibanaEntry): string {
  if (e.type === 'nested') return `${e.field} { ${e.entries.map(describeEntry).join(' AND ')} }`;
  if (e.type === 'list') return `${e.field} ${e.operator === 'included' ? 'is in list' : 'is not in list'} ${e.list.id}`;
  const c = entryToCondition(e);
  if (!c) return e.field;
  const arity = operatorArity(c.operator);
  return arity === 'none' ? `${c.field} ${operatorLabels[c.operator]}` : `${c.field} ${operatorLabels[c.operator]} ${c.values.join(', ')}`;
}

/** The values at a dotted path of a nested document (arrays flattened, scalars as strings). */
export function documentValues(document: Record<string, unknown>, path: string): string[] {
  const flat = document[path];
  if (flat !== undefined) return scalarStrings(flat);
  let current: unknown = document;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return [];
    current = (current as Record<string, unknown>)[part]; // narrowed to a plain object just above
  }
  return scalarStrings(current);
}

function scalarStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(scalarStrings);
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  return [];
}

/** A condition on `field` with the alert's value(s): `is` for one value, `is one of` for several. */
export function conditionFromDocument(document: Record<string, unknown> | undefined, field: string): Condition {
  const values = document ? [...new Set(documentValues(document, field))] : [];
  if (values.length > 1) return { field, operator: 'is_one_of', values };
  return { field, operator: 'is', values };
}

export type TemplateId = 'alert' | 'admin_account' | 'cicd_image' | 'cicd_label' | 'cicd_service_account' | 'interactive_container' | 'maintenance_window';

/** A false-positive case from the rule's investigation guide. */
export interface ExceptionTemplate {
  id: TemplateId;
  label: string;
  /** The item name the template suggests. */
  name: string;
  fields: string[];
  /** Days until expiry the template suggests instead of the default. */
  expiryDays?: number;
}

export const exceptionTemplates: readonly ExceptionTemplate[] = [
  { id: 'alert', label: 'This alert (who, where, what)', name: 'Exception from alert', fields: ['user.name', 'orchestrator.namespace', 'container.image.name', 'process.name'] },
  { id: 'admin_account', label: 'Known admin account (user + namespace)', name: 'Known admin account', fields: ['user.name', 'orchestrator.namespace'] },
  { id: 'cicd_image', label: 'CI/CD pipeline (namespace + image)', name: 'CI/CD pipeline', fields: ['orchestrator.namespace', 'container.image.name'] },
  { id: 'cicd_label', label: 'CI/CD pipeline (namespace + pod label)', name: 'CI/CD pipeline', fields: ['orchestrator.namespace', 'orchestrator.resource.label'] },
  { id: 'cicd_service_account', label: 'CI/CD pipeline (namespace + service account)', name: 'CI/CD pipeline', fields: ['orchestrator.namespace', 'user.name'] },
  { id: 'interactive_container', label: 'Container that needs interactive access (image + namespace)', name: 'Interactive access needed', fields: ['container.image.name', 'orchestrator.namespace'] },
  { id: 'maintenance_window', label: 'Maintenance window (namespace, expires in 1 day)', name: 'Maintenance window', fields: ['orchestrator.namespace'], expiryDays: 1 },
];

/** The template's conditions, pre-filled from the alert's document when there is one. */
export function templateConditions(template: ExceptionTemplate, document: Record<string, unknown> | undefined): Condition[] {
  return template.fields.map((field) => conditionFromDocument(document, field));
}

/** The expiry `days` after `now`, as ISO-8601. */
export function expiryAfterDays(now: number, days: number): string {
  return new Date(now + days * 86_400_000).toISOString();
}

/** Whether a rule's query is an EQL sequence (Kibana's caveat applies: exceptions apply to every event of it). */
export function isSequenceRule(rule: { language: string | null; query: string }): boolean {
  return rule.language === 'eql' && /^\s*sequence\b/i.test(rule.query);
}
