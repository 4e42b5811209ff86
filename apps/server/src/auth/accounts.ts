import { ErrorIds, type CreateUser, type Role, type UpdateUser, type User } from '@execwatch/api';
import { conflict, HttpError, notFound } from '../http/errors';
import type { UserRecord } from '../store/ports';
import { MIN_PASSWORD_LENGTH, PasswordHasherBusyError, type PasswordHasher } from './passwords';
import { generatePassword } from './secrets';
import type { AuthStore } from './store';

/** Presents a stored user (never its hash). */
export function presentUser(user: UserRecord): User {
  return {
    username: user.username,
    full_name: user.full_name,
    roles: [...user.roles],
    enabled: user.enabled,
    created_at: new Date(user.created_at).toISOString(),
  };
}

export interface Accounts {
  /**
   * The enabled user whose password matches, or null; takes as long for unknown users as for known ones. A match
   * against a hash weaker than today's cost is rehashed (the returned record holds the new hash).
   */
  verifyCredentials(username: string, password: string): Promise<UserRecord | null>;
  /** The user if it exists and is enabled. */
  activeUser(username: string): Promise<UserRecord | null>;
  create(input: CreateUser): Promise<UserRecord>;
  /** Applies a change; refuses to leave the server without an enabled admin. */
  update(username: string, patch: UpdateUser): Promise<{ before: UserRecord; after: UserRecord }>;
  /** Creates or resets a user (demo users). */
  ensure(input: { username: string; password: string; roles: Role[]; full_name?: string }): Promise<UserRecord>;
  /** First start with no users: creates `admin`. */
  bootstrap(adminPassword?: string): Promise<{ username: string; password: string; generated: boolean } | null>;
}

function requireStrongPassword(password: string, who: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`the password for ${who} must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
}

const isEnabledAdmin = (u: UserRecord) => u.enabled && u.roles.includes('admin');

/** 503 with Retry-After: the password checks queued are already as many as the server lets wait. */
const busy = () => new HttpError(503, ErrorIds.unavailable, 'too many sign-ins are being checked; retry shortly', undefined, { 'Retry-After': '1' });

/** Runs a password hash or check, turning a full queue into a 503. */
async function orBusy<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PasswordHasherBusyError) throw busy();
    throw err;
  }
}

/** User accounts over the user store: scrypt passwords, creation, updates, bootstrap. */
export function createAccounts(store: AuthStore, now: () => number, passwords: PasswordHasher): Accounts {
  // Verifying against a throwaway hash for unknown users keeps response times from revealing which names exist.
  let decoyHash: Promise<string> | undefined;
  const decoy = () =>
    (decoyHash ??= passwords.hash(generatePassword()).catch((err: unknown) => {
      decoyHash = undefined;
      throw err;
    }));
  const hashPassword = (password: string) => orBusy(() => passwords.hash(password));

  /** Stores a hash at today's cost for a user whose password just matched a weaker one; the record as it is now. */
  async function rehashed(user: UserRecord, password: string): Promise<UserRecord> {
    let next: string;
    try {
      next = await passwords.hash(password);
    } catch (err) {
      // A busy server keeps the old hash until a later sign-in.
      if (err instanceof PasswordHasherBusyError) return user;
      throw err;
    }
    const at = now();
    return (await store.users.replacePasswordHash(user.username, user.password_hash, next, at)) ? { ...user, password_hash: next, updated_at: at } : user;
  }

  async function put(record: UserRecord): Promise<UserRecord> {
    await store.users.put(record);
    return record;
  }

  return {
    async verifyCredentials(username, password) {
      const user = username.length <= 200 ? await store.users.get(username) : null;
      const stored = user?.password_hash ?? (await orBusy(decoy));
      const ok = await orBusy(() => passwords.verify(password, stored));
      if (!ok || !user || !user.enabled) return null;
      return passwords.needsRehash(user.password_hash) ? rehashed(user, password) : user;
    },

    async activeUser(username) {
      const user = await store.users.get(username);
      return user && user.enabled ? user : null;
    },

    async create(input) {
      if (await store.users.get(input.username)) throw conflict(`user [${input.username}] already exists`);
      const at = now();
      return put({
        username: input.username,
        full_name: input.full_name ?? null,
        roles: [...new Set(input.roles)],
        enabled: true,
        password_hash: await hashPassword(input.password),
        created_at: at,
        updated_at: at,
      });
    },

    async update(username, patch) {
      const before = await store.users.get(username);
      if (!before) throw notFound(`user [${username}]`);
      const at = now();
      const enabled = patch.enabled ?? before.enabled;
      const credentialsChanged = patch.password !== undefined || (before.enabled && !enabled);
      const after: UserRecord = {
        ...before,
        full_name: patch.full_name ?? before.full_name,
        roles: patch.roles ? [...new Set(patch.roles)] : before.roles,
        enabled,
        password_hash: patch.password ? await hashPassword(patch.password) : before.password_hash,
        updated_at: at,
        ...(credentialsChanged ? { credentials_changed_at: at } : {}),
      };
      if (isEnabledAdmin(before) && !isEnabledAdmin(after)) {
        const admins = (await store.users.list()).filter((u) => u.username !== username && isEnabledAdmin(u));
        if (admins.length === 0) throw conflict('this change would leave no enabled admin');
      }
      await put(after);
      return { before, after };
    },

    async ensure(input) {
      requireStrongPassword(input.password, input.username);
      const existing = await store.users.get(input.username);
      const at = now();
      return put({
        username: input.username,
        full_name: input.full_name ?? existing?.full_name ?? null,
        roles: [...new Set(input.roles)],
        enabled: true,
        password_hash: await hashPassword(input.password),
        created_at: existing?.created_at ?? at,
        updated_at: at,
        ...(existing ? { credentials_changed_at: at } : {}),
      });
    },

    async bootstrap(adminPassword) {
      if ((await store.users.count()) > 0) return null;
      const generated = adminPassword === undefined || adminPassword === '';
      const password = generated ? generatePassword() : adminPassword;
      requireStrongPassword(password, 'admin (EXECWATCH_ADMIN_PASSWORD)');
      const at = now();
      await put({ username: 'admin', full_name: null, roles: ['admin'], enabled: true, password_hash: await hashPassword(password), created_at: at, updated_at: at });
      return { username: 'admin', password, generated };
    },
  };
}
