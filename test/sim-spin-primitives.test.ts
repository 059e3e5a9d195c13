// SPIN cross-checks the kernel primitives (rwsem trylocks, refcounts, `when:`, RCU,
// xarray entries) on every (variant, config) of the models in sim/examples: the exported
// Promela must give SPIN exactly the kinds of error our explorer reports, and each SPIN
// counterexample must replay on our model to that same kind of error.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { listScenarios, loadScenarioFile } from '../sim/index.ts';
import { crossCheck, pool, table, type Agreement } from '../sim/promela-check.ts';
import { spinTools } from '../sim/promela-spin.ts';
import { expectSpinAgreement } from './helpers/spin-agreement.ts';

const FAST = { optimize: false, maxDepth: 20_000, hashBits: 16, trails: true, cache: true } as const;
const tools = await spinTools();
if (!tools.ok) console.warn(`SPIN cross-check of sim/examples skipped: ${tools.reason}`);

const models = listScenarios('sim/examples')
  .filter((s) => !s.error)
  .flatMap((s) => {
    const sc = loadScenarioFile(s.file);
    return [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => ({ sc, v, c, key: `${sc.id} ${v} x ${c}` })));
  });

describe.skipIf(!tools.ok)('SPIN agrees with the explorer on the primitive examples', () => {
  const results = new Map<string, Agreement>();
  beforeAll(async () => {
    const rows = await pool(models, 2, (m) => crossCheck(m.sc, m.v, m.c, FAST));
    for (const r of rows) results.set(r.key, r);
  }, 240_000);

  afterAll(() => {
    if (results.size > 0) console.log(`\nverdict table (ours vs SPIN)\n${table([...results.values()])}\n`);
  });

  it.each(models.map((m) => [m.key]))('%s', (key) => {
    expectSpinAgreement(results.get(key)!);
  });
});
