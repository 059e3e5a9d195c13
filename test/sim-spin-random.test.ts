// Differential test of the Promela export: random small scenarios (assignments, `when:`,
// mutex, spinlock, folio lock and trylock, both rwsem fairnesses and their trylocks,
// refcounts, RCU sections and grace periods, if/else, await, choice, assert, invariants
// and finals) must get the same verdict from our explorer and from SPIN. Each run compiles
// pan.c, so the number of runs is small (LOREGRAPH_SPIN_RUNS=200 for a longer hunt);
// fast-check prints the seed of any disagreement.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/index.ts';
import { crossCheck } from '../sim/promela-check.ts';
import { spinTools } from '../sim/promela-spin.ts';

const FAST = { optimize: false, maxDepth: 20_000, hashBits: 16, trails: true } as const;
const RUNS = Number(process.env.LOREGRAPH_SPIN_RUNS ?? 12);
const tools = await spinTools();
if (!tools.ok) console.warn(`random SPIN cross-check skipped: ${tools.reason}`);

const cond = fc.constantFrom('x == 1', 'x + y < 2', '!(x == y)', 'y >= 1', 'A.locked', 'x != 2', 'A.dirty || y == 0');
const assign = fc.constantFrom('x = x + 1', 'y = x', 'x = 1 - y', 'A.dirty = 1', 'A.dirty = 0', 'y = y + A.dirty', 'x = 0');

type Step = { yaml: (id: string) => string };
const leaf: fc.Arbitrary<Step> = fc.oneof(
  fc.array(assign, { minLength: 1, maxLength: 2 }).map((as) => ({ yaml: (id: string) => `{ id: ${id}, do: [${as.map((a) => `"${a}"`).join(', ')}] }` })),
  cond.map((c) => ({ yaml: (id: string) => `{ id: ${id}, await: "${c}" }` })),
  cond.map((c) => ({ yaml: (id: string) => `{ id: ${id}, assert: "${c} || x < 3" }` })),
);
// Lock use comes in bracketed pairs (with an assignment inside) so most runs are not just discipline errors.
const bracket: fc.Arbitrary<Step> = fc
  .tuple(fc.constantFrom(['lock', 'unlock', 'm'], ['lock', 'unlock', 'A'], ['lock', 'unlock', 's'], ['down_read', 'up_read', 'r'], ['down_write', 'up_write', 'r'], ['down_read', 'up_read', 'q'], ['down_write', 'up_write', 'q']), assign)
  .map(([[take, give, l], a]) => ({ yaml: (id: string) => `{ id: ${id}a, ${take}: ${l} }, { id: ${id}b, do: ["${a}"] }, { id: ${id}c, ${give}: ${l} }` }));
const trylock: fc.Arbitrary<Step> = fc
  .tuple(assign, fc.constantFrom(['trylock', 'unlock', 'A'], ['down_read_trylock', 'up_read', 'r'], ['down_write_trylock', 'up_write', 'q'], ['trylock', 'unlock', 's']))
  .map(([a, [take, give, l]]) => ({
    yaml: (id: string) => `{ id: ${id}t, ${take}: ${l}, into: got }, { id: ${id}i, if: "got", then: [ { id: ${id}w, do: ["${a}"] }, { id: ${id}u, ${give}: ${l} } ] }`,
  }));
