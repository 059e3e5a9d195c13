// The weak memory models (`memory: tso | lkmm-lite`): store buffers, pending loads, the
// barriers and what orders them, each pinned with replays that read the values. The classic
// patterns are in sim/examples/memory-models.yaml; the LKMM's own litmus tests in
// sim-litmus.test.ts; SPIN checks both (sim-spin-primitives, sim-spin-litmus).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, type Model, type State } from '../sim/compile.ts';
import { SimError } from '../sim/errors.ts';
import { checkAll, instantiate, loadScenario, parseScenario, runScenario, type Scenario } from '../sim/index.ts';
import { F_ADD, forwardJs } from '../sim/memory.ts';
import { replayWitness } from '../sim/replay.ts';
import { storyOf } from '../sim/story.ts';

const sc = (memory: string, threads: string, extra = ''): Scenario =>
  parseScenario(
    `
id: m
title: m
memory: ${memory}
vars: { x: 0, y: 0, g: 0, n: 0 }
${extra}
threads:
${threads}
configs: { c: { run: [${[...threads.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]).join(', ')}] } }
`,
    'm.yaml',
  );
const model = (s: Scenario): Model => compile(instantiate(s, 'original', 'c'));
const val = (m: Model, s: State, name: string): number => s[m.slotOf.get(name) ?? m.slotOf.get(`${name.split('.')[0]}#local.${name.split('.')[1]}`)!]!;
type W = { thread: string; step: string; branch?: string };
const w = (...xs: string[]): W[] =>
  xs.map((x) => {
    const [thread, rest] = x.split(':') as [string, string];
    const [step, branch] = rest.split(' ');
    return { thread, step: step!, ...(branch ? { branch } : {}) };
  });

describe('tso: store buffers, in order', () => {
  const s = sc('tso', `  a: { fn: a.c:a, locals: { r: 0 }, steps: [ { id: wx, do: ["x = 1"] }, { id: wy, do: ["y = 1"] }, { id: rx, do: ["r = x"] } ] }
  b: { fn: a.c:b, locals: { r: 0 }, steps: [ { id: rx, do: ["r = x"] } ] }`);
  const m = model(s);

  it("lets a thread read its own buffered store while others still see memory", () => {
    const out = replayWitness(m, w('a:wx', 'a:wy', 'a:rx', 'b:rx'));
    expect(out.steps.map((x) => x.changes)).toEqual([['a store buffer: [] -> [x = 1]'], ['a store buffer: [x = 1] -> [x = 1, y = 1]'], ['a.r: 0 -> 1'], []]);
    expect(val(m, out.final, 'x')).toBe(0);
    expect(val(m, out.final, 'b.r')).toBe(0);
  });

  it('commits the oldest store only: there is no second commit transition', () => {
    const mem = m.threads.find((t) => t.name === 'a~mem')!;
    expect(mem.nodes[0]!.trans.map((t) => t.branch)).toEqual(['store0']);
    const out = replayWitness(m, w('a:wx', 'a:wy', 'a~mem:flush store0'));
    expect(out.steps.at(-1)!.changes).toEqual(['x: 0 -> 1', 'a store buffer: [x = 1, y = 1] -> [y = 1]']);
  });

  it('drains the buffer before an atomic: x86 locked instructions are full fences', () => {
    const t = sc('tso', `  a: { fn: a.c:a, steps: [ { id: wx, do: ["x = 1"] }, { id: inc, do: ["n = n + 1"], atomic: relaxed } ] }`);
    expect(() => replayWitness(model(t), w('a:wx', 'a:inc'))).toThrow(/'a:inc' is blocked here/);
  });
});

