/**
 * What Execwatch calls itself when it answers as an Elasticsearch cluster: ids made once per installation and kept
 * in the store's settings (so `cluster_uuid` stays the same across restarts, and is shared by every instance on one
 * Elasticsearch store), plus the version it answers as.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SettingsStore } from '../../store/ports';

/** The Elasticsearch release whose REST API Execwatch answers as (its major is what clients check). */
export const ELASTICSEARCH_VERSION = {
  number: '8.19.0',
  lucene_version: '9.12.2',
  minimum_wire_compatibility_version: '7.17.0',
  minimum_index_compatibility_version: '7.0.0',
} as const;

export const CLUSTER_NAME = 'execwatch';

const SETTINGS_KEY = 'es_compat.cluster';

const identitySchema = z.object({
  cluster_uuid: z.string().min(1).max(64),
  node_id: z.string().min(1).max(64),
  license_uid: z.string().min(1).max(64),
  created_at: z.number().int().nonnegative(),
});

export type ClusterIdentity = z.infer<typeof identitySchema>;

/** Elasticsearch's ids are 16 random bytes, URL-safe base64 without padding (22 characters). */
const elasticsearchId = () => randomBytes(16).toString('base64url');

/** Reads the installation's identity, making it on first use. */
export function clusterIdentity(settings: SettingsStore, now: () => number): () => Promise<ClusterIdentity> {
  let known: Promise<ClusterIdentity> | null = null;
  const load = async (): Promise<ClusterIdentity> => {
    const stored = identitySchema.safeParse(await settings.get<unknown>(SETTINGS_KEY));
    if (stored.success) return stored.data;
    const made: ClusterIdentity = { cluster_uuid: elasticsearchId(), node_id: elasticsearchId(), license_uid: randomUUID(), created_at: now() };
    await settings.set(SETTINGS_KEY, made);
    // another instance on the same store may have written its own at the same moment: the stored one is the one
    const reread = identitySchema.safeParse(await settings.get<unknown>(SETTINGS_KEY));
    return reread.success ? reread.data : made;
  };
  return () => {
    known ??= load().catch((err: unknown) => {
      known = null;
      throw err;
    });
    return known;
  };
}
