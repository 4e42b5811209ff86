/** Writes the API list generated from the route declarations into README.md (`npm run api-list`). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withApiList } from '../api-routes';
import { repoRoot } from '../config';

const file = path.join(repoRoot, 'README.md');
const next = withApiList(readFileSync(file, 'utf8'));
if (next === null) {
  process.stderr.write('README.md has no api-list block (<!-- api-list:start ... --> ... <!-- api-list:end -->)\n');
  process.exit(1);
}
writeFileSync(file, next);
process.stdout.write('README.md: API list written\n');
