// What a stable git tree says about releases, from git's own output: which tags are
// stable releases ("v6.1.50"), and which mainline commit each stable commit carries (the
// "commit <sha> upstream." / "[ Upstream commit <sha> ]" line the stable scripts write).
// Pure: text in, values out; ingest/stable-git.ts runs git.
import { findUpstreamCommit } from './stable-mail.ts';

export interface StableTag {
  tag: string;
  branch: string;
  /** "6.1.50"; "6.1" for the mainline release the branch starts from. */
  version: string;
  patch: number;
  date: number | null;
}

/** Reads `git for-each-ref --format='%(refname:short)%09%(creatordate:unix)' refs/tags`. */
export function parseStableTags(text: string): StableTag[] {
  const out: StableTag[] = [];
  for (const line of text.split('\n')) {
    const [tag = '', date = ''] = line.trim().split('\t');
    const m = /^v(\d+)\.(\d+)(?:\.(\d+))?$/.exec(tag);
    if (!m) continue;
    const branch = `${m[1]}.${m[2]}`;
    const n = Number(date);
    out.push({ tag, branch, version: m[3] === undefined ? branch : `${branch}.${m[3]}`, patch: m[3] === undefined ? 0 : Number(m[3]), date: date && Number.isFinite(n) ? n * 1000 : null });
  }
  return out;
}

/** Each branch's tags, base release first: v6.1, v6.1.1, v6.1.2, ... (branches without a base tag keep their releases). */
export function releasesByBranch(tags: readonly StableTag[]): Map<string, StableTag[]> {
  const by = new Map<string, StableTag[]>();
  for (const t of tags) {
    const list = by.get(t.branch) ?? [];
    list.push(t);
    by.set(t.branch, list);
  }
  for (const list of by.values()) list.sort((a, b) => a.patch - b.patch);
  // A branch is a stable branch when it has at least one x.y.z release.
  for (const [b, list] of by) if (!list.some((t) => t.patch > 0)) by.delete(b);
  return by;
}

export const LOG_FORMAT = '%H%x1f%B%x1e';

export interface StableCommit {
  commit: string;
  upstream: string;
}

/** git log's format with each commit's refs (%D): a branch's releases read in one log. */
export const RELEASE_LOG_FORMAT = '%H%x1f%D%x1f%B%x1e';

/**
 * Reads `git log --reverse --format=RELEASE_LOG_FORMAT <from>..<newest>` of a linear
 * branch: each commit that names its mainline commit belongs to the first of `releases`
 * tagged at or after it. A release whose tag the log never met is missing from the map.
 */
export function parseReleaseLog(text: string, releases: ReadonlySet<string>): Map<string, StableCommit[]> {
  const out = new Map<string, StableCommit[]>();
  let pending: StableCommit[] = [];
  for (const rec of text.split('\x1e')) {
    const first = rec.indexOf('\x1f');
    const second = first < 0 ? -1 : rec.indexOf('\x1f', first + 1);
    if (second < 0) continue;
    const commit = rec.slice(0, first).trim();
    if (!/^[0-9a-f]{40}$/.test(commit)) continue;
    const upstream = findUpstreamCommit(rec.slice(second + 1));
    if (upstream) pending.push({ commit, upstream });
    const tag = rec
      .slice(first + 1, second)
      .split(', ')
      .map((ref) => /^tag: (.+)$/.exec(ref.trim())?.[1])
      .find((t): t is string => t !== undefined && releases.has(t));
    if (tag !== undefined) {
      out.set(tag, pending);
      pending = [];
    }
  }
  return out;
}

/** Reads `git log --format=LOG_FORMAT`: the stable commits that name their mainline commit. */
export function parseStableLog(text: string): StableCommit[] {
  const out: StableCommit[] = [];
  for (const rec of text.split('\x1e')) {
    const sep = rec.indexOf('\x1f');
    if (sep < 0) continue;
    const commit = rec.slice(0, sep).trim();
    if (!/^[0-9a-f]{40}$/.test(commit)) continue;
    const upstream = findUpstreamCommit(rec.slice(sep + 1));
    if (upstream) out.push({ commit, upstream });
  }
  return out;
}
