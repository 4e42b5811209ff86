import type { Client, estypes } from '@elastic/elasticsearch';
import type { Logger } from '../../log';
import { isNotFound, withRetry, type RetryPolicy } from './retry';

/** Bumped whenever a template or mapping below changes; installs compare it with `_meta.version`. */
export const TEMPLATE_VERSION = 1;

/** Names of Execwatch's own indices for one space. */
export interface IndexNames {
  alerts: string;
  exceptions: string;
  executions: string;
  rules: string;
  users: string;
  audit: string;
  settings: string;
  checklists: string;
  notes: string;
  notifications: string;
}

const spacePattern = /^[a-z0-9][a-z0-9_-]{0,99}$/;
const prefixPattern = /^[a-z0-9][a-z0-9_.-]{0,49}$/;

/**
 * Index names for a space (`execwatch-alerts-<space>` and the shared state indices).
 * `prefix` exists so test runs on a shared cluster do not touch a real installation.
 */
export function indexNames(space: string, prefix = 'execwatch'): IndexNames {
  if (!spacePattern.test(space)) throw new Error(`invalid space "${space}": lowercase letters, digits, _ and - only`);
  if (!prefixPattern.test(prefix)) throw new Error(`invalid index prefix "${prefix}"`);
  return {
    alerts: `${prefix}-alerts-${space}`,
    exceptions: `${prefix}-exceptions`,
    executions: `${prefix}-executions`,
    rules: `${prefix}-rules`,
    users: `${prefix}-users`,
    audit: `${prefix}-audit`,
    settings: `${prefix}-settings`,
    checklists: `${prefix}-checklists`,
    notes: `${prefix}-notes`,
    notifications: `${prefix}-notifications`,
  };
}

const keyword: estypes.MappingProperty = { type: 'keyword', ignore_above: 1024 };
const date: estypes.MappingProperty = { type: 'date' };
/** The record as the port gave it, stored verbatim and not indexed (queries use the key fields beside it). */
const body: estypes.MappingProperty = { type: 'object', enabled: false };
/** Free-text target of the alert list's bare words (filled by copy_to; not in `_source`). */
export const ALERT_TEXT_FIELD = 'execwatch_text';
const searchable: estypes.MappingProperty = { type: 'keyword', ignore_above: 1024, copy_to: [ALERT_TEXT_FIELD] };

const severityRankScript = `
if (doc.containsKey('kibana.alert.severity') && doc['kibana.alert.severity'].size() > 0) {
  String s = doc['kibana.alert.severity'].value;
  if (s == 'low') { emit(1L); } else if (s == 'medium') { emit(2L); } else if (s == 'high') { emit(3L); } else if (s == 'critical') { emit(4L); }
}`;
const userScript = `
if (doc['user.name'].size() > 0) { emit(doc['user.name'].value); }
else if (doc['process.user.name'].size() > 0) { emit(doc['process.user.name'].value); }`;
const imageScript = `
if (doc['container.image.name'].size() > 0) {
  String n = doc['container.image.name'].value;
  if (doc['container.image.tag'].size() > 0) { emit(n + ':' + doc['container.image.tag'].value); } else { emit(n); }
}`;

/** Runtime fields the list sorts, filters and groups on, so stored documents stay exactly as written. */
export const ALERT_RUNTIME_FIELDS = {
  severityRank: 'execwatch.severity_rank',
  user: 'execwatch.user',
  image: 'execwatch.image',
} as const;

/** Mapping of `execwatch-alerts-*`: Kibana's alert fields typed, ECS source strings as keywords. */
export function alertsMapping(): estypes.MappingTypeMapping {
  return {
    _meta: { version: TEMPLATE_VERSION, managed_by: 'execwatch' },
    dynamic: true,
    date_detection: false,
    dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } }],
    runtime: {
      [ALERT_RUNTIME_FIELDS.severityRank]: { type: 'long', script: { source: severityRankScript } },
      [ALERT_RUNTIME_FIELDS.user]: { type: 'keyword', script: { source: userScript } },
      [ALERT_RUNTIME_FIELDS.image]: { type: 'keyword', script: { source: imageScript } },
    },
    properties: {
      '@timestamp': date,
      [ALERT_TEXT_FIELD]: { type: 'text' },
      event: { properties: { ingested: date, created: date, start: date, end: date } },
      process: {
        properties: {
          start: date,
          end: date,
          command_line: searchable,
          user: { properties: { name: searchable, id: keyword } },
          entry_leader: { properties: { entity_id: keyword, start: date } },
          parent: { properties: { start: date } },
          session_leader: { properties: { start: date } },
          group_leader: { properties: { start: date } },
        },
      },
      user: { properties: { name: searchable, id: keyword } },
      host: { properties: { name: searchable } },
      container: { properties: { id: searchable, image: { properties: { name: searchable, tag: keyword } } } },
      orchestrator: {
        properties: {
          namespace: searchable,
          cluster: { properties: { name: searchable } },
          resource: { properties: { name: searchable } },
        },
      },
      kibana: {
        properties: {
          alert: {
            properties: {
              uuid: keyword,
              status: keyword,
              workflow_status: keyword,
              workflow_reason: keyword,
              workflow_reason_text: { type: 'text' },
              workflow_user: keyword,
              workflow_status_updated_at: date,
              workflow_assignee_ids: keyword,
              workflow_tags: keyword,
              original_time: date,
              reason: { type: 'text', copy_to: [ALERT_TEXT_FIELD] },
              severity: keyword,
              risk_score: { type: 'float' },
              depth: { type: 'long' },
              // The source event's original fields: kept, not indexed (they duplicate the top level).
              original_event: { type: 'object', enabled: false },
              ancestors: { type: 'object', enabled: false },
              rule: {
                properties: {
                  uuid: keyword,
                  rule_id: keyword,
                  name: { type: 'keyword', ignore_above: 1024, copy_to: [ALERT_TEXT_FIELD] },
                },
              },
            },
          },
        },
      },
    },
  };
}

