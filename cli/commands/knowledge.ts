// `loregraph knowledge [--rebuild]`: the knowledge graph (races, fixes, stances) brought up
// to date from the stored messages, without new mail.
import { existsSync } from 'node:fs';
import { closeDb, openDb } from '../../db/connection.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, parseCommandArgs, type CliIO, type Command } from '../command.ts';

export const command: Command = {
  help: `usage: loregraph knowledge [--db FILE] [--rebuild]
  Analyses stored messages that have no knowledge yet (a database from before the
  knowledge graph) and re-assembles the races of their threads. Ingest does this too.
  --rebuild   forget all knowledge and analyse every stored message again`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { db: { type: 'string', default: DEFAULT_DB }, rebuild: { type: 'boolean' } }, false);
    if (!existsSync(values.db)) throw new LoregraphError('DB_OPEN', `no database at ${values.db}: run 'loregraph ingest' first`);
    const { updateKnowledge } = await import('../../ingest/knowledge-rebuild.ts');
    const { tightenHeapGrowth } = await import('../../ingest/heap-growth.ts');
    tightenHeapGrowth();
    const db = openDb(values.db);
    try {
      const r = updateKnowledge(db, {
        rebuild: values.rebuild ?? false,
        onProgress: (n, total) => {
          if (io.isTTY) io.err(`\ranalysed ${n} messages (rows up to ${total})`);
        },
      });
      if (io.isTTY && r.backfilled > 0) io.err('\n');
      io.out(`analysed ${r.backfilled} messages, assembled ${r.threads} threads into ${r.races} races in ${(r.elapsedMs / 1000).toFixed(1)} s\n`);
    } finally {
      closeDb(db);
    }
    return 0;
  },
};