const when: fc.Arbitrary<Step> = fc.tuple(cond, assign).map(([c, a]) => ({ yaml: (id: string) => `{ id: ${id}, when: "${c}", do: ["${a}"] }` }));
// A speculative reference: taken only if the count is live, dropped after use. B starts with one reference.
const ref: fc.Arbitrary<Step> = fc.tuple(assign, fc.boolean()).map(([a, freeze]) => ({
  yaml: (id: string) =>
    freeze
      ? `{ id: ${id}f, freeze: B.refcount, expected: 1, into: got }, { id: ${id}i, if: "got", then: [ { id: ${id}w, do: ["${a}"] }, { id: ${id}u, unfreeze: B.refcount, to: 1 } ] }`
      : `{ id: ${id}g, try_get: B.refcount, into: got }, { id: ${id}i, if: "got", then: [ { id: ${id}w, do: ["${a}"] }, { id: ${id}p, put: B.refcount } ] }`,
}));
const rcu: fc.Arbitrary<Step> = fc.tuple(assign, fc.boolean()).map(([a, sync]) => ({
  yaml: (id: string) =>
    sync
      ? `{ id: ${id}s, synchronize_rcu: true }`
      : `{ id: ${id}l, rcu_read_lock: true }, { id: ${id}w, do: ["${a}"] }, { id: ${id}u, rcu_read_unlock: true }`,
}));
const branch: fc.Arbitrary<Step> = fc.tuple(cond, assign, assign).map(([c, a, b]) => ({
  yaml: (id: string) => `{ id: ${id}, if: "${c}", then: [ { id: ${id}y, do: ["${a}"] } ], else: [ { id: ${id}n, do: ["${b}"] } ] }`,
}));
const choice: fc.Arbitrary<Step> = assign.map((a) => ({ yaml: (id: string) => `{ id: ${id}, choice: { one: [ { id: ${id}o, do: ["${a}"] } ], none: [] } }` }));
const step = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 3, arbitrary: bracket },
  { weight: 1, arbitrary: trylock },
  { weight: 2, arbitrary: branch },
  { weight: 1, arbitrary: choice },
  { weight: 1, arbitrary: when },
  { weight: 1, arbitrary: ref },
  { weight: 1, arbitrary: rcu },
);
const thread = fc.array(step, { minLength: 1, maxLength: 4 });

const scenario = fc
  .record({
    threads: fc.array(thread, { minLength: 2, maxLength: 3 }),
    inv: fc.option(fc.constantFrom('x <= 2', 'x + y <= 3', '!(A.dirty && x == 2)'), { nil: undefined }),
    fin: fc.option(fc.constantFrom('x >= 1', 'y == 0 || x == y', 'A.dirty == 0'), { nil: undefined }),
    x0: fc.integer({ min: 0, max: 1 }),
  })
  .map(({ threads, inv, fin, x0 }) => {
    const ts = threads
      .map((steps, t) => `  t${t}:\n    fn: x/rand.c:t${t}\n    locals: { got: 0 }\n    steps: [ ${steps.map((s, i) => s.yaml(`s${i}`)).join(', ')} ]`)
      .join('\n');
    return `id: random
title: random
vars: { x: ${x0}, y: 0 }
folios: { A: {}, B: { refcount: 1 } }
locks: { m: mutex, s: spinlock, r: rwsem, q: { kind: rwsem, fair: reader } }
threads:
${ts}
${inv ? `invariants: [ { name: inv, expr: "${inv}" } ]` : ''}
${fin ? `finals: [ { name: fin, expr: "${fin}" } ]` : ''}
configs: { c: { run: [${threads.map((_, t) => `t${t}`).join(', ')}] } }
`;
  });

describe.skipIf(!tools.ok)('Promela export vs explorer on random scenarios', () => {
  it('gives SPIN the same verdict as our explorer', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(scenario, async (yaml) => {
        const sc = parseScenario(yaml, 'random.yaml');
        const r = await crossCheck(sc, 'original', 'c', FAST);
        seen.add(r.ours.verdict);
        if (!r.agree) throw new Error(`disagree: ours ${r.ours.verdict} (${r.ours.property}), SPIN ${r.spin.found.join('+') || 'holds'}\n${yaml}`);
        for (const t of r.trails) {
          // SPIN's deadlock search ignores assertions, so its trail may run through one that ours stops at.
          const ok = t.ours === t.spin || (t.spin === 'deadlock' && t.ours.includes('fails before the witness ends'));
          if (!ok) throw new Error(`SPIN's ${t.spin} trail replays to ${t.ours} on our model\n${yaml}`);
        }
      }),
      { numRuns: RUNS },
    );
    // Not a vacuous run: the random models reach more than one kind of verdict.
    expect(seen.size).toBeGreaterThan(1);
  }, Math.max(120_000, RUNS * 5_000));
});
