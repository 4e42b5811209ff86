import { ECS_FIELD_TYPES } from './ecs-field-types';
import { checkWildcardPattern } from './wildcard';

export interface ValidationIssue {
  /** Where, e.g. `entries.1.value`. */
  path: string;
  message: string;
}

export interface ExceptionValidation {
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export interface ValidateOptions {
  now: number;
  /** Fields the rule's indices have; an entry on another field is a warning. */
  knownFields?: ReadonlySet<string>;
  /** Field -> Elasticsearch type; defaults to the ECS fields of Defend for Containers. */
  fieldTypes?: Readonly<Record<string, string>>;
}

const STRING_TYPES = new Set(['keyword', 'constant_keyword', 'wildcard', 'text', 'match_only_text', 'flattened']);
const OPERATORS = new Set(['included', 'excluded']);
const ENTRY_TYPES = new Set(['match', 'match_any', 'wildcard', 'exists', 'nested', 'list']);
const NESTED_SUB_TYPES = new Set(['match', 'match_any', 'exists']);

/** The ECS type of a field, including sub-fields of `object`/`flattened` fields (which are keywords). */
export function ecsFieldType(field: string, types: Readonly<Record<string, string>> = ECS_FIELD_TYPES): string | null {
  const direct = types[field];
  if (direct !== undefined) return direct;
  const parts = field.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const parentType = types[parts.slice(0, i).join('.')];
    if (parentType === 'object' || parentType === 'flattened') return 'keyword';
  }
  return null;
}

/**
 * Checks an exception item (as received, before schema parsing) for what Kibana users trip over:
 * empty `match_any`, unknown operators or entry types, value lists, a wildcard on a non-string field
 * or beyond the pattern cap (`checkWildcardPattern`), an expiry in the past, and (as a warning) fields
 * no rule index has.
 */
export function validateExceptionItem(item: unknown, opts: ValidateOptions): ExceptionValidation {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const types = opts.fieldTypes ?? ECS_FIELD_TYPES;
  if (!isRecord(item)) return { errors: [{ path: '', message: 'an exception item must be an object' }], warnings };

  const expire = item.expire_time;
  if (expire !== undefined && expire !== null) {
    const at = typeof expire === 'string' ? Date.parse(expire) : Number.NaN;
    if (Number.isNaN(at)) errors.push({ path: 'expire_time', message: 'expire_time must be an ISO-8601 date' });
    else if (at <= opts.now) errors.push({ path: 'expire_time', message: `expire_time ${expire} is in the past` });
  }

  const entries = item.entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    errors.push({ path: 'entries', message: 'an item needs at least one entry' });
    return { errors, warnings };
  }

  const checkField = (path: string, field: unknown): string | null => {
    if (typeof field !== 'string' || field.trim() === '') {
      errors.push({ path: `${path}.field`, message: 'field must be a non-empty string' });
      return null;
    }
    if (field !== field.trim()) {
      errors.push({ path: `${path}.field`, message: `field ${JSON.stringify(field)} starts or ends with a space; no field has that name` });
      return null;
    }
    if (opts.knownFields && !isKnownField(field, opts.knownFields, types)) {
      warnings.push({ path: `${path}.field`, message: `no index of the rule has the field ${field}; the entry will never match` });
    }
    return field;
  };

  const checkEntry = (entry: unknown, path: string, parent: string | null): void => {
    if (!isRecord(entry)) {
      errors.push({ path, message: 'an entry must be an object' });
      return;
    }
    const type = entry.type;
    if (typeof type !== 'string' || !ENTRY_TYPES.has(type)) {
      errors.push({ path: `${path}.type`, message: `unknown entry type ${JSON.stringify(type)} (match, match_any, wildcard, exists, nested)` });
      return;
    }
    if (type === 'list') {
      errors.push({ path, message: 'value lists are not supported' });
      return;
    }
    if (parent !== null && !NESTED_SUB_TYPES.has(type)) {
      errors.push({ path: `${path}.type`, message: `a nested entry may only hold match, match_any or exists entries, not ${type}` });
      return;
    }
    if (type === 'nested') {
      const field = checkField(path, entry.field);
      const sub = entry.entries;
      if (!Array.isArray(sub) || sub.length === 0) errors.push({ path: `${path}.entries`, message: 'a nested entry needs at least one entry' });
      else sub.forEach((s, i) => checkEntry(s, `${path}.entries.${i}`, field ?? ''));
      return;
    }
    const operator = entry.operator;
    if (typeof operator !== 'string' || !OPERATORS.has(operator)) {
      errors.push({ path: `${path}.operator`, message: `unknown operator ${JSON.stringify(operator)} (included or excluded)` });
    }
    const ci = entry.case_insensitive;
    if (ci !== undefined && typeof ci !== 'boolean') errors.push({ path: `${path}.case_insensitive`, message: 'case_insensitive must be a boolean' });
    const field = parent === null ? checkField(path, entry.field) : typeof entry.field === 'string' && entry.field !== '' ? `${parent}.${entry.field}` : checkField(path, entry.field);
    const value = entry.value;
    if (type === 'match' || type === 'wildcard') {
      if (typeof value !== 'string' || value.trim() === '') errors.push({ path: `${path}.value`, message: `a ${type} entry needs a non-empty string value` });
    }
    if (type === 'match_any') {
      if (!Array.isArray(value) || value.length === 0) errors.push({ path: `${path}.value`, message: 'match_any needs at least one value' });
      else if (value.some((v) => typeof v !== 'string' || v.trim() === '')) errors.push({ path: `${path}.value`, message: 'match_any values must be non-empty strings' });
    }
    if (type === 'wildcard' && field !== null) {
      const fieldType = ecsFieldType(field, types);
      if (fieldType !== null && !STRING_TYPES.has(fieldType)) {
        errors.push({ path: `${path}.field`, message: `wildcard needs a string field; ${field} is ${fieldType}` });
      }
      const refused = typeof value === 'string' ? checkWildcardPattern(value) : null;
      if (refused !== null) errors.push({ path: `${path}.value`, message: refused });
    }
  };

  entries.forEach((e, i) => checkEntry(e, `entries.${i}`, null));
  return { errors, warnings };
}

/** Known directly, or under a known `object`/`flattened` field (e.g. `container.labels.app`). */
function isKnownField(field: string, known: ReadonlySet<string>, types: Readonly<Record<string, string>>): boolean {
  if (known.has(field)) return true;
  const parts = field.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const parent = parts.slice(0, i).join('.');
    if (known.has(parent) && (types[parent] === 'object' || types[parent] === 'flattened')) return true;
  }
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
