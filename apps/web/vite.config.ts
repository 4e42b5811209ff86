import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** Dev server proxies the API to a locally running Execwatch server (PORT 5611 by default). */
const apiTarget = process.env.EXECWATCH_URL ?? 'http://127.0.0.1:5611';

/**
 * EUI's theme package imports `uniqueId` from the whole CommonJS lodash build (~25 kB gzipped,
 * not tree-shakeable) into the first page; give that one import a tiny equivalent instead.
 */
function slimLodashForEuiTheme(): Plugin {
  const shim = fileURLToPath(new URL('./src/lib/lodash-unique-id.ts', import.meta.url));
  return {
    name: 'execwatch-slim-lodash-for-eui-theme',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'lodash' && importer?.includes('eui-theme-common')) return shim;
      return null;
    },
  };
}

export default defineConfig({
  plugins: [slimLodashForEuiTheme(), react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
  },
  server: {
    proxy: { '/api': apiTarget, '/_bulk': apiTarget },
  },
});
