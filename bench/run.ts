// `npm run bench`: runs every bench/<name>.ts that exports `run()`, one after the
// other (never in parallel: these 2-core machines are noisy enough), or only those
// named on the command line: `npm run bench -- ingest sim`.
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2));
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => basename(f, '.ts'))
  .filter((n) => wanted.size === 0 || wanted.has(n))
  .sort();

for (const name of names) {
  const mod = (await import(pathToFileURL(`${here}/${name}.ts`).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') continue;
  console.log(`\n== bench/${name} ==`);
  const t0 = performance.now();
  await mod.run();
  console.log(`(bench/${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
