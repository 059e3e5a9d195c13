// Scenarios for the API, cached: loading one parses it and compiles every (variant,
// config), hundreds of milliseconds for the whole directory, so each file is loaded
// again only when its size or mtime changed.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadScenarioFile, SCENARIO_DIR, SimError, type Scenario } from '../sim/index.ts';

export interface ScenarioEntry {
  /** The scenario id, or the file name (without extension) when the file does not load. */
  id: string;
  file: string;
  scenario: Scenario | null;
  /** Why the file does not load, with its position. */
  error: string | null;
}

export interface ScenarioStore {
  list(): ScenarioEntry[];
  /** Throws SimError SIM_NOT_FOUND for an unknown id, SIM_INVALID for a file that does not load. */
  get(id: string): Scenario;
}

export function createScenarioStore(dir: string = SCENARIO_DIR): ScenarioStore {
  const cache = new Map<string, { key: string; entry: ScenarioEntry }>();
  const load = (file: string): ScenarioEntry => {
    let key: string;
    try {
      const st = statSync(file);
      key = `${st.size}:${st.mtimeMs}`;
    } catch {
      key = 'gone';
    }
    const hit = cache.get(file);
    if (hit && hit.key === key) return hit.entry;
    let entry: ScenarioEntry;
    try {
      const scenario = loadScenarioFile(file);
      entry = { id: scenario.id, file, scenario, error: null };
    } catch (e) {
      // Positions name the file; the server's directory layout is nobody's business.
      const message = (e instanceof Error ? e.message : String(e)).split(file).join(basename(file));
      entry = { id: basename(file).replace(/\.ya?ml$/, ''), file, scenario: null, error: message };
    }
    cache.set(file, { key, entry });
    return entry;
  };
  const list = (): ScenarioEntry[] => {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    } catch {
      files = [];
    }
    return files.map((f) => load(join(dir, f)));
  };
  return {
    list,
    get(id) {
      const entry = list().find((e) => e.id === id || basename(e.file).replace(/\.ya?ml$/, '') === id);
      if (!entry) throw new SimError('SIM_NOT_FOUND', `no scenario '${id}'`);
      if (!entry.scenario) throw new SimError('SIM_INVALID', entry.error ?? `scenario '${id}' does not load`);
      return entry.scenario;
    },
  };
}
