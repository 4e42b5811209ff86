/** Picks the store adapter named by the configuration; services only ever see the `Store` port. */
import type { ServerConfig } from '../config';
import type { Logger } from '../log';
import type { Store } from './ports';
import { createEmbeddedStore } from './embedded/index';

/** Creates (but does not initialise) the configured store. The cluster adapter is loaded only when used. */
export async function createStore(config: ServerConfig, log: Logger): Promise<Store> {
  if (config.store === 'elasticsearch') {
    const { createElasticsearchStore } = await import('./elasticsearch/index');
    return createElasticsearchStore({
      node: config.es.node,
      apiKey: config.es.apiKey,
      username: config.es.username,
      password: config.es.password,
      caFile: config.es.caFile,
      compatibility: config.es.compatibility,
      space: config.space,
      log,
      instanceId: config.instanceId,
    });
  }
  return createEmbeddedStore({ dataDir: config.dataDir, log });
}
