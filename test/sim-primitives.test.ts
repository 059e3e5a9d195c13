// The kernel primitives of the scenario language: rwsem trylocks, refcounts, `when:`, RCU
// and xarray entries. Each has a small model in sim/examples/ whose expectations are
// checked here; the semantics are pinned with replays that read the end state's values.
// SPIN cross-checks the same models in sim-spin-primitives.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XA_RETRY, type Expr } from '../sim/ast.ts';
import { compile, type Model, type State } from '../sim/compile.ts';
import { SimError } from '../sim/errors.ts';
import { parseExpr, showEntry, showExpr, type Resolver } from '../sim/expr.ts';
import { checkAll, instantiate, loadScenario, parseScenario, runScenario, type Scenario } from '../sim/index.ts';
import { replayWitness } from '../sim/replay.ts';

const EXAMPLES = 'sim/examples';
const example = (id: string): Scenario => loadScenario(id, EXAMPLES);
const model = (sc: Scenario, variant = 'original', config?: string): Model => compile(instantiate(sc, variant, config ?? [...sc.configs.keys()][0]!));
const at = (m: Model, s: State, name: string): number => {
  const [thread, local] = name.split('.');
  const slot = m.slotOf.get(name) ?? m.slotOf.get(`${thread}#local.${local}`);
  if (slot === undefined) throw new Error(`no slot ${name}`);
  return s[slot]!;
};
type W = { thread: string; step: string; branch?: string };
const w = (...xs: string[]): W[] => xs.map((x) => ({ thread: x.split(':')[0]!, step: x.split(':')[1]! }));
const inline = (yaml: string): Scenario => parseScenario(yaml, 'inline.yaml');

describe('the example models meet their expectations', () => {
  const rep = checkAll(EXAMPLES);
  it('loads every example', () => {
    expect(rep.errors).toEqual([]);
    expect(new Set(rep.rows.map((r) => r.scenario))).toEqual(new Set(['discipline', 'memory-models', 'rcu', 'refcount-freeze', 'rwsem-trylock', 'two-outcomes', 'when-do', 'xarray']));
  });
  it.each(rep.rows.map((r) => [`${r.scenario} ${r.variant} x ${r.config}: ${r.expected}`, r] as const))('%s', (_n, r) => {
    expect(`${r.got} ${r.property ?? ''}`).toBe(`${r.expected} ${r.expectedProperty ?? (r.expected === 'deadlock' ? 'deadlock' : '')}`);
  });
});

describe('rwsem trylocks', () => {
  const sc = example('rwsem-trylock');
  const cfg = (fair: string): Scenario =>
    inline(`
id: t
title: t
vars: { got_r: 0 }
locks: { s: { kind: rwsem, fair: ${fair} } }
threads:
  holder: { fn: a.c:h, steps: [ { id: hold, down_read: s }, { id: drop, up_read: s } ] }
  writer: { fn: a.c:w, steps: [ { id: take, down_write: s }, { id: give, up_write: s } ] }
  late: { fn: a.c:l, steps: [ { id: try, down_read_trylock: s, into: got_r }, { id: took, if: "got_r", then: [ { id: rel, up_read: s } ] } ] }
configs: { c: { run: [holder, writer, late] } }
`);

  it('fails a read trylock while a writer waits on a writer-fair rwsem, and takes it on a reader-preferring one', () => {
    // holder reads, the writer queues behind it, then the late reader tries.
    const steps = w('holder:hold', 'writer:take', 'late:try');
    for (const [fair, got] of [['writer', 0], ['reader', 1]] as const) {
      const sc2 = cfg(fair);
      const m = model(sc2);
      const out = replayWitness(m, fair === 'writer' ? steps : w('holder:hold', 'late:try'));
      expect(at(m, out.final, 'got_r')).toBe(got);
      expect(at(m, out.final, 's#readers')).toBe(1 + got);
    }
  });

  it('takes the write side only when nobody holds the rwsem, and the result steers the branch', () => {
    const m = model(sc, 'original', 'writer_and_reader');
    const out = replayWitness(m, w('try_reader:try', 'try_writer:try', 'try_writer:took', 'try_reader:took'));
    expect(at(m, out.final, 'try_writer.got')).toBe(0);
    expect(at(m, out.final, 'try_reader.got')).toBe(1);
    expect(out.steps[2]!.changes).toEqual(['(got) is false']);
    expect(out.steps[3]!.changes).toEqual(['(got) is true']);
  });

  it('refuses a plain trylock on an rwsem, naming the two that exist', () => {
    expect(() =>
      instantiate(
        inline(`
id: t
title: t
vars: { g: 0 }
locks: { s: rwsem }
threads: { a: { fn: a.c:a, steps: [ { id: x, trylock: s, into: g } ] } }
configs: { c: { run: [a] } }
`),
        'original',
        'c',
      ),
    ).toThrow(/'s' is an rwsem: use down_read_trylock or down_write_trylock/);
  });
});

