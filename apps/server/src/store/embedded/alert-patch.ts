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

/** SQL that edits a JSON array column: replace, then remove, then append missing values (order kept). */
function listEditSql(column: string, replace?: string[], add?: string[], remove?: string[]): { sql: string; params: string[] } | null {
  if (replace === undefined && add === undefined && remove === undefined) return null;
  const baseSql = replace === undefined ? column : 'json(?)';
  const baseParams = replace === undefined ? [] : [JSON.stringify([...new Set(replace)])];
  const rm = JSON.stringify(remove ?? []);
  const addList = JSON.stringify([...new Set(add ?? [])]);
  return {
    sql: `(SELECT json_group_array(value) FROM (
      SELECT value FROM (SELECT DISTINCT value FROM json_each(${baseSql})) WHERE value NOT IN (SELECT value FROM json_each(?))
      UNION ALL
      SELECT value FROM json_each(?) WHERE value NOT IN (SELECT value FROM json_each(${baseSql})) AND value NOT IN (SELECT value FROM json_each(?))))`,
    params: [...baseParams, rm, addList, ...baseParams, rm],
  };
}

/**
 * The same patch as applyAlertPatch, as an UPDATE's SET clause over the `alerts` table, so bulk
 * updates (by filter: any number of alerts) run as one statement without parsing documents in JS.
 * Documents are written nested (`kibana.alert.*` objects), as the detection engine stores them.
 */
export function alertPatchSql(patch: AlertPatch): { sql: string; params: (string | null)[] } {
  const at = new Date(patch.at).toISOString();
  const docSets: string[] = [];
  const docParams: (string | null)[] = [];
  const cols: string[] = [];
  const colParams: (string | null)[] = [];
  const setDoc = (field: string, valueSql: string, params: (string | null)[]) => {
    docSets.push(`'$.${field}', ${valueSql}`);
    docParams.push(...params);
  };
  if (patch.status !== undefined) {
    setDoc('kibana.alert.workflow_status', '?', [patch.status]);
    setDoc('kibana.alert.workflow_user', '?', [patch.user]);
    setDoc('kibana.alert.workflow_status_updated_at', '?', [at]);
    cols.push('status = ?');
    colParams.push(patch.status);
    if (patch.status !== 'closed' && patch.reason === undefined) {
      setDoc('kibana.alert.workflow_reason', 'NULL', []);
      setDoc('kibana.alert.workflow_reason_text', 'NULL', []);
    }
  }
  if (patch.reason !== undefined) setDoc('kibana.alert.workflow_reason', '?', [patch.reason]);
  if (patch.reason_text !== undefined) setDoc('kibana.alert.workflow_reason_text', '?', [patch.reason_text]);
  const assignees = listEditSql('assignees', patch.assignees, patch.add_assignees, patch.remove_assignees);
  if (assignees) {
    setDoc('kibana.alert.workflow_assignee_ids', `json(${assignees.sql})`, assignees.params);
    cols.push(`assignees = ${assignees.sql}`);
    colParams.push(...assignees.params);
  }
  const tags = listEditSql('tags', patch.tags, patch.add_tags, patch.remove_tags);
  if (tags) {
    setDoc('kibana.alert.workflow_tags', `json(${tags.sql})`, tags.params);
    cols.push(`tags = ${tags.sql}`);
    colParams.push(...tags.params);
  }
  setDoc('kibana.alert.workflow_updated_at', '?', [at]);
  // list_doc (the list's summary of doc, NULL when absent) gets the same edits.
  return {
    sql: [`doc = json_set(doc, ${docSets.join(', ')})`, `list_doc = json_set(list_doc, ${docSets.join(', ')})`, ...cols].join(', '),
    params: [...docParams, ...docParams, ...colParams],
  };
}
