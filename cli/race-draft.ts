// `--scenario-draft [FILE]` of `loregraph race <id>`: the race's draft scenario
// (domain/knowledge/scenario-draft.ts) to stdout, or to FILE. The option's value is
// optional, which node:util parseArgs cannot say, so it is taken out of argv first.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { draftScenario } from '../domain/knowledge/scenario-draft.ts';
import type { RaceRecord } from '../domain/knowledge/types.ts';
import { LoregraphError } from '../domain/errors.ts';
import { kernelRefs } from '../server/scenario-json.ts';
import { parseScenario, SCENARIO_DIR } from '../sim/index.ts';
import type { CliIO } from './command.ts';

export const SCENARIO_DRAFT_HELP = `  --scenario-draft [FILE]  write a draft simulator scenario from the race's interleaving
                           diagram and functions (sim/FORMAT.md) to FILE, or to stdout
                           without one; it loads, with TODOs where the mail gives no state`;

/**
 * Removes `--scenario-draft`, `--scenario-draft=FILE` or `--scenario-draft FILE` from argv.
 * A following word is FILE only when another positional (the race id) remains, so
 * `race <id> --scenario-draft` prints and `race <id> --scenario-draft x.yaml` writes x.yaml.
 */
export function takeScenarioDraft(argv: readonly string[]): { argv: string[]; draft: { file: string | null } | null } {
  const rest: string[] = [];
  let draft: { file: string | null } | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--scenario-draft=')) {
      const file = a.slice('--scenario-draft='.length);
      draft = { file: file === '' || file === '-' ? null : file };
      continue;
    }
    if (a !== '--scenario-draft') {
      rest.push(a);
      continue;
    }
    const next = argv[i + 1];
    const positionalsElsewhere = [...argv.slice(0, i), ...argv.slice(i + 2)].some((x) => !x.startsWith('-'));
    if (next !== undefined && !next.startsWith('-') && positionalsElsewhere) {
      draft = { file: next };
      i++;
    } else if (next === '-') {
      draft = { file: null };
      i++;
    } else {
      draft = { file: null };
    }
  }
  return { argv: rest, draft };
}

/**
 * Every kernel location (`file:function`) the scenarios in `dir` model: they give the
 * draft's functions their files. Parsed only (not compiled), and a file that does not
 * parse is skipped: the draft does not depend on every scenario being finished.
 */
export function scenarioKernelRefs(dir: string = SCENARIO_DIR): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  return files.flatMap((f) => {
    try {
      return kernelRefs(parseScenario(readFileSync(join(dir, f), 'utf8'), f));
    } catch {
      return [];
    }
  });
}

/** Writes the race's draft where the option said; never over an existing file (it may be a scenario someone finished). */
export function writeScenarioDraft(race: RaceRecord, file: string | null, io: CliIO, scenarioDir?: string): void {
  const yaml = draftScenario(race, { kernelRefs: scenarioKernelRefs(scenarioDir) });
  if (file === null) {
    io.out(yaml);
    return;
  }
  if (existsSync(file)) throw new LoregraphError('USAGE', `${file} exists; the draft is not written over it`);
  writeFileSync(file, yaml);
  io.err(`wrote ${file}: a draft of race ${race.id}; fill in its TODOs, then run 'loregraph sim check'\n`);
}
