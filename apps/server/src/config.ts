/**
 * Server configuration from the environment, validated with zod at start-up.
 * A bad value stops the server with a message naming the variable.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SHEDDING_DEFAULTS, type SheddingPolicy } from './http/load-shedding';
import { SERVER_LIMIT_DEFAULTS, type ServerLimits } from './http/server-limits';
import { BULK_DEFAULTS, type BulkIngestOptions } from './ingest/bulk-limits';
import { DEFAULT_INGEST_INDICES } from './ingest/lane';
import { parseByteLimit } from './ingest/read-lines';
import { MAX_RETENTION_MS, MIN_RETENTION_MS, retentionMs } from '@execwatch/api';
import { DEFAULT_MIN_FREE, parseMinFreeSpace, type MinFreeSpace } from './features/storage/disk-guard';
import { RETENTION_DEFAULTS, type RetentionDefaults } from './features/storage/storage-service';

/** The repository root (three levels above this file: apps/server/src). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const durationText = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30s, 5m or 1h');

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration setting in ms (unset: undefined, the module's default applies). */
const durationMs = (opts: { min: number }) =>
  optionalText.pipe(
    durationText
      .transform((t) => {
        const m = /^(\d+)(ms|s|m|h|d)$/.exec(t);
        return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN; // the regex above matched
      })
      .pipe(z.number().min(opts.min, opts.min > 0 ? `must be at least ${opts.min}ms` : 'must not be negative').max(2 ** 31 - 1, 'too long'))
      .optional(),
  );
