import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, runScenario } from '../sim/index.ts';

const FIX = 'test/fixtures/sim';
const load = (name: string) => loadScenarioFile(`${FIX}/${name}.yaml`);

const inline = (yaml: string) => parseScenario(yaml, 'inline.yaml');

describe('explorer on textbook cases', () => {
  it('finds the two-thread lost update with a shortest, four-step witness', () => {
    const r = runScenario(load('lost-update'), { config: 'two', por: false });
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('both_counted');
    expect(r.witness.map((w) => `${w.thread}:${w.step}`)).toEqual(['a:load', 'b:load', 'a:store', 'b:store']);
    expect(r.witness[3]!.changes).toEqual([]); // b stores the 1 it loaded: the update is lost
    expect(r.witness[2]!.changes).toEqual(['x: 0 -> 1']);
  });

  it('shows the lost update closed by the mutex', () => {
    const r = runScenario(load('lost-update'), { variant: 'locked', config: 'two' });
    expect(r.verdict).toBe('holds');
    expect(r.witness).toEqual([]);
    expect(r.unreached).toEqual([]);
  });

  it('finds the dining philosophers deadlock and its wait-for cycle', () => {
    const r = runScenario(load('philosophers'), { config: 'three' });
    expect(r.verdict).toBe('deadlock');
    expect(r.property).toBe('deadlock');
    expect(r.witness.map((w) => `${w.thread}:${w.step}`).sort()).toEqual(['p0:d/take_first', 'p1:d/take_first', 'p2:d/take_first']);
    const cycle = r.waitFor!.map((e) => `${e.thread} -> ${e.waitsFor} -> ${e.heldBy.join(',')}`);
    expect(cycle).toHaveLength(3);
    expect(cycle).toEqual(expect.arrayContaining(['p0 -> mutex f1 -> p1', 'p1 -> mutex f2 -> p2', 'p2 -> mutex f0 -> p0']));
  });

  it('shows ordered forks free of deadlock, every philosopher eating', () => {
    const r = runScenario(load('philosophers'), { variant: 'ordered', config: 'three' });
    expect(r.verdict).toBe('holds');
    expect(r.unreached).toEqual([]);
  });

  it("proves Peterson's algorithm keeps mutual exclusion over every interleaving", () => {
    const r = runScenario(load('peterson'), { config: 'two', por: false });
    expect(r.verdict).toBe('holds');
    expect(r.states).toBeGreaterThan(100);
    expect(r.unreached).toEqual([]);
  });

  it("breaks Peterson's algorithm when turn is yielded before the flag is raised", () => {
    const r = runScenario(load('peterson'), { variant: 'swapped', config: 'two' });
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('mutual_exclusion');
    expect(r.witness.at(-1)!.step).toBe('enter');
    expect(r.witness.at(-1)!.changes).toEqual(['in_cs: 1 -> 2']);
  });

  it('never reaches r1 = r2 = 0 in store buffering under sequential consistency', () => {
    const r = runScenario(load('store-buffering'), { config: 'sc', por: false });
    expect(r.verdict).toBe('holds');
    // 9 pairs of pcs; four of them are reached with different register values: 13 states.
    expect(r.states).toBe(13);
  });

  it('reaches r1 = r2 = 0 once the loads pass the stores', () => {
    const r = runScenario(load('store-buffering'), { variant: 'reordered', config: 'sc' });
    expect(r.verdict).toBe('violated');
    expect(r.witness.slice(0, 2).map((w) => w.step).sort()).toEqual(['rx', 'ry']);
  });
});

const RW = (fair: string, second: string) => `
id: rw
title: recursive read under a queued writer
vars: { x: 0 }
locks: { r: { kind: rwsem, fair: ${fair} } }
threads:
  reader:
    fn: fs/a.c:reader
    steps:
      - { id: r1, down_read: r }
      - { id: r2, ${second} }
      - { id: u2, up_read: r }
      - { id: u1, up_read: r }
  writer:
    fn: fs/a.c:writer
    steps:
      - { id: w, down_write: r }
      - { id: set, do: ["x = 1"] }
      - { id: uw, up_write: r }
configs:
  c: { run: [reader, writer] }
`;

