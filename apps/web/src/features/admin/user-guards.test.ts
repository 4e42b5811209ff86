import { describe, expect, it } from 'vitest';
import type { User } from '@execwatch/api';
import { disableBlocker, generatePassword, passwordProblem, rolesBlocker, usernameProblem } from './user-guards';

const user = (username: string, roles: User['roles']): User => ({ username, full_name: null, roles, enabled: true, created_at: '2026-01-01T00:00:00.000Z' });

describe('user guards', () => {
  it('refuses disabling yourself only', () => {
    expect(disableBlocker(user('admin', ['admin']), 'admin')).toMatch(/own account/);
    expect(disableBlocker(user('ana', ['analyst']), 'admin')).toBeNull();
  });

  it('refuses removing your own admin role, and an empty role set', () => {
    expect(rolesBlocker(user('admin', ['admin']), ['analyst'], 'admin')).toMatch(/own admin role/);
    expect(rolesBlocker(user('admin', ['admin']), ['admin', 'analyst'], 'admin')).toBeNull();
    expect(rolesBlocker(user('other', ['admin']), ['viewer'], 'admin')).toBeNull();
    expect(rolesBlocker(user('other', ['viewer']), [], 'admin')).toMatch(/at least one/);
  });

  it.each([
    ['', true],
    ['short', true],
    ['eleven-char', true],
    ['twelve-chars', false],
  ])('password %j refused: %s', (password, refused) => {
    expect(passwordProblem(password) !== null).toBe(refused);
  });

  it.each([
    ['', true],
    ['with space', true],
    ['a'.repeat(65), true],
    ['jane.doe@example', false],
  ])('user name %j refused: %s', (name, refused) => {
    expect(usernameProblem(name) !== null).toBe(refused);
  });

  it('generates passwords the server accepts', () => {
    const password = generatePassword();
    expect(password).toHaveLength(20);
    expect(passwordProblem(password)).toBeNull();
    expect(generatePassword()).not.toBe(password);
  });
});
