import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../log';
import { createEmbeddedStore } from '../../store/embedded/index';
import type { Store } from '../../store/ports';

export interface TempStore {
  store: Store;
  dataDir: string;
  /** Closes the store and removes its folder. */
  dispose(): Promise<void>;
}

/** A real embedded (SQLite) store in a fresh temp folder. */
export async function openTempStore(now?: () => number): Promise<TempStore> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'execwatch-auth-'));
  const store = createEmbeddedStore({ dataDir, log: silentLogger, now });
  await store.init();
  return {
    store,
    dataDir,
    async dispose() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
