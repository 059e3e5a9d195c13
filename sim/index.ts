// The simulator's library API, used by the CLI (`loregraph sim`) and the server. Thin
// I/O (reading sim/scenarios) around the pure parser, instantiation and explorer.
import { basename } from 'node:path';
import type { Outcome, RunReport, RunResult, Scenario, Verdict } from './ast.ts';
import { compile } from './compile.ts';
import { SimError } from './errors.ts';
import { explore, type Found } from './explore.ts';
import { instantiate } from './instantiate.ts';
import { loadScenarioFile, scenarioFiles, SCENARIO_DIR } from './load.ts';
import { exportPromela as toPromela } from './promela.ts';
import { replayPath, replayWitness } from './replay.ts';
import { outcomeOf } from './story.ts';

export type { Outcome, OutcomeKind, RunReport, RunResult, Scenario, Story, Verdict, WitnessStep, WaitEdge } from './ast.ts';
export { SimError, isSimError, type SimErrorCode } from './errors.ts';
export { parseScenario } from './parse.ts';
export { instantiate } from './instantiate.ts';
export { loadScenario, loadScenarioFile, SCENARIO_DIR } from './load.ts';
export { renderOutcome, renderRun, type RenderOptions } from './render.ts';
export { formatWitnessText, parseWitnessFile, renderWitnessFile, replayWitnessFile, type ReplayFileResult, type WitnessFile } from './replay-file.ts';

export interface ScenarioSummary {
  id: string;
  title: string;
  file: string;
  source: string[];
  variants: { name: string; fix: string; description?: string }[];
  configs: { name: string; description?: string }[];
  expectations: number;
  /** Set when the file does not load; the other fields are then placeholders. */
  error?: string;
}

