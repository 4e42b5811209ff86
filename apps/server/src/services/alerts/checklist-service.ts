/** The triage checklist of an alert: steps from its rule's investigation guide, state from the store. */
import { buildChecklist } from '@execwatch/rules';
import type { ChecklistGroupKind, ChecklistProgress, ChecklistResponse } from '@execwatch/api';
import type { ChecklistEntry, Doc, Store } from '../../store/ports';
import type { EffectiveRule } from '../rules/rule-definition';
import { strings } from '../detection/get-field';

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
}

const emptyTemplate: ChecklistTemplate = { groups: [], stepIds: [], requiredIds: new Set() };

/** Checklist templates per rule (cached) and per-alert checklist state. */
export class ChecklistService {
  private readonly cache = new Map<string, { note: string; groups: TemplateGroup[] }>();

  constructor(private readonly store: Store) {}

  /** The rule's checklist template (parsed once per guide text). */
  template(rule: EffectiveRule | null): ChecklistTemplate {
    if (!rule?.note) return emptyTemplate;
    let cached = this.cache.get(rule.rule_id);
    if (!cached || cached.note !== rule.note) {
      cached = { note: rule.note, groups: buildChecklist(rule.note).groups };
      this.cache.set(rule.rule_id, cached);
    }
    const required = new Set(rule.required_steps);
    const requiredIds = new Set<string>();
    for (const g of cached.groups) {
      const wholeGroup = required.has(g.kind) || required.has(g.id);
      for (const s of g.steps) if (wholeGroup || required.has(s.id)) requiredIds.add(s.id);
    }
    return { groups: cached.groups, stepIds: cached.groups.flatMap((g) => g.steps.map((s) => s.id)), requiredIds };
  }

  /** Progress from the ids of the steps done. */
  progress(template: ChecklistTemplate, doneIds: Iterable<string>): ChecklistProgress {
    const done = new Set(doneIds);
    let doneCount = 0;
    let requiredRemaining = 0;
    for (const id of template.stepIds) {
      if (done.has(id)) doneCount++;
      else if (template.requiredIds.has(id)) requiredRemaining++;
    }
    return { done: doneCount, total: template.stepIds.length, required_remaining: requiredRemaining };
  }

  /** Required steps not yet done (by id). */
  missingRequired(template: ChecklistTemplate, doneIds: Iterable<string>): string[] {
    const done = new Set(doneIds);
    return [...template.requiredIds].filter((id) => !done.has(id));
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
        const done = e?.done ?? false;
        return {
          id: s.id,
          text: s.text,
          required: template.requiredIds.has(s.id),
          fields: s.fields.map((field) => ({ field, values: strings(doc, field).slice(0, 20) })),
          done,
          done_by: done ? (e?.by ?? null) : null,
          done_at: done && e ? new Date(e.at).toISOString() : null,
          note: e?.note ?? null,
        };
      }),
    }));
    const doneIds = [...entries.values()].filter((e) => e.done).map((e) => e.step_id);
    return { groups, progress: this.progress(template, doneIds) };
  }
}
