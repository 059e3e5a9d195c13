// The Promela exporter and the SPIN runner: pan's output parsed, the translation of every
// step kind checked against SPIN on small models written here with known answers, and the
// explorer's textbook fixtures cross-checked. The seeds are in sim-spin-seeds-*.test.ts.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPromela, loadScenarioFile, parseScenario, type Scenario } from '../sim/index.ts';
import { crossCheck, pool, table, type Agreement } from '../sim/promela-check.ts';
import { parsePanOutput, retryTextBusy, runSpin, spinTools, withoutStaleTrailWarning } from '../sim/promela-spin.ts';
import { parseSpinTrail, trailToWitness } from '../sim/promela-trail.ts';
import { programToPromelaMapped } from '../sim/promela.ts';
import { instantiate } from '../sim/instantiate.ts';

const FAST = { optimize: false, maxDepth: 20_000, hashBits: 16, trails: true, cache: true } as const;
const tools = await spinTools();
if (!tools.ok) console.warn(`SPIN cross-check skipped: ${tools.reason}`);

// Shaped like pan 6.5 output; numbers made up.
const PAN_ASSERT = `pan:1: assertion violated (g_x==2) (at depth 7)
pan: wrote model.pml.trail

(Spin Version 6.5.2 -- 6 December 2019)
Warning: Search not completed
	+ Partial Order Reduction

State-vector 36 byte, depth reached 7, errors: 1
       12 states, stored
        3 states, matched
       15 transitions (= stored+matched)
pan: elapsed time 0 seconds
`;
const PAN_DEADLOCK = `pan:1: invalid end state (at depth 4)
pan: wrote model.pml.trail
State-vector 116 byte, depth reached 30, errors: 1
      310 states, stored
      120 states, matched
      430 transitions (= stored+matched)
pan: elapsed time 0.01 seconds
pan: rate     31000 states/second
`;
const PAN_CLEAN = `(Spin Version 6.5.2 -- 6 December 2019)
State-vector 132 byte, depth reached 41, errors: 0
      264 states, stored
      138 states, matched
      402 transitions (= stored+matched)
pan: elapsed time 1.5 seconds
`;
const PAN_TOO_DEEP = `error: max search depth too small
State-vector 132 byte, depth reached 9999, errors: 0
    10000 states, stored
    10000 transitions (= stored+matched)
`;

describe('running a freshly written pan', () => {
  const busy = (): Error => Object.assign(new Error('spawn ETXTBSY'), { code: 'ETXTBSY' });

  it('tries again while a sibling fork still holds the binary open for writing', async () => {
    let calls = 0;
    const out = await retryTextBusy(async () => {
      calls++;
      if (calls < 3) throw busy();
      return 'errors: 0';
    });
    expect(out).toBe('errors: 0');
    expect(calls).toBe(3);
  });

  it('gives up after its attempts, and never retries other failures', async () => {
    let calls = 0;
    await expect(retryTextBusy(async () => { calls++; throw busy(); }, 3)).rejects.toThrow('ETXTBSY');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryTextBusy(async () => { calls++; throw Object.assign(new Error('nope'), { code: 'ENOENT' }); })).rejects.toThrow('nope');
    expect(calls).toBe(1);
  });
});