/** A byte size setting (`100mb`, `64kb`, a byte count). */
const byteSize = optionalText.pipe(
  z
    .string()
    .refine((t) => {
      try {
        return parseByteLimit(t) > 0;
      } catch {
        return false;
      }
    }, 'expected a size such as 10mb, 512kb or a byte count')
    .optional(),
);
/** A retention (`7d`, `36h`, `90m`) in ms, from an hour to a century. */
const retention = optionalText.pipe(
  z
    .string()
    .transform((t, c) => {
      const ms = retentionMs(t);
      if (ms === null || ms < MIN_RETENTION_MS || ms > MAX_RETENTION_MS) {
        c.addIssue({ code: 'custom', message: 'expected a duration from 1h to 36500d such as 7d or 36h' });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
);
/** Free space to keep: a percentage (`5%`), a size (`2gb`) or `0` (no guard). */
const minFree = optionalText.pipe(
  z
    .string()
    .transform((t, c) => {
      try {
        return parseMinFreeSpace(t);
      } catch {
        c.addIssue({ code: 'custom', message: 'expected a size such as 2gb, a percentage such as 5%, or 0' });
        return z.NEVER;
      }
    })
    .optional(),
);
/** A whole number setting from `min` to `max`. */
const count = (min: number, max: number) =>
  optionalText.pipe(z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.number().min(min).max(max)).optional());

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(5611),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    EXECWATCH_DATA_DIR: optionalText,
    EXECWATCH_STORE: z.enum(['embedded', 'elasticsearch']).default('embedded'),
    ES_URL: optionalText.pipe(z.url().optional()),
    ES_API_KEY: optionalText,
    ES_USERNAME: optionalText,
    ES_PASSWORD: optionalText,
    ES_CA_FILE: optionalText,
    /** Elasticsearch major version to speak to: 8 (default) or 9 (the client's compatibility headers). */
    ES_COMPATIBILITY: z.enum(['8', '9']).default('8'),
    EXECWATCH_SPACE: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'lower-case letters, digits, _ and - only').default('default'),
    EXECWATCH_INSTANCE_ID: optionalText,
    EXECWATCH_ADMIN_PASSWORD: optionalText.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
    EXECWATCH_RULES_DIR: optionalText,
    EXECWATCH_INGEST_INDICES: optionalText.pipe(
      z
        .string()
        .refine((t) => t.split(',').every((p) => /^[a-z0-9*][a-z0-9._*+-]*$/.test(p.trim()) && !p.trim().startsWith('.') && !p.trim().startsWith('execwatch-')), "expected comma-separated lower-case index patterns such as logs-*,auditbeat-* (none starting with '.' or 'execwatch-')")
        .optional(),
    ),
    EXECWATCH_TLS_CERT: optionalText,
    EXECWATCH_TLS_KEY: optionalText,
    EXECWATCH_WEB_DIST: optionalText,
    EXECWATCH_DEMO_INTERVAL: durationText.default('30s'),
    EXECWATCH_DEMO_EVENTS_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(300),
    EXECWATCH_SECURE_COOKIES: z.enum(['true', 'false', 'auto']).default('auto'),
    EXECWATCH_MAX_CONNECTIONS: count(1, 1_000_000),
    EXECWATCH_MAX_CONNECTIONS_PER_ADDRESS: count(1, 1_000_000),
    EXECWATCH_HEADERS_TIMEOUT: durationMs({ min: 1 }),
    EXECWATCH_BODY_TIMEOUT: durationMs({ min: 1 }),
    EXECWATCH_BULK_BODY_TIMEOUT: durationMs({ min: 1 }),
    EXECWATCH_BULK_IDLE_TIMEOUT: durationMs({ min: 1 }),
    EXECWATCH_BULK_TURN_TIMEOUT: durationMs({ min: 1 }),
    EXECWATCH_BULK_CONCURRENCY: count(1, 64),
    EXECWATCH_BULK_MAX_BODIES: count(1, 10_000),
    EXECWATCH_BULK_BODY_LIMIT: byteSize,
    EXECWATCH_BULK_BUFFER_LIMIT: byteSize,
    EXECWATCH_BULK_DOCUMENT_LIMIT: byteSize,
    EXECWATCH_SHED_LOOP_DELAY: durationMs({ min: 0 }),
    EXECWATCH_SHED_MAX_BULK_IN_FLIGHT: count(0, 1_000_000),
    EXECWATCH_EVENTS_RETENTION: retention,
    EXECWATCH_ALERTS_RETENTION: retention,
    EXECWATCH_DISK_MIN_FREE: minFree,
  })
  .refine((e) => (e.EXECWATCH_TLS_CERT === undefined) === (e.EXECWATCH_TLS_KEY === undefined), {
    message: 'EXECWATCH_TLS_CERT and EXECWATCH_TLS_KEY must be set together',
    path: ['EXECWATCH_TLS_CERT'],
  })
  .refine((e) => e.EXECWATCH_STORE !== 'elasticsearch' || e.ES_URL !== undefined, {
    message: 'ES_URL is required when EXECWATCH_STORE=elasticsearch',
    path: ['ES_URL'],
  })
  .refine((e) => (e.EXECWATCH_BULK_MAX_BODIES ?? BULK_DEFAULTS.maxBodies) >= (e.EXECWATCH_BULK_CONCURRENCY ?? BULK_DEFAULTS.concurrency), {
    message: 'must be at least EXECWATCH_BULK_CONCURRENCY (bodies are held while they are stored)',
    path: ['EXECWATCH_BULK_MAX_BODIES'],
  })
  .refine((e) => parseByteLimit(e.EXECWATCH_BULK_DOCUMENT_LIMIT ?? BULK_DEFAULTS.documentLimit) <= parseByteLimit(e.EXECWATCH_BULK_BODY_LIMIT ?? BULK_DEFAULTS.bodyLimit), {
    message: 'must not be larger than EXECWATCH_BULK_BODY_LIMIT',
    path: ['EXECWATCH_BULK_DOCUMENT_LIMIT'],
  });

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  store: 'embedded' | 'elasticsearch';
  es: { node: string; apiKey?: string; username?: string; password?: string; caFile?: string; compatibility: 8 | 9 };
  space: string;
  instanceId: string;
  adminPassword?: string;
  rulesDir?: string;
  /** Index patterns ingest may write to besides the rules' own (EXECWATCH_INGEST_INDICES; `logs-*` by default). */
  ingestIndices: string[];
  tls?: { certFile: string; keyFile: string };
  webDist: string;
  demo: boolean;
  /** Rule interval used in demo mode (e.g. `30s`), so alerts appear within a minute. */
  demoInterval: string;
  demoEventsPerSecond: number;
  secureCookies: boolean;
  /** Connection caps and how long clients may take to send (http/server-limits.ts). */
  serverLimits: ServerLimits;
  /** The bulk API's limits (ingest/bulk-limits.ts). */
  bulk: Required<BulkIngestOptions>;
  /** When new bulk requests are refused for overload (http/load-shedding.ts). */
  shedding: SheddingPolicy;
  /** Retention defaults (an admin's setting overrides them) and the disk guard's minimum free space. */
  storage: RetentionDefaults & { diskMinFree: MinFreeSpace };
}

/** A configuration error: the message names the variable and what is wrong with it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment into a ServerConfig; throws ConfigError on a bad value.
 * `demo` switches the data dir default to ./data/demo.
 */
