import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../../log';
import type { Store } from '../ports';
import { createAlertStore } from './alerts';
import { createEsClient, type CompatibilityVersion } from './client';
import type { EsContext } from './context';
import { createEventStore } from './events';
import { createKubeAuditStore } from './kube-audit';
import { createExceptionStore } from './exceptions';
import { indexNames, installIndices } from './indices';
import { createAuditLog, createChecklistStore, createExecutionLog, createNoteStore, createSettingsStore } from './records';
import { defaultRetryPolicy, describeEsError, type RetryPolicy } from './retry';
import { createEsRetention } from './retention';
import { createNotificationStore } from './notifications';
import { createRuleStore } from './rules';
import { createUserStore } from './users';

export { ClusterRequestError, ClusterUnavailableError, PartialResultsError } from './retry';

export interface ElasticsearchStoreOptions {
  node: string;
  apiKey?: string;
  username?: string;
  password?: string;
  caFile?: string;
  /** Kibana-style space: alerts go to `execwatch-alerts-<space>`. Default `default`. */
  space?: string;
  log: Logger;
  /** This server instance's id (lease owner). */
  instanceId: string;
  /** An existing client (tests inject a mocked one). */
  client?: Client;
  /** Sets the client's REST compatibility headers (`compatible-with=8` or `9`). */
  compatibility?: CompatibilityVersion;
  /** Prefix of Execwatch's index and template names (default `execwatch`; tests use their own). */
  indexPrefix?: string;
  /** Event index patterns for sessions, related events and counts (default the rule's `logs-cloud_defend*`). */
  eventIndices?: string[];
  retry?: RetryPolicy;
  now?: () => number;
}

/**
 * The Elasticsearch adapter of every store port: events are read from the rules' index patterns
 * with `_eql/search`; Execwatch's own state lives in its own indices, created from versioned
 * templates by `init()`. Several server instances can share one cluster (rule runs are leased).
 */
export function createElasticsearchStore(opts: ElasticsearchStoreOptions): Store {
  const prefix = opts.indexPrefix ?? 'execwatch';
  const ctx: EsContext = {
    client: createEsClient(opts),
    log: opts.log,
    names: indexNames(opts.space ?? 'default', prefix),
    retry: opts.retry ?? defaultRetryPolicy,
    compatibility: opts.compatibility ?? 8,
    eventIndices: opts.eventIndices ?? ['logs-cloud_defend*'],
    now: opts.now ?? Date.now,
  };
  return {
    kind: 'elasticsearch',
    events: createEventStore(ctx),
    kubeAudit: createKubeAuditStore(ctx),
    alerts: createAlertStore(ctx),
    rules: createRuleStore(ctx),
    executions: createExecutionLog(ctx),
    exceptions: createExceptionStore(ctx),
    checklists: createChecklistStore(ctx),
    notes: createNoteStore(ctx),
    notifications: createNotificationStore(ctx),
    users: createUserStore(ctx),
    audit: createAuditLog(ctx),
    settings: createSettingsStore(ctx),
    retention: createEsRetention(ctx),
    async init() {
      try {
        await installIndices(ctx.client, ctx.names, prefix, ctx.retry, ctx.log);
      } catch (err) {
        ctx.log.error('elasticsearch store failed to initialise', { reason: describeEsError(err), instance: opts.instanceId });
        throw err;
      }
      ctx.log.info('elasticsearch store ready', { alerts_index: ctx.names.alerts, instance: opts.instanceId });
    },
    async close() {
      // An injected client belongs to the caller.
      if (!opts.client) await ctx.client.close();
    },
  };
}
