// `loregraph sim replay <file>`: a witness file replayed on its scenario and told as a story.
//
// A witness file is either
//  - JSON or YAML: what `sim run --json` prints (a RunReport: every outcome's witness is
//    replayed), or any object with `scenario`, optional `variant`/`config`, a `witness` list
//    of { thread, step, branch? } and optionally the `verdict`/`property` it should reach;
//  - or the plain text formatWitnessText() writes, one keyword per line:
//      scenario 000-thp-write-open-purge
//      variant original
//      config dirty_before_open
//      expect violated no_lost_write        (starts a witness; the verdict/property it reaches)
//      step collapse scan_check
//      step opener io ok                     (a choice step: its branch last)
//    `#` starts a comment; blank lines are ignored.
// parseWitnessFile and renderWitnessFile are pure; replayWitnessFile reads the files.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadScenario, loadScenarioFile } from './load.ts';
import { VERDICTS, type Outcome, type OutcomeKind, type Scenario, type Verdict } from './ast.ts';
import { compile, type Model } from './compile.ts';
import { isSimError, SimError } from './errors.ts';
import { instantiate } from './instantiate.ts';
import { renderOutcome, type RenderOptions } from './render.ts';
import { replayWitness } from './replay.ts';
import { outcomeOf } from './story.ts';

export interface WitnessRef {
  thread: string;
  step: string;
  branch?: string;
}

export interface RecordedWitness {
  /** What the witness was recorded as reaching, when the file says. */
  verdict?: Exclude<Verdict, 'incomplete'>;
  property?: string;
  steps: WitnessRef[];
}

export interface WitnessFile {
  /** A scenario id, or a path to its YAML. */
  scenario: string;
  variant: string;
  /** Absent: the scenario's first config. */
  config?: string;
  witnesses: RecordedWitness[];
}

