// `loregraph sim list|run|check|export|replay`: the race simulator from the command line.
import { existsSync } from 'node:fs';
import { LoregraphError, type ErrorCode } from '../../domain/errors.ts';
import {
  checkAll,
  exportPromela,
  isSimError,
  listScenarios,
  loadScenario,
  loadScenarioFile,
  renderRun,
  replayWitnessFile,
  runScenario,
  SCENARIO_DIR,
  type Scenario,
  type SimErrorCode,
} from '../../sim/index.ts';
import { parseCommandArgs, printJson, type CliIO, type Command } from '../command.ts';

const HELP = `usage: loregraph sim <list|run|check|export|replay> [options]
  sim list [--json]                      scenarios, their variants (fixes) and configs
  sim run <scenario> [--variant V] [--config C] [--max-states N] [--max-ms N] [--no-por | --sleep] [--json]
                                         explore every interleaving; verdict, witness, unreached steps
                                         (--no-por: no reduction; --sleep: sleep sets instead of ample sets)
  sim check [--json]                     run every scenario against its expected verdicts (exit 1 on a mismatch)
  sim export <scenario> [--variant V] [--config C]
                                         the model as Promela, for SPIN
  sim replay <file> [--full]             replay a witness (what sim run --json prints, or a witness file) and
                                         tell its story; exit 1 when it does not reach the verdict it claims
  sim run prints every bad outcome reachable, each with its shortest witness told as a story
  (steps that matter, the breaking step marked); --full shows the folded steps too.
  <scenario> is an id in sim/scenarios or a path to a .yaml file; --dir DIR reads scenarios from DIR.`;

const SIM_TO_CLI: Record<SimErrorCode, ErrorCode> = {
  SIM_INVALID: 'SCENARIO_INVALID',
  SIM_NOT_FOUND: 'NOT_FOUND',
  SIM_USAGE: 'USAGE',
  SIM_REPLAY: 'BAD_INPUT',
};

const OPTIONS = {
  json: { type: 'boolean' },
  variant: { type: 'string' },
  config: { type: 'string' },
  'max-states': { type: 'string' },
  'max-ms': { type: 'string' },
  'no-por': { type: 'boolean' },
  sleep: { type: 'boolean' },
  dir: { type: 'string' },
  full: { type: 'boolean' },
} as const;

function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new LoregraphError('USAGE', `--${name} expects a positive integer, got '${v}'`);
  return n;
}

function load(ref: string, dir: string): Scenario {
  return (ref.endsWith('.yaml') || ref.endsWith('.yml')) && existsSync(ref) ? loadScenarioFile(ref) : loadScenario(ref, dir);
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(rest, OPTIONS);
  const dir = values.dir ?? SCENARIO_DIR;
  switch (sub) {
    case 'list': {
      const all = listScenarios(dir);
      if (values.json) printJson(io, all);
      else {
        for (const s of all) {
          if (s.error) {
            io.out(`${s.id}: DOES NOT LOAD: ${s.error}\n`);
            continue;
          }
          io.out(`${s.id}: ${s.title}\n  variants: ${s.variants.map((v) => v.name).join(', ')}\n  configs: ${s.configs.map((c) => c.name).join(', ')}\n`);
        }
      }
      return all.some((s) => s.error) ? 1 : 0;
    }
    case 'run': {
      const ref = positionals[0];
      if (!ref) throw new LoregraphError('USAGE', 'sim run needs a scenario');
      const maxStates = positiveInt(values['max-states'], 'max-states');
      const maxMs = positiveInt(values['max-ms'], 'max-ms');
      const r = runScenario(load(ref, dir), {
        ...(values.variant !== undefined ? { variant: values.variant } : {}),
        ...(values.config !== undefined ? { config: values.config } : {}),
        ...(maxStates !== undefined ? { maxStates } : {}),
        ...(maxMs !== undefined ? { maxMs } : {}),
        por: !values['no-por'],
        ...(values.sleep ? { sleep: true } : {}),
      });
      if (values.json) printJson(io, r);
      else io.out(`${renderRun(r, { full: values.full ?? false })}\n`);
      return 0;
    }
    case 'replay': {
      const file = positionals[0];
      if (!file) throw new LoregraphError('USAGE', 'sim replay needs a witness file (what sim run --json prints, or a witness YAML/JSON/text)');
      const res = replayWitnessFile(file, { dir, full: values.full ?? false });
      io.out(res.text.endsWith('\n') ? res.text : `${res.text}\n`);
      return res.ok ? 0 : 1;
    }
    case 'check': {
      const rep = checkAll(dir, { por: !values['no-por'] });
      if (values.json) printJson(io, rep);
      else {
        for (const r of rep.rows) {
          // Where the expectation lists the outcomes, they are part of what is compared: a
          // line showing only the equal verdicts would read as a match that FAILed.
          const outcomes = (xs: string[]): string => (r.expectedOutcomes ? `, outcomes ${[...new Set(xs)].sort().join(', ') || 'none'}` : '');
          const exp = r.expected + (r.expectedProperty ? ` (${r.expectedProperty})` : '') + outcomes(r.expectedOutcomes ?? []);
          const got = r.got + (r.property ? ` (${r.property})` : '') + outcomes(r.outcomes);
          io.out(`${r.ok ? 'ok  ' : 'FAIL'} ${r.scenario} / ${r.variant} / ${r.config}: expected ${exp}, got ${got}  [${r.states} states, ${r.ms} ms]\n`);
          if (r.ok && r.got === 'holds' && r.unreached.length) io.out(`     never executed: ${r.unreached.join(', ')}\n`);
        }
        for (const e of rep.errors) io.out(`FAIL ${e.message}\n`);
        io.out(`${rep.rows.filter((r) => r.ok).length}/${rep.rows.length} expectations met${rep.errors.length ? `, ${rep.errors.length} scenario(s) do not load` : ''}\n`);
      }
      return rep.ok ? 0 : 1;
    }
    case 'export': {
      const ref = positionals[0];
      if (!ref) throw new LoregraphError('USAGE', 'sim export needs a scenario');
      io.out(exportPromela(load(ref, dir), values.variant ?? 'original', values.config));
      return 0;
    }
    default:
      throw new LoregraphError('USAGE', `sim: unknown subcommand '${sub ?? ''}' (list, run, check, export, replay)`);
  }
}

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    try {
      return await run(argv, io);
    } catch (e) {
      if (isSimError(e)) throw new LoregraphError(SIM_TO_CLI[e.code], e.message);
      throw e;
    }
  },
};