const REF = (steps: string, init = 1): Scenario =>
  inline(`
id: r
title: r
folios: { A: { present: 1, refcount: ${init} } }
vars: { ok: 0 }
threads: { t: { fn: a.c:t, steps: [ ${steps} ] } }
configs: { c: { run: [t] } }
`);

describe('refcounts', () => {
  it('freezes only at the expected count, to 0, and unfreezes to the given one', () => {
    const sc = REF('{ id: f1, freeze: A.refcount, expected: 2, into: ok }, { id: f2, freeze: A.refcount, expected: 1, into: ok }, { id: u, unfreeze: A.refcount, to: 3 }');
    const m = model(sc);
    const out = replayWitness(m, w('t:f1', 't:f2', 't:u'));
    expect(out.steps.map((s) => s.changes)).toEqual([[], ['ok: 0 -> 1', 'A.refcount: 1 -> 0'], ['A.refcount: 0 -> 3']]);
    expect(out.verdict).toBe('holds');
  });

  it('makes a speculative get fail on a frozen count and succeed otherwise', () => {
    const sc = REF('{ id: f, freeze: A.refcount, expected: 1, into: ok }, { id: g, try_get: A.refcount, into: ok }, { id: u, unfreeze: A.refcount, to: 1 }, { id: g2, try_get: A.refcount, into: ok }');
    const m = model(sc);
    const out = replayWitness(m, w('t:f', 't:g', 't:u', 't:g2'));
    expect(out.steps.map((s) => s.changes)).toEqual([['ok: 0 -> 1', 'A.refcount: 1 -> 0'], ['ok: 1 -> 0'], ['A.refcount: 0 -> 1'], ['ok: 0 -> 1', 'A.refcount: 1 -> 2']]);
  });

  it.each([
    ['a put at 0', '{ id: p1, put: A.refcount }, { id: p2, put: A.refcount }', 1, 'use_after_free'],
    ['a put of a counter at 0', '{ id: p1, put: ok }', 1, 'refcount_underflow'],
    ['a get at 0', '{ id: g, get: A.refcount }', 0, 'refcount_inc_on_zero'],
    ['an unfreeze of a live count', '{ id: u, unfreeze: A.refcount, to: 2 }', 1, 'refcount_unfreeze_nonzero'],
  ])('names %s as a violation with the step and the counter', (_n, steps, init, property) => {
    const r = runScenario(REF(steps, init));
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe(property);
  });

  it('frees the folio when its last reference is dropped', () => {
    const sc = REF('{ id: p, put: A.refcount }, { id: look, if: "A.present", then: [] }');
    const r = runScenario(sc);
    expect(r.property).toBe('use_after_free');
    expect(r.witness.map((s) => [s.step, s.changes])).toEqual([['p', ['A.refcount: 1 -> 0', 'folio A freed']], ['look', []]]);
  });
});

describe('when: a conditional atomic step', () => {
  const sc = example('when-do');

  it('is a no-op when its condition is false, in one step', () => {
    const m = model(sc);
    const out = replayWitness(m, w('unmap:clear', 'store:hw_store', 'unmap:transfer'));
    expect(out.steps.map((s) => s.changes)).toEqual([['writable: 1 -> 0'], [], ['seen_dirty: -1 -> 0']]);
    expect(out.verdict).toBe('holds');
  });

  it('shows the split check-then-store losing the dirty bit, the unmap between the two', () => {
    const r = runScenario(sc, { variant: 'split', config: 'race' });
    expect(r.witness.map((s) => `${s.thread}:${s.step}`)).toEqual(['store:check', 'unmap:clear', 'unmap:transfer', 'store:write']);
  });

  it('parses when: only on do steps', () => {
    expect(() => inline(`
id: t
title: t
vars: { x: 0 }
threads: { a: { fn: a.c:a, steps: [ { id: s, when: "x", await: "x" } ] } }
configs: { c: { run: [a] } }
`)).toThrow(/'when' does not belong in a 'await' step/);
  });
});

