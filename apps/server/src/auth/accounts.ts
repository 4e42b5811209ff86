import type { CreateUser, Role, UpdateUser, User } from '@execwatch/api';
import { conflict, notFound } from '../http/errors';
import type { UserRecord } from '../store/ports';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
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
  /** The enabled user whose password matches, or null; takes as long for unknown users as for known ones. */
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

/** User accounts over the user store: scrypt passwords, creation, updates, bootstrap. */
export function createAccounts(store: AuthStore, now: () => number): Accounts {
  // Verifying against a throwaway hash for unknown users keeps response times from revealing which names exist.
  let decoyHash: Promise<string> | undefined;
  const decoy = () => (decoyHash ??= hashPassword(generatePassword()));

  async function put(record: UserRecord): Promise<UserRecord> {
    await store.users.put(record);
    return record;
  }

  return {
    async verifyCredentials(username, password) {
      const user = username.length <= 200 ? await store.users.get(username) : null;
      const ok = await verifyPassword(password, user?.password_hash ?? (await decoy()));
      return ok && user && user.enabled ? user : null;
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
      const after: UserRecord = {
        ...before,
        full_name: patch.full_name ?? before.full_name,
        roles: patch.roles ? [...new Set(patch.roles)] : before.roles,
        enabled: patch.enabled ?? before.enabled,
        password_hash: patch.password ? await hashPassword(patch.password) : before.password_hash,
        updated_at: now(),
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
