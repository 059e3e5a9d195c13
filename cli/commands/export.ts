// `loregraph export <message-id> [--db FILE] [--thread]`: mboxrd on stdout, each message's
// raw bytes exactly as they were read.
import { closeDb, openDb } from '../../db/connection.ts';
import { rawCopies } from '../../db/messages.ts';
import { threadMessageIds, threadRootOf } from '../../db/threads.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { toMboxrd } from '../../ingest/read/mboxrd-write.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, type Command } from '../command.ts';

export const command: Command = {
  help: `usage: loregraph export <message-id> [--db FILE] [--thread]
  Writes the message (every stored copy), or with --thread its whole thread, as mboxrd.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, thread: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'export needs exactly one message-id');
    const id = normalizeMessageId(positionals[0] as string);
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const root = values.thread ? threadRootOf(db, id) : null;
      const ids = root !== null ? threadMessageIds(db, root) : [id];
      const copies = rawCopies(db, ids);
      if (copies.length === 0) throw new LoregraphError('NOT_FOUND', `no message <${id}> in ${db.path}`);
      for (const c of copies) io.writeBytes(c.envelope ? toMboxrd(c.bytes, c.envelope) : toMboxrd(c.bytes));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
