/**
 * `npm run audit:verify [-- --head SEQ:HASH]`: walks the audit log's hash chain (see auth/audit-chain.ts) in the
 * store the server is configured for (EXECWATCH_STORE, EXECWATCH_DATA_DIR, ES_* as the server reads them) and
 * prints either `N records, chain intact` (exit 0) or the first broken link (exit 1); 2 for usage or setup errors.
 * The embedded store's file is opened read-only, so it can run beside a running server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { verifyAuditChain, type ChainVerdict } from '../auth/audit-chain';
import { ConfigError, loadConfig } from '../config';
import { silentLogger } from '../log';
import { createStore } from '../store';
import { createAuditChainReader } from '../store/embedded/audit';
import { DB_FILE } from '../store/embedded/db';
import type { AuditChainHead, AuditLog } from '../store/ports';

export const USAGE = 'usage: npm run audit:verify [-- --head SEQ:HASH]   (SEQ:HASH: a head printed by an earlier run, to check against)';

export interface VerifyIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

type ChainSource = Pick<AuditLog, 'readChain' | 'chainHead' | 'count'>;

class SetupError extends Error {}

function parseAnchor(argv: string[]): AuditChainHead | undefined {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { head: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new SetupError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) throw new SetupError('');
  if (values.head === undefined) return undefined;
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(values.head);
  if (!m) throw new SetupError(`--head must be SEQ:HASH as a run prints it (e.g. 42:9f86…), got "${values.head}"`);
  return { seq: Number(m[1]), hash: m[2] ?? '' };
}

/** Opens the configured store's audit chain for reading; `close` releases it. */
async function openChain(env: NodeJS.ProcessEnv): Promise<{ chain: ChainSource; where: string; close(): Promise<void> }> {
  const config = loadConfig(env);
  if (config.store === 'elasticsearch') {
    const store = await createStore(config, silentLogger);
    return { chain: store.audit, where: `${config.es.node} (space ${config.space})`, close: () => store.close() };
  }
  const file = path.join(config.dataDir, DB_FILE);
  if (!fs.existsSync(file)) throw new SetupError(`no embedded store at ${file} (set EXECWATCH_DATA_DIR to the server's data folder)`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('audit_log')").all().map((c) => c.name);
  if (!columns.includes('hash')) {
    db.close();
    throw new SetupError(`${file} predates the audit chain: start the server once (it chains the existing records), then verify`);
  }
  return { chain: createAuditChainReader(db), where: file, close: async () => void db.close() };
}

function describeVerdict(v: ChainVerdict): string {
  if (v.broken) {
    const id = v.broken.id === null ? '' : ` (id ${v.broken.id})`;
    return `chain broken at record ${v.broken.seq}${id}: ${v.broken.reason}; the ${v.verified} records before it are intact\n`;
  }
  const head = v.head ? `; head ${v.head.seq}:${v.head.hash} (keep it to check later runs with --head)` : '';
  const outside = v.total > v.verified ? `\n${v.total - v.verified} audit records are outside the chain (written before it began)` : '';
  return `${v.verified} records, chain intact${head}${outside}\n`;
}

/** Runs the command; resolves to the process exit code. */
export async function runAuditVerify(argv: string[], io: VerifyIo): Promise<number> {
  let opened: Awaited<ReturnType<typeof openChain>> | undefined;
  try {
    const anchor = parseAnchor(argv);
    opened = await openChain(io.env);
    const verdict = await verifyAuditChain(opened.chain, anchor ? { anchor } : {});
    (verdict.broken ? io.stderr : io.stdout).write(`${opened.where}: ${describeVerdict(verdict)}`);
    return verdict.broken ? 1 : 0;
  } catch (err) {
    if (err instanceof SetupError || err instanceof ConfigError) {
      io.stderr.write(`${err.message ? `${err.message}\n` : ''}${USAGE}\n`);
      return 2;
    }
    io.stderr.write(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  } finally {
    await opened?.close();
  }
}
