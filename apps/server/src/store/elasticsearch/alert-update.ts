import type { estypes } from '@elastic/elasticsearch';
import type { AlertPatch } from '../ports';

/**
 * Applies an AlertPatch to `ctx._source` (nested `kibana.alert.*`). Values come only from `params`;
 * the source text is constant, so Elasticsearch compiles and caches it once. Unchanged documents
 * become no-ops, so re-running a bulk update after conflicts touches only what is left.
 */
export const ALERT_PATCH_SCRIPT = `
Map src = ctx._source;
if (!(src.kibana instanceof Map)) { src.kibana = new HashMap(); }
if (!(src.kibana.alert instanceof Map)) { src.kibana.alert = new HashMap(); }
Map a = src.kibana.alert;
boolean changed = false;
if (params.status != null && a.workflow_status != params.status) {
  a.workflow_status = params.status;
  a.workflow_status_updated_at = params.at;
  a.workflow_user = params.user;
  changed = true;
}
if (params.set_reason && a.workflow_reason != params.reason) { a.workflow_reason = params.reason; changed = true; }
if (params.set_reason_text && a.workflow_reason_text != params.reason_text) { a.workflow_reason_text = params.reason_text; changed = true; }
for (String key : ['workflow_tags', 'workflow_assignee_ids']) {
  Map op = params.lists[key];
  List cur = new ArrayList();
  if (a[key] instanceof List) { cur.addAll(a[key]); } else if (a[key] != null) { cur.add(a[key]); }
  List next = op['set'] != null ? new ArrayList(op['set']) : new ArrayList(cur);
  for (def v : op['add']) { if (!next.contains(v)) { next.add(v); } }
  next.removeAll(op['remove']);
  if (!next.equals(cur)) { a[key] = next; changed = true; }
}
if (!changed) { ctx.op = 'noop'; }
`;

/** The script and params for a patch. */
export function alertPatchScript(patch: AlertPatch): estypes.Script {
  return {
    source: ALERT_PATCH_SCRIPT,
    lang: 'painless',
    params: {
      status: patch.status ?? null,
      set_reason: patch.reason !== undefined,
      reason: patch.reason ?? null,
      set_reason_text: patch.reason_text !== undefined,
      reason_text: patch.reason_text ?? null,
      user: patch.user,
      at: new Date(patch.at).toISOString(),
      lists: {
        workflow_tags: { set: patch.tags ?? null, add: patch.add_tags ?? [], remove: patch.remove_tags ?? [] },
        workflow_assignee_ids: { set: patch.assignees ?? null, add: patch.add_assignees ?? [], remove: patch.remove_assignees ?? [] },
      },
    },
  };
}

/**
 * Sets (or with null, removes) the values at dotted paths of `ctx._source`, creating parent objects: the same
 * as `setPaths` of the embedded store. The paths and values come from `params`; the source text is constant.
 */
export const SET_FIELDS_SCRIPT = `
for (def entry : params.fields.entrySet()) {
  String[] parts = entry.getKey().splitOnToken('.');
  Map node = ctx._source;
  for (int i = 0; i < parts.length - 1; i++) {
    if (!(node[parts[i]] instanceof Map)) { node[parts[i]] = new HashMap(); }
    node = node[parts[i]];
  }
  if (entry.getValue() == null) { node.remove(parts[parts.length - 1]); } else { node[parts[parts.length - 1]] = entry.getValue(); }
}
`.trim();

export function setFieldsScript(fields: Readonly<Record<string, unknown>>): estypes.Script {
  return { lang: 'painless', source: SET_FIELDS_SCRIPT, params: { fields } };
}