describe('pan output parsing', () => {
  it('reads an assertion violation with its state counts', () => {
    const r = parsePanOutput(PAN_ASSERT);
    expect(r).toMatchObject({ assertionViolated: true, invalidEndState: false, errors: 1, statesStored: 12, transitions: 15, truncated: false });
    expect(r.firstError).toBe('pan:1: assertion violated (g_x==2) (at depth 7)');
  });

  it('reads an invalid end state and the elapsed time', () => {
    expect(parsePanOutput(PAN_DEADLOCK)).toMatchObject({ assertionViolated: false, invalidEndState: true, statesStored: 310, seconds: 0.01 });
  });

  it('reads a clean run as no error', () => {
    expect(parsePanOutput(PAN_CLEAN)).toMatchObject({ assertionViolated: false, invalidEndState: false, errors: 0, statesStored: 264, seconds: 1.5, truncated: false });
  });

  it('marks a depth-limited search as truncated, so "errors: 0" is not taken for safe', () => {
    expect(parsePanOutput(PAN_TOO_DEEP)).toMatchObject({ errors: 0, truncated: true });
  });

  it('reads back whatever verdict and counts a pan report carries (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ kind: fc.constantFrom('assert', 'end', 'none'), stored: fc.nat(10_000_000), matched: fc.nat(10_000_000), depth: fc.nat(100_000), centis: fc.nat(100_000) }),
        ({ kind, stored, matched, depth, centis }) => {
          const err = kind === 'assert' ? `pan:1: assertion violated (g_x==${depth}) (at depth ${depth})\n` : kind === 'end' ? `pan:1: invalid end state (at depth ${depth})\n` : '';
          const text = `${err}(Spin Version 6.5.2 -- 6 December 2019)\nState-vector 44 byte, depth reached ${depth}, errors: ${kind === 'none' ? 0 : 1}\n${String(stored).padStart(9)} states, stored\n${String(matched).padStart(9)} states, matched\n${String(stored + matched).padStart(9)} transitions (= stored+matched)\npan: elapsed time ${centis / 100} seconds\n`;
          const r = parsePanOutput(text);
          expect(r.assertionViolated).toBe(kind === 'assert');
          expect(r.invalidEndState).toBe(kind === 'end');
          expect(r.errors).toBe(kind === 'none' ? 0 : 1);
          expect(r.statesStored).toBe(stored);
          expect(r.transitions).toBe(stored + matched);
          expect(r.seconds).toBeCloseTo(centis / 100, 6);
          expect(r.truncated).toBe(false);
        },
      ),
    );
  });

  it("drops spin -t's warning that the model looks newer than its trail, and nothing else", () => {
    const steps = '  1:\tproc  1 (T_t2:1) model.pml:22 (state 3)\t[((m_b==0))]\nspin: trail ends after 1 steps\n';
    expect(withoutStaleTrailWarning(`spin: warning, "model.pml" is newer than model.pml.trail\n${steps}`)).toBe(steps);
    expect(withoutStaleTrailWarning(steps)).toBe(steps);
    const other = `spin: warning: some other thing\n${steps}`;
    expect(withoutStaleTrailWarning(other)).toBe(other);
  });

  it('refuses output that is not from pan', () => {
    expect(() => parsePanOutput('gcc: error: pan.c: No such file')).toThrow(/no 'errors:' line/);
  });
});

// Small models with known answers, one per step kind the exporter translates.
const model = (id: string, body: string): Scenario => parseScenario(`id: ${id}\ntitle: ${id}\n${body}`, `${id}.yaml`);

