import type { Role, User } from '@execwatch/api';

export const ALL_ROLES: ReadonlyArray<{ role: Role; description: string }> = [
  { role: 'viewer', description: 'reads alerts, rules and exceptions' },
  { role: 'analyst', description: 'as viewer, plus triage: status, assignees, tags, notes, checklist' },
  { role: 'admin', description: 'everything: exceptions, rules, users, the audit log, ingest' },
  { role: 'ingest', description: 'only the bulk API (for shippers such as Filebeat or Elastic Agent)' },
];

/** The server's password rule (packages/api createUserSchema): shown beside every password field. */
export const MIN_PASSWORD_LENGTH = 12;
export const PASSWORD_RULE = `At least ${MIN_PASSWORD_LENGTH} characters. The user's sessions end and their API keys stop working when it is reset.`;

/** Why a password cannot be set, or null when it can. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `The password must be at least ${MIN_PASSWORD_LENGTH} characters long (${password.length} now).`;
  if (password.length > 1000) return 'The password must be at most 1000 characters long.';
  return null;
}

const USERNAME = /^[a-zA-Z0-9_.@-]{1,64}$/;

/** Why a user name is not accepted, or null. */
export function usernameProblem(username: string): string | null {
  if (username === '') return 'A user name is required.';
  return USERNAME.test(username) ? null : 'Use 1 to 64 letters, digits and . _ @ - only.';
}

/** Why the signed-in user may not disable `user`, or null when they may. */
export function disableBlocker(user: User, me: string): string | null {
  return user.username === me ? 'You cannot disable your own account.' : null;
}

/** Why `roles` may not be given to `user` by the signed-in user, or null. */
export function rolesBlocker(user: User, roles: readonly Role[], me: string): string | null {
  if (roles.length === 0) return 'Choose at least one role.';
  if (user.username === me && user.roles.includes('admin') && !roles.includes('admin')) return 'You cannot remove your own admin role.';
  return null;
}

/** A random password of 20 characters from an alphabet without look-alikes. */
export function generatePassword(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_';
  // 59 symbols: rejecting bytes >= 236 (4 * 59) keeps every symbol equally likely.
  let out = '';
  while (out.length < 20) {
    for (const byte of random(32)) {
      if (byte < 236 && out.length < 20) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
