import type { EntryMatch, ExceptionEntry } from '@execwatch/api';
import { compileFieldReader, stringValues } from './field-values';

export type ExceptionTemplateId = 'known_admin_account' | 'cicd_pipeline' | 'interactive_container' | 'maintenance_window';

/** A pre-filled exception for one of the investigation guide's false-positive cases. */
export interface ExceptionTemplate {
  id: ExceptionTemplateId;
  name: string;
  description: string;
  entries: ExceptionEntry[];
  /** ISO time, set by templates that bound the exception in time. */
  expire_time?: string;
  /** Fields the template wanted but the alert lacks (their entries are left out). */
  missing: string[];
}

export const TEMPLATE_FIELDS = {
  user: 'user.name',
  userId: 'user.id',
  namespace: 'orchestrator.namespace',
  cluster: 'orchestrator.cluster.name',
  image: 'container.image.name',
  label: 'orchestrator.resource.label',
} as const;

function firstValue(doc: unknown, field: string): string | null {
  return stringValues(compileFieldReader(field)(doc))[0] ?? null;
}

/** Builds included `match` entries for the fields the document has, noting the ones it lacks. */
function matchEntries(doc: unknown, fields: string[]): { entries: EntryMatch[]; missing: string[] } {
  const entries: EntryMatch[] = [];
  const missing: string[] = [];
  for (const field of fields) {
    const value = firstValue(doc, field);
    if (value === null || value === '') missing.push(field);
    else entries.push({ field, operator: 'included', type: 'match', value });
  }
  return { entries, missing };
}

/** Known admin account: the exec'ing user (by name, else id) in this namespace. */
export function knownAdminAccountTemplate(doc: unknown): ExceptionTemplate {
  const userField = firstValue(doc, TEMPLATE_FIELDS.user) !== null ? TEMPLATE_FIELDS.user : TEMPLATE_FIELDS.userId;
  const { entries, missing } = matchEntries(doc, [userField, TEMPLATE_FIELDS.namespace]);
  return {
    id: 'known_admin_account',
    name: 'Known admin account',
    description: 'A known administrator execs into containers of this namespace for maintenance or debugging.',
    entries,
    missing,
  };
}

/** CI/CD pipeline: this namespace plus the pipeline's image, a pod label, or its service account. */
export function cicdPipelineTemplate(doc: unknown, by: 'image' | 'label' | 'service_account' = 'image'): ExceptionTemplate {
  const second = by === 'image' ? TEMPLATE_FIELDS.image : by === 'label' ? TEMPLATE_FIELDS.label : TEMPLATE_FIELDS.user;
  const { entries, missing } = matchEntries(doc, [TEMPLATE_FIELDS.namespace, second]);
  return {
    id: 'cicd_pipeline',
    name: 'CI/CD pipeline',
    description: `A CI/CD pipeline execs into containers of this namespace (identified by ${by.replace('_', ' ')}).`,
    entries,
    missing,
  };
}

/** Container that needs interactive access: its image in this namespace. */
export function interactiveContainerTemplate(doc: unknown): ExceptionTemplate {
  const { entries, missing } = matchEntries(doc, [TEMPLATE_FIELDS.image, TEMPLATE_FIELDS.namespace]);
  return {
    id: 'interactive_container',
    name: 'Container needing interactive access',
    description: 'Containers of this image in this namespace are expected to be accessed interactively.',
    entries,
    missing,
  };
}

/** Maintenance window: this cluster and namespace, until `until` (epoch ms). */
export function maintenanceWindowTemplate(doc: unknown, until: number): ExceptionTemplate {
  const { entries, missing } = matchEntries(doc, [TEMPLATE_FIELDS.cluster, TEMPLATE_FIELDS.namespace]);
  return {
    id: 'maintenance_window',
    name: 'Maintenance window',
    description: 'Interactive access expected during a maintenance window; the exception expires with it.',
    entries,
    expire_time: new Date(until).toISOString(),
    missing,
  };
}
