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
