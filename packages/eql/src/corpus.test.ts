import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, parse } from './index';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const corpusFile = process.env.EQL_CORPUS ?? path.resolve(repoRoot, '../shared/corpus/detection-rules-eql-queries.jsonl');
const available = existsSync(corpusFile);

describe('detection-rules corpus', () => {
  // The corpus is reference data outside the repository; on a clone without it this suite has nothing to read.
  it.skipIf(!available)('parses and compiles every EQL query of Elastic detection-rules', () => {
    const lines = readFileSync(corpusFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const failures: string[] = [];
    for (const line of lines) {
      const { query, path: rulePath } = JSON.parse(line) as { query: string; path: string };
      try {
        compile(parse(query));
      } catch (err) {
        failures.push(`${rulePath}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    expect(lines.length).toBeGreaterThanOrEqual(1081);
  });

  it('reports where it looked for the corpus', () => {
    expect(corpusFile.endsWith('.jsonl')).toBe(true);
  });
});
