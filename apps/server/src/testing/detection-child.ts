/**
 * Child process for the kill -9 test: opens the store in `argv[2]`, runs the seed rule over
 * [argv[3], argv[4]) and prints `done N`, then runs it over [argv[3], argv[5]) and prints `running`
 * as that run starts (the parent kills the process there).
 */
import { silentLogger } from '../log';
import { createServices } from '../services/index';
import { createEmbeddedStore } from '../store/embedded/index';
import { seedRuleId } from './scenario';

const [dataDir, fromText, firstToText, secondToText] = process.argv.slice(2);
if (!dataDir || !fromText || !firstToText || !secondToText) throw new Error('usage: detection-child DATA_DIR FROM FIRST_TO SECOND_TO');
const from = Number(fromText);
// a moving clock after all events, so the two runs' records are ordered by their start
const startedAt = Date.now();
const now = () => Number(secondToText) + 1 + (Date.now() - startedAt);
const store = createEmbeddedStore({ dataDir, log: silentLogger, now });
await store.init();
let announce = false;
const services = await createServices({
  store,
  log: silentLogger,
  now,
  instanceId: 'child',
  onRunStart: () => {
    if (announce) process.stdout.write('running\n');
  },
});
await services.registry.update(seedRuleId, { max_signals: 10_000 }, 'test');
const first = await services.engine.runWindow(seedRuleId, { from, to: Number(firstToText) }, 'manual');
process.stdout.write(`done ${first.alerts_created}\n`);
announce = true;
await services.engine.runWindow(seedRuleId, { from, to: Number(secondToText) }, 'manual');
process.stdout.write('finished\n');
await store.close();
