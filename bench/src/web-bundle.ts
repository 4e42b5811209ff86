import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Sizes of what the browser must load before the app runs. */
export interface InitialJs {
  files: string[];
  rawKb: number;
  gzipKb: number;
}

const staticImport = /(?:\bfrom\s*|\bimport\s*)["'](\.\/[^"']+\.js)["']/g;

/**
 * The initial JavaScript of a Vite build: the entry script of `index.html` and every chunk it
 * imports statically, transitively (dynamic `import()` chunks such as EUI's icons are not counted).
 */
export function initialJs(distDir: string): InitialJs {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]*type="module"[^>]*src="\/?([^"]+)"/g)].map((m) => m[1] ?? '');
  const seen = new Set<string>();
  const queue = entries.filter((e) => e.length > 0);
  let raw = 0;
  let gz = 0;
  while (queue.length > 0) {
    const file = queue.shift() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(distDir, file));
    raw += code.length;
    gz += gzipSync(code, { level: 9 }).length;
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    // Only the static import statements at the top level; `import(` (dynamic) has a parenthesis and does not match.
    for (const m of code.toString('utf8').matchAll(staticImport)) queue.push(`${dir}${(m[1] ?? '').slice(2)}`);
  }
  return { files: [...seen], rawKb: Math.round(raw / 102.4) / 10, gzipKb: Math.round(gz / 102.4) / 10 };
}