describe('RCU', () => {
  const sc = example('rcu');

  it('waits only for readers inside a read-side section when synchronize_rcu() starts', () => {
    const m = model(sc, 'original', 'late_reader');
    // The grace period starts with nobody inside; the late reader enters; the wait still passes.
    const out = replayWitness(m, w('updater:unpublish', 'updater:wait', 'late_reader:after_start', 'late_reader:lock', 'late_reader:inside', 'updater:wait', 'updater:release'));
    expect(at(m, out.final, 'late_reader#rcu')).toBe(1);
    expect(at(m, out.final, 'A#freed')).toBe(1);
    // A reader already inside when it starts is waited for: the wait is blocked.
    expect(() => replayWitness(m, w('updater:unpublish', 'late_reader:after_start', 'late_reader:lock', 'updater:wait', 'updater:wait'))).toThrow(/'updater:wait' is blocked here/);
  });

  it('reports the deadlock of a grace period waiting for a reader that waits for the updater', () => {
    const r = runScenario(sc, { config: 'late_reader' });
    expect(r.verdict).toBe('deadlock');
    expect(r.waitFor).toEqual([
      { thread: 'updater', waitsFor: 'an RCU grace period (synchronize_rcu)', heldBy: ['late_reader'] },
      { thread: 'late_reader', waitsFor: 'condition updated == 1 (stay)', heldBy: [] },
    ]);
  });

  it('frees a call_rcu folio when the last reader of its grace period leaves', () => {
    const m = model(sc, 'call_rcu', 'reader');
    const out = replayWitness(m, w('reader:lock', 'updater:unpublish', 'updater:release_rcu', 'reader:deref', 'reader:unlock'));
    expect(out.steps[2]!.changes).toEqual(['A call_rcu waits for: {} -> {reader}']);
    expect(out.steps[4]!.changes).toEqual(['folio A freed', 'A call_rcu waits for: {reader} -> {}', 'reader RCU read-side nesting: 1 -> 0']);
  });

  it('finds the use after free when the updater frees without a grace period', () => {
    const r = runScenario(sc, { variant: 'no_grace_period', config: 'reader' });
    expect(r.witness.map((s) => `${s.thread}:${s.step}`)).toEqual(['reader:lock', 'reader:deref', 'updater:unpublish', 'updater:release', 'reader:use']);
  });
});

