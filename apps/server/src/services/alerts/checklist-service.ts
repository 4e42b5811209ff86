/** The triage checklist of an alert: steps from its rule's investigation guide, state from the store. */
import { buildChecklist, restatesConditions } from '@execwatch/rules';
import type { ChecklistGroupKind, ChecklistProgress, ChecklistResponse } from '@execwatch/api';
import type { ChecklistEntry, Doc, Store } from '../../store/ports';
import type { EffectiveRule } from '../rules/rule-definition';
import { strings } from '../detection/get-field';
import { ruleConditions, type FieldCondition } from './rule-conditions';

interface TemplateStep {
  id: string;
  text: string;
  fields: string[];
}
interface TemplateGroup {
  id: string;
  kind: ChecklistGroupKind;
  title: string;
  steps: TemplateStep[];
}

/** A rule's checklist steps and which of them must be done before closing as false/benign positive. */
export interface ChecklistTemplate {
  groups: TemplateGroup[];
  stepIds: string[];
  requiredIds: Set<string>;
  /** Steps that only restate the rule's match conditions, with those conditions. */
  autoSteps: Map<string, FieldCondition[]>;
}

const emptyTemplate: ChecklistTemplate = { groups: [], stepIds: [], requiredIds: new Set(), autoSteps: new Map() };

/** Evidence for an automatic step from an alert's fields; null when a value does not meet its condition. */
function evidenceOf(conditions: readonly FieldCondition[], doc: Doc): { field: string; condition: string; values: string[] }[] | null {
  const out: { field: string; condition: string; values: string[] }[] = [];
  for (const c of conditions) {
    const values = strings(doc, c.field);
    if (!c.test(values)) return null;
    out.push({ field: c.field, condition: c.text, values: values.slice(0, 20) });
  }
  return out;
}

/** Checklist templates per rule (cached) and per-alert checklist state. */
export class ChecklistService {
  private readonly cache = new Map<string, { note: string; query: string; groups: TemplateGroup[]; autoSteps: Map<string, FieldCondition[]> }>();

  constructor(private readonly store: Store) {}

  /** The rule's checklist template (parsed once per guide text). */
  template(rule: EffectiveRule | null): ChecklistTemplate {
    if (!rule?.note) return emptyTemplate;
    let cached = this.cache.get(rule.rule_id);
    if (!cached || cached.note !== rule.note || cached.query !== rule.query) {
      const groups = buildChecklist(rule.note).groups;
      const conditions = ruleConditions(rule.query, rule.language);
      const fields = new Set(conditions.map((c) => c.field));
      const autoSteps = new Map<string, FieldCondition[]>();
      for (const g of groups) {
        for (const s of g.steps) if (restatesConditions(s, fields)) autoSteps.set(s.id, conditions.filter((c) => s.fields.includes(c.field)));
      }
      cached = { note: rule.note, query: rule.query, groups, autoSteps };
      this.cache.set(rule.rule_id, cached);
    }
    const required = new Set(rule.required_steps);
    const requiredIds = new Set<string>();
    for (const g of cached.groups) {
      const wholeGroup = required.has(g.kind) || required.has(g.id);
      for (const s of g.steps) if (wholeGroup || required.has(s.id)) requiredIds.add(s.id);
    }
    return { groups: cached.groups, stepIds: cached.groups.flatMap((g) => g.steps.map((s) => s.id)), requiredIds, autoSteps: cached.autoSteps };
  }

  /**
   * The ids of the steps done: ticked ones and the automatic ones. Without the alert's document, an automatic step
   * counts as done: the rule writes an alert only for an event that met its conditions.
   */
  private doneSet(template: ChecklistTemplate, doneIds: Iterable<string>, doc?: Doc): Set<string> {
    const done = new Set(doneIds);
    for (const [id, conditions] of template.autoSteps) if (!doc || evidenceOf(conditions, doc)) done.add(id);
    return done;
  }

  /** Progress from the ids of the steps ticked (automatic steps count as done). */
  progress(template: ChecklistTemplate, doneIds: Iterable<string>, doc?: Doc): ChecklistProgress {
    const done = this.doneSet(template, doneIds, doc);
    let doneCount = 0;
    let requiredRemaining = 0;
    for (const id of template.stepIds) {
      if (done.has(id)) doneCount++;
      else if (template.requiredIds.has(id)) requiredRemaining++;
    }
    return { done: doneCount, total: template.stepIds.length, required_remaining: requiredRemaining };
  }

  /** Required steps not yet done (by id); automatic steps count as done. */
  missingRequired(template: ChecklistTemplate, doneIds: Iterable<string>, doc?: Doc): string[] {
    const done = this.doneSet(template, doneIds, doc);
    return [...template.requiredIds].filter((id) => !done.has(id));
  }

  /** The text of each step id (for messages that name steps as the analyst sees them). */
  stepTexts(template: ChecklistTemplate, ids: readonly string[]): string[] {
    const byId = new Map(template.groups.flatMap((g) => g.steps.map((s) => [s.id, s.text] as const)));
    return ids.map((id) => byId.get(id) ?? id);
  }

  /** The full checklist of one alert with the alert's values for the fields each step names. */
  async forAlert(alertId: string, doc: Doc, rule: EffectiveRule | null): Promise<ChecklistResponse> {
    const template = this.template(rule);
    const entries = new Map<string, ChecklistEntry>((await this.store.checklists.list(alertId)).map((e) => [e.step_id, e]));
    const groups = template.groups.map((g) => ({
      id: g.id,
      kind: g.kind,
      title: g.title,
      steps: g.steps.map((s) => {
        const e = entries.get(s.id);
        const auto = template.autoSteps.get(s.id);
        const evidence = auto ? evidenceOf(auto, doc) : null;
        const ticked = e?.done ?? false;
        const done = ticked || evidence !== null;
        return {
          id: s.id,
          text: s.text,
          required: template.requiredIds.has(s.id),
          fields: s.fields.map((field) => ({ field, values: strings(doc, field).slice(0, 20) })),
          done,
          done_by: ticked ? (e?.by ?? null) : null,
          done_at: ticked && e ? new Date(e.at).toISOString() : null,
          note: e?.note ?? null,
          auto_checked: evidence !== null,
          evidence: evidence ?? [],
        };
      }),
    }));
    const doneIds = [...entries.values()].filter((e) => e.done).map((e) => e.step_id);
    return { groups, progress: this.progress(template, doneIds, doc) };
  }
}