const WORD = /^[^\s#]+$/;

function fail(file: string, line: number, msg: string): SimError {
  return new SimError('SIM_INVALID', msg, { file, line, col: 1 });
}

/** Parses a witness file in either form (see the header); errors name the file and line. */
export function parseWitnessFile(text: string, file: string): WitnessFile {
  const first = text.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'))?.trim() ?? '';
  if (/^(scenario|variant|config|expect|step)\s/.test(first)) return parseText(text, file);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw fail(file, 1, `not a witness file (neither JSON/YAML nor the text form): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  return fromObject(doc, file);
}

function parseText(text: string, file: string): WitnessFile {
  const head: Partial<Record<'scenario' | 'variant' | 'config', string>> = {};
  const witnesses: RecordedWitness[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [kw, ...args] = line.split(/\s+/);
    const n = i + 1;
    switch (kw) {
      case 'scenario':
      case 'variant':
      case 'config':
        if (args.length !== 1) throw fail(file, n, `'${kw}' takes one word, got ${args.length}`);
        if (witnesses.length > 0) throw fail(file, n, `'${kw}' comes before the first witness`);
        if (head[kw] !== undefined) throw fail(file, n, `'${kw}' given twice`);
        head[kw] = args[0]!;
        return;
      case 'expect': {
        const [verdict, property, ...more] = args;
        if (!verdict || more.length > 0) throw fail(file, n, "expected 'expect <verdict> [<property>]'");
        if (!(VERDICTS as readonly string[]).includes(verdict) || verdict === 'incomplete') throw fail(file, n, `expected a verdict (holds, violated, deadlock), got '${verdict}'`);
        witnesses.push({ verdict: verdict as RecordedWitness['verdict'] & string, ...(property !== undefined ? { property } : {}), steps: [] });
        return;
      }
      case 'step': {
        const [thread, step, branch, ...more] = args;
        if (!thread || !step || more.length > 0) throw fail(file, n, "expected 'step <thread> <step> [<branch>]'");
        if (witnesses.length === 0) witnesses.push({ steps: [] });
        witnesses.at(-1)!.steps.push({ thread, step, ...(branch !== undefined ? { branch } : {}) });
        return;
      }
      default:
        throw fail(file, n, `unknown line '${kw}' (scenario, variant, config, expect, step)`);
    }
  });
  if (!head.scenario) throw fail(file, 1, "a witness file needs a 'scenario' line");
  if (witnesses.length === 0) throw fail(file, 1, "a witness file needs at least one 'step' or 'expect' line");
  return { scenario: head.scenario, variant: head.variant ?? 'original', ...(head.config !== undefined ? { config: head.config } : {}), witnesses };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function steps(v: unknown, file: string, where: string): WitnessRef[] {
  if (!Array.isArray(v)) throw fail(file, 1, `${where}: 'witness' must be a list of { thread, step, branch? }`);
  return v.map((x, i) => {
    const o = (x ?? {}) as Record<string, unknown>;
    const thread = str(o.thread);
    const step = str(o.step);
    if (!thread || !step || !WORD.test(thread) || !WORD.test(step)) throw fail(file, 1, `${where}: step ${i + 1} needs a 'thread' and a 'step'`);
    const branch = str(o.branch);
    return { thread, step, ...(branch !== undefined ? { branch } : {}) };
  });
}

function recorded(o: Record<string, unknown>, file: string, where: string): RecordedWitness {
  const verdict = str(o.verdict);
  if (verdict !== undefined && (!(VERDICTS as readonly string[]).includes(verdict) || verdict === 'incomplete')) throw fail(file, 1, `${where}: unknown verdict '${verdict}'`);
  const property = str(o.property);
  return { ...(verdict !== undefined ? { verdict: verdict as RecordedWitness['verdict'] & string } : {}), ...(property !== undefined ? { property } : {}), steps: steps(o.witness, file, where) };
}

function fromObject(doc: unknown, file: string): WitnessFile {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw fail(file, 1, 'a witness file is an object with scenario, variant, config and witness (or outcomes)');
  const o = doc as Record<string, unknown>;
  const scenario = str(o.scenario);
  if (!scenario || !WORD.test(scenario)) throw fail(file, 1, "a witness file needs 'scenario'");
  const variant = str(o.variant) ?? 'original';
  const config = str(o.config);
  let witnesses: RecordedWitness[];
  if (Array.isArray(o.outcomes) && o.outcomes.length > 0) {
    witnesses = o.outcomes.map((x, i) => recorded((x ?? {}) as Record<string, unknown>, file, `outcome ${i + 1}`));
  } else if (o.witness !== undefined) {
    // A run that holds has an empty witness and nothing to replay but its verdict.
    witnesses = [recorded(o, file, 'witness')];
  } else throw fail(file, 1, "a witness file needs 'witness' (or 'outcomes')");
  return { scenario, variant, ...(config !== undefined ? { config } : {}), witnesses };
}

/** The text form of a witness file, which parseWitnessFile reads back to the same value. */
export function formatWitnessText(w: WitnessFile): string {
  const out = [`scenario ${w.scenario}`, `variant ${w.variant}`];
  if (w.config !== undefined) out.push(`config ${w.config}`);
  for (const x of w.witnesses) {
    if (x.verdict !== undefined) out.push(`expect ${x.verdict}${x.property !== undefined ? ` ${x.property}` : ''}`);
    else if (w.witnesses.length > 1 || x.steps.length === 0) throw new SimError('SIM_USAGE', 'a witness without a verdict can only be alone, and not empty, in the text form');
    for (const s of x.steps) out.push(`step ${s.thread} ${s.step}${s.branch !== undefined ? ` ${s.branch}` : ''}`);
  }
  return out.join('\n') + '\n';
}

export interface ReplayedWitness {
  recorded: RecordedWitness;
  /** What the replay reaches (absent when it would not replay). */
  verdict?: Exclude<Verdict, 'incomplete'>;
  property?: string;
  /** The replay reaches what the file recorded (true when the file records nothing). */
  matches: boolean;
  /** Why it would not replay. */
  error?: string;
}

export interface ReplayFileResult {
  scenario: string;
  variant: string;
  config: string;
  witnesses: ReplayedWitness[];
  /** Every witness replays, to what it recorded. */
  ok: boolean;
  /** The stories, for people. */
  text: string;
}

/**
 * Replays every witness of a parsed file on its scenario (`load` finds it) and tells each
 * as a story. Pure but for `load`. Throws SimError when the scenario, variant or config
 * does not exist; a witness that does not replay is reported in the result, not thrown.
 */
export function renderWitnessFile(w: WitnessFile, load: (ref: string) => Scenario, opts: RenderOptions & { file?: string } = {}): ReplayFileResult {
  const sc = load(w.scenario);
  const config = w.config ?? [...sc.configs.keys()][0];
  if (config === undefined) throw new SimError('SIM_NOT_FOUND', `${sc.id}: no configs`);
  const m = compile(instantiate(sc, w.variant, config));
  const out: string[] = [`${opts.file ? `${opts.file}: ` : ''}${sc.id} / ${w.variant} / ${config}: ${w.witnesses.length} witness${w.witnesses.length === 1 ? '' : 'es'}`];
  const results: ReplayedWitness[] = w.witnesses.map((rec, i) => {
    out.push('');
    if (w.witnesses.length > 1) out.push(`witness ${i + 1} of ${w.witnesses.length}`);
    const said = rec.verdict !== undefined ? `${rec.verdict}${rec.property !== undefined ? ` (${rec.property})` : ''}` : undefined;
    try {
      const got = replayWitness(m, rec.steps);
      const gotText = `${got.verdict}${got.property !== undefined ? ` (${got.property})` : ''}`;
      const matches = rec.verdict === undefined || (rec.verdict === got.verdict && (rec.property === undefined || rec.property === got.property));
      // A bad end is told as a run would tell it (sim run), story included.
      if (got.verdict !== 'holds') out.push(...renderOutcome(outcomeOf(m, { ...got, verdict: got.verdict }), opts));
      else out.push(`holds: the ${rec.steps.length} steps replay and nothing is wrong at their end`);
      out.push(matches ? `  replays to ${gotText}${said ? ', as recorded' : ''}` : `  DOES NOT MATCH: recorded ${said}, replays to ${gotText}`);
      return { recorded: rec, verdict: got.verdict, ...(got.property !== undefined ? { property: got.property } : {}), matches };
    } catch (e) {
      if (!isSimError(e) || e.code !== 'SIM_REPLAY') throw e;
      out.push(`  DOES NOT REPLAY: ${e.message}${said ? ` (recorded as ${said})` : ''}`);
      return { recorded: rec, matches: false, error: e.message };
    }
  });
  return { scenario: sc.id, variant: w.variant, config, witnesses: results, ok: results.every((r) => r.matches), text: out.join('\n') + '\n' };
}

const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'examples');

/**
 * `loregraph sim replay <file>`: reads the witness file, finds its scenario (a path, taken
 * relative to the witness file, or an id in `dir` -- default sim/scenarios -- or in
 * sim/examples), replays every witness and returns the stories (`text`) and whether each
 * replayed to what it recorded (`ok`: the exit status). Throws SimError for a file that
 * cannot be read or parsed and for an unknown scenario, variant or config.
 */
export function replayWitnessFile(path: string, opts: RenderOptions & { dir?: string } = {}): ReplayFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimError('SIM_NOT_FOUND', `cannot read witness file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const w = parseWitnessFile(text, path);
  const load = (ref: string): Scenario => {
    if (/\.ya?ml$/.test(ref)) {
      const p = isAbsolute(ref) ? ref : [resolve(dirname(path), ref), resolve(ref)].find((x) => existsSync(x)) ?? ref;
      return loadScenarioFile(p);
    }
    try {
      return loadScenario(ref, opts.dir);
    } catch (e) {
      if (opts.dir === undefined && isSimError(e) && e.code === 'SIM_NOT_FOUND') return loadScenario(ref, EXAMPLES_DIR);
      throw e;
    }
  };
  return renderWitnessFile(w, load, { ...opts, file: path });
}
