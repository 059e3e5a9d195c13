// `loregraph race <id> [--json] [--scenario-draft]`
import { closeDb, openDb } from '../../db/connection.ts';
import { getRace } from '../../db/knowledge.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { draftScenario } from '../../domain/knowledge/scenario-draft.ts';
import { createScenarioStore } from '../../server/scenario-store.ts';
import { fixScenarioLinks, type ScenarioLink } from '../../server/scenario-links.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';
import { formatRace } from '../race-format.ts';

export const command: Command = {
  help: `usage: loregraph race <id> [--db FILE] [--json] [--scenario-draft] [--scenarios DIR]
  One race with everything known of it: the reasons that made it a race with their
  sentences, functions, files, locks, versions and configs, the interleaving diagram, its
  threads, and each proposed fix with its lifecycle, the stances taken on it and the
  simulator scenarios linked to it (explicit, or by coverage).
  --scenario-draft   print a scenario skeleton in the simulator's language instead`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      db: { type: 'string' },
      json: { type: 'boolean' },
      'scenario-draft': { type: 'boolean' },
      scenarios: { type: 'string' },
    });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'race needs exactly one race id (see loregraph races)');
    const id = (positionals[0] as string).trim();
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const race = getRace(db, id);
      if (!race) throw new LoregraphError('NOT_FOUND', `no race ${id}`);
      if (values['scenario-draft']) {
        io.out(draftScenario(race));
        return 0;
      }
      const store = createScenarioStore(values.scenarios);
      const links = new Map<string, ScenarioLink[]>(race.fixes.map((f) => [f.id, fixScenarioLinks(f, store)]));
      if (values.json) printJson(io, { ...race, fixes: race.fixes.map((f) => ({ ...f, scenarios: links.get(f.id) ?? [] })) });
      else io.out(formatRace(race, links));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
