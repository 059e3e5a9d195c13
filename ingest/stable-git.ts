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
import {
  LOG_FORMAT,
  parseReleaseLog,
  parseStableLog,
  parseStableTags,
  RELEASE_LOG_FORMAT,
  releasesByBranch,
  type StableCommit,
  type StableTag,
} from '../domain/patch/stable-git-log.ts';

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

/** One release's commits, as git tells them: the commits since the release before it. */
async function releaseCommits(gitDir: string, rel: StableTag, prev: StableTag | undefined): Promise<StableCommit[]> {
  // The first release of a branch without its base tag: only its own commit can be named.
  const range = prev ? `${prev.tag}..${rel.tag}` : `${rel.tag}^!`;
  return parseStableLog(await git(gitDir, ['log', `--format=${LOG_FORMAT}`, range]));
}

/**
 * The commits each of `toRead` (consecutive releases, oldest first) adds. A stable branch
 * is linear, so one git log of the whole range says it, each commit going to the first
 * release tagged after it: a git process per release cost ~15 ms each (2.2 s for 150
 * releases, minutes for all of linux-stable). A range with a merge, or whose log misses
 * a release's tag, is read a release at a time as before.
 */
async function commitsByRelease(gitDir: string, toRead: readonly StableTag[], before: StableTag | undefined): Promise<Map<string, StableCommit[]>> {
  const out = new Map<string, StableCommit[]>();
  const [first] = toRead;
  if (!first) return out;
  let from = before;
  let rest = toRead;
  if (!from) {
    out.set(first.tag, await releaseCommits(gitDir, first, undefined));
    from = first;
    rest = toRead.slice(1);
  }
  const newest = rest[rest.length - 1];
  if (!newest) return out;
  const range = `${from.tag}..${newest.tag}`;
  const merges = Number((await git(gitDir, ['rev-list', '--merges', '--count', range])).trim());
  const byTag = merges === 0 ? parseReleaseLog(await git(gitDir, ['log', '--reverse', `--format=${RELEASE_LOG_FORMAT}`, range]), new Set(rest.map((r) => r.tag))) : null;
  if (byTag && rest.every((r) => byTag.has(r.tag))) {
    for (const r of rest) out.set(r.tag, byTag.get(r.tag) ?? []);
    return out;
  }
  let prev = from;
  for (const r of rest) {
    out.set(r.tag, await releaseCommits(gitDir, r, prev));
    prev = r;
  }
  return out;
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
    const toRead = releases.filter((rel) => rel.patch > 0 && rel.patch > fromPatch);
    const before = toRead[0] ? releases[releases.indexOf(toRead[0]) - 1] : undefined;
    const byRelease = await commitsByRelease(gitDir, toRead, before);
    const rows: StableReleaseRow[] = [];
    for (const rel of toRead) {
      for (const c of byRelease.get(rel.tag) ?? []) rows.push({ upstreamCommit: c.upstream, branch, version: rel.version, stableCommit: c.commit, tagDate: rel.date });
    }
    const read = toRead.length;
    // Oldest release first, so each commit keeps the first release that carries it.
    rows.sort((a, b) => Number(a.version.split('.')[2]) - Number(b.version.split('.')[2]));
    saveStableReleases(db, branch, rows, newest.version, gitDir);
    result.branches.push({ branch, newest: newest.version, releasesRead: read, fixes: new Set(rows.map((r) => r.upstreamCommit)).size });
  }
  return result;
}
