/** Entry point of `npm run ingest -- FILE.ndjson [--index NAME] [--url URL] [--batch 5000]`. */
import { runIngest } from './ingest-command';

process.exitCode = await runIngest(process.argv.slice(2), { stderr: process.stderr, env: process.env });