const SEMANTICS: { name: string; sc: Scenario; variant?: string; config?: string; verdict: 'holds' | 'violated' | 'deadlock' }[] = [
  {
    name: 'mutexes taken in opposite orders deadlock',
    verdict: 'deadlock',
    sc: model('abba', `
locks: { a: mutex, b: mutex }
threads:
  t1: { fn: x/a.c:t1, steps: [ { id: la, lock: a }, { id: lb, lock: b }, { id: ub, unlock: b }, { id: ua, unlock: a } ] }
  t2: { fn: x/a.c:t2, steps: [ { id: lb, lock: b }, { id: la, lock: a }, { id: ua, unlock: a }, { id: ub, unlock: b } ] }
configs: { c: { run: [t1, t2] } }
`),
  },
  ...(['holds', 'deadlock'] as const).map((verdict) => ({
    name: `a thread that exits early has finished (${verdict === 'holds' ? 'x = 0: exits' : 'x = 1: waits forever'})`,
    verdict,
    sc: model('early_exit', `
vars: { x: ${verdict === 'holds' ? 0 : 1} }
threads:
  t:
    fn: x/a.c:t
    steps:
      - { id: check, if: "x == 0", then: [ { id: out, exit: true } ] }
      - { id: stuck, await: "x == 2" }
configs: { c: { run: [t] } }
`),
  })),
  ...(['writer', 'reader'] as const).map((fair) => ({
    name: `a recursive down_read behind a queued writer: ${fair}-fair rwsem`,
    verdict: fair === 'writer' ? ('deadlock' as const) : ('holds' as const),
    sc: model('rw_recursive', `
locks: { r: { kind: rwsem, fair: ${fair} } }
threads:
  reader: { fn: x/a.c:rd, steps: [ { id: r1, down_read: r }, { id: r2, down_read: r }, { id: u2, up_read: r }, { id: u1, up_read: r } ] }
  writer: { fn: x/a.c:wr, steps: [ { id: w, down_write: r }, { id: uw, up_write: r } ] }
configs: { c: { run: [reader, writer] } }
`),
  })),
  {
    name: 'an invariant broken for one step only is caught',
    verdict: 'violated',
    sc: model('transient', `
vars: { x: 0 }
threads:
  t: { fn: x/a.c:t, steps: [ { id: up, do: ["x = 1"] }, { id: down, do: ["x = 0"] } ] }
invariants: [ { name: zero, expr: "x == 0" } ]
configs: { c: { run: [t] } }
`),
  },
  {
    name: 'releasing a folio lock one does not hold is a violation',
    verdict: 'violated',
    sc: model('discipline', `
folios: { A: {} }
threads:
  t: { fn: x/a.c:t, steps: [ { id: lk, lock: A }, { id: ulk, unlock: A } ] }
  u: { fn: x/a.c:u, steps: [ { id: held, if: "A.locked", then: [ { id: steal, unlock: A } ] } ] }
configs: { c: { run: [t, u] } }
`),
  },
  ...(['original', 'no_lock'] as const).map((variant) => ({
    name: `trylock keeps two threads out of each other's critical section (${variant})`,
    verdict: variant === 'original' ? ('holds' as const) : ('violated' as const),
    variant,
    sc: model('trylock', `
vars: { in_cs: 0 }
locks: { m: mutex }
threads:
  t:
    fn: x/a.c:t
    locals: { got: 0 }
    steps:
      - { id: try, trylock: m, into: got }
      - id: took
        if: "got"
        then:
          - { id: enter, do: ["in_cs = in_cs + 1"] }
          - { id: leave, do: ["in_cs = in_cs - 1"] }
          - { id: ulk, unlock: m }
invariants: [ { name: exclusive, expr: "in_cs <= 1" } ]
variants:
  no_lock:
    fix: "a test variant without the lock"
    edits:
      - { in: t, replace: try, with: [ { id: pretend, do: ["got = 1"] } ] }
      - { in: t, remove: ulk }
configs: { c: { run: [ { thread: t, as: t1 }, { thread: t, as: t2 } ] } }
`),
  })),
  {
    name: 'a bounded loop and a goto back to an assignment run to the end',
    verdict: 'holds',
    sc: model('loops', `
vars: { i: 0, j: 0 }
threads:
  t:
    fn: x/a.c:t
    steps:
      - { id: loop, while: "i < 3", body: [ { id: inc, do: ["i = i + 1"] } ] }
      - { id: again, do: ["j = j + 1"] }
      - { id: more, if: "j < 2", then: [ { id: back, goto: again } ] }
finals: [ { name: counted, expr: "i == 3 && j == 2" } ]
configs: { c: { run: [t] } }
`),
  },
  {
    name: 'every branch of a nondeterministic choice is explored (the I/O error loses the write)',
    verdict: 'violated',
    sc: model('choice', `
vars: { disk: 0 }
threads:
  t: { fn: x/a.c:t, steps: [ { id: io, choice: { ok: [ { id: done, do: ["disk = 1"] } ], eio: [] } } ] }
finals: [ { name: on_disk, expr: "disk == 1" } ]
configs: { c: { run: [t] } }
`),
  },
];

const FIXTURES = 'test/fixtures/sim';
const textbook = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => {
    const sc = loadScenarioFile(`${FIXTURES}/${f}`);
    return [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => ({ sc, v, c, key: `${sc.id} ${v} x ${c}` })));
  });

describe('SPIN trails in our terms', () => {
  // Shaped like `spin -t -p` output: one line per executed statement, d_step parts sharing a
  // step number, then where each process stands (no [stmt]): those lines are not steps.
  const TRAIL = [
    '  1:\tproc  1 (T_t2:1) model.pml:LB (state 4)\t[((m_b==0))]',
    '  1:\tproc  1 (T_t2:1) model.pml:LB (state 2)\t[m_b = 2]',
    '  2:\tproc  0 (T_t1:1) model.pml:LA (state 2)\t[((m_a==0))]',
    '  2:\tproc  0 (T_t1:1) model.pml:LA (state 3)\t[m_a = 1]',
    'spin: trail ends after 2 steps',
    '  2:\tproc  1 (T_t2:1) model.pml:LB2 (state 6)',
    '  2:\tproc  0 (T_t1:1) model.pml:LA2 (state 6)',
  ];

  it('maps each transition of an exported model back to its thread and step, skipping the end listing', () => {
    const abba = SEMANTICS[0]!.sc;
    const { text, lines } = programToPromelaMapped(instantiate(abba, 'original', 'c'));
    const lineOf = (thread: string, step: string): number => [...lines.entries()].find(([, l]) => l.thread === thread && l.step === step)![0];
    const trail = TRAIL.join('\n')
      .replace('LB2', String(lineOf('t2', 'la')))
      .replace('LA2', String(lineOf('t1', 'lb')))
      .replaceAll('LB', String(lineOf('t2', 'lb')))
      .replaceAll('LA', String(lineOf('t1', 'la')));
    expect(text.split('\n')[lineOf('t1', 'la') - 1]).toContain('m_a = 1');
    const entries = parseSpinTrail(trail);
    expect(entries.map((e) => e.depth)).toEqual([1, 1, 2, 2]);
    expect(trailToWitness(entries, lines)).toEqual([
      { thread: 't2', step: 'lb' },
      { thread: 't1', step: 'la' },
    ]);
  });

  it('names the branch of a choice from the option line SPIN took', () => {
    const ch = SEMANTICS.find((s) => s.sc.id === 'choice')!.sc;
    const { lines } = programToPromelaMapped(instantiate(ch, 'original', 'c'));
    expect([...lines.values()].filter((l) => l.step === 'io').map((l) => l.branch)).toEqual(['ok', 'eio']);
  });
});

