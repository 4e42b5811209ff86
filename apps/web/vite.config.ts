import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Dev server proxies the API to a locally running Execwatch server (PORT 5611 by default). */
const apiTarget = process.env.EXECWATCH_URL ?? 'http://127.0.0.1:5611';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      // EUI is imported through its barrel; without this every EUI module counts as reachable from the
      // entry, and code only lazy screens use (code blocks, charts) lands in chunks the first page loads.
      experimental: { lazyBarrel: true, chunkOptimization: false },
    },
  },
  server: {
    proxy: { '/api': apiTarget, '/_bulk': apiTarget },
  },
});
