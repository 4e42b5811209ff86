import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredRoutes, withApiList } from './api-routes';
import { repoRoot } from './config';

describe('the route declarations', () => {
  it('declare each method and path once', () => {
    const keys = declaredRoutes.flatMap((g) => g.routes.map((r) => `${r.method} ${r.path}`));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('are what the README lists', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const regenerated = withApiList(readme);
    expect(regenerated, 'README has the api-list block').not.toBeNull();
    expect(readme === regenerated, 'the README API list is stale: run `npm run api-list`').toBe(true);
  });
});