describe('Promela text', () => {
  it('has one process per thread, invariants checked inside every step, a violation monitor and no finals checker without finals', () => {
    const t = SEMANTICS.find((s) => s.sc.id === 'trylock')!;
    const pml = exportPromela(t.sc, 'original', 'c');
    expect(pml.match(/^active proctype \w+\(\)/gm)).toEqual(['active proctype T_t1()', 'active proctype T_t2()', 'active proctype violation()']);
    expect(pml).toContain('int viol = 0;');
    // The monitor's wait is a valid end state; once a violation is set it idles, so no later state is a deadlock.
    expect(pml).toMatch(/end_ok:\n {2}\(viol != 0\);\n {2}assert\(viol == 0\);\n {2}do :: viol = viol \+ 0 od/);
    expect(pml).toMatch(/d_step \{ if :: \(m_m == 0\) -> m_m = 1; l_got = 1 :: else -> l_got = 0 fi; if :: !\(\(g_in_cs <= 1\)\) -> viol = \d+ :: else -> skip fi \};/);
    expect(pml).not.toContain('active proctype finals()');
  });
});

describe.skipIf(!tools.ok)('SPIN agrees with the explorer on small models and the textbook fixtures', () => {
  const results = new Map<string, Agreement>();
  beforeAll(async () => {
    const jobs = [
      ...SEMANTICS.map((s) => ({ key: `semantics: ${s.name}`, sc: s.sc, v: s.variant ?? 'original', c: s.config ?? 'c' })),
      ...textbook,
    ];
    const rows = await pool(jobs, 2, async (j) => ({ ...(await crossCheck(j.sc, j.v, j.c, FAST)), key: j.key }));
    for (const r of rows) results.set(r.key, r);
  }, 120_000);

  afterAll(() => {
    if (results.size > 0) console.log(`\nverdict table (ours vs SPIN)\n${table([...results.values()])}\n`);
  });

  it.each(SEMANTICS.map((s) => [s.name, s] as const))('%s', (name, s) => {
    const r = results.get(`semantics: ${name}`)!;
    expect(r.ours.verdict).toBe(s.verdict);
    expect(r.spin.found).toEqual(s.verdict === 'holds' ? [] : [s.verdict]);
    expect(r.trails.map((t) => `${t.spin}: ${t.ours}`)).toEqual(s.verdict === 'holds' ? [] : [`${s.verdict}: ${s.verdict}`]);
  });

  it('reuses the pan built for the very same model text, with the same findings', async () => {
    const pml = exportPromela(SEMANTICS[0]!.sc, 'original', 'c');
    const first = await runSpin(pml, FAST);
    const again = await runSpin(pml, FAST);
    expect(again.compiled).toBe(false);
    expect(again.found).toEqual(first.found);
    expect(again.deadlock.trail).toEqual(first.deadlock.trail);
    const other = await runSpin(pml.replace('/* loregraph sim export', '/* a different text: loregraph sim export'), { ...FAST, cache: false });
    expect(other.compiled).toBe(true);
    expect(other.found).toEqual(['deadlock']);
  }, 60_000);

  it.each(textbook.map((m) => [m.key]))('textbook %s', (key) => {
    const r = results.get(key)!;
    expect(r.spin.verdict).not.toBe('incomplete');
    expect(r.agree).toBe(true);
    for (const t of r.trails) expect(`${t.spin}: ${t.ours}`).toBe(`${t.spin}: ${t.spin}`);
  });
});
