import type { AlertPatch, Doc } from '../ports';
import { getField } from './field-path';

/** Sets a dotted field on a nested document (a flattened key already holding it is updated in place). */
function setField(doc: Doc, field: string, value: unknown): void {
  if (field in doc) {
    doc[field] = value;
    return;
  }
  const parts = field.split('.');
  let node: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string; // i < length
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Doc = {};
      node[key] = created;
      node = created;
    } else {
      node = next as Doc; // checked: a non-array object
    }
  }
  node[parts[parts.length - 1] as string] = value; // parts is never empty
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Applies a triage patch to an alert document (Kibana's `kibana.alert.workflow_*` fields); returns the same object. */
export function applyAlertPatch(doc: Doc, patch: AlertPatch): Doc {
  const at = new Date(patch.at).toISOString();
  if (patch.status !== undefined) {
    setField(doc, 'kibana.alert.workflow_status', patch.status);
    setField(doc, 'kibana.alert.workflow_user', patch.user);
    setField(doc, 'kibana.alert.workflow_status_updated_at', at);
    if (patch.status !== 'closed' && patch.reason === undefined) {
      setField(doc, 'kibana.alert.workflow_reason', null);
      setField(doc, 'kibana.alert.workflow_reason_text', null);
    }
  }
  if (patch.reason !== undefined) setField(doc, 'kibana.alert.workflow_reason', patch.reason);
  if (patch.reason_text !== undefined) setField(doc, 'kibana.alert.workflow_reason_text', patch.reason_text);
  const editList = (field: string, replace?: string[], add?: string[], remove?: string[]) => {
    if (replace === undefined && add === undefined && remove === undefined) return;
    let values = replace ?? list(getField(doc, field));
    if (add) values = [...values, ...add.filter((a) => !values.includes(a))];
    if (remove) values = values.filter((v) => !remove.includes(v));
    setField(doc, field, [...new Set(values)]);
  };
  editList('kibana.alert.workflow_assignee_ids', patch.assignees, patch.add_assignees, patch.remove_assignees);
  editList('kibana.alert.workflow_tags', patch.tags, patch.add_tags, patch.remove_tags);
  setField(doc, 'kibana.alert.workflow_updated_at', at);
  return doc;
}
