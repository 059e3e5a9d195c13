// `loregraph fix <id> [--json]`: one proposed fix read out of the mail.
import { closeDb, openDb } from '../../db/connection.ts';
import { getFix } from '../../db/knowledge.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { createScenarioStore } from '../../server/scenario-store.ts';
import { stableOfFix } from '../../server/race-json.ts';
import { fixScenarioLinks } from '../../server/scenario-links.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';
import { clean, formatFix } from '../race-format.ts';

export const command: Command = {
  help: `usage: loregraph fix <id> [--db FILE] [--json] [--scenarios DIR]
  One proposed fix (ids as 'loregraph race' prints them: <message-id>#<n>): who proposed
  it where, its kind and lifecycle, the stances taken on it, its race and the simulator
  scenarios linked to it.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' }, scenarios: { type: 'string' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'fix needs exactly one fix id (see loregraph race <id>)');
    const id = (positionals[0] as string).trim().replace(/^<([^>]*)>/, '$1');
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const view = getFix(db, id);
      if (!view) throw new LoregraphError('NOT_FOUND', `no fix ${id}`);
      const scenarios = await fixScenarioLinks(view.fix, createScenarioStore(values.scenarios));
      if (values.json) printJson(io, { race: view.race, fix: { ...view.fix, scenarios, stable: stableOfFix(db, view.fix) } });
      else io.out([...formatFix(view.fix, scenarios), `  race ${view.race.id}: ${clean(view.race.title)} (${view.race.outcome}, ${view.race.status})`].join('\n') + '\n');
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
