import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../sim/compile.ts';
import { SimError } from '../sim/errors.ts';
import { instantiate, loadScenarioFile, replay, runScenario, SCENARIO_DIR } from '../sim/index.ts';
import { replayWitness } from '../sim/replay.ts';

const FIX = 'test/fixtures/sim';
const files = [FIX, SCENARIO_DIR].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.yaml')).map((f) => `${d}/${f}`));

describe('witness replay', () => {
  it('replays every reported witness, from its JSON form, to the same verdict and property', () => {
    let replayed = 0;
    for (const f of files) {
      const sc = loadScenarioFile(f);
      for (const v of sc.variants.keys()) {
        for (const c of sc.configs.keys()) {
          for (const por of [true, false]) {
            const r = runScenario(sc, { variant: v, config: c, por });
            if (r.verdict === 'holds') continue;
            const wire = JSON.parse(JSON.stringify(r.witness)) as typeof r.witness;
            const out = replayWitness(compile(instantiate(sc, v, c)), wire);
            expect(`${f} ${v}/${c}: ${out.verdict} ${out.property}`).toBe(`${f} ${v}/${c}: ${r.verdict} ${r.property}`);
            expect(out.steps).toEqual(r.witness);
            replayed++;
          }
        }
      }
    }
    expect(replayed).toBeGreaterThan(10);
  });

  it('replays the same witness to the same end state every time', () => {
    const sc = loadScenarioFile(`${FIX}/peterson.yaml`);
    const r = runScenario(sc, { variant: 'swapped', config: 'two' });
    const m = compile(instantiate(sc, 'swapped', 'two'));
    const a = replayWitness(m, r.witness);
    const b = replayWitness(m, r.witness);
    expect([...a.final]).toEqual([...b.final]);
  });

  it('refuses a witness whose step is not the thread’s next one', () => {
    const sc = loadScenarioFile(`${FIX}/lost-update.yaml`);
    const m = compile(instantiate(sc, 'original', 'two'));
    expect(() => replayWitness(m, [{ thread: 'a', step: 'store' }])).toThrow(SimError);
    expect(() => replayWitness(m, [{ thread: 'a', step: 'store' }])).toThrow("witness step 1: thread 'a' is at 'load', not 'store'");
  });

  it('refuses a witness that runs a blocked step', () => {
    const sc = loadScenarioFile(`${FIX}/lost-update.yaml`);
    const m = compile(instantiate(sc, 'locked', 'two'));
    expect(() => replayWitness(m, [{ thread: 'a', step: 'lk' }, { thread: 'b', step: 'lk' }])).toThrow("witness step 2: 'b:lk' is blocked here");
  });

  it('refuses a witness naming a thread that does not run', () => {
    const sc = loadScenarioFile(`${FIX}/lost-update.yaml`);
    const m = compile(instantiate(sc, 'original', 'two'));
    expect(() => replayWitness(m, [{ thread: 'c', step: 'load' }])).toThrow("witness step 1: no thread 'c'");
  });

  it('replays through the library API, as the server would', () => {
    const sc = loadScenarioFile(`${FIX}/philosophers.yaml`);
    const r = runScenario(sc, { config: 'three' });
    const out = replay(sc, r.witness.map((w) => ({ thread: w.thread, step: w.step })), { config: 'three' });
    expect(out.verdict).toBe('deadlock');
    expect(out.witness).toEqual(r.witness);
    expect(() => replay(sc, [{ thread: 'p0', step: 'd/eat' }], { config: 'three' })).toThrow("thread 'p0' is at 'd/take_first', not 'd/eat'");
  });

  it('says holds for a prefix that stops before anything goes wrong', () => {
    const sc = loadScenarioFile(`${FIX}/lost-update.yaml`);
    const r = runScenario(sc, { config: 'two' });
    const m = compile(instantiate(sc, 'original', 'two'));
    expect(replayWitness(m, r.witness.slice(0, 2)).verdict).toBe('holds');
  });
});
