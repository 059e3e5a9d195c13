// Releases read from a local stable git tree (`loregraph stable-sync`): the first release
// of each branch that carries a mainline commit, and how far each branch was read.
import type { Db } from './connection.ts';

export interface StableReleaseRow {
  upstreamCommit: string;
  branch: string;
  version: string;
  stableCommit: string;
  tagDate: number | null;
}

/** Stores what one branch's releases carry; a commit already known keeps its first release. */
export function saveStableReleases(db: Db, branch: string, rows: readonly StableReleaseRow[], newest: string, gitDir: string): void {
  const ins = db.sql.prepare(`INSERT INTO stable_releases (upstream_commit, branch, version, stable_commit, tag_date) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (upstream_commit, branch) DO NOTHING`);
  const mark = db.sql.prepare(`INSERT OR REPLACE INTO stable_synced (branch, newest, git_dir, synced_at) VALUES (?, ?, ?, ?)`);
  db.sql.transaction(() => {
    for (const r of rows) ins.run(r.upstreamCommit, r.branch, r.version, r.stableCommit, r.tagDate);
    mark.run(branch, newest, gitDir, Date.now());
  })();
}

/** The newest release already read per branch, so a second sync reads only what is new. */
export function syncedUpTo(db: Db): Map<string, string> {
  const rows = db.sql.prepare('SELECT branch, newest FROM stable_synced').all() as { branch: string; newest: string }[];
  return new Map(rows.map((r) => [r.branch, r.newest]));
}
