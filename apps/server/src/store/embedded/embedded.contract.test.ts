import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { silentLogger } from '../../log';
import { describeStoreContract } from '../contract/store-contract';
import { createEmbeddedStore } from './index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'execwatch-embedded-contract-'));
let n = 0;

describeStoreContract('embedded (SQLite)', async () => createEmbeddedStore({ dataDir: path.join(root, `s${n++}`), log: silentLogger }));

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});
