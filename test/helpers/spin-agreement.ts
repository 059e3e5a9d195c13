// Cross-checks scenarios x variant x config with SPIN: export to Promela, `spin -a`, gcc,
// pan; SPIN must find exactly the kind of error we report (nothing when we say holds), and
// each SPIN error trail must replay on our model to that same kind of error. The seed
// scenarios are split over several test files only so that vitest can run them in parallel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listScenarios, loadScenario, type Scenario } from '../../sim/index.ts';
import { crossCheck, pool, table, type Agreement } from '../../sim/promela-check.ts';
import { spinTools, type SpinOptions } from '../../sim/promela-spin.ts';

// Small models: -O0 compiles pan.c several times faster, and a small hash table and
// depth stack keep pan's start-up cheap (a deeper model would say "incomplete", not pass).
// A pan built from the very same text is reused (LOREGRAPH_SPIN_NOCACHE=1 to rebuild all).
export const FAST: SpinOptions = { optimize: false, maxDepth: 20_000, hashBits: 16, trails: true, cache: true };

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

/** One model to cross-check: a scenario's (variant, config), named `key` in the test list. */
export interface SpinModel {
  key: string;
  sc: Scenario;
  v: string;
  c: string;
}

/** Every (variant, config) of each scenario, keyed as crossCheck keys its rows. */
export function everyModel(scenarios: Scenario[]): SpinModel[] {
  return scenarios.flatMap((sc) => [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => ({ sc, v, c, key: `${sc.id} ${v} x ${c}` }))));
}

/**
 * One test per model, SPIN run on them all up front (two at a time); skipped, with a warning
 * saying why, where SPIN or gcc is missing or `skip` says so. `more` adds tests of the list itself.
 */
export async function describeSpinAgreementOn(opts: {
  title: string;
  /** What is cross-checked, for the warning. */
  what: string;
  models: SpinModel[];
  options?: SpinOptions;
  timeout?: number;
  more?: () => void;
  /** Why there is nothing to check here (a missing ../shared folder): skipped, with a warning. */
  skip?: string;
}): Promise<void> {
  const tools = await spinTools();
  const skip = opts.skip ?? (tools.ok ? undefined : tools.reason);
  if (skip !== undefined) console.warn(`SPIN cross-check of ${opts.what} skipped: ${skip}`);

  describe.skipIf(skip !== undefined)(opts.title, () => {
    const results = new Map<string, Agreement>();

    beforeAll(async () => {
      const rows = await pool(opts.models, 2, async (m) => ({ ...(await crossCheck(m.sc, m.v, m.c, opts.options ?? FAST)), key: m.key }));
      for (const r of rows) results.set(r.key, r);
    }, opts.timeout ?? 240_000);

    afterAll(() => {
      if (results.size > 0) console.log(`\nverdict table (ours vs SPIN)\n${table([...results.values()])}\n`);
    });

    opts.more?.();

    it.each(opts.models.map((m) => [m.key]))('%s', (key) => {
      expectSpinAgreement(results.get(key)!);
    });
  });
}

/** The seed scenarios whose ids start with `ids`: all `models` (variant, config) pairs of them. */
export async function describeSpinAgreement(opts: { title: string; ids: string[]; models: number }): Promise<void> {
  const names = opts.ids.join(', ');
  const models = everyModel(listScenarios().filter((s) => opts.ids.some((id) => s.id.startsWith(`${id}-`)) && !s.error).map((s) => loadScenario(s.id)));
  await describeSpinAgreementOn({
    title: opts.title,
    what: names,
    models,
    more: () =>
      it(`covers all ${opts.models} (scenario, variant, config) models of ${names}`, () => {
        expect(models.length).toBe(opts.models);
      }),
  });
}