/** Mappings of the state indices: a few key fields for queries plus the record itself in `body`. */
export function stateMappings(): Record<Exclude<keyof IndexNames, 'alerts'>, estypes.MappingTypeMapping> {
  const meta = { version: TEMPLATE_VERSION, managed_by: 'execwatch' };
  const base = (properties: Record<string, estypes.MappingProperty>): estypes.MappingTypeMapping => ({
    _meta: meta,
    dynamic: 'strict',
    properties: { type: keyword, body, ...properties },
  });
  return {
    exceptions: base({
      id: keyword,
      list_id: keyword,
      item_id: keyword,
      name: { type: 'text', fields: { raw: keyword } },
      description: { type: 'text' },
      tags: keyword,
      created_at: date,
      hits: { type: 'long' },
      last_hit_at: date,
    }),
    executions: base({ id: keyword, rule_id: keyword, status: keyword, started_at: date }),
    rules: base({ rule_id: keyword, owner: keyword, until: date }),
    users: base({ username: keyword, id: keyword, key: keyword, at: date, expires_at: date }),
    audit: base({ id: keyword, '@timestamp': date, user: keyword, action: keyword, outcome: keyword }),
    settings: base({ key: keyword }),
    checklists: base({ alert_id: keyword, step_id: keyword, done: { type: 'boolean' }, at: date }),
    notes: base({ id: keyword, alert_id: keyword, created_at: date }),
    notifications: base({ id: keyword, recipient: keyword, unread: { type: 'boolean' }, created_at: date }),
  };
}

/** The composable index templates Execwatch installs, by template name. */
export function indexTemplates(names: IndexNames, prefix = 'execwatch'): Record<string, estypes.IndicesPutIndexTemplateRequest> {
  const templates: Record<string, estypes.IndicesPutIndexTemplateRequest> = {
    [`${prefix}-alerts`]: {
      name: `${prefix}-alerts`,
      index_patterns: [`${prefix}-alerts-*`],
      priority: 200,
      version: TEMPLATE_VERSION,
      _meta: { version: TEMPLATE_VERSION, managed_by: 'execwatch' },
      // Deep pages of the alert list (size up to 1000, page up to 100k) need a larger window than the default 10k.
      template: { settings: { number_of_shards: 1, 'index.max_result_window': 200_000 }, mappings: alertsMapping() },
    },
  };
  const mappings = stateMappings();
  for (const key of Object.keys(mappings) as (keyof typeof mappings)[]) { // Object.keys loses the key type
    const index = names[key];
    templates[index] = {
      name: index,
      index_patterns: [index],
      priority: 200,
      version: TEMPLATE_VERSION,
      _meta: { version: TEMPLATE_VERSION, managed_by: 'execwatch' },
      template: { settings: { number_of_shards: 1, 'index.max_result_window': 200_000 }, mappings: mappings[key] },
    };
  }
  return templates;
}

/**
 * Installs the templates and creates the indices; idempotent: a template whose `_meta.version` is
 * already current is left alone, an older one is replaced and existing indices get the new mapping.
 */
export async function installIndices(client: Client, names: IndexNames, prefix: string, retry: RetryPolicy, log: Logger): Promise<void> {
  const templates = indexTemplates(names, prefix);
  for (const [name, template] of Object.entries(templates)) {
    const installed = await withRetry('get index template', () => getTemplateVersion(client, name), retry, log);
    if (installed !== null && installed >= TEMPLATE_VERSION) continue;
    await withRetry('put index template', () => client.indices.putIndexTemplate(template), retry, log);
    log.info('installed index template', { template: name, version: TEMPLATE_VERSION, previous: installed });
  }
  for (const index of Object.values(names)) {
    await withRetry('create index', () => ensureIndex(client, index, index === names.alerts ? alertsMapping() : null, log), retry, log);
  }
}

async function getTemplateVersion(client: Client, name: string): Promise<number | null> {
  try {
    const res = await client.indices.getIndexTemplate({ name });
    const found = res.index_templates.find((t) => t.name === name);
    const version = found?.index_template._meta?.version;
    return typeof version === 'number' ? version : null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

async function ensureIndex(client: Client, index: string, mapping: estypes.MappingTypeMapping | null, log: Logger): Promise<void> {
  const exists = await client.indices.exists({ index });
  if (!exists) {
    try {
      await client.indices.create({ index });
    } catch (err) {
      // Another instance created it first.
      if (!isAlreadyExists(err)) throw err;
    }
    return;
  }
  const current = await client.indices.getMapping({ index });
  const version = Object.values(current)[0]?.mappings._meta?.version;
  if (typeof version === 'number' && version >= TEMPLATE_VERSION) return;
  const fresh = mapping ?? stateMappings()[stateKeyOf(index)];
  if (!fresh) return;
  await client.indices.putMapping({ index, _meta: fresh._meta, properties: fresh.properties, runtime: fresh.runtime });
  log.info('updated index mapping', { index, version: TEMPLATE_VERSION });
}

function stateKeyOf(index: string): Exclude<keyof IndexNames, 'alerts'> {
  const suffix = index.slice(index.lastIndexOf('-') + 1);
  return suffix as Exclude<keyof IndexNames, 'alerts'>; // index names end with their key (see indexNames)
}

function isAlreadyExists(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('body' in err)) return false;
  const body = (err as { body?: { error?: { type?: string } } }).body; // a client ResponseError carries the parsed body
  return body?.error?.type === 'resource_already_exists_exception';
}