export function loadConfig(env: NodeJS.ProcessEnv, opts: { demo?: boolean } = {}): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.map(String).join('.') || 'environment'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const demo = opts.demo ?? false;
  const tls = e.EXECWATCH_TLS_CERT && e.EXECWATCH_TLS_KEY ? { certFile: e.EXECWATCH_TLS_CERT, keyFile: e.EXECWATCH_TLS_KEY } : undefined;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.EXECWATCH_DATA_DIR ?? (demo ? './data/demo' : './data')),
    store: e.EXECWATCH_STORE,
    es: { node: e.ES_URL ?? 'http://127.0.0.1:9200', apiKey: e.ES_API_KEY, username: e.ES_USERNAME, password: e.ES_PASSWORD, caFile: e.ES_CA_FILE, compatibility: e.ES_COMPATIBILITY === '9' ? 9 : 8 },
    space: e.EXECWATCH_SPACE,
    instanceId: e.EXECWATCH_INSTANCE_ID ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    adminPassword: e.EXECWATCH_ADMIN_PASSWORD,
    rulesDir: e.EXECWATCH_RULES_DIR ? path.resolve(e.EXECWATCH_RULES_DIR) : undefined,
    ingestIndices: e.EXECWATCH_INGEST_INDICES ? e.EXECWATCH_INGEST_INDICES.split(',').map((p) => p.trim()) : [...DEFAULT_INGEST_INDICES],
    tls,
    webDist: path.resolve(repoRoot, e.EXECWATCH_WEB_DIST ?? 'apps/web/dist'),
    demo,
    demoInterval: e.EXECWATCH_DEMO_INTERVAL,
    demoEventsPerSecond: e.EXECWATCH_DEMO_EVENTS_PER_SECOND,
    secureCookies: e.EXECWATCH_SECURE_COOKIES === 'auto' ? tls !== undefined : e.EXECWATCH_SECURE_COOKIES === 'true',
    serverLimits: {
      ...SERVER_LIMIT_DEFAULTS,
      maxConnections: e.EXECWATCH_MAX_CONNECTIONS ?? SERVER_LIMIT_DEFAULTS.maxConnections,
      maxConnectionsPerAddress: e.EXECWATCH_MAX_CONNECTIONS_PER_ADDRESS ?? SERVER_LIMIT_DEFAULTS.maxConnectionsPerAddress,
      headersTimeoutMs: e.EXECWATCH_HEADERS_TIMEOUT ?? SERVER_LIMIT_DEFAULTS.headersTimeoutMs,
      bodyTimeoutMs: e.EXECWATCH_BODY_TIMEOUT ?? SERVER_LIMIT_DEFAULTS.bodyTimeoutMs,
      longBodyTimeoutMs: e.EXECWATCH_BULK_BODY_TIMEOUT ?? SERVER_LIMIT_DEFAULTS.longBodyTimeoutMs,
    },
    bulk: {
      ...BULK_DEFAULTS,
      bodyLimit: e.EXECWATCH_BULK_BODY_LIMIT ?? BULK_DEFAULTS.bodyLimit,
      concurrency: e.EXECWATCH_BULK_CONCURRENCY ?? BULK_DEFAULTS.concurrency,
      maxBodies: e.EXECWATCH_BULK_MAX_BODIES ?? BULK_DEFAULTS.maxBodies,
      bufferLimit: e.EXECWATCH_BULK_BUFFER_LIMIT ?? BULK_DEFAULTS.bufferLimit,
      documentLimit: e.EXECWATCH_BULK_DOCUMENT_LIMIT ?? BULK_DEFAULTS.documentLimit,
      bodyTimeoutMs: e.EXECWATCH_BULK_BODY_TIMEOUT ?? BULK_DEFAULTS.bodyTimeoutMs,
      idleTimeoutMs: e.EXECWATCH_BULK_IDLE_TIMEOUT ?? BULK_DEFAULTS.idleTimeoutMs,
      turnTimeoutMs: e.EXECWATCH_BULK_TURN_TIMEOUT ?? BULK_DEFAULTS.turnTimeoutMs,
      turnHoldMs: e.EXECWATCH_BULK_TURN_TIMEOUT ?? BULK_DEFAULTS.turnHoldMs,
    },
    shedding: {
      maxLoopDelayMs: e.EXECWATCH_SHED_LOOP_DELAY ?? SHEDDING_DEFAULTS.maxLoopDelayMs,
      maxBulkInFlight: e.EXECWATCH_SHED_MAX_BULK_IN_FLIGHT ?? SHEDDING_DEFAULTS.maxBulkInFlight,
    },
    storage: {
      eventsRetentionMs: e.EXECWATCH_EVENTS_RETENTION ?? RETENTION_DEFAULTS.eventsRetentionMs,
      alertsRetentionMs: e.EXECWATCH_ALERTS_RETENTION ?? RETENTION_DEFAULTS.alertsRetentionMs,
      diskMinFree: e.EXECWATCH_DISK_MIN_FREE ?? DEFAULT_MIN_FREE,
    },
  };
}
