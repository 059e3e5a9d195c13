// `loregraph stable-sync`: reads a local stable git tree (linux-stable) with git itself,
// through its CLI: the v6.x.y tags, and for each release the commits since the previous
// one with their "commit <sha> upstream" lines. Each mainline commit gets the first
// release of each branch that carries it. A second run reads only releases newer than
// the last one read.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Db } from '../db/connection.ts';
import { saveStableReleases, syncedUpTo, type StableReleaseRow } from '../db/stable-releases.ts';
import { LoregraphError } from '../domain/errors.ts';
import { LOG_FORMAT, parseStableLog, parseStableTags, releasesByBranch } from '../domain/patch/stable-git-log.ts';

const run = promisify(execFile);

async function git(gitDir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', ['-C', gitDir, ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new LoregraphError('SOURCE_UNREADABLE', 'git is not installed (stable-sync reads the tree with git)');
    throw new LoregraphError('SOURCE_UNREADABLE', `git ${args[0] ?? ''} in ${gitDir} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

export interface StableSyncResult {
  branches: { branch: string; newest: string; releasesRead: number; fixes: number }[];
}

export async function syncStableGit(db: Db, gitDir: string, only: readonly string[] = []): Promise<StableSyncResult> {
  if (!existsSync(gitDir)) throw new LoregraphError('SOURCE_UNREADABLE', `no such directory: ${gitDir}`);
  const tags = parseStableTags(await git(gitDir, ['for-each-ref', '--format=%(refname:short)%09%(creatordate:unix)', 'refs/tags']));
  const byBranch = releasesByBranch(tags);
  if (byBranch.size === 0) throw new LoregraphError('BAD_INPUT', `${gitDir} has no stable release tags (v6.1.1 and the like)`);
  const done = syncedUpTo(db);
  const result: StableSyncResult = { branches: [] };
  for (const [branch, releases] of byBranch) {
    if (only.length > 0 && !only.includes(branch)) continue;
    const newest = releases[releases.length - 1];
    if (!newest) continue;
    const from = done.get(branch);
    const fromPatch = from === undefined ? -1 : Number(from.split('.')[2] ?? '0');
    const rows: StableReleaseRow[] = [];
    let read = 0;
    for (let i = 0; i < releases.length; i++) {
      const rel = releases[i];
      if (!rel || rel.patch === 0 || rel.patch <= fromPatch) continue;
      const prev = releases[i - 1];
      // The first release of a branch without its base tag: only its own commit can be named.
      const range = prev ? `${prev.tag}..${rel.tag}` : `${rel.tag}^!`;
      for (const c of parseStableLog(await git(gitDir, ['log', `--format=${LOG_FORMAT}`, range]))) {
        rows.push({ upstreamCommit: c.upstream, branch, version: rel.version, stableCommit: c.commit, tagDate: rel.date });
      }
      read++;
    }
    // Oldest release first, so each commit keeps the first release that carries it.
    rows.sort((a, b) => Number(a.version.split('.')[2]) - Number(b.version.split('.')[2]));
    saveStableReleases(db, branch, rows, newest.version, gitDir);
    result.branches.push({ branch, newest: newest.version, releasesRead: read, fixes: new Set(rows.map((r) => r.upstreamCommit)).size });
  }
  return result;
}
