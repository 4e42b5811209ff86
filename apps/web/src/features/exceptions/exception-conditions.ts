/**
 * The exception builder's model: conditions as the UI shows them (Kibana's operator names) and their
 * conversion to and from Kibana exception entries, plus the false-positive templates from the rule's guide.
 */
import type { AttributionView, ExceptionEntry, KibanaEntry } from '@execwatch/api';
import { verdictSentence } from '../attribution/attribution-text';

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

export type TemplateId =
  | 'alert'
  | 'admin_account'
  | 'admin_group'
  | 'cicd_image'
  | 'cicd_label'
  | 'cicd_service_account'
  | 'interactive_container'
  | 'maintenance_window';

/** The alert document field of the Kubernetes user behind the exec (exact attributions only). */
export const KUBERNETES_USER_FIELD = 'kubernetes.audit.user.username';
/** The alert document field of that user's groups. */
export const KUBERNETES_GROUPS_FIELD = 'kubernetes.audit.user.groups';

/** One condition of a template and where its value comes from. */
export interface TemplateField {
  field: string;
  /** The Kubernetes identity, known from an exact attribution only; left empty (to fill in) otherwise. */
  identity?: 'username' | 'groups';
  /** Left out when the alert has no value for it. */
  optional?: boolean;
}

/** A false-positive case from the rule's investigation guide. */
export interface ExceptionTemplate {
  id: TemplateId;
  label: string;
  /** The item name the template suggests. */
  name: string;
  fields: readonly TemplateField[];
  /** Days until expiry the template suggests instead of the default. */
  expiryDays?: number;
}

const plain = (...fields: string[]): TemplateField[] => fields.map((field) => ({ field }));

export const exceptionTemplates: readonly ExceptionTemplate[] = [
  { id: 'alert', label: 'This alert (who, where, what)', name: 'Exception from alert', fields: plain('user.name', 'orchestrator.namespace', 'container.image.name', 'process.name') },
  {
    id: 'admin_account',
    label: 'Known admin account (Kubernetes user + namespace)',
    name: 'Known admin account',
    fields: [{ field: KUBERNETES_USER_FIELD, identity: 'username' }, { field: 'orchestrator.namespace' }],
  },
  {
    id: 'admin_group',
    label: 'Known admin group (Kubernetes group + namespace)',
    name: 'Known admin group',
    fields: [{ field: KUBERNETES_GROUPS_FIELD, identity: 'groups' }, { field: 'orchestrator.namespace' }],
  },
  {
    id: 'cicd_service_account',
    label: 'CI/CD pipeline (Kubernetes service account, namespace, image)',
    name: 'CI/CD pipeline',
    fields: [
      { field: KUBERNETES_USER_FIELD, identity: 'username' },
      { field: 'orchestrator.namespace', optional: true },
      { field: 'container.image.name', optional: true },
    ],
  },
  { id: 'cicd_image', label: 'CI/CD pipeline (namespace + image)', name: 'CI/CD pipeline', fields: plain('orchestrator.namespace', 'container.image.name') },
  { id: 'cicd_label', label: 'CI/CD pipeline (namespace + pod label)', name: 'CI/CD pipeline', fields: plain('orchestrator.namespace', 'orchestrator.resource.label') },
  { id: 'interactive_container', label: 'Container that needs interactive access (image + namespace)', name: 'Interactive access needed', fields: plain('container.image.name', 'orchestrator.namespace') },
  { id: 'maintenance_window', label: 'Maintenance window (namespace, expires in 1 day)', name: 'Maintenance window', fields: plain('orchestrator.namespace'), expiryDays: 1 },
];

/** What a template is filled from: the alert's document and its attribution (an AlertDetail fits). */
export interface TemplateSource {
  document?: Record<string, unknown>;
  attribution?: AttributionView;
}

/** Groups every identity, or every service account, has: an exception on them would match anyone. */
const GROUPS_OF_EVERYONE = new Set(['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts']);

/** The Kubernetes user of an exact attribution, or null. */
function exactUser(source: TemplateSource | undefined): { username: string; groups: string[] } | null {
  if (!source) return null;
  if (source.attribution) return source.attribution.match === 'exact' ? source.attribution.user : null;
  // Without the API's view, the document holds the identity fields for exact attributions only.
  const username = source.document ? documentValues(source.document, KUBERNETES_USER_FIELD)[0] : undefined;
  return username ? { username, groups: source.document ? documentValues(source.document, KUBERNETES_GROUPS_FIELD) : [] } : null;
}

