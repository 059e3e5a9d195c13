import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, runScenario, SCENARIO_DIR, type Scenario } from '../sim/index.ts';

const FIX = 'test/fixtures/sim';
const yamls = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`);

function bothWays(sc: Scenario, variant: string, config: string) {
  const full = runScenario(sc, { variant, config, por: false });
  const reduced = runScenario(sc, { variant, config, por: true });
  const slept = runScenario(sc, { variant, config, sleep: true });
  return { full, reduced, slept };
}

/** Sleep sets visit exactly the states full search does, with at most its transitions. */
function expectSleepAgrees(full: ReturnType<typeof runScenario>, slept: ReturnType<typeof runScenario>, what: string): void {
  expect(slept.verdict === 'holds', what).toBe(full.verdict === 'holds');
  if (full.verdict === 'holds') {
    expect(slept.states, what).toBe(full.states);
    expect(slept.transitions, what).toBeLessThanOrEqual(full.transitions);
    expect(slept.unreached, what).toEqual(full.unreached);
  }
}

describe('partial-order reduction', () => {
  it('explores far fewer states when threads work on their own data, with the same verdict', () => {
    const sc = parseScenario(`
id: indep
title: three threads on their own counters
vars: { a: 0, b: 0, c: 0 }
threads:
  t:
    fn: a.c:t
    params: [v]
    steps:
      - { id: s1, do: ["$v = $v + 1"] }
      - { id: s2, do: ["$v = $v + 1"] }
      - { id: s3, do: ["$v = $v + 1"] }
      - { id: s4, do: ["$v = $v + 1"] }
finals: [ { name: all, expr: "a == 4 && b == 4 && c == 4" } ]
configs:
  c: { run: [ { thread: t, as: x, args: { v: a } }, { thread: t, as: y, args: { v: b } }, { thread: t, as: z, args: { v: c } } ] }
`, 'indep.yaml');
    const { full, reduced, slept } = bothWays(sc, 'original', 'c');
    expect(full.verdict).toBe('holds');
    expect(slept.states).toBe(125);
    expect(slept.transitions).toBeLessThan(full.transitions / 2);
    expect(reduced.verdict).toBe('holds');
    expect(full.states).toBe(125); // 5 pcs per thread, cubed
    expect(reduced.states).toBe(13); // one interleaving: 12 steps + the initial state
    expect(reduced.unreached).toEqual([]);
  });

  it('gives the same verdicts as full exploration on every textbook and seed scenario, never more states', () => {
    const files = [...yamls(FIX), ...yamls(SCENARIO_DIR)];
    let fewer = 0;
    for (const f of files) {
      const sc = loadScenarioFile(f);
      for (const v of sc.variants.keys()) {
        for (const c of sc.configs.keys()) {
          const { full, reduced, slept } = bothWays(sc, v, c);
          expectSleepAgrees(full, slept, `${f} ${v}/${c}`);
          expect(`${f} ${v}/${c}: ${reduced.verdict} ${reduced.property ?? ''}`).toBe(`${f} ${v}/${c}: ${full.verdict} ${full.property ?? ''}`);
          if (full.verdict === 'violated' || full.verdict === 'deadlock') {
            // The reported witness is as short as the full BFS's, POR or not.
            expect(reduced.witness.length, `${f} ${v}/${c}`).toBe(full.witness.length);
          }
          if (full.verdict === 'holds') {
            expect(reduced.states).toBeLessThanOrEqual(full.states);
            expect(reduced.unreached).toEqual(full.unreached);
            if (reduced.states < full.states) fewer++;
          }
        }
      }
    }
    expect(fewer).toBeGreaterThan(0);
  });

  // Random small programs over shared variables, a mutex and a folio lock: the reduced
  // search must find a bad state (violation or deadlock) exactly when the full one does.
  const stepArb = fc.oneof(
    fc.tuple(fc.constantFrom('x', 'y'), fc.constantFrom('x', 'y', 'r'), fc.integer({ min: 0, max: 2 })).map(([a, b, k]) => `{ do: ["${a} = ${b} + ${k}"] }`),
    fc.constantFrom('x', 'y').map((a) => `{ do: ["r = ${a}"] }`),
    fc.constantFrom('m', 'A').map((l) => `{ lock: ${l} }`),
    fc.constantFrom('m', 'A').map((l) => `{ unlock: ${l} }`),
    fc.tuple(fc.constantFrom('x', 'y', 'r'), fc.integer({ min: 0, max: 2 })).map(([a, k]) => `{ await: "${a} >= ${k}" }`),
    fc.tuple(fc.constantFrom('x', 'r'), fc.constantFrom('y', 'x')).map(([c, a]) => `{ if: "${c} == 0", then: [ { id: ID_t, do: ["${a} = 1"] } ] }`),
    fc.constant('{ choice: { a: [ { id: ID_a, do: ["y = 2"] } ], b: [ { id: ID_b, do: [] } ] } }'),
    // Busy-waits put cycles in the state graph: the case the ample-set cycle proviso is for.
    fc.constantFrom('x', 'y').map((a) => `{ while: "${a} == 0", body: [ { id: ID_w, do: ["r = r + 1 - r"] } ] }`),
  );
  const threadArb = fc.array(stepArb, { minLength: 1, maxLength: 4 });
  const programArb = fc.record({
    threads: fc.array(threadArb, { minLength: 2, maxLength: 3 }),
    inv: fc.constantFrom('', 'invariants: [ { name: inv, expr: "x + y < 4" } ]'),
    fin: fc.constantFrom('', 'finals: [ { name: fin, expr: "x != y" } ]'),
  });

  it('finds a bad state exactly when full exploration does, on random programs (ample sets and sleep sets)', () => {
    fc.assert(
      fc.property(programArb, ({ threads, inv, fin }) => {
        const body = threads
          .map((steps, ti) => `  t${ti}:\n    fn: a.c:t${ti}\n    locals: { r: 0 }\n    steps:\n${steps.map((s, si) => `      - ${s.replace('{ ', `{ id: s${si}, `).replace(/ID_/g, `s${si}_`)}`).join('\n')}`)
          .join('\n');
        const yaml = `id: rnd\ntitle: rnd\nvars: { x: 0, y: 0 }\nfolios: { A: {} }\nlocks: { m: mutex }\nthreads:\n${body}\n${inv}\n${fin}\nconfigs:\n  c: { run: [${threads.map((_, i) => `t${i}`).join(', ')}] }\n`;
        const sc = parseScenario(yaml, 'rnd.yaml');
        const { full, reduced, slept } = bothWays(sc, 'original', 'c');
        expect(reduced.verdict === 'holds', yaml).toBe(full.verdict === 'holds');
        expectSleepAgrees(full, slept, yaml);
        // A search stops at its first bad state, so only complete searches compare in size.
        if (full.verdict === 'holds') {
          expect(reduced.states).toBeLessThanOrEqual(full.states);
          expect(reduced.unreached, yaml).toEqual(full.unreached);
        }
      }),
      { numRuns: Number(process.env.SIM_POR_RUNS ?? 300) },
    );
  });
});
