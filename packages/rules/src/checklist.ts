import { createHash } from 'node:crypto';

export type ChecklistKind = 'investigation' | 'false_positive' | 'response';

export interface GuideStep {
  /** Stable across restarts and rule reloads: kind + a hash of the step's text. */
  id: string;
  text: string;
  /** ECS fields the step names, or that answer what it asks about. */
  fields: string[];
}

export interface GuideGroup {
  id: string;
  kind: ChecklistKind;
  title: string;
  steps: GuideStep[];
}

export interface GuideChecklist {
  groups: GuideGroup[];
}

const SECTIONS: { kind: ChecklistKind; heading: RegExp }[] = [
  { kind: 'investigation', heading: /^possible investigation steps$/i },
  { kind: 'false_positive', heading: /^false positive analysis$/i },
  { kind: 'response', heading: /^response and remediation$/i },
];

const ECS_ROOTS = new Set([
  'agent', 'cloud', 'container', 'data_stream', 'destination', 'dns', 'event', 'file', 'group', 'host', 'kubernetes',
  'network', 'orchestrator', 'process', 'server', 'service', 'source', 'url', 'user', 'cloud_defend',
]);

/** Concepts a step names in words, and the fields that answer them. */
const CONCEPT_FIELDS: { pattern: RegExp; fields: string[] }[] = [
  { pattern: /\b(user|service account|administrator account|admin account|user accounts?)\b/i, fields: ['user.id', 'user.name', 'orchestrator.resource.name'] },
  { pattern: /\b(deployments?|recent changes|changes or deployments)\b/i, fields: ['orchestrator.resource.name', 'orchestrator.resource.type', 'orchestrator.resource.parent.type', 'orchestrator.resource.label', 'orchestrator.resource.annotation'] },
  { pattern: /\bsubsequent (actions|commands)\b/i, fields: ['process.entry_leader.entity_id'] },
];

/** Default required steps: the whole investigation group. */
export const DEFAULT_REQUIRED_KINDS: readonly ChecklistKind[] = ['investigation'];

/**
 * Turns an investigation guide (the rule's `note`, markdown) into checklist groups: its "Possible
 * investigation steps", "False positive analysis" and "Response and remediation" sections, one step
 * per `- ` bullet (continuation lines joined).
 */
export function buildChecklist(note: string): GuideChecklist {
  const groups: GuideGroup[] = [];
  let current: GuideGroup | null = null;
  let step: string[] | null = null;
  const flush = () => {
    if (current && step) {
      const text = step.join(' ').replace(/\s+/g, ' ').trim();
      if (text) current.steps.push(makeStep(current.kind, text, current.steps));
    }
    step = null;
  };
  for (const raw of note.split(/\r?\n/)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      flush();
      const section = SECTIONS.find((s) => s.heading.test(heading[1].trim()));
      current = section ? { id: section.kind, kind: section.kind, title: heading[1].trim(), steps: [] } : null;
      if (current) groups.push(current);
      continue;
    }
    if (!current) continue;
    const bullet = /^\s{0,3}[-*+]\s+(.*)$/.exec(raw);
    if (bullet) {
      flush();
      step = [bullet[1]];
    } else if (step && raw.trim() !== '') {
      step.push(raw.trim());
    } else if (raw.trim() === '') {
      flush();
    }
  }
  flush();
  return { groups: groups.filter((g) => g.steps.length > 0) };
}

function makeStep(kind: ChecklistKind, text: string, siblings: GuideStep[]): GuideStep {
  const base = `${kind}-${createHash('sha256').update(text).digest('hex').slice(0, 10)}`;
  // The same sentence twice in one section keeps distinct ids, still stable across restarts.
  let id = base;
  for (let n = 2; siblings.some((s) => s.id === id); n++) id = `${base}-${n}`;
  return { id, text, fields: stepFields(text) };
}

/** Fields a step's text names (dotted ECS names) plus the fields of concepts it names in words. */
export function stepFields(text: string): string[] {
  const fields = new Set<string>();
  for (const m of text.matchAll(/\b[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+\b/g)) {
    const name = m[0];
    if (ECS_ROOTS.has(name.split('.')[0]) && !/\.(com|io|org|log|sh|json|yaml|yml)$/.test(name)) fields.add(name);
  }
  for (const { pattern, fields: conceptFields } of CONCEPT_FIELDS) {
    if (pattern.test(text)) for (const f of conceptFields) fields.add(f);
  }
  return [...fields];
}

/**
 * Whether a step only restates the rule's own match conditions: it names at least one field, and every field it
 * names is one the rule's query requires a value of. Such a step is answered by the alert's own fields.
 */
export function restatesConditions(step: Pick<GuideStep, 'fields'>, conditionFields: ReadonlySet<string>): boolean {
  return step.fields.length > 0 && step.fields.every((f) => conditionFields.has(f));
}
