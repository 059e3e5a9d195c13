// `loregraph race <id> [--json] [--scenario-draft [FILE]]`
import { closeDb, openDb } from '../../db/connection.ts';
import { getRace, resolveRaceId } from '../../db/knowledge.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { createScenarioStore } from '../../server/scenario-store.ts';
import { stableOfFix } from '../../server/race-json.ts';
import { linkableScenarios, scenarioLinks, type ScenarioLink } from '../../server/scenario-links.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';
import { formatRace } from '../race-format.ts';
import { SCENARIO_DRAFT_HELP, takeScenarioDraft, writeScenarioDraft } from '../race-draft.ts';

export const command: Command = {
  help: `usage: loregraph race <id> [--db FILE] [--json] [--scenario-draft [FILE]] [--scenarios DIR]
  One race with everything known of it: the reasons that made it a race with their
  sentences, functions, files, locks, versions and configs, the interleaving diagram, its
  threads, and each proposed fix with its lifecycle, the stances taken on it and the
  simulator scenarios linked to it (explicit, or by coverage). <id> is a race id as
  \`loregraph races\` prints it, or a unique prefix of one at least r- and 8 characters long
  (the length ids once had).
${SCENARIO_DRAFT_HELP}`,
  async run(argv, io) {
    const { argv: rest, draft } = takeScenarioDraft(argv);
    const { values, positionals } = parseCommandArgs(rest, {
      db: { type: 'string' },
      json: { type: 'boolean' },
      scenarios: { type: 'string' },
    });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'race needs exactly one race id (see loregraph races)');
    const id = (positionals[0] as string).trim();
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const found = resolveRaceId(db, id);
      const race = found === null ? null : getRace(db, found);
      if (!race) throw new LoregraphError('NOT_FOUND', `no race ${id}`);
      if (draft) {
        writeScenarioDraft(race, draft.file, io, values.scenarios);
        return 0;
      }
      const store = createScenarioStore(values.scenarios);
      const linkable = await linkableScenarios(store);
      const links = new Map<string, ScenarioLink[]>(race.fixes.map((f) => [f.id, scenarioLinks(f, linkable)]));
      if (values.json) printJson(io, { ...race, fixes: race.fixes.map((f) => ({ ...f, scenarios: links.get(f.id) ?? [], stable: stableOfFix(db, f) })) });
      else io.out(formatRace(race, links));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
