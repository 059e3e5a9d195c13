// `loregraph stable <branch> [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { listStableBranch } from '../../db/stable.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';

// eslint-disable-next-line no-control-regex
const clean = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ');

export const command: Command = {
  help: `usage: loregraph stable <branch> [--db FILE] [--json]
  Every fix seen for a stable branch (e.g. 6.6 or 6.6.y) with its status there and the
  messages that justify it.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'stable needs exactly one branch');
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const branch = positionals[0] as string;
      const fixes = listStableBranch(db, branch);
      if (values.json) printJson(io, { branch: branch.replace(/^v/, '').replace(/\.y$/, ''), fixes });
      else {
        for (const f of fixes) {
          const extra = [f.status.rc, f.status.version].filter(Boolean).join(' ');
          io.out(`${f.status.status.padEnd(16)} ${(f.fix.upstreamCommit ?? '').slice(0, 12).padEnd(12)} ${clean(f.fix.title)}${extra ? ` (${extra})` : ''}\n`);
        }
        io.out(`${fixes.length} fixes\n`);
      }
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
