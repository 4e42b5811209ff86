/** The exception editor's form: its initial state, what stops it from saving, and the request bodies it becomes. */
import type { AlertDetail, ExceptionListItem } from '@execwatch/api';
import type { CreateExceptionItemInput } from './api/use-create-exception-item-mutation';
import type { UpdateExceptionItemInput } from './api/use-update-exception-item-mutation';
import {
  conditionProblem,
  conditionToEntry,
  entryToCondition,
  exceptionTemplates,
  expiryAfterDays,
  templateConditions,
  templateName,
  type Condition,
  type TemplateId,
} from './exception-conditions';

export interface ExceptionFormState {
  template: TemplateId | null;
  name: string;
  description: string;
  conditions: Condition[];
  /** The first comment of a new item; a comment appended on edit. */
  comment: string;
  /** Empty: the creating user. */
  owner: string;
  noExpiry: boolean;
  expiryDays: string;
  /** Whether the expiry was changed while editing (untouched, an edit keeps the stored one). */
  expiryTouched: boolean;
}

const DAY = 86_400_000;

/** The starting form: from an item being edited, else from the alert (template "this alert"), else one empty row. */
export function initialFormState(opts: { alert?: AlertDetail; item?: ExceptionListItem; defaultExpiryDays: number; now: number; currentUser?: string }): ExceptionFormState {
  const { alert, item, defaultExpiryDays, now } = opts;
  if (item) {
    const conditions = item.entries.map(entryToCondition).filter((c): c is Condition => c !== null);
    const expires = item.expire_time ? Date.parse(item.expire_time) : null;
    return {
      template: null,
      name: item.name,
      description: item.description,
      conditions,
      comment: '',
      // An imported item without an owner gets the editing user, visibly, unless they change it.
      owner: typeof item.meta?.owner === 'string' && item.meta.owner !== '' ? item.meta.owner : (opts.currentUser ?? ''),
      noExpiry: expires === null,
      expiryDays: String(expires === null ? defaultExpiryDays : Math.max(1, Math.ceil((expires - now) / DAY))),
      expiryTouched: false,
    };
  }
  const base = { description: '', comment: '', owner: '', noExpiry: false, expiryDays: String(defaultExpiryDays), expiryTouched: false };
  if (alert) {
    const template = exceptionTemplates[0];
    return { ...base, template: template.id, name: `${template.name}: ${alert.entity.user_name ?? 'unknown user'} in ${alert.entity.namespace ?? 'unknown namespace'}`, conditions: templateConditions(template, alert) };
  }
  return { ...base, template: null, name: '', conditions: [{ field: '', operator: 'is', values: [] }] };
}

/** Switches to a template: its conditions from the alert, its name and its suggested expiry. */
export function applyTemplate(state: ExceptionFormState, id: TemplateId, defaultExpiryDays: number, alert?: AlertDetail): ExceptionFormState {
  const template = exceptionTemplates.find((t) => t.id === id);
  if (!template) return state;
  return {
    ...state,
    template: id,
    name: templateName(template, alert),
    conditions: templateConditions(template, alert),
    noExpiry: false,
    expiryDays: String(template.expiryDays ?? defaultExpiryDays),
    expiryTouched: true,
  };
}

/** Whether the item has conditions the editor cannot show (nested or value-list entries); editing would drop them. */
export function hasUneditableEntries(item: ExceptionListItem): boolean {
  return item.entries.some((e) => entryToCondition(e) === null);
}

/** Everything that stops the form from saving, as messages for the user. */
export function formProblems(state: ExceptionFormState, opts: { isNew: boolean; expiryMandatory: boolean }): string[] {
  const problems: string[] = [];
  if (state.name.trim() === '') problems.push('Give the exception a name.');
  if (state.conditions.length === 0) problems.push('Add at least one condition.');
  state.conditions.forEach((c, i) => {
    const p = conditionProblem(c);
    if (p) problems.push(`Condition ${i + 1}: ${p.toLowerCase()}.`);
  });
  if (opts.isNew && state.comment.trim() === '') problems.push('A justification is required: say why this is a false positive.');
  if (state.noExpiry && opts.expiryMandatory) problems.push('An expiry is required (admin setting).');
  const days = Number(state.expiryDays);
  if (!state.noExpiry && (!Number.isInteger(days) || days < 1 || days > 3650)) problems.push('The expiry must be 1 to 3650 days from now.');
  return problems;
}

/** The conditions as Kibana entries, or null while any is incomplete. */
export function completeEntries(conditions: Condition[]) {
  if (conditions.length === 0 || conditions.some((c) => conditionProblem(c) !== null)) return null;
  return conditions.map(conditionToEntry);
}

const ownerMeta = (state: ExceptionFormState) => (state.owner.trim() === '' ? undefined : { owner: state.owner.trim() });

/** `POST /api/exception_lists/items` body. */
export function toCreateBody(state: ExceptionFormState, listId: string, now: number): CreateExceptionItemInput {
  const meta = ownerMeta(state);
  return {
    list_id: listId,
    name: state.name.trim(),
    description: state.description.trim(),
    entries: state.conditions.map(conditionToEntry),
    comments: [{ comment: state.comment.trim() }],
    ...(state.noExpiry ? {} : { expire_time: expiryAfterDays(now, Number(state.expiryDays)) }),
    ...(meta ? { meta } : {}),
  };
}

/** `PUT /api/exception_lists/items` body: comments resent as they are (append-only) plus the new one. */
export function toUpdateBody(state: ExceptionFormState, item: ExceptionListItem, now: number): UpdateExceptionItemInput {
  const meta = { ...(item.meta ?? {}), ...(ownerMeta(state) ?? {}) };
  return {
    id: item.id,
    ...(item._version !== undefined ? { _version: item._version } : {}),
    name: state.name.trim(),
    description: state.description.trim(),
    entries: state.conditions.map(conditionToEntry),
    comments: [...item.comments.map((c) => ({ id: c.id, comment: c.comment })), ...(state.comment.trim() ? [{ comment: state.comment.trim() }] : [])],
    ...(state.expiryTouched ? { expire_time: state.noExpiry ? null : expiryAfterDays(now, Number(state.expiryDays)) } : {}),
    meta,
  };
}
