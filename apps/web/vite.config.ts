import { fileURLToPath } from 'node:url';
import { constants as zlibConstants } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

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

/**
 * Every built asset also as `.br` (best quality: built once, sent many times) and `.gz`, for the server to send
 * as is (apps/server/src/web/static-web.ts). index.html is left out: the server rewrites it per response.
 */
const precompress = () =>
  compression({
    algorithms: [defineAlgorithm('brotliCompress', { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }), defineAlgorithm('gzip', { level: 9 })],
    include: /\.(?:js|mjs|css|svg|json|txt|map|wasm)$/,
    exclude: /\.html$/,
    threshold: 1024,
    skipIfLargerOrEqual: true,
    logLevel: 'silent',
  });

/**
 * EUI's icons the alerts page shows at once (its header, filters, table and pager), by asset file name. EUI
 * loads each icon with a dynamic import on first render, one round trip after the code that draws it;
 * preloading them with the page's own code saves that wave. Names EUI no longer has are reported, not fatal.
 */
const firstScreenIcons = [
  'app_security',
  'bell',
  'clock',
  'keyboard',
  'filter',
  'maximize',
  'plus_circle',
  'sortable',
  'sort_down',
  'chevron_single_down',
  'chevron_single_left',
  'chevron_single_right',
  'table',
  'chart_bar_vertical',
];

/** `<link rel="modulepreload">` in index.html for the lazily imported chunks the first screen needs (above). */
function preloadFirstScreenChunks(icons: readonly string[]): Plugin {
  return {
    name: 'execwatch-preload-first-screen-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle) return [];
        const byIcon = new Map<string, string>();
        for (const chunk of Object.values(ctx.bundle)) {
          const m = chunk.type === 'chunk' ? /[\\/]@elastic[\\/]eui[\\/]es[\\/]components[\\/]icon[\\/]assets[\\/]([\w]+)\.js$/.exec(chunk.facadeModuleId ?? '') : null;
          if (m?.[1]) byIcon.set(m[1], chunk.fileName);
        }
        const missing = icons.filter((name) => !byIcon.has(name));
        if (missing.length > 0) this.warn(`first-screen icons not in the build: ${missing.join(', ')}`);
        return icons.flatMap((name) => {
          const file = byIcon.get(name);
          return file ? [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const }] : [];
        });
      },
    },
  };
}

export default defineConfig({
  plugins: [slimLodashForEuiTheme(), react(), precompress(), preloadFirstScreenChunks(firstScreenIcons)],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
  },
  server: {
    proxy: { '/api': apiTarget, '/_bulk': apiTarget },
  },
});
