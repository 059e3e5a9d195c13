// `loregraph stable-sync --git-dir DIR [--branch 6.1 ...] [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { normalizeBranch } from '../../db/stable.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { syncStableGit } from '../../ingest/stable-git.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';

export const command: Command = {
  help: `usage: loregraph stable-sync --git-dir DIR [--branch 6.1 ...] [--db FILE] [--json]
  Reads a local stable git tree (a clone of linux-stable) with git: its v6.x.y tags and the
  "commit <sha> upstream" line of each stable commit, and records the first release of
  each branch that carries each mainline commit. fix-status and stable then show
  "released in 6.1.50" from it, or "not in a release up to 6.1.120" for a fix the tree
  does not carry. A later run reads only the releases that are new.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      db: { type: 'string' },
      json: { type: 'boolean' },
      'git-dir': { type: 'string' },
      branch: { type: 'string', multiple: true },
    });
    if (positionals.length > 0 || !values['git-dir']) throw new LoregraphError('USAGE', 'stable-sync needs --git-dir DIR (a stable git tree)');
    const only = (values.branch ?? []).map(normalizeBranch);
    const db = openDb(values.db ?? DEFAULT_DB);
    try {
      const r = await syncStableGit(db, values['git-dir'], only);
      if (values.json) printJson(io, r);
      else {
        for (const b of r.branches) io.out(`${b.branch.padEnd(6)} read up to ${b.newest} (${b.releasesRead} new releases): ${b.fixes} upstream commits\n`);
        io.out(`${r.branches.length} branches\n`);
      }
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
