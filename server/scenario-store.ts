// Scenarios for the API, cached: loading one parses it and compiles every (variant,
// config), seconds for the whole directory on a loaded machine, so each file is loaded
// again only when its size or mtime changed. Where the loading runs is the loader's
// choice: the server's is a worker thread (server/scenario-loader.ts), so the first
// request that needs the scenarios waits for them without holding up any other request.
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
  list(): Promise<ScenarioEntry[]>;
  /** Rejects with SimError SIM_NOT_FOUND for an unknown id, SIM_INVALID for a file that does not load. */
  get(id: string): Promise<Scenario>;
}

/** Loads one scenario file (parse and compile every variant and config), or rejects saying why not. */
export type ScenarioLoader = (file: string) => Promise<Scenario>;

/** On the calling thread: the CLI and tools. */
export const inlineScenarioLoader: ScenarioLoader = async (file) => loadScenarioFile(file);

export function createScenarioStore(dir: string = SCENARIO_DIR, loader: ScenarioLoader = inlineScenarioLoader): ScenarioStore {
  // Promises, so requests arriving while a file loads share the one load.
  const cache = new Map<string, { key: string; entry: Promise<ScenarioEntry> }>();
  const load = (file: string): Promise<ScenarioEntry> => {
    let key: string;
    try {
      const st = statSync(file);
      key = `${st.size}:${st.mtimeMs}`;
    } catch {
      key = 'gone';
    }
    const hit = cache.get(file);
    if (hit && hit.key === key) return hit.entry;
    const entry = loader(file).then(
      (scenario): ScenarioEntry => ({ id: scenario.id, file, scenario, error: null }),
      (e: unknown): ScenarioEntry => {
        // Positions name the file; the server's directory layout is nobody's business.
        const message = (e instanceof Error ? e.message : String(e)).split(file).join(basename(file));
        return { id: basename(file).replace(/\.ya?ml$/, ''), file, scenario: null, error: message };
      },
    );
    cache.set(file, { key, entry });
    return entry;
  };
  const list = (): Promise<ScenarioEntry[]> => {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    } catch {
      files = [];
    }
    return Promise.all(files.map((f) => load(join(dir, f))));
  };
  return {
    list,
    async get(id) {
      const entry = (await list()).find((e) => e.id === id || basename(e.file).replace(/\.ya?ml$/, '') === id);
      if (!entry) throw new SimError('SIM_NOT_FOUND', `no scenario '${id}'`);
      if (!entry.scenario) throw new SimError('SIM_INVALID', entry.error ?? `scenario '${id}' does not load`);
      return entry.scenario;
    },
  };
}
