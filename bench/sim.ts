// bench/sim: explorer throughput (states/s) on seed 000 scaled up to three openers (~100k
// states, the headline: the ratio to SPIN with its partial-order reduction), on the largest
// seed scenario and on N dining philosophers, each next to SPIN's on the very same exported
// model, in the same run. Times are best-of-N: the machine is shared.
// Runnable alone: `node --import tsx bench/sim.ts [N]`.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compile } from '../sim/compile.ts';
import { explore } from '../sim/explore.ts';
import { exportPromela, instantiate, listScenarios, loadScenario, loadScenarioFile, parseScenario, type Scenario } from '../sim/index.ts';
import { parsePanOutput } from '../sim/promela-spin.ts';

const sh = promisify(execFile);

/** N philosophers; the last takes its forks in the other order, so the model is deadlock-free and explored fully. */
export function philosophersYaml(n: number): string {
  const forks = Array.from({ length: n }, (_, i) => `f${i}: mutex`).join(', ');
  const run = Array.from({ length: n }, (_, i) => {
    const [l, r] = i === n - 1 ? [0, n - 1] : [i, i + 1];
    return `      - { thread: phil, as: p${i}, args: { first: f${l}, second: f${r} } }`;
  }).join('\n');
  return `id: philosophers-${n}
title: ${n} dining philosophers, ordered forks
locks: { ${forks} }
vars: { meals: 0 }
threads:
  phil:
    fn: table.c:philosopher
    params: [first, second]
    steps:
      - { id: think, do: [] }
      - { id: take_first, lock: $first }
      - { id: take_second, lock: $second }
      - { id: eat, do: ["meals = meals + 1"] }
      - { id: put_second, unlock: $second }
      - { id: put_first, unlock: $first }
finals: [ { name: all_ate, expr: "meals == ${n}" } ]
configs:
  all:
    run:
${run}
`;
}

/**
 * Seed 000 scaled up: khugepaged collapses T while three openers each open the file for
 * write and write O. With the reporters' patch (writeback_before_purge) it holds, so both
 * tools explore all of it: about 100k states here, 66k in SPIN's coarser steps.
 */
export function threeOpenersScenario(): Scenario {
  const file = loadScenario('000-thp-write-open-purge').file;
  const config = `  three_openers:
    description: khugepaged collapses T while three openers open the file for write and write O
    run:
      - collapse
      - { thread: opener, as: opener1, args: { f: O, v: 2 } }
      - { thread: opener, as: opener2, args: { f: O, v: 3 } }
      - { thread: opener, as: opener3, args: { f: O, v: 4 } }
`;
  return parseScenario(readFileSync(file, 'utf8').replace('\nexpect:\n', `\n${config}\nexpect:\n`), file);
}

interface Ours {
  states: number;
  ms: number;
  verdict: string;
  transitions: number;
}

function ours(sc: Scenario, variant: string, config: string, por: boolean, reps: number, sleep = false): Ours {
  const m = compile(instantiate(sc, variant, config));
  explore(m, { por, sleep }); // warm the JIT
  let best: Ours | undefined;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const o = explore(m, { por, sleep, maxMs: 120_000, maxStates: 20_000_000 });
    const ms = performance.now() - t0;
    if (!best || ms < best.ms) best = { states: o.states, ms, verdict: o.verdict, transitions: o.transitions };
  }
  return best!;
}

