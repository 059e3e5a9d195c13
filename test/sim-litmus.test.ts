// The Linux kernel memory model's own litmus tests (../shared/lkmm-litmus, their
// `Result:` lines the oracle): every test parses; each one the model can express is
// translated to a scenario and run under lkmm-lite, and its verdict must be the LKMM's,
// except the documented deviations (LITMUS_DEVIATIONS), which must stay exactly as
// documented; the rest say why they cannot be expressed. SPIN cross-checks the
// translations in sim-spin-litmus.test.ts. The litmus parser is property-tested.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimError } from '../sim/errors.ts';
import { parseScenario, runScenario } from '../sim/index.ts';
import { formatLitmus, litmusToScenario, LITMUS_DEVIATIONS, parseLitmus, untranslatable, type Litmus, type LStmt } from '../sim/litmus.ts';
import { sharedPath } from './helpers/shared.ts';

const DIR = sharedPath('lkmm-litmus');
const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.litmus')).sort() : [];
const tests = files.map((f) => ({ f, l: parseLitmus(readFileSync(`${DIR}/${f}`, 'utf8'), f) }));

const NOT_EXPRESSIBLE: Record<string, string> = {
  'MP+onceassign+derefonce': 'the initial state holds a pointer (p): the model has no pointers',
  'MP+polockmbonce+poacquiresilsil': "spin_is_locked(): spin_is_locked() reads a lock word with its own LKMM rules; the model has no such read",
  'MP+polockonce+poacquiresilsil': "spin_is_locked(): spin_is_locked() reads a lock word with its own LKMM rules; the model has no such read",
};

function verdict(l: Litmus, model: 'tso' | 'lkmm-lite'): 'Never' | 'Sometimes' {
  const r = runScenario(parseScenario(litmusToScenario(l, model), `${l.name}.yaml`));
  expect(r.complete).toBe(true);
  return r.verdict === 'holds' ? 'Never' : 'Sometimes';
}

describe.skipIf(files.length === 0)('the LKMM litmus tests under lkmm-lite', () => {
  it('parses all 43 tests and reads each one\'s Result', () => {
    expect(tests.length).toBe(43);
    expect(tests.filter((t) => t.l.result === undefined)).toEqual([]);
    expect(tests.filter((t) => t.l.result === 'Never').length).toBe(30);
  });

  it.each(tests.map((t) => [t.l.name, t] as const))('%s', (name, { l }) => {
    const why = untranslatable(l);
    if (NOT_EXPRESSIBLE[name]) {
      expect(why).toBe(NOT_EXPRESSIBLE[name]);
      expect(() => litmusToScenario(l)).toThrow(SimError);
      return;
    }
    expect(why).toBeUndefined();
    const ours = verdict(l, 'lkmm-lite');
    if (LITMUS_DEVIATIONS[name]) expect(`${ours} (LKMM: ${l.result})`).toBe(`Never (LKMM: Sometimes)`);
    else expect(ours).toBe(l.result);
  });

  it('agrees with the LKMM on 37 of 43, deviates on 3 (documented) and cannot express 3', () => {
    const expressible = tests.filter((t) => !untranslatable(t.l));
    expect(expressible.length).toBe(40);
    expect(Object.keys(LITMUS_DEVIATIONS).every((n) => expressible.some((t) => t.l.name === n))).toBe(true);
    expect(expressible.length - Object.keys(LITMUS_DEVIATIONS).length).toBe(37);
  });
});

describe.skipIf(files.length === 0)('the same tests under tso: x86 allows store buffering and nothing else', () => {
  const allowed = new Set(['SB+poonceonces', 'SB+rfionceonce-poonceonces', 'R+poonceonces']);
  const some = ['SB+poonceonces', 'SB+fencembonceonces', 'SB+rfionceonce-poonceonces', 'R+poonceonces', 'MP+poonceonces', 'LB+poonceonces', 'IRIW+poonceonces+OnceOnce', 'WRC+poonceonces+Once', 'S+poonceonces', 'ISA2+poonceonces'];
  it.each(some)('%s', (name) => {
    const t = tests.find((x) => x.l.name === name)!;
    expect(verdict(t.l, 'tso')).toBe(allowed.has(name) ? 'Sometimes' : 'Never');
  });
});

