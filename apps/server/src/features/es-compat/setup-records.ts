/**
 * What shippers set up on connect (Filebeat: index templates, ILM policies, ingest pipelines), recorded so that
 * the next check finds it as a cluster would. Only a summary of each is kept (names, patterns, counts, when):
 * nothing of it is applied (events are stored as they arrive), and no client-sent content is stored whole.
 */
import { z } from 'zod';
import type { AuditInput } from '../../http/context';
import type { SettingsStore } from '../../store/ports';
import { ElasticsearchError } from './es-errors';
import { wildcardMatches } from './names';

/** Each kind keeps at most this many names; one more is refused (400). */
export const MAX_RECORDS_PER_KIND = 100;

export const templateSummarySchema = z.object({
  index_patterns: z.array(z.string()),
  priority: z.number().nullable(),
  composed_of: z.array(z.string()),
  data_stream: z.boolean(),
  version: z.number().nullable(),
});
export const policySummarySchema = z.object({ phases: z.array(z.string()) });
export const pipelineSummarySchema = z.object({ description: z.string().nullable(), processors: z.number().int().nonnegative(), version: z.number().nullable() });

export type TemplateSummary = z.infer<typeof templateSummarySchema>;
export type PolicySummary = z.infer<typeof policySummarySchema>;
export type PipelineSummary = z.infer<typeof pipelineSummarySchema>;

/** A summary as recorded: how many times it changed (as ILM counts `version`) and when it last did. */
export type Recorded<T> = T & { revision: number; modified_at: string };

export interface SetupKind<T> {
  /** Settings key holding the kind's records. */
  key: string;
  /** What the audit log and messages call one. */
  noun: string;
  audit: string;
  schema: z.ZodType<T>;
}

export const INDEX_TEMPLATES: SetupKind<TemplateSummary> = { key: 'es_compat.index_templates', noun: 'index template', audit: 'es_compat.index_template.put', schema: templateSummarySchema };
export const ILM_POLICIES: SetupKind<PolicySummary> = { key: 'es_compat.ilm_policies', noun: 'lifecycle policy', audit: 'es_compat.ilm_policy.put', schema: policySummarySchema };
export const INGEST_PIPELINES: SetupKind<PipelineSummary> = { key: 'es_compat.ingest_pipelines', noun: 'ingest pipeline', audit: 'es_compat.ingest_pipeline.put', schema: pipelineSummarySchema };

const recordMeta = z.object({ revision: z.number().int().positive(), modified_at: z.string() });

/** The records of every kind in one store's settings; writes of one process are serialised. */
export function setupRecords(settings: SettingsStore, now: () => number) {
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <R>(work: () => Promise<R>): Promise<R> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  async function readAll<T>(kind: SetupKind<T>): Promise<Map<string, Recorded<T>>> {
    const raw = await settings.get<unknown>(kind.key);
    const out = new Map<string, Recorded<T>>();
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
    for (const [name, value] of Object.entries(raw)) {
      const summary = kind.schema.safeParse(value);
      const meta = recordMeta.safeParse(value);
      // a record this version cannot read is left out (and replaced by the next PUT of its name)
      if (summary.success && meta.success) out.set(name, { ...summary.data, ...meta.data });
    }
    return out;
  }

  return {
    /** The records whose names match `pattern` (`*` wildcards, comma-separated), by name. */
    async find<T>(kind: SetupKind<T>, pattern: string): Promise<[string, Recorded<T>][]> {
      const all = await readAll(kind);
      const wanted = pattern.split(',');
      return [...all.entries()].filter(([name]) => wanted.some((w) => wildcardMatches(w, name))).sort(([a], [b]) => a.localeCompare(b));
    },

    /**
     * Records `summary` under `name` (refusing an existing name when `create`), with an audit event when it changed:
     * shippers put the same things at every start, and those repeat nothing.
     */
    put<T>(kind: SetupKind<T>, name: string, summary: T, opts: { create: boolean; audit(event: AuditInput): Promise<void> }): Promise<Recorded<T>> {
      return serialised(async () => {
        const all = await readAll(kind);
        const before = all.get(name);
        if (before && opts.create) throw new ElasticsearchError(400, 'illegal_argument_exception', `${kind.noun} [${name}] already exists`);
        if (!before && all.size >= MAX_RECORDS_PER_KIND) {
          throw new ElasticsearchError(400, 'illegal_argument_exception', `Execwatch records at most [${MAX_RECORDS_PER_KIND}] of kind [${kind.noun}]; [${name}] was not recorded`);
        }
        // compared as the schema reads them (its key order, without the record's own fields)
        if (before && JSON.stringify(kind.schema.parse(before)) === JSON.stringify(kind.schema.parse(summary))) return before;
        const recorded: Recorded<T> = { ...summary, revision: (before?.revision ?? 0) + 1, modified_at: new Date(now()).toISOString() };
        all.set(name, recorded);
        await settings.set(kind.key, Object.fromEntries(all));
        await opts.audit({ action: kind.audit, target: { type: kind.noun.replace(/ /g, '_'), id: name }, before: before ?? null, after: recorded });
        return recorded;
      });
    },
  };
}

export type SetupRecords = ReturnType<typeof setupRecords>;
