// `loregraph stats [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { collectStats } from '../../db/stats.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';

export const command: Command = {
  help: `usage: loregraph stats [--db FILE] [--json]
  Counts: messages, threads, ghosts (referenced but missing), malformed, lenient, sources, ...`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } }, false);
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const stats = collectStats(db);
      if (values.json) printJson(io, stats);
      else for (const [k, v] of Object.entries(stats)) io.out(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
