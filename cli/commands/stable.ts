// `loregraph stable <branch> [--db FILE] [--json]` and `loregraph stable --matrix [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { listStableBranch, normalizeBranch, stableMatrix, type StableMatrix } from '../../db/stable.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';
import { formatBranchFixes, formatMatrix } from '../stable-format.ts';

/** The matrix cut down to some columns, and to the fixes with a cell in one of them. */
function onlyBranches(m: StableMatrix, only: Set<string>): StableMatrix {
  const fixes = m.fixes
    .map((f) => ({ fix: f.fix, cells: Object.fromEntries(Object.entries(f.cells).filter(([b]) => only.has(b))) }))
    .filter((f) => Object.keys(f.cells).length > 0);
  return { branches: m.branches.filter((b) => only.has(b.branch)), fixes };
}

export const command: Command = {
  help: `usage: loregraph stable <branch> [--db FILE] [--json]
       loregraph stable --matrix [--branches 6.1,6.6,...] [--db FILE] [--json]
  Every fix seen for a stable branch (e.g. 6.6 or 6.6.y) with its status there, since
  when, and the mails that decided it; or, with --matrix, every fix against every branch
  known in the data, with the count of each status per branch (--branches: only those
  columns, and only the fixes with a cell in one of them). In a terminal the matrix is cut
  to its width: the busiest branches get a column, the others are named under it.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      db: { type: 'string' },
      json: { type: 'boolean' },
      matrix: { type: 'boolean' },
      branches: { type: 'string' },
    });
    if (values.branches !== undefined && !values.matrix) throw new LoregraphError('USAGE', '--branches goes with --matrix');
    if (values.matrix ? positionals.length !== 0 : positionals.length !== 1) {
      throw new LoregraphError('USAGE', values.matrix ? 'stable --matrix takes no branch' : 'stable needs exactly one branch (or --matrix)');
    }
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      if (values.matrix) {
        const only = values.branches === undefined ? null : new Set(values.branches.split(',').filter((b) => b.trim() !== '').map(normalizeBranch));
        const m = only === null ? stableMatrix(db) : onlyBranches(stableMatrix(db), only);
        if (values.json) printJson(io, m);
        else io.out(formatMatrix(m, io.columns));
        return 0;
      }
      const branch = normalizeBranch(positionals[0] as string);
      const fixes = listStableBranch(db, branch);
      if (values.json) printJson(io, { branch, fixes });
      else io.out(formatBranchFixes(fixes));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