/** The groups an admin-group exception can name: the user's, without the ones everybody has. */
export function identifyingGroups(groups: readonly string[]): string[] {
  return [...new Set(groups.filter((g) => !GROUPS_OF_EVERYONE.has(g)))];
}

/** `system:serviceaccount:NAMESPACE:NAME`, the username Kubernetes gives a service account. */
export function isServiceAccountName(username: string): boolean {
  return /^system:serviceaccount:[^:]+:[^:]+$/.test(username);
}

/**
 * The template's conditions, pre-filled from the alert when there is one. The Kubernetes identity comes from an
 * exact attribution only: otherwise its condition is left empty for the admin to fill in (see templateHint).
 */
export function templateConditions(template: ExceptionTemplate, source: TemplateSource | undefined): Condition[] {
  const user = exactUser(source);
  const out: Condition[] = [];
  for (const f of template.fields) {
    if (f.identity === 'username') {
      out.push({ field: f.field, operator: 'is', values: user ? [user.username] : [] });
    } else if (f.identity === 'groups') {
      out.push({ field: f.field, operator: 'is_one_of', values: user ? identifyingGroups(user.groups) : [] });
    } else {
      const c = conditionFromDocument(source?.document, f.field);
      if (!f.optional || c.values.length > 0) out.push(c);
    }
  }
  return out;
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.?!]$/.test(t) ? t : `${t}.`;
}

/**
 * What the admin should know about a template's pre-filled identity, or null: the alert is not attributed
 * exactly (the identity is left to fill in), or the identity does not look like what the template is for.
 */
export function templateHint(template: ExceptionTemplate, source: TemplateSource | undefined): string | null {
  const identity = template.fields.find((f) => f.identity !== undefined)?.identity;
  if (!identity) return null;
  const isPipeline = template.id === 'cicd_service_account';
  const what = identity === 'groups' ? 'Kubernetes group' : isPipeline ? 'service account' : 'Kubernetes user';
  const example = identity === 'groups' ? 'sre' : isPipeline ? 'system:serviceaccount:ci:gitlab-runner' : 'alice@example.com';
  const user = exactUser(source);
  if (!user) {
    const a = source?.attribution;
    const why = a
      ? a.match === 'ambiguous'
        ? `${verdictSentence(a)}${a.candidates.length > 0 ? ` (${[...new Set(a.candidates.map((c) => c.username ?? 'unnamed'))].join(', ')})` : ''}`
        : verdictSentence(a)
      : 'This alert names no Kubernetes user';
    const subject = what.charAt(0).toUpperCase() + what.slice(1);
    return `${subject} left empty: this alert is not attributed exactly. ${sentence(why)} Fill it in yourself, e.g. ${example}; the exception then matches the alerts attributed to it.`;
  }
  if (identity === 'groups' && identifyingGroups(user.groups).length === 0) {
    return `${user.username} is in no group but the ones every user has: fill in the admin group yourself, e.g. ${example}.`;
  }
  if (isPipeline && !isServiceAccountName(user.username)) {
    return `The exec was requested by ${user.username}, which is not a service account: pipelines run as system:serviceaccount:NAMESPACE:NAME. Check this is the pipeline's identity.`;
  }
  return null;
}

/** The item name a template suggests, with the identity when it names one. */
export function templateName(template: ExceptionTemplate, source: TemplateSource | undefined): string {
  const identity = template.fields.find((f) => f.identity !== undefined)?.identity;
  const user = identity ? exactUser(source) : null;
  if (!user) return template.name;
  if (identity === 'groups') {
    const groups = identifyingGroups(user.groups);
    return groups.length > 0 ? `${template.name}: ${groups.join(', ')}` : template.name;
  }
  return `${template.name}: ${user.username}`;
}

/** Fields only alerts hold (who ran the exec, what the session did): the server matches such items against alerts. */
const ALERT_ONLY_FIELD_PREFIXES = ['kubernetes.audit.', 'execwatch.'];

/** Whether conditions name a field only alerts hold: then no raw event can match them, only attributed alerts. */
export function namesAlertOnlyField(conditions: readonly Pick<Condition, 'field'>[]): boolean {
  return conditions.some((c) => ALERT_ONLY_FIELD_PREFIXES.some((p) => c.field.trim().startsWith(p)));
}

/** The expiry `days` after `now`, as ISO-8601. */
export function expiryAfterDays(now: number, days: number): string {
  return new Date(now + days * 86_400_000).toISOString();
}

/** Whether a rule's query is an EQL sequence (Kibana's caveat applies: exceptions apply to every event of it). */
export function isSequenceRule(rule: { language: string | null; query: string }): boolean {
  return rule.language === 'eql' && /^\s*sequence\b/i.test(rule.query);
}
