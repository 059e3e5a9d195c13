// `loregraph fix-status <sha-or-message-id> [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { getFixStatus } from '../../db/stable.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, printJson, type Command } from '../command.ts';
import { formatFixStatus } from '../stable-format.ts';

export const command: Command = {
  help: `usage: loregraph fix-status <sha-or-message-id> [--db FILE] [--json]
  The status of an upstream fix on each stable branch (wanted, autosel, failed-to-apply,
  not-needed, backport-posted, queued, in-review, released): the latest decisive event of
  each branch's timeline, the whole timeline (date, sender, mail, the sentence that made
  each event), whether a release carries it (or "unknown"), and every mail joined into
  the fix with how it was joined. Accepts the upstream commit (7+ hex digits) or the
  message-id of any mail about the fix.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'fix-status needs exactly one commit or message-id');
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const f = getFixStatus(db, normalizeMessageId(positionals[0] as string));
      if (values.json) printJson(io, f);
      else io.out(formatFixStatus(f));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
