import { describe, expect, it } from 'vitest';
import { abilitiesSchema, roleSchema, type Ability } from '@execwatch/api';
import { routePolicies, routePolicyFor } from '../api-routes';
import { abilitiesFor } from './policy';

const granted = (roles: Parameters<typeof abilitiesFor>[0]) =>
  Object.entries(abilitiesFor(roles))
    .filter(([, v]) => v)
    .map(([k]) => k)
    .sort();

describe('policy table', () => {
  it('grants each role its abilities', () => {
    expect(granted(['viewer'])).toEqual(['alerts:read', 'exceptions:read', 'rules:read']);
    expect(granted(['analyst'])).toEqual(['alerts:read', 'alerts:triage', 'exceptions:read', 'rules:read']);
    expect(granted(['ingest'])).toEqual(['ingest']);
    expect(granted(['admin'])).toEqual(Object.keys(abilitiesSchema.shape).sort());
    expect(granted([])).toEqual([]);
  });

  it('unites the abilities of several roles', () => {
    expect(granted(['viewer', 'ingest'])).toEqual(['alerts:read', 'exceptions:read', 'ingest', 'rules:read']);
  });

  it('returns abilities in the shape the UI expects', () => {
    for (const role of roleSchema.options) expect(abilitiesSchema.parse(abilitiesFor([role]))).toEqual(abilitiesFor([role]));
  });

  it('names each route once, with a known requirement', () => {
    const keys = routePolicies.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    const abilities = Object.keys(abilitiesSchema.shape);
    for (const r of routePolicies) {
      expect(['public', 'authenticated', ...abilities]).toContain(r.requires);
    }
  });

  it('keeps audit and user management for admins and triage away from viewers', () => {
    // These routes all require an ability (not public/authenticated), asserted by the expectations below.
    const need = (method: string, path: string) => routePolicyFor(method, path)?.requires as Ability;
    expect(abilitiesFor(['analyst'])[need('GET', '/api/audit')]).toBe(false);
    expect(abilitiesFor(['admin'])[need('GET', '/api/audit')]).toBe(true);
    expect(abilitiesFor(['viewer'])[need('PATCH', '/api/alerts/:id')]).toBe(false);
    expect(abilitiesFor(['analyst'])[need('PATCH', '/api/alerts/:id')]).toBe(true);
    expect(abilitiesFor(['analyst'])[need('POST', '/api/exception_lists/items')]).toBe(false);
    expect(abilitiesFor(['ingest'])[need('POST', '/_bulk')]).toBe(true);
    expect(abilitiesFor(['ingest'])[need('GET', '/api/alerts')]).toBe(false);
  });
});
