// Discipline checks: each is a named violation carrying the thread, the step and the lock,
// found on the shortest interleaving that breaks the rule. sim/examples/discipline.yaml
// has one variant per rule; SPIN agrees with all of them (sim-spin-primitives.test.ts).
import { describe, expect, it } from 'vitest';
import { compile } from '../sim/compile.ts';
import { explore } from '../sim/explore.ts';
import { instantiate, loadScenario, parseScenario, runScenario, type Scenario } from '../sim/index.ts';

const sc = loadScenario('discipline', 'sim/examples');

/** The failure the explorer stopped at, with its details. */
function failure(s: Scenario, variant: string, config: string) {
  const m = compile(instantiate(s, variant, config));
  const o = explore(m, { por: false });
  const f = m.failures.find((x) => x.property === o.property && x.message === o.message);
  return { o, f, last: m.transitions[o.path.at(-1)!] };
}

describe('discipline violations name the thread, the step and the lock', () => {
  it.each([
    ['missing_up_write', 'rw', 'lock_held_at_exit', 'worker', 'work', 'sem', 'worker ends (after work) holding sem for write'],
    ['double_up_read', 'rw', 'double_unlock', 'reader', 'give_again', 'sem', 'reader:give_again releases sem for read, which nobody holds for read'],
    ['steals_up_write', 'rw', 'unlock_not_owner', 'reader', 'steal', 'sem', 'reader:steal releases sem for write, which another thread holds for write'],
    ['mutex_under_spinlock', 'atomic', 'sleep_in_atomic', 'atomic', 'sleep', 'mutex_lock m', 'atomic:sleep may sleep (mutex_lock m) holding spinlock lock'],
    ['folio_lock_under_rcu', 'atomic', 'sleep_in_atomic', 'atomic', 'sleep', 'folio_lock A', 'atomic:sleep may sleep (folio_lock A) inside an RCU read-side section'],
  ])('%s: %s', (variant, config, property, thread, step, lock, message) => {
    const { o, f, last } = failure(sc, variant, config);
    expect(o.verdict).toBe('violated');
    expect(f).toMatchObject({ property, kind: 'discipline', thread, step, lock, message });
    // The witness ends at the step that broke the rule.
    expect(last!.step).toBe(step);
  });

  it('lets a trylock run under a spinlock: it never sleeps', () => {
    expect(runScenario(sc, { variant: 'trylock_under_spinlock', config: 'atomic' }).verdict).toBe('holds');
  });

  it('fires might_sleep() before the lock would block: a blocked mutex_lock under a spinlock is still a violation', () => {
    const s = parseScenario(
      `
id: t
title: t
locks: { m: mutex, l: spinlock }
vars: { held: 0 }
threads:
  owner: { fn: a.c:o, steps: [ { id: take, lock: m }, { id: mark, do: ["held = 1"] }, { id: wait, await: "held == 2" }, { id: give, unlock: m } ] }
  atomic: { fn: a.c:a, steps: [ { id: after, await: "held == 1" }, { id: spin, lock: l }, { id: sleep, lock: m }, { id: give, unlock: m }, { id: unspin, unlock: l } ] }
configs: { c: { run: [owner, atomic] } }
`,
      't.yaml',
    );
    const r = runScenario(s);
    expect(r.property).toBe('sleep_in_atomic');
    expect(r.witness.map((w) => `${w.thread}:${w.step}`)).toEqual(['owner:take', 'owner:mark', 'atomic:after', 'atomic:spin', 'atomic:sleep']);
  });

  it('checks a writer-fair down_write at its queueing step, and synchronize_rcu at its snapshot', () => {
    const s = parseScenario(
      `
id: t
title: t
locks: { sem: rwsem }
threads:
  a: { fn: a.c:a, steps: [ { id: in, rcu_read_lock: true }, { id: w, down_write: sem }, { id: u, up_write: sem }, { id: out, rcu_read_unlock: true } ] }
  b: { fn: a.c:b, steps: [ { id: in, rcu_read_lock: true }, { id: sync, synchronize_rcu: true }, { id: out, rcu_read_unlock: true } ] }
configs: { a: { run: [a] }, b: { run: [b] } }
`,
      't.yaml',
    );
    for (const [c, step, lock] of [['a', 'w', 'down_write sem'], ['b', 'sync', 'synchronize_rcu']] as const) {
      const { f, o } = failure(s, 'original', c);
      expect(o.path.length).toBe(2);
      expect(f).toMatchObject({ property: 'sleep_in_atomic', step, lock });
    }
  });

  it('reports a thread that ends inside its RCU read-side section', () => {
    const s = parseScenario(
      `
id: t
title: t
threads:
  a: { fn: a.c:a, steps: [ { id: in, rcu_read_lock: true }, { id: look, do: [] } ] }
configs: { c: { run: [a] } }
`,
      't.yaml',
    );
    const { f } = failure(s, 'original', 'c');
    expect(f).toMatchObject({ property: 'lock_held_at_exit', thread: 'a', step: 'look', lock: 'rcu_read_lock', message: 'a ends (after look) holding an RCU read-side section' });
  });

  it('reports a lock still held at an early exit', () => {
    const s = parseScenario(
      `
id: t
title: t
folios: { A: {} }
threads:
  a: { fn: a.c:a, steps: [ { id: lk, lock: A }, { id: bail, if: "A.dirty == 0", then: [ { id: out, exit: true } ] }, { id: ulk, unlock: A } ] }
configs: { c: { run: [a] } }
`,
      't.yaml',
    );
    const { f } = failure(s, 'original', 'c');
    expect(f).toMatchObject({ property: 'lock_held_at_exit', thread: 'a', step: 'bail', lock: 'A', message: 'a ends (after bail) holding the folio lock of A' });
  });
});
