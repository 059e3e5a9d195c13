// All outcomes of a run: every kind of bad outcome reachable -- a violated invariant, a
// failed final, a failed assert, a deadlock, each discipline violation -- each with its own
// shortest witness, while verdict/property/witness stay those of the first one met.
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../sim/ast.ts';
import { compile } from '../sim/compile.ts';
import { explore } from '../sim/explore.ts';
import { instantiate, listScenarios, loadScenario, loadScenarioFile, runScenario } from '../sim/index.ts';
import { replayWitness } from '../sim/replay.ts';

const steps = (w: { thread: string; step: string }[]): string[] => w.map((x) => `${x.thread}:${x.step}`);

const BOTH = loadScenario('two-outcomes', 'sim/examples');

describe('a run reports every bad outcome', () => {
  const r = runScenario(BOTH);

  it('finds both the lost write and the deadlock, each with its own witness', () => {
    expect(r.outcomes.map((o) => [o.kind, o.property])).toEqual([
      ['deadlock', 'deadlock'],
      ['final', 'no_lost_write'],
    ]);
    expect(r.complete).toBe(true);
    const [dl, lost] = r.outcomes;
    expect(steps(dl!.witness).sort()).toEqual(['flusher:clean', 'flusher:folio', 'writer:inode']);
    expect(dl!.waitFor!.map((e) => `${e.thread} -> ${e.waitsFor} -> ${e.heldBy.join(',')}`).sort()).toEqual([
      'flusher -> mutex i_lock -> writer',
      'writer -> folio lock A -> flusher',
    ]);
    // The write completes, then the flusher clears the dirty bit it never wrote back.
    expect(steps(lost!.witness)).toEqual(['writer:inode', 'writer:folio', 'writer:copy', 'writer:ufolio', 'writer:uinode', 'flusher:folio', 'flusher:clean', 'flusher:inode', 'flusher:io', 'flusher:uinode', 'flusher:ufolio']);
  });

  it('keeps verdict, property and witness those of the first outcome, as callers know them', () => {
    const first = r.outcomes[0]!;
    const old: RunResult = r;
    expect(old.verdict).toBe(first.verdict);
    expect(old.property).toBe(first.property);
    expect(old.witness).toEqual(first.witness);
    expect(old.waitFor).toEqual(first.waitFor);
  });

  it('gives each outcome a witness that replays to that very outcome', () => {
    const m = compile(instantiate(BOTH, 'original', 'c'));
    for (const o of r.outcomes) {
      const again = replayWitness(m, JSON.parse(JSON.stringify(o.witness)));
      expect(`${again.verdict} ${again.property}`).toBe(`${o.verdict} ${o.property}`);
    }
  });

  it('gives each outcome a shortest witness: no full breadth-first search reaches it in fewer steps', () => {
    const m = compile(instantiate(BOTH, 'original', 'c'));
    const full = explore(m, { por: false, outcomes: 'all' });
    for (const o of r.outcomes) {
      const f = full.found.find((x) => x.property === o.property)!;
      expect(o.witness.length).toBe(f.path.length);
    }
  });
});

describe('outcomes carry the details of a discipline violation', () => {
  it('names the thread, step and lock of each, and both outcomes of a recursive read', () => {
    const sc = loadScenario('discipline', 'sim/examples');
    const r = runScenario(sc, { variant: 'extra_down_read', config: 'rw' });
    expect(r.outcomes.map((o) => ({ kind: o.kind, property: o.property, thread: o.thread, step: o.step, lock: o.lock, n: o.witness.length }))).toEqual([
      { kind: 'deadlock', property: 'deadlock', thread: undefined, step: undefined, lock: undefined, n: 2 },
      { kind: 'discipline', property: 'lock_held_at_exit', thread: 'reader', step: 'give', lock: 'sem', n: 4 },
    ]);
    expect(steps(r.outcomes[1]!.witness)).toEqual(['reader:take', 'reader:again', 'reader:look', 'reader:give']);
  });
});

describe('all outcomes, with and without partial-order reduction', () => {
  const models = [...listScenarios(), ...listScenarios('sim/examples')]
    .filter((s) => !s.error)
    .flatMap((s) => {
      const sc = loadScenarioFile(s.file);
      return [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => ({ sc, v, c })));
    });

  it('finds the same outcomes, with witnesses of the same length, on every seed and example model', () => {
    let multi = 0;
    for (const { sc, v, c } of models) {
      const por = runScenario(sc, { variant: v, config: c });
      const full = runScenario(sc, { variant: v, config: c, por: false });
      const sig = (r: typeof por) => r.outcomes.map((o) => `${o.property}/${o.witness.length}`).sort();
      expect(`${sc.id} ${v}/${c}: ${sig(por).join(' ')}`).toBe(`${sc.id} ${v}/${c}: ${sig(full).join(' ')}`);
      if (por.outcomes.length > 1) multi++;
    }
    expect(multi).toBeGreaterThanOrEqual(4);
  });
});

describe('the incremental state hash', () => {
  it('equals a full hash of every successor of every seed and example model: no transition writes outside its write set', () => {
    const models = [...listScenarios(), ...listScenarios('sim/examples')].filter((s) => !s.error).flatMap((s) => {
      const sc = loadScenarioFile(s.file);
      return [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => compile(instantiate(sc, v, c))));
    });
    let states = 0;
    for (const m of models) states += explore(m, { por: false, outcomes: 'all', checkHash: true }).states;
    expect(states).toBeGreaterThan(50_000);
  });
});

describe('a bound', () => {
  it('marks the outcomes incomplete, and keeps a violation found before it', () => {
    const r = runScenario(BOTH, { maxStates: 12, por: false });
    expect(r.complete).toBe(false);
    expect(r.bound).toBe('maxStates=12');
    expect(r.verdict).toBe(r.outcomes[0]?.verdict ?? 'incomplete');
  });
});