export function listScenarios(dir: string = SCENARIO_DIR): ScenarioSummary[] {
  return scenarioFiles(dir).map((file) => {
    try {
      const sc = loadScenarioFile(file);
      return {
        id: sc.id,
        title: sc.title,
        file,
        source: sc.source,
        variants: [...sc.variants.values()].map((v) => ({ name: v.name, fix: v.fix, ...(v.description ? { description: v.description } : {}) })),
        configs: [...sc.configs.values()].map((c) => ({ name: c.name, ...(c.description ? { description: c.description } : {}) })),
        expectations: sc.expect.length,
      };
    } catch (e) {
      return { id: basename(file).replace(/\.ya?ml$/, ''), title: '', file, source: [], variants: [], configs: [], expectations: 0, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

export interface RunOptions {
  variant?: string;
  /** Default: the first config. */
  config?: string;
  maxStates?: number;
  maxMs?: number;
  /** Partial-order reduction (ample sets); default on. */
  por?: boolean;
  /** Sleep sets instead of ample sets: same states, fewer transitions (see sim/explore.ts). */
  sleep?: boolean;
}

/**
 * Explores every interleaving of one (variant, config) and reports every distinct bad
 * outcome reachable, each with a shortest witness that replays. `verdict`, `property`,
 * `witness` and `waitFor` are those of the first outcome a breadth-first search meets, as
 * they always were.
 */
export function runScenario(sc: Scenario, opts: RunOptions = {}): RunReport {
  const variant = opts.variant ?? 'original';
  const config = opts.config ?? [...sc.configs.keys()][0];
  if (config === undefined) throw new SimError('SIM_NOT_FOUND', `${sc.id}: no configs`);
  for (const [k, v] of [['maxStates', opts.maxStates], ['maxMs', opts.maxMs]] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new SimError('SIM_USAGE', `${k} must be a positive number`);
  }
  const model = compile(instantiate(sc, variant, config));
  const o = explore(model, {
    ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
    ...(opts.maxMs !== undefined ? { maxMs: opts.maxMs } : {}),
    ...(opts.por !== undefined ? { por: opts.por } : {}),
    ...(opts.sleep !== undefined ? { sleep: opts.sleep } : {}),
    outcomes: 'all',
  });
  let ms = o.ms;
  const paths = new Map(o.found.map((f) => [f.key, f]));
  if (o.found.length > 0 && (opts.por !== false || opts.sleep)) {
    // The reduced search's BFS witnesses are shortest among reduced paths only; a bounded
    // full BFS usually finds globally shortest ones.
    const full = explore(model, { por: false, outcomes: 'all', maxStates: Math.min(opts.maxStates ?? Infinity, 50_000 + 20 * o.states), maxMs: Math.max(1, Math.min(opts.maxMs ?? 2_000, 2_000) - o.ms) });
    ms += full.ms;
    for (const f of full.found) {
      const have = paths.get(f.key);
      if (have && f.path.length < have.path.length) paths.set(f.key, f);
    }
  }
  const outcomes = o.found.map((f) => outcome(model, paths.get(f.key)!));
  const first = outcomes[0];
  // The witness we print is the one we replayed (outcome() checks it): if they disagree, the explorer is wrong.
  if (first && (first.verdict !== o.verdict || first.property !== o.property)) {
    throw new Error(`internal: first outcome ${first.verdict}/${first.property}, explorer said ${o.verdict}/${o.property}`);
  }
  return {
    scenario: sc.id,
    variant,
    config,
    verdict: o.verdict,
    ...(o.property !== undefined ? { property: o.property } : {}),
    states: o.states,
    transitions: o.transitions,
    ms: Math.round(ms * 100) / 100,
    witness: first ? first.witness : [],
    ...(first?.waitFor ? { waitFor: first.waitFor } : {}),
    unreached: o.unreached,
    ...(o.bound !== undefined ? { bound: o.bound } : {}),
    outcomes,
    complete: o.bound === undefined,
  };
}

/** A found outcome, replayed: its witness with the changes of each step, and its details. */
function outcome(m: ReturnType<typeof compile>, f: Found): Outcome {
  const r = replayPath(m, f.path);
  // Where several invariants (or finals) fail in the same state, the replay names the first;
  // the one this outcome is about must fail there too.
  const also = f.key.startsWith('invariant:') ? m.invariants : f.key.startsWith('final:') ? m.finals : [];
  const fails = also.find((x) => x.name === f.property)?.check(r.final) === false;
  if (r.verdict !== f.verdict || (r.property !== f.property && !fails)) {
    throw new Error(`internal: witness replays to ${r.verdict}/${r.property}, explorer said ${f.verdict}/${f.property}`);
  }
  return outcomeOf(m, { ...r, verdict: f.verdict }, f.property);
}

export interface ReplayResult {
  /** What the end of the witness shows (`holds`: nothing wrong there). */
  verdict: Exclude<Verdict, 'incomplete'>;
  property?: string;
  /** The witness as replayed, with the state changes of each step. */
  witness: RunResult['witness'];
}

/**
 * Replays a witness (thread, step and, for a choice, branch) on a scenario's (variant,
 * config): throws SimError('SIM_REPLAY') when a step is not the thread's next one or is
 * blocked, so a witness from an older version of a scenario is refused, not misread.
 */
export function replay(sc: Scenario, witness: { thread: string; step: string; branch?: string }[], opts: Pick<RunOptions, 'variant' | 'config'> = {}): ReplayResult {
  const config = opts.config ?? [...sc.configs.keys()][0];
  if (config === undefined) throw new SimError('SIM_NOT_FOUND', `${sc.id}: no configs`);
  const r = replayWitness(compile(instantiate(sc, opts.variant ?? 'original', config)), witness);
  return { verdict: r.verdict, ...(r.property !== undefined ? { property: r.property } : {}), witness: r.steps };
}

export interface CheckRow {
  scenario: string;
  variant: string;
  config: string;
  expected: Verdict;
  expectedProperty?: string;
  got: Verdict;
  property?: string;
  /** Every outcome's property, as the run found them (a deadlock is `deadlock`). */
  outcomes: string[];
  /** The expectation's `outcomes`, when it lists them. */
  expectedOutcomes?: string[];
  ok: boolean;
  why: string;
  states: number;
  ms: number;
  /** Steps never executed: worth a look when a fix "holds". */
  unreached: string[];
}

export function checkScenario(sc: Scenario, opts: Pick<RunOptions, 'maxStates' | 'maxMs' | 'por'> = {}): CheckRow[] {
  return sc.expect.map((x) => {
    const r = runScenario(sc, { ...opts, variant: x.variant, config: x.config });
    const outcomes = r.outcomes.map((o) => o.property);
    const sameSet = (a: string[], b: string[]): boolean => JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort());
    const ok = r.verdict === x.verdict && (x.property === undefined || x.property === r.property) && (x.outcomes === undefined || sameSet(x.outcomes, outcomes));
    return {
      scenario: sc.id,
      variant: x.variant,
      config: x.config,
      expected: x.verdict,
      ...(x.property !== undefined ? { expectedProperty: x.property } : {}),
      got: r.verdict,
      ...(r.property !== undefined ? { property: r.property } : {}),
      outcomes,
      ...(x.outcomes !== undefined ? { expectedOutcomes: x.outcomes } : {}),
      ok,
      why: x.why,
      states: r.states,
      ms: r.ms,
      unreached: r.unreached,
    };
  });
}

export interface CheckReport {
  ok: boolean;
  rows: CheckRow[];
  /** Scenario files that do not load. */
  errors: { file: string; message: string }[];
}

export function checkAll(dir: string = SCENARIO_DIR, opts: Pick<RunOptions, 'maxStates' | 'maxMs' | 'por'> = {}): CheckReport {
  const rows: CheckRow[] = [];
  const errors: CheckReport['errors'] = [];
  for (const file of scenarioFiles(dir)) {
    try {
      rows.push(...checkScenario(loadScenarioFile(file), opts));
    } catch (e) {
      errors.push({ file, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return { ok: errors.length === 0 && rows.every((r) => r.ok), rows, errors };
}

/** Promela for one (variant, config), for cross-checking with SPIN (sim/promela.ts). */
export function exportPromela(sc: Scenario, variant = 'original', config?: string): string {
  const c = config ?? [...sc.configs.keys()][0];
  if (c === undefined) throw new SimError('SIM_NOT_FOUND', `${sc.id}: no configs`);
  return toPromela(sc, variant, c);
}