describe('translation', () => {
  it('writes registers as locals copied to ghosts, and the exists clause as the final', () => {
    const l = parseLitmus(`C MP+x
(* Result: Never *)
{ int buf = 0; }
P0(int *buf, int *flag) { WRITE_ONCE(*buf, 1); smp_wmb(); WRITE_ONCE(*flag, 1); }
P1(int *buf, int *flag) { int r0; int r1; r0 = READ_ONCE(*flag); if (r0) { smp_rmb(); r1 = READ_ONCE(*buf); } }
exists (1:r0=1 /\\ 1:r1=0)
`, 'x.litmus');
    const yaml = litmusToScenario(l);
    expect(yaml).toContain('memory: { model: lkmm-lite, ghost: [P1_r0, P1_r1] }');
    expect(yaml).toContain('- { id: out, do: ["P1_r0 = r_r0", "P1_r1 = r_r1"] }');
    expect(yaml).toContain('expr: "!((P1_r0 == 1 && P1_r1 == 0))"');
    expect(runScenario(parseScenario(yaml, 'x.yaml')).verdict).toBe('holds');
  });
});

// ------------------------------------------------------------ parser properties

const reg = fc.constantFrom('r0', 'r1', 'r2');
const loc = fc.constantFrom('x', 'y', 'z');
const val = fc.integer({ min: 0, max: 3 });
const leafStmt: fc.Arbitrary<LStmt> = fc.oneof(
  fc.tuple(loc, val).map(([x, v]): LStmt => ({ k: 'call', fn: 'WRITE_ONCE', args: [{ k: 'deref', name: x }, { k: 'int', v }] })),
  fc.tuple(loc, val).map(([x, v]): LStmt => ({ k: 'call', fn: 'smp_store_release', args: [{ k: 'name', name: x }, { k: 'int', v }] })),
  fc.tuple(reg, loc).map(([r, x]): LStmt => ({ k: 'assign', target: { k: 'name', name: r }, value: { k: 'call', fn: 'READ_ONCE', args: [{ k: 'deref', name: x }] } })),
  fc.tuple(reg, loc).map(([r, x]): LStmt => ({ k: 'assign', target: { k: 'name', name: r }, value: { k: 'call', fn: 'smp_load_acquire', args: [{ k: 'name', name: x }] } })),
  fc.constantFrom('smp_mb', 'smp_wmb', 'smp_rmb').map((fn): LStmt => ({ k: 'call', fn, args: [] })),
);
const stmt: fc.Arbitrary<LStmt> = fc.oneof(
  { weight: 4, arbitrary: leafStmt },
  { weight: 1, arbitrary: fc.tuple(reg, fc.array(leafStmt, { maxLength: 2 }), fc.array(leafStmt, { maxLength: 2 })).map(([r, then, els]): LStmt => ({ k: 'if', cond: { k: 'bin', op: '==', l: { k: 'name', name: r }, r: { k: 'int', v: 1 } }, then, else: els })) },
);
const litmusArb: fc.Arbitrary<Litmus> = fc
  .record({
    procs: fc.array(fc.array(stmt, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    result: fc.constantFrom('Never', 'Sometimes') as fc.Arbitrary<'Never'>,
    x0: val,
  })
  .map(({ procs, result, x0 }) => ({
    name: 'T+random',
    result,
    init: [{ type: 'int', name: 'x', value: x0 }],
    procs: procs.map((body, i) => ({
      name: `P${i}`,
      index: i,
      params: [{ type: 'int*', name: 'x' }, { type: 'int*', name: 'y' }, { type: 'int*', name: 'z' }],
      body: [{ k: 'decl', type: 'int', name: 'r0' } as LStmt, { k: 'decl', type: 'int', name: 'r1' } as LStmt, { k: 'decl', type: 'int', name: 'r2' } as LStmt, ...body],
    })),
    exists: { k: 'and', l: { k: 'eq', proc: 0, name: 'r0', value: 1 }, r: { k: 'eq', name: 'x', value: 2 } },
  }));

describe('litmus parser (property tests)', () => {
  it('reads back what formatLitmus writes', () => {
    fc.assert(
      fc.property(litmusArb, (l) => {
        expect(parseLitmus(formatLitmus(l), 'r.litmus')).toEqual(l);
      }),
      { numRuns: 200 },
    );
  });

  it('translates every generated test to a scenario that loads and runs', () => {
    fc.assert(
      fc.property(litmusArb, (l) => {
        const r = runScenario(parseScenario(litmusToScenario(l), 'r.yaml'), { maxStates: 200_000 });
        expect(['holds', 'violated']).toContain(r.verdict);
      }),
      { numRuns: 25 },
    );
  });

  it('either parses arbitrary text or throws a SimError naming the file and line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: fc.constantFrom(...'C P0(){}int*x;=1 exists/\\:r0READ_ONCE\n(*)'.split('')) }), (text) => {
        try {
          parseLitmus(text, 'j.litmus');
        } catch (e) {
          expect(e).toBeInstanceOf(SimError);
          expect((e as Error).message).toMatch(/^j\.litmus:\d+:1: /);
        }
      }),
      { numRuns: 500 },
    );
  });
});
