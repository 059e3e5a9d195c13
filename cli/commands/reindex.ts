// `loregraph reindex`: rebuild the full-text search index from the stored messages.
import { existsSync } from 'node:fs';
import { closeDb, openDb } from '../../db/connection.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, parseCommandArgs, type CliIO, type Command } from '../command.ts';

export const command: Command = {
  help: `usage: loregraph reindex [--db FILE]
  Rebuilds the full-text search index from the messages already stored.
  --db FILE   database (default ${DEFAULT_DB})`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { db: { type: 'string', default: DEFAULT_DB } }, false);
    if (!existsSync(values.db)) throw new LoregraphError('DB_OPEN', `no database at ${values.db}: run 'loregraph ingest' first`);
    const { rebuildSearchIndex } = await import('../../ingest/search-index-rebuild.ts');
    const db = openDb(values.db);
    try {
      const r = rebuildSearchIndex(db, {
        onProgress: (p) => {
          if (io.isTTY) io.err(`\rreindexed ${p.indexed} messages`);
        },
      });
      if (io.isTTY) io.err('\n');
      io.out(`reindexed ${r.indexed} messages in ${(r.elapsedMs / 1000).toFixed(1)} s\n`);
    } finally {
      closeDb(db);
    }
    return 0;
  },
};
