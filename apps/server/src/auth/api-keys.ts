import type { CreateApiKeyResponse } from '@execwatch/api';
import type { ApiKeyRecord, UserRecord } from '../store/ports';
import { randomToken, safeEqual, sha256Hex } from './secrets';
import type { AuthStore } from './store';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_ID_LENGTH = 64;
const MAX_KEY_LENGTH = 256;

/** Elasticsearch's API key expiration (`30s`, `15m`, `12h`, `7d`) in milliseconds; null when malformed or not positive. */
export function parseExpiration(text: string): number | null {
  const m = /^(\d{1,9})([smhd])$/.exec(text);
  if (!m) return null;
  const amount = Number(m[1]);
  const unit = UNIT_MS[m[2] ?? ''];
  if (!unit || amount <= 0) return null;
  return amount * unit;
}

/** The base64 `id:api_key` value clients send as `Authorization: ApiKey <encoded>`. */
export function encodeApiKey(id: string, secret: string): string {
  return Buffer.from(`${id}:${secret}`, 'utf8').toString('base64');
}

/** An API key as Elasticsearch's `GET /_security/api_key` lists it. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  username: string;
  realm: string;
  creation: number;
  expiration?: number;
  invalidated: boolean;
}

/** Presents a stored key without its hash. */
export function presentApiKey(key: ApiKeyRecord): ApiKeyInfo {
  return {
    id: key.id,
    name: key.name,
    username: key.username,
    realm: 'execwatch',
    creation: key.created_at,
    ...(key.expires_at === null ? {} : { expiration: key.expires_at }),
    invalidated: key.invalidated,
  };
}

/**
 * True when the key was created before its owner's password last changed or the owner was disabled: such a key
 * is refused even if invalidating it at that moment missed it (a key created concurrently with the change).
 */
export function outlivedCredentials(key: ApiKeyRecord, owner: UserRecord): boolean {
  return owner.credentials_changed_at !== undefined && key.created_at < owner.credentials_changed_at;
}

export interface InvalidationResult {
  invalidated_api_keys: string[];
  previously_invalidated_api_keys: string[];
  error_count: number;
  error_details?: { type: string; reason: string }[];
}

export interface ApiKeyManager {
  create(username: string, name: string, expiresInMs?: number): Promise<CreateApiKeyResponse>;
  /** The live key for an id and secret, or null (unknown, wrong secret, expired, invalidated). */
  verify(id: string, secret: string): Promise<ApiKeyRecord | null>;
  list(username?: string): Promise<ApiKeyRecord[]>;
  /** Invalidates keys by id; `owner` limits it to one user's keys (others are reported as not found). */
  invalidate(ids: string[], owner: string | null): Promise<InvalidationResult>;
  /** Invalidates every live key of a user (their password changed, or they were disabled); returns the ids. */
  invalidateAllFor(username: string): Promise<string[]>;
}

/** API keys: a random id and 32-byte secret; only the secret's sha256 is stored. */
export function createApiKeyManager(store: AuthStore, now: () => number): ApiKeyManager {
  return {
    async create(username, name, expiresInMs) {
      const id = randomToken(15);
      const secret = randomToken(32);
      const created = now();
      const expiresAt = expiresInMs === undefined ? null : created + expiresInMs;
      await store.users.putApiKey({ id, name, username, key_hash: sha256Hex(secret), created_at: created, expires_at: expiresAt, invalidated: false });
      return { id, name, api_key: secret, encoded: encodeApiKey(id, secret), ...(expiresAt === null ? {} : { expiration: expiresAt }) };
    },

    async verify(id, secret) {
      if (id.length > MAX_ID_LENGTH || secret.length > MAX_KEY_LENGTH) return null;
      const key = await store.users.getApiKey(id);
      if (!key) return null;
      const matches = safeEqual(sha256Hex(secret), key.key_hash);
      if (!matches || key.invalidated) return null;
      if (key.expires_at !== null && now() >= key.expires_at) return null;
      return key;
    },

    list(username) {
      return store.users.listApiKeys(username);
    },

    async invalidate(ids, owner) {
      const result: InvalidationResult = { invalidated_api_keys: [], previously_invalidated_api_keys: [], error_count: 0 };
      const errors: { type: string; reason: string }[] = [];
      for (const id of ids) {
        const key = id.length <= MAX_ID_LENGTH ? await store.users.getApiKey(id) : null;
        if (!key || (owner !== null && key.username !== owner)) {
          errors.push({ type: 'resource_not_found_exception', reason: `api key [${id.slice(0, MAX_ID_LENGTH)}] not found` });
          continue;
        }
        if (key.invalidated) {
          result.previously_invalidated_api_keys.push(id);
          continue;
        }
        await store.users.putApiKey({ ...key, invalidated: true });
        result.invalidated_api_keys.push(id);
      }
      result.error_count = errors.length;
      if (errors.length > 0) result.error_details = errors;
      return result;
    },

    async invalidateAllFor(username) {
      const live = (await store.users.listApiKeys(username)).filter((k) => !k.invalidated);
      for (const key of live) await store.users.putApiKey({ ...key, invalidated: true });
      return live.map((k) => k.id);
    },
  };
}
