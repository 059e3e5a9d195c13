// Runs our explorer and SPIN on the same (scenario, variant, config) and says whether they
// agree: used by the SPIN cross-check tests and the benchmark.
import { compile, type Model } from './compile.ts';
import { instantiate, runScenario, type RunReport, type Scenario } from './index.ts';
import { programToPromelaMapped } from './promela.ts';
import { runSpin, type SpinOptions, type SpinResult } from './promela-spin.ts';
import { parseSpinTrail, trailToWitness, type TrailStep } from './promela-trail.ts';
import { replayWitness } from './replay.ts';

/** SPIN's counterexample replayed on our model. */
export interface TrailReplay {
  /** What SPIN reported on that trail. */
  spin: 'violated' | 'deadlock';
  /** What our model says at the end of it (or why it would not replay). */
  ours: 'holds' | 'violated' | 'deadlock' | `error: ${string}`;
  property?: string;
  steps: number;
}

export interface Agreement {
  key: string;
  ours: RunReport;
  spin: SpinResult;
  agree: boolean;
  /** With SpinOptions.trails: each SPIN error trail, replayed by us. */
  trails: TrailReplay[];
}

/**
 * The kinds of error we found reachable (violated, deadlock) are exactly those SPIN found:
 * nothing when we say it holds, and each of our outcomes' kinds, no more, otherwise.
 */
export function agrees(ours: RunReport, spin: SpinResult): boolean {
  if (ours.verdict === 'incomplete' || !ours.complete) return false;
  if (ours.verdict === 'holds') return spin.found.length === 0 && spin.verdict === 'holds';
  const kinds = [...new Set(ours.outcomes.map((o) => o.verdict))].sort();
  return spin.verdict !== 'incomplete' && JSON.stringify(kinds) === JSON.stringify([...spin.found].sort());
}

export async function crossCheck(sc: Scenario, variant: string, config: string, opts: SpinOptions = {}): Promise<Agreement> {
  const ours = runScenario(sc, { variant, config });
  const program = instantiate(sc, variant, config);
  const { text, lines } = programToPromelaMapped(program);
  const spin = await runSpin(text, opts);
  const trails: TrailReplay[] = [];
  const model = compile(program);
  for (const [kind, rep] of [
    ['violated', spin.safety],
    ['deadlock', spin.deadlock],
  ] as const) {
    if (rep.trail === undefined) continue;
    const w = trailToWitness(parseSpinTrail(rep.trail), lines);
    trails.push({ spin: kind, steps: w.length, ...replaySpin(model, w, kind) });
  }
  return { key: `${sc.id} ${variant} x ${config}`, ours, spin, agree: agrees(ours, spin), trails };
}

/**
 * A violation trail is replayed prefix by prefix: SPIN's depth-first path may pass a state
 * that breaks an invariant some steps before its monitor process gets to fire. A deadlock
 * trail must replay whole (SPIN's -A ignores assertions on the way, so may our replay not).
 */
function replaySpin(m: Model, w: TrailStep[], kind: 'violated' | 'deadlock'): Pick<TrailReplay, 'ours' | 'property'> {
  try {
    if (kind === 'violated') {
      for (let k = 0; k < w.length; k++) {
        const r = replayWitness(m, w.slice(0, k));
        if (r.verdict !== 'holds') return { ours: r.verdict, ...(r.property !== undefined ? { property: r.property } : {}) };
      }
    }
    const r = replayWitness(m, w);
    return { ours: r.verdict, ...(r.property !== undefined ? { property: r.property } : {}) };
  } catch (e) {
    return { ours: `error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Runs f over items, at most `width` at a time (SPIN compiles are heavy; the machine is shared). */
export async function pool<T, R>(items: T[], width: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** The verdict table: model, our verdict, what SPIN found, states (ours, SPIN's), our ms. */
export function table(rows: Agreement[]): string {
  const lines = rows.map((r) =>
    [
      r.key.padEnd(70),
      ([...new Set(r.ours.outcomes.map((o) => o.verdict))].join('+') || r.ours.verdict).padEnd(17),
      (r.spin.found.join('+') || 'holds').padEnd(17),
      String(r.ours.states).padStart(6),
      String(r.spin.safety.statesStored).padStart(6),
      r.ours.ms.toFixed(1).padStart(7),
      r.agree ? 'agree' : 'DISAGREE',
    ].join(' '),
  );
  return ['model'.padEnd(70) + ' ours              spin              states  spin  ours-ms', ...lines].join('\n');
}