describe('lkmm-lite: stores and loads out of order, barriers putting them back', () => {
  const two = (between: string): Scenario =>
    sc('lkmm-lite', `  a: { fn: a.c:a, steps: [ { id: wx, do: ["x = 1"] }, ${between} { id: wy, do: ["y = 1"] } ] }`);

  it('commits a younger store to another location first', () => {
    const m = model(two(''));
    const out = replayWitness(m, w('a:wx', 'a:wy', 'a~mem:flush store1'));
    expect([val(m, out.final, 'x'), val(m, out.final, 'y')]).toEqual([0, 1]);
  });

  it('keeps stores on either side of smp_wmb() in order, and shows the epoch in the buffer', () => {
    const m = model(two('{ id: wmb, barrier: smp_wmb },'));
    const out = replayWitness(m, w('a:wx', 'a:wmb', 'a:wy'));
    expect(out.steps.at(-1)!.changes).toEqual(['a store buffer: [x = 1] -> [x = 1, | y = 1]']);
    expect(() => replayWitness(m, w('a:wx', 'a:wmb', 'a:wy', 'a~mem:flush store1'))).toThrow(/is blocked here/);
  });

  it('never lets a release store pass an older one, but lets a younger one pass it', () => {
    const s = sc('{ model: lkmm-lite, store_buffer: 3 }', `  a: { fn: a.c:a, steps: [ { id: wx, do: ["x = 1"] }, { id: rel, do: ["smp_store_release(y, 1)"] }, { id: wg, do: ["g = 1"] } ] }`);
    const m = model(s);
    expect(() => replayWitness(m, w('a:wx', 'a:rel', 'a~mem:flush store1'))).toThrow(/is blocked here/);
    const out = replayWitness(m, w('a:wx', 'a:rel', 'a:wg', 'a~mem:flush store2'));
    expect([val(m, out.final, 'x'), val(m, out.final, 'y'), val(m, out.final, 'g')]).toEqual([0, 0, 1]);
  });

  it('satisfies a deferred load later, from memory as it is then; a step using the register waits for it', () => {
    const s = sc(
      'lkmm-lite',
      `  a: { fn: a.c:a, locals: { r: 0 }, steps: [ { id: rx, do: ["r = READ_ONCE(x)"] }, { id: wy, do: ["y = 1"] }, { id: use, do: ["g = r"] } ] }
  b: { fn: a.c:b, steps: [ { id: wx, do: ["x = 5"] } ] }`,
    );
    const m = model(s);
    const out = replayWitness(m, w('a:rx', 'a:wy', 'b:wx', 'b~mem:flush store0', 'a~mem:flush load0'));
    expect(out.steps[0]!.changes).toEqual(['a pending loads: [] -> [a.r <- x]']);
    expect(val(m, out.final, 'a.r')).toBe(5);
    expect(() => replayWitness(m, w('a:rx', 'a:wy', 'a:use'))).toThrow(/'a:use' is blocked here/);
  });

  it('makes smp_rmb() wait for pending loads and smp_mb() for both buffers', () => {
    const s = sc('lkmm-lite', `  a: { fn: a.c:a, locals: { r: 0 }, steps: [ { id: rx, do: ["r = x"] }, { id: rmb, barrier: smp_rmb }, { id: wy, do: ["y = 1"] }, { id: mb, barrier: smp_mb } ] }`);
    const m = model(s);
    expect(() => replayWitness(m, w('a:rx', 'a:rmb'))).toThrow(/blocked/);
    expect(() => replayWitness(m, w('a:rx', 'a~mem:flush load0', 'a:rmb', 'a:wy', 'a:mb'))).toThrow(/blocked/);
    expect(replayWitness(m, w('a:rx', 'a~mem:flush load0', 'a:rmb', 'a:wy', 'a~mem:flush store0', 'a:mb')).verdict).toBe('holds');
  });

  it('buffers a relaxed atomic as an addition, so concurrent increments are never lost', () => {
    const inc = (atomic: string): Scenario =>
      sc('lkmm-lite', `  a: { fn: a.c:a, steps: [ { id: inc, do: ["n = n + 1"]${atomic} } ] }
  b: { fn: a.c:b, steps: [ { id: inc, do: ["n = n + 1"]${atomic} } ] }`, 'finals: [ { name: both, expr: "n == 2" } ]');
    const m = model(inc(', atomic: relaxed'));
    const out = replayWitness(m, w('a:inc', 'b:inc'));
    expect(out.steps[0]!.changes).toEqual(['a store buffer: [] -> [n += 1]']);
    expect(runScenario(inc(', atomic: relaxed')).verdict).toBe('holds');
    expect(runScenario(inc('')).verdict).toBe('violated');
  });

  it('refuses a relaxed atomic that is not an addition', () => {
    expect(() => model(sc('lkmm-lite', `  a: { fn: a.c:a, steps: [ { id: s, do: ["n = 3"], atomic: relaxed } ] }`))).toThrow(/'atomic: relaxed' under lkmm-lite buffers additions/);
  });

  it('releases on unlock: the critical section is visible before the lock is free', () => {
    const s = sc('lkmm-lite', `  a: { fn: a.c:a, steps: [ { id: lk, lock: l }, { id: wx, do: ["x = 1"] }, { id: ul, unlock: l } ] }`, 'locks: { l: spinlock }');
    expect(() => replayWitness(model(s), w('a:lk', 'a:wx', 'a:ul'))).toThrow(/'a:ul' is blocked here/);
  });
});

