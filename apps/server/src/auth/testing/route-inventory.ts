/** Lists the method + path of every route an Express app serves, by walking its router stack. */

export interface ServedRoute {
  method: string;
  path: string;
}

interface LayerLike {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: unknown;
  rawPath?: unknown;
  slash?: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isFunctionOrRecord = (v: unknown): v is Record<string, unknown> => (typeof v === 'function' || isRecord(v)) && v !== null;

function stackOf(handle: unknown): LayerLike[] | null {
  if (!isFunctionOrRecord(handle)) return null;
  const stack = handle.stack;
  // A router's stack holds Layer objects; only the fields read above are relied on, each checked where used.
  return Array.isArray(stack) ? (stack as LayerLike[]) : null;
}

function pathsOf(p: unknown): string[] {
  if (typeof p === 'string') return [p];
  if (Array.isArray(p)) return p.flatMap(pathsOf);
  return [];
}

function walk(stack: LayerLike[], prefix: string, out: ServedRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const path of pathsOf(layer.route.path)) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: `${prefix}${path}` });
        }
      }
      continue;
    }
    const nested = stackOf(layer.handle);
    if (!nested) continue;
    const mounts = layer.slash ? [''] : pathsOf(layer.rawPath).map((p) => (p === '/' ? '' : p));
    for (const mount of mounts) walk(nested, `${prefix}${mount}`, out);
  }
}

/** Every route of an Express 5 app (`app.router`), nested routers included. */
export function servedRoutes(app: unknown): ServedRoute[] {
  const router = isFunctionOrRecord(app) ? app.router : undefined;
  const stack = stackOf(router);
  if (!stack) throw new Error('not an Express 5 app: no router stack');
  const out: ServedRoute[] = [];
  walk(stack, '', out);
  return out;
}