/** SPIN's verifier, best of 3; `ms` is pan's own elapsed time when it is long enough to trust, else wall time. */
async function spin(pml: string, reduce: boolean, hashBits: number, maxDepth: number, reps = 3): Promise<{ states: number; ms: number; verdict: string; wall: boolean } | string> {
  const dir = await mkdtemp(join(tmpdir(), 'loregraph-bench-spin-'));
  try {
    await writeFile(join(dir, 'model.pml'), pml);
    await sh('spin', ['-a', 'model.pml'], { cwd: dir, timeout: 60_000 });
    await sh('gcc', ['-O2', '-DSAFETY', ...(reduce ? [] : ['-DNOREDUCE']), '-o', 'pan', 'pan.c'], { cwd: dir, timeout: 120_000 });
    let best: { states: number; ms: number; verdict: string; wall: boolean } | undefined;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      let out: string;
      try {
        out = (await sh('./pan', [`-m${maxDepth}`, `-w${hashBits}`], { cwd: dir, timeout: 300_000, maxBuffer: 1 << 24 })).stdout;
      } catch (e) {
        out = String((e as { stdout?: unknown }).stdout ?? '');
      }
      const wall = performance.now() - t0;
      const rep = parsePanOutput(out);
      const ms = rep.seconds >= 0.05 ? rep.seconds * 1000 : wall;
      const verdict = rep.assertionViolated ? 'violated' : rep.invalidEndState ? 'deadlock' : 'holds';
      if (!best || ms < best.ms) best = { states: rep.statesStored, ms, verdict, wall: rep.seconds < 0.05 };
    }
    return best!;
  } catch (e) {
    return `SPIN unavailable: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rate = (states: number, ms: number): number => (states / Math.max(ms, 0.001)) * 1000;
const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

async function compare(label: string, sc: Scenario, variant: string, config: string, reps = 3): Promise<void> {
  const full = ours(sc, variant, config, false, reps);
  const por = ours(sc, variant, config, true, reps);
  const slept = ours(sc, variant, config, false, reps, true);
  const pml = exportPromela(sc, variant, config);
  // A hash table sized to the model, as one would for SPIN: too small and pan thrashes, too big and it spends its time clearing memory.
  const bits = Math.min(26, Math.max(16, Math.ceil(Math.log2(full.states * 8))));
  // The search depth never exceeds the state count; pan allocates its stack for -m up front.
  const depth = Math.max(10_000, full.states * 4);
  const sp = await spin(pml, false, bits, depth, reps);
  const spr = await spin(pml, true, bits, depth, reps);
  const base = typeof sp === 'string' ? undefined : rate(sp.states, sp.ms);
  const reduced = typeof spr === 'string' ? undefined : rate(spr.states, spr.ms);
  console.log(`${label} (${variant}/${config})`);
  const line = (who: string, r: { states: number; ms: number; verdict: string; wall?: boolean }): void => {
    const x = rate(r.states, r.ms);
    const note = r.wall ? '  (too quick for pan\'s clock: wall time, process start-up included)' : '';
    const ratios = [base ? `x${(x / base).toFixed(2)} of SPIN` : '', reduced ? `x${(x / reduced).toFixed(2)} of SPIN+POR` : ''].filter(Boolean).join(', ');
    console.log(`  ${who.padEnd(26)} ${String(r.states).padStart(9)} states ${r.ms.toFixed(1).padStart(8)} ms ${fmt(x).padStart(7)} states/s  ${ratios}  ${r.verdict}${note}`);
  };
  line('loregraph, no reduction', full);
  line('loregraph, POR', por);
  line('loregraph, sleep sets', slept);
  console.log(`  transitions run: ${full.transitions} full, ${por.transitions} with POR (x${(por.transitions / full.transitions).toFixed(2)}), ${slept.transitions} with sleep sets (x${(slept.transitions / full.transitions).toFixed(2)})`);
  if (typeof sp === 'string') console.log(`  ${sp}`);
  else {
    line('SPIN -DNOREDUCE (baseline)', sp);
    if (typeof spr !== 'string') line('SPIN with its POR', spr);
    console.log("  (SPIN's time is pan's own elapsed search time; ours is the search alone, after a warm-up run)");
  }
}

export async function run(): Promise<void> {
  // Largest seed scenario by full state count.
  let largest: { sc: Scenario; v: string; c: string; states: number } | undefined;
  let slowest = { ms: 0, name: '' };
  for (const s of listScenarios()) {
    if (s.error) continue;
    const sc = loadScenarioFile(s.file);
    for (const v of sc.variants.keys()) {
      for (const c of sc.configs.keys()) {
        // Best of 3, so a load spike on a shared machine is not reported as the explorer's time.
        const r = ours(sc, v, c, true, 3);
        if (r.ms > slowest.ms) slowest = { ms: r.ms, name: `${sc.id} ${v}/${c}, ${r.states} states` };
        const f = explore(compile(instantiate(sc, v, c)), { por: false });
        if (!largest || f.states > largest.states) largest = { sc, v, c, states: f.states };
      }
    }
  }
  // Named, so a miss of the target says which model to look at.
  console.log(`every seed (variant, config) explored; slowest with POR: ${slowest.ms.toFixed(1)} ms (${slowest.name}), best of 3 (target < 100 ms)`);
  // The headline: per-state speed against SPIN's, on a model big enough that neither start-up nor compile time is the measure.
  await compare('seed 000 scaled up to three openers', threeOpenersScenario(), 'writeback_before_purge', 'three_openers', 7);
  if (largest) await compare(`largest seed scenario ${largest.sc.id}`, largest.sc, largest.v, largest.c);
  const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7);
  await compare(`${n} dining philosophers`, parseScenario(philosophersYaml(n), `philosophers-${n}.yaml`), 'original', 'all');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