describe('memory models and the rest of the explorer', () => {
  it('checks finals only once every buffer has drained', () => {
    const s = sc('tso', `  a: { fn: a.c:a, steps: [ { id: wx, do: ["x = 1"] } ] }`, 'finals: [ { name: stored, expr: "x == 1" } ]');
    expect(runScenario(s).verdict).toBe('holds');
  });

  it('sizes the store buffer to the largest step, and leaves memory threads out of `unreached`', () => {
    const s = sc('{ model: tso, store_buffer: 1 }', `  a: { fn: a.c:a, steps: [ { id: w3, do: ["x = 1", "y = 1", "g = 1"] } ] }`);
    expect(model(s).memory!.K).toBe(3);
    expect(runScenario(s).unreached).toEqual([]);
  });

  it('writes ghost variables straight to memory', () => {
    const s = sc('{ model: tso, ghost: [g] }', `  a: { fn: a.c:a, steps: [ { id: w, do: ["x = 1", "g = 1"] } ] }`);
    const m = model(s);
    const out = replayWitness(m, w('a:w'));
    expect(out.steps[0]!.changes).toEqual(['g: 0 -> 1', 'a store buffer: [] -> [x = 1]']);
  });

  it.each([
    ['an unknown model', 'memory: arm', /expected a memory model \(sc, tso, lkmm-lite\), got 'arm'/],
    ['a ghost that is not a variable', 'memory: { model: tso, ghost: [nope] }', /ghost 'nope' is not a declared variable/],
    ['a store buffer of 9', 'memory: { model: tso, store_buffer: 9 }', /expected a 'store_buffer' from 1 to 4/],
  ])('refuses %s', (_n, mem, msg) => {
    expect(() => {
      const s = parseScenario(`id: m\ntitle: m\n${mem}\nvars: { x: 0 }\nthreads: { a: { fn: a.c:a, steps: [ { id: s, do: [] } ] } }\nconfigs: { c: { run: [a] } }\n`, 'm.yaml');
      instantiate(s, 'original', 'c');
    }).toThrow(SimError);
    expect(() => {
      const s = parseScenario(`id: m\ntitle: m\n${mem}\nvars: { x: 0 }\nthreads: { a: { fn: a.c:a, steps: [ { id: s, do: [] } ] } }\nconfigs: { c: { run: [a] } }\n`, 'm.yaml');
      instantiate(s, 'original', 'c');
    }).toThrow(msg);
  });

  it('meets the expectations of the memory-models example: SB breaks under tso, MP only under lkmm-lite, and the barriers mend them', () => {
    const rows = checkAll('sim/examples').rows.filter((r) => r.scenario === 'memory-models');
    expect(rows.length).toBe(20);
    expect(rows.filter((r) => !r.ok)).toEqual([]);
  });

  it('tells the SB story with the store buffers in it, and replays it', () => {
    const ex = loadScenario('memory-models', 'sim/examples');
    const r = runScenario(ex, { config: 'sb_tso' });
    const o = r.outcomes[0]!;
    const shown = o.story.shown.map((i) => `${o.witness[i]!.thread}:${o.witness[i]!.step}`);
    // sb0 read y before sb1 stored it; sb1 read x while sb0's store still sat in its buffer.
    expect(shown).toEqual(['sb0:store', 'sb0:load', 'sb0:out', 'sb1:load', 'sb1:out']);
    expect(o.witness[0]!.changes).toEqual(['sb0 store buffer: [] -> [x = 1]']);
    expect(o.story.failed!.text).toBe('!((r1 == 0) && (r2 == 0)) with r1 = 0, r2 = 0');
    const m = compile(instantiate(ex, 'original', 'sb_tso'));
    expect(replayWitness(m, o.witness).property).toBe('sb_not_both_zero');
  });

  it("shows a store another thread's load missed because it still sat in a store buffer", () => {
    const ex = loadScenario('memory-models', 'sim/examples');
    const m = compile(instantiate(ex, 'original', 'sb_tso'));
    // Both store first; each load then misses the other's buffered store.
    const witness = replayWitness(m, w('sb0:store', 'sb1:store', 'sb0:load', 'sb1:load', 'sb0:out', 'sb1:out', 'sb0~mem:flush store0', 'sb1~mem:flush store0')).steps;
    const st = storyOf(m, { kind: 'final', property: 'sb_not_both_zero', witness });
    expect(st.shown.map((i) => `${witness[i]!.thread}:${witness[i]!.step}`)).toEqual(['sb0:store', 'sb1:store', 'sb0:load', 'sb1:load', 'sb0:out', 'sb1:out']);
  });
});

describe('store forwarding (sim/memory.ts forwardJs)', () => {
  // A buffer of K entries (loc, val, epoch, flags) after a length slot, memory before it.
  const K = 8;
  const layout = { model: 'lkmm-lite' as const, weak: true, K, P: 0, adds: true, threads: [{ sbLen: 4, sbEpoch: 5, sbBase: 6, lbLen: 0, lbBase: 0, pc: 0 }] };
  const entry = fc.record({ loc: fc.integer({ min: 0, max: 3 }), val: fc.integer({ min: -5, max: 5 }), add: fc.boolean() });

  it('reads the newest plain store to the location with the later additions on it, else memory with them', () => {
    const read = new Function('s', `return ${forwardJs(layout, 0, 's', '2')};`) as (s: State) => number;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 4, maxLength: 4 }), fc.array(entry, { maxLength: K }), (memory, buf) => {
        const s = new Int32Array(6 + K * 4);
        s.set(memory);
        s[4] = buf.length;
        buf.forEach((e, i) => s.set([e.loc, e.val, 0, e.add ? F_ADD : 0], 6 + i * 4));
        // The reference: oldest to newest, a plain store replaces, an addition adds.
        let want = memory[2]!;
        for (const e of buf) if (e.loc === 2) want = e.add ? want + e.val : e.val;
        expect(read(s)).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  it('grows linearly with the buffer, not doubling per entry: every load in the generated code carries it', () => {
    const size = (k: number): number => forwardJs({ ...layout, K: k }, 0, 's', '2').length;
    expect(size(8) - size(7)).toBe(size(7) - size(6));
  });
});
