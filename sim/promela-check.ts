// Runs our explorer and SPIN on the same (scenario, variant, config) and says whether they
// agree: used by the SPIN cross-check tests and the benchmark.
import { exportPromela, runScenario, type RunResult, type Scenario } from './index.ts';
import { runSpin, type SpinOptions, type SpinResult } from './promela-spin.ts';

export interface Agreement {
  key: string;
  ours: RunResult;
  spin: SpinResult;
  agree: boolean;
}

/** Ours holds: SPIN finds nothing. Ours violated/deadlock: SPIN finds that kind of error too. */
export function agrees(ours: RunResult, spin: SpinResult): boolean {
  if (ours.verdict === 'holds') return spin.found.length === 0 && spin.verdict === 'holds';
  if (ours.verdict === 'incomplete') return false;
  return spin.found.includes(ours.verdict);
}

export async function crossCheck(sc: Scenario, variant: string, config: string, opts: SpinOptions = {}): Promise<Agreement> {
  const ours = runScenario(sc, { variant, config });
  const spin = await runSpin(exportPromela(sc, variant, config), opts);
  return { key: `${sc.id} ${variant} x ${config}`, ours, spin, agree: agrees(ours, spin) };
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
      r.ours.verdict.padEnd(9),
      (r.spin.found.join('+') || 'holds').padEnd(17),
      String(r.ours.states).padStart(6),
      String(r.spin.safety.statesStored).padStart(6),
      r.ours.ms.toFixed(1).padStart(7),
      r.agree ? 'agree' : 'DISAGREE',
    ].join(' '),
  );
  return ['model'.padEnd(70) + ' ours      spin              states  spin  ours-ms', ...lines].join('\n');
}
