// Reading scenario files: thin I/O around the pure parser and instantiation.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './ast.ts';
import { compile } from './compile.ts';
import { SimError } from './errors.ts';
import { instantiate } from './instantiate.ts';
import { parseScenario } from './parse.ts';

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

export function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Parses a scenario file and instantiates every (variant, config), so any error surfaces now, with its position. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimError('SIM_NOT_FOUND', `cannot read scenario ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const sc = parseScenario(text, path);
  for (const v of sc.variants.keys()) for (const c of sc.configs.keys()) compile(instantiate(sc, v, c));
  return sc;
}

/** By scenario id or file name (without .yaml) in `dir`. */
export function loadScenario(id: string, dir: string = SCENARIO_DIR): Scenario {
  if (!/^[A-Za-z0-9_.-]+$/.test(id) || id.startsWith('.')) throw new SimError('SIM_NOT_FOUND', `no scenario '${id}'`);
  const files = scenarioFiles(dir);
  const byName = files.find((f) => basename(f).replace(/\.ya?ml$/, '') === id);
  if (byName) return loadScenarioFile(byName);
  for (const f of files) {
    const m = /^id:\s*["']?([A-Za-z0-9_-]+)/m.exec(readFileSync(f, 'utf8'));
    if (m && m[1] === id) return loadScenarioFile(f);
  }
  throw new SimError('SIM_NOT_FOUND', `no scenario '${id}' in ${dir} (have: ${files.map((f) => basename(f)).join(', ') || 'none'})`);
}

