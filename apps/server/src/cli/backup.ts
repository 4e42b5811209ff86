/** Entry point of `npm run backup -- FILE [--force]` (see backup-command.ts). */
import { runBackup } from './backup-command';

process.exitCode = runBackup(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.env.INIT_CWD ?? process.cwd() });
