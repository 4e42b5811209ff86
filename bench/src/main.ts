/**
 * `npm run bench`: runs every benchmark module in turn and prints ONE JSON object of figures.
 * Each module exports `run(): Promise<Record<string, number | string>>`. Progress goes to stderr.
 * BENCH_ONLY=eql,store limits the modules; a module that fails records `<name>_error` and the rest still run.
 */
import os from 'node:os';

const modules = ['eql', 'store', 'storage', 'retention', 'exceptions', 'enrichment', 'server', 'load', 'web', 'first-screen'] as const;
type Figures = Record<string, number | string | boolean>;

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const figures: Figures = {
    machine_cpus: os.cpus().length,
    machine_memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    started_at: new Date().toISOString(),
  };
  for (const name of modules) {
    if (only && !only.includes(name)) continue;
    const t0 = performance.now();
    process.stderr.write(`bench: ${name}...\n`);
    try {
      const mod = (await import(`./${name}.ts`)) as { run: () => Promise<Figures> };
      Object.assign(figures, await mod.run());
    } catch (err) {
      figures[`${name}_error`] = err instanceof Error ? err.message : String(err);
    }
    figures[`${name}_bench_s`] = Math.round((performance.now() - t0) / 100) / 10;
  }
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

await main();