describe('xarray entries', () => {
  const XA = (steps: string, entries = '[ { index: 0, order: 2, entry: "folio(H)" } ]'): Scenario =>
    inline(`
id: x
title: x
folios: { H: {}, S: {} }
vars: { v: 0 }
xarrays: { xa: { size: 4, entries: ${entries} } }
threads: { t: { fn: a.c:t, steps: [ ${steps} ] } }
configs: { c: { run: [t] } }
`);

  it('stores into every index of a multi-index entry, and into one index once it is split', () => {
    const sc = XA('{ id: s1, do: ["xa[1] = folio(S)"] }, { id: sp, xa_split: "xa[0]" }, { id: s2, do: ["xa[2] = xa_mk_value(4)"] }');
    const m = model(sc);
    const out = replayWitness(m, w('t:s1', 't:sp', 't:s2'));
    expect(out.steps[0]!.changes).toEqual(['xa[0]: folio H -> folio S', 'xa[1]: folio H -> folio S', 'xa[2]: folio H -> folio S', 'xa[3]: folio H -> folio S']);
    expect(out.steps[1]!.changes).toEqual(['xa[0] multi-index order: 2 -> 0', 'xa[1] multi-index order: 2 -> 0', 'xa[2] multi-index order: 2 -> 0', 'xa[3] multi-index order: 2 -> 0']);
    expect(out.steps[2]!.changes).toEqual(['xa[2]: folio S -> value 4']);
  });

  it('makes an order-1 store over two single entries one entry, and reads the helpers right', () => {
    const sc = XA(
      '{ id: s, xa_store: "xa[2]", order: 1, entry: "XA_RETRY_ENTRY" }, { id: r, do: ["v = xa_is_retry(xa[3]) + xa_is_value(xa[0]) + xa_is_value(xa[0]) + xa_to_value(xa[0]) + (xa[1] == NULL) + (xa[1] == NULL)"] }',
      '[ { index: 0, entry: "xa_mk_value(3)" } ]',
    );
    const m = model(sc);
    const out = replayWitness(m, w('t:s', 't:r'));
    expect(at(m, out.final, 'xa[2]#order')).toBe(1);
    expect(at(m, out.final, 'xa[3]')).toBe(XA_RETRY);
    expect(at(m, out.final, 'v')).toBe(1 + 2 + 3 + 2);
  });

  it('says what each encoded entry is', () => {
    expect([0, 1, 2, -1, -2, -7].map((v) => showEntry(v, ['H', 'S']))).toEqual(['NULL', 'folio H', 'folio S', 'retry', 'value 0', 'value 5']);
  });

  it.each([
    ['an index outside the xarray', '{ id: s, do: ["v = xa[4]"] }', /index 4 is outside xarray 'xa' \(size 4\)/],
    ['a misaligned multi-index store', '{ id: s, xa_store: "xa[1]", order: 1, entry: "NULL" }', /a multi-index entry of order 1 starts at a multiple of 2/],
    ['a slot without an index', '{ id: s, do: ["v = xa"] }', /xarray 'xa' needs an index/],
    ['an unknown function', '{ id: s, do: ["v = xa_load(xa[0])"] }', /unknown function 'xa_load'/],
  ])('refuses %s with its position', (_n, steps, msg) => {
    expect(() => instantiate(XA(steps), 'original', 'c')).toThrow(msg);
  });

  it('shows a lookup racing a split without the freeze using a folio that left the page cache', () => {
    const r = runScenario(example('xarray'), { variant: 'no_freeze', config: 'split' });
    const s = r.witness.map((x) => `${x.thread}:${x.step}`);
    expect(s.indexOf('lookup:reload_H')).toBeLessThan(s.indexOf('split:install'));
    expect(s.indexOf('split:install')).toBeLessThan(s.indexOf('lookup:use_H'));
  });
});

// Expressions with the new forms print and parse back to the same tree.
const names: Record<string, ReturnType<Resolver>> = { x: 'global', y: 'global', r: 'local', A: 'folio', H: 'folio', xa: 'xarray' };
const resolve: Resolver = Object.assign((n: string) => names[n], { xaSize: () => 4 });
const leafArb: fc.Arbitrary<Expr> = fc.oneof(
  fc.constantFrom<Expr>({ k: 'var', name: 'x', scope: 'global' }, { k: 'var', name: 'r', scope: 'local' }, { k: 'field', folio: 'A', field: 'dirty' }),
  fc.integer({ min: 0, max: 3 }).map((i): Expr => ({ k: 'xa', xa: 'xa', index: i })),
);
const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.nat(9).map((v): Expr => ({ k: 'int', v })),
    fc.constant<Expr>({ k: 'folio', folio: 'H' }),
    fc.tuple(fc.constantFrom('once', 'acquire'), leafArb).map(([order, e]): Expr => ({ k: 'load', order: order as 'once', e: e as never })),
    fc.tuple(fc.constantFrom('xa_is_value', 'xa_to_value', 'xa_mk_value', 'xa_is_retry'), tie('e')).map(([fn, arg]): Expr => ({ k: 'call', fn: fn as 'xa_is_value', arg })),
    tie('e').map((e): Expr => ({ k: 'not', e })),
    fc.tuple(fc.constantFrom('||', '&&', '==', '+', '-'), tie('e'), tie('e')).map(([op, l, r]): Expr => ({ k: 'bin', op: op as '+', l, r })),
  ),
})).e;

describe('expressions with xarray slots, folio entries, helpers and marked loads (property)', () => {
  it('parses back what showExpr prints, to the same tree', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        expect(parseExpr(showExpr(e), { file: 'p', line: 1, col: 1 }, resolve)).toEqual(e);
      }),
      { numRuns: 400 },
    );
  });

  it('either parses arbitrary text or throws a positioned SimError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30, unit: fc.constantFrom(...'xa[]0123(),folioHREAD_ONCEis_value!=&| '.split('')) }), (text) => {
        try {
          parseExpr(text, { file: 'p', line: 2, col: 3 }, resolve);
        } catch (e) {
          expect(e).toBeInstanceOf(SimError);
          expect((e as Error).message).toMatch(/^p:2:\d+: /);
        }
      }),
      { numRuns: 500 },
    );
  });
});
