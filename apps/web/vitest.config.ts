import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Pure-logic tests of the web app (URL state, session tree, rule health). Run: npx vitest run -c apps/web/vitest.config.ts */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
