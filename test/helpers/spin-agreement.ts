// Cross-checks scenarios x variant x config with SPIN: export to Promela, `spin -a`, gcc,
// pan; SPIN must find exactly the kind of error we report (nothing when we say holds), and
// each SPIN error trail must replay on our model to that same kind of error. The seed
// scenarios are split over several test files only so that vitest can run them in parallel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../../sim/index.ts';
import { crossCheck, pool, table, type Agreement } from '../../sim/promela-check.ts';
import { spinTools } from '../../sim/promela-spin.ts';

// Small models: -O0 compiles pan.c several times faster, and a small hash table and
// depth stack keep pan's start-up cheap (a deeper model would say "incomplete", not pass).
// A pan built from the very same text is reused (LOREGRAPH_SPIN_NOCACHE=1 to rebuild all).
const FAST = { optimize: false, maxDepth: 20_000, hashBits: 16, trails: true, cache: true } as const;

/**
 * SPIN found exactly the kind of error we report (nothing when we say holds), on a model of
 * comparable size, and each of its counterexamples replays on our model to that same error.
 */
export function expectSpinAgreement(r: Agreement): void {
  expect(r.spin.verdict).not.toBe('incomplete');
  if (r.ours.verdict === 'holds') expect(r.spin.found).toEqual([]);
  else expect(r.spin.found).toContain(r.ours.verdict);
  expect(r.agree).toBe(true);
  // SPIN saw a model of comparable size, not an empty one.
  expect(r.spin.deadlock.statesStored).toBeGreaterThan(3);
  // Each of SPIN's counterexamples, mapped back to our steps, replays on our model to the same kind of error.
  expect(r.trails.map((t) => t.spin).sort()).toEqual([...r.spin.found].sort());
  for (const t of r.trails) expect(`${t.spin}: ${t.ours}`).toBe(`${t.spin}: ${t.spin}`);
}

export async function describeSpinAgreement(opts: { title: string; ids: string[]; models: number }): Promise<void> {
  const tools = await spinTools();
  const names = opts.ids.join(', ');
  if (!tools.ok) console.warn(`SPIN cross-check of ${names} skipped: ${tools.reason}`);

  const models = listScenarios()
    .filter((s) => opts.ids.some((id) => s.id.startsWith(`${id}-`)) && !s.error)
    .flatMap((s) => {
      const sc = loadScenario(s.id);
      return [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => ({ sc, v, c, key: `${sc.id} ${v} x ${c}` })));
    });

  describe.skipIf(!tools.ok)(opts.title, () => {
    const results = new Map<string, Agreement>();

    beforeAll(async () => {
      const rows = await pool(models, 2, (m) => crossCheck(m.sc, m.v, m.c, FAST));
      for (const r of rows) results.set(r.key, r);
    }, 240_000);

    afterAll(() => {
      if (results.size > 0) console.log(`\nverdict table (ours vs SPIN)\n${table([...results.values()])}\n`);
    });

    it(`covers all ${opts.models} (scenario, variant, config) models of ${names}`, () => {
      expect(models.length).toBe(opts.models);
    });

    it.each(models.map((m) => [m.key]))('%s', (key) => {
      expectSpinAgreement(results.get(key)!);
    });
  });
}
