/** `npm run conformance`: Elasticsearch's EQL spec suite; prints per-file counts and every failure with its reason. */
import { runSuite, specAvailable, specDir } from './spec-suite';

const dir = specDir();
if (!specAvailable(dir)) {
  process.stdout.write(`conformance: spec folder not found at ${dir} (set EQL_SPEC_DIR)\n`);
  process.exit(1);
}
let passed = 0;
let failed = 0;
for (const { file, results } of runSuite(dir)) {
  const ok = results.filter((r) => r.ok).length;
  passed += ok;
  failed += results.length - ok;
  process.stdout.write(`${file}: ${ok}/${results.length} passed\n`);
  for (const r of results) if (!r.ok) process.stdout.write(`  FAIL ${r.case.name}: ${r.reason}\n`);
}
process.stdout.write(`conformance: ${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