describe('explorer semantics', () => {
  it('deadlocks a recursive down_read behind a queued writer on a writer-fair rwsem', () => {
    const r = runScenario(inline(RW('writer', 'down_read: r')));
    expect(r.verdict).toBe('deadlock');
    expect(r.witness.map((w) => `${w.thread}:${w.step}`)).toEqual(['reader:r1', 'writer:w']);
    expect(r.waitFor).toEqual([
      { thread: 'reader', waitsFor: 'r (read)', heldBy: ['writer'] },
      { thread: 'writer', waitsFor: 'r (write)', heldBy: ['reader'] },
    ]);
  });

  it('lets the recursive reader pass a queued writer on a reader-preferring rwsem', () => {
    expect(runScenario(inline(RW('reader', 'down_read: r'))).verdict).toBe('holds');
  });

  it('reports releasing the write side nobody holds for write as a double unlock', () => {
    const r = runScenario(inline(RW('writer', 'up_write: r')));
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('double_unlock');
  });

  it('reports a failing assert step by thread and step', () => {
    const r = runScenario(inline(`
id: a
title: a
vars: { x: 0 }
threads:
  t: { fn: a.c:t, steps: [ { id: set, do: ["x = 1"] }, { id: check, assert: "x == 0" } ] }
configs: { c: { run: [t] } }
`));
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('assert:t:check');
    expect(r.witness.map((w) => w.step)).toEqual(['set', 'check']);
  });

  it('lists a step behind a condition that never holds as unreached, so a dead model is visible', () => {
    const r = runScenario(inline(`
id: dead
title: dead
vars: { x: 0 }
threads:
  t: { fn: a.c:t, steps: [ { id: c, if: "x == 1", then: [ { id: never, do: ["x = 2"] } ] }, { id: after, do: [] } ] }
configs: { c: { run: [t] } }
`));
    expect(r.verdict).toBe('holds');
    expect(r.unreached).toEqual(['t:never']);
  });

  it('explores both branches of a nondeterministic choice and names the branch in the witness', () => {
    const r = runScenario(inline(`
id: ch
title: ch
vars: { disk: 0 }
threads:
  t:
    fn: mm/page-writeback.c:write_one
    steps:
      - { id: io, choice: { ok: [ { id: done, do: ["disk = 1"] } ], eio: [ { id: fail, do: [] } ] } }
finals: [ { name: on_disk, expr: "disk == 1" } ]
configs: { c: { run: [t] } }
`));
    expect(r.verdict).toBe('violated');
    expect(r.witness.map((w) => [w.step, w.branch])).toEqual([['io', 'eio'], ['fail', undefined]]);
  });

  it('follows goto and exit without spending a step on them', () => {
    const r = runScenario(inline(`
id: g
title: g
vars: { n: 0 }
threads:
  t:
    fn: a.c:t
    steps:
      - { id: again, do: ["n = n + 1"] }
      - { id: test, if: "n < 3", then: [ { id: back, goto: again } ] }
      - { id: out, exit: true }
      - { id: never, do: ["n = 100"] }
finals: [ { name: three, expr: "n == 3" } ]
configs: { c: { run: [t] } }
`));
    expect(r.verdict).toBe('holds');
    expect(r.unreached).toEqual(['t:never']);
    expect(r.states).toBe(7);
  });

  it('says incomplete, never holds, when the state bound is hit', () => {
    const r = runScenario(load('peterson'), { config: 'two', maxStates: 20, por: false });
    expect(r.verdict).toBe('incomplete');
    expect(r.bound).toBe('maxStates=20');
    expect(r.witness).toEqual([]);
  });

  it('keeps a thread local apart from a folio field of the same spelling', () => {
    const r = runScenario(inline(`
id: names
title: names
folios: { T: { data: 5 } }
threads:
  T: { fn: a.c:t, locals: { data: 0 }, steps: [ { id: s, do: ["data = 7"] } ] }
finals: [ { name: folio_untouched, expr: "T.data == 5" } ]
configs: { c: { run: [T] } }
`));
    expect(r.verdict).toBe('holds');
  });

  it('says incomplete when the time bound is hit', () => {
    const n = 9;
    const forks = Array.from({ length: n }, (_, i) => `f${i}: mutex`).join(', ');
    const run = Array.from({ length: n }, (_, i) => `{ thread: p, as: p${i}, args: { a: f${i}, b: f${(i + 1) % n} } }`).join(', ');
    const sc = inline(`
id: big
title: nine philosophers
locks: { ${forks} }
threads:
  p: { fn: t.c:p, params: [a, b], steps: [ { id: x, do: [] }, { id: l, lock: $a }, { id: r, lock: $b }, { id: ur, unlock: $b }, { id: ul, unlock: $a } ] }
configs: { c: { run: [${run}] } }
`);
    const r = runScenario(sc, { maxMs: 1, por: false });
    expect(r.verdict).toBe('incomplete');
    expect(r.bound).toBe('maxMs=1');
  });

  it('says incomplete for an unbounded counter', () => {
    const r = runScenario(inline(`
id: u
title: u
vars: { n: 0 }
threads:
  t: { fn: a.c:t, steps: [ { id: loop, while: "n >= 0", body: [ { id: inc, do: ["n = n + 1"] } ] } ] }
configs: { c: { run: [t] } }
`), { maxStates: 500 });
    expect(r.verdict).toBe('incomplete');
  });

  it('reports an await that can never be satisfied as a deadlock waiting on that condition', () => {
    const r = runScenario(inline(`
id: w
title: w
folios: { A: { writeback: 1 } }
threads:
  t: { fn: mm/filemap.c:folio_wait_writeback, steps: [ { id: wait, await: "!A.writeback" } ] }
configs: { c: { run: [t] } }
`));
    expect(r.verdict).toBe('deadlock');
    expect(r.waitFor).toEqual([{ thread: 't', waitsFor: 'condition !A.writeback (wait)', heldBy: [] }]);
  });
});
