/** Entry point of `npm run audit:verify [-- --head SEQ:HASH]`. */
import { runAuditVerify } from './audit-verify-command';

process.exitCode = await runAuditVerify(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
