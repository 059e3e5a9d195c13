// Recognises the mail of the stable-kernel process and says what it means for one
// upstream fix on one or more stable branches. Pure: subject, body and headers in, a
// StableMail out. Every rule asks for the exact form the stable scripts write (a
// "-stable tree" phrase alone is not enough: "linux-next: manual merge of the
// mm-stable tree with the cifs tree" is about linux-next, not a stable branch).
import { parseSubject, type SubjectInfo } from './subject.ts';
import { compareBranches } from './trailers.ts';

export type StableKind =
  /** "Patch "X" has been added to the 6.6-stable tree" (queued). */
  | 'added'
  /** "FAILED: patch "[PATCH] X" failed to apply to 6.1-stable tree". */
  | 'failed'
  /** "[PATCH 6.12 086/232] X": one patch of a stable review series. */
  | 'review-patch'
  /** "[PATCH 6.14 000/449] 6.14.3-rc1 review": the cover of a review series. */
  | 'review-cover'
  /** "[PATCH AUTOSEL 6.12 162/486] X": picked by the AUTOSEL bot. */
  | 'autosel'
  /** "[PATCH 6.1.y] X" sent by a person, usually in answer to a FAILED mail. */
  | 'backport'
  /** "fixed in 6.1.88 with commit ..." (linux-cve-announce) and release notes. */
  | 'released';

export interface ReleasedIn {
  branch: string;
  version: string;
  /** The commit on the stable branch. */
  commit: string | null;
}

export interface StableMail {
  kind: StableKind;
  /** Branches this mail is about, "6.6" form, newest first as written. */
  branches: string[];
  /** The mainline commit the mail is about, when the mail names it. */
  upstreamCommit: string | null;
  /** Title of the fix (subject without tags, or the quoted subject of FAILED/added mails). */
  title: string;
  /** "6.14.3-rc1" for a review cover. */
  rc: string | null;
  /** X-stable-base ("Linux 6.7.4"), kept as written. */
  base: string | null;
  /** For kind 'released'. */
  released: ReleasedIn[];
}

/**
 * The longterm branches a range like AUTOSEL "6.16-5.4" passes through. A range names
 * its ends; the branches in between that the stable team maintains are these (from
 * kernel.org's longterm list), which is why the list lives here and only here.
 */
export const LONGTERM_BRANCHES = ['4.4', '4.9', '4.14', '4.19', '5.4', '5.10', '5.15', '6.1', '6.6', '6.12', '6.18'];

export function expandBranchRange(from: string, to: string): string[] {
  const [hi, lo] = compareBranches(from, to) >= 0 ? [from, to] : [to, from];
  const mid = LONGTERM_BRANCHES.filter((b) => compareBranches(b, lo) > 0 && compareBranches(b, hi) < 0);
  return [hi, ...mid.reverse(), lo];
}

const SHA = '([0-9a-f]{40})';
const UPSTREAM_PATTERNS = [
  new RegExp(`^commit ${SHA} upstream\\.?\\s*$`, 'mi'),
  new RegExp(`^\\[\\s*[Uu]pstream commit ${SHA}\\s*\\]`, 'm'),
  new RegExp(`^\\s*commit ${SHA} upstream`, 'mi'),
  new RegExp(`^upstream ${SHA}\\b`, 'mi'),
  new RegExp(`^From ${SHA} Mon Sep 17 00:00:00 2001`, 'm'),
  new RegExp(`git cherry-pick -x ${SHA}`, 'm'),
  new RegExp(`\\(cherry picked from commit ${SHA}\\)`, 'm'),
];

/** The mainline commit a backport or stable mail names ("commit X upstream.", "[ Upstream commit X ]", ...). */
export function findUpstreamCommit(body: string): string | null {
  for (const re of UPSTREAM_PATTERNS) {
    const m = re.exec(body);
    if (m?.[1]) return m[1].toLowerCase();
  }
  return null;
}

const ADDED_RE = /^(?:Patch|patch) "(.+)" has been added to the (\d+\.\d+)-stable tree$/;
const FAILED_RE = /^FAILED: [Pp]atch "(?:\[PATCH[^\]]*\]\s*)?(.+)" failed to apply to (\d+\.\d+)-stable tree$/;
const COVER_RE = /^(\d+\.\d+\.\d+-rc\d+) review$/;

function quotedTitle(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

/** What every stable mail of a kind says; `extra` overrides (a review cover names no upstream commit). */
function makeStable(body: string, base: string | null, kind: StableKind, branches: string[], title: string, extra: Partial<StableMail> = {}): StableMail {
  return {
    kind,
    branches,
    upstreamCommit: findUpstreamCommit(body),
    title: quotedTitle(title),
    rc: null,
    base,
    released: [],
    ...extra,
  };
}

export function classifyStableMail(subject: string, body: string, headers: Record<string, string[]> = {}, parsed?: SubjectInfo): StableMail | null {
  const s = parsed ?? parseSubject(subject);
  const base = headers['x-stable-base']?.[0]?.trim() ?? null;
  const plain = subject.replace(/\s+/g, ' ').trim();

  if (!s.isReply && !s.isForward) {
    const added = ADDED_RE.exec(plain);
    if (added?.[1] && added[2]) return makeStable(body, base, 'added', [added[2]], added[1]);
    const failed = FAILED_RE.exec(plain);
    if (failed?.[1] && failed[2]) return makeStable(body, base, 'failed', [failed[2]], failed[1]);
    if (/^CVE-\d+-\d+:/.test(plain)) {
      const cve = releasedFromCveMail(plain, body);
      if (cve) return cve;
    }
  }
  // Test reports answer the review cover; they carry its -rc even when the cover itself
  // is not in the archive.
  if (s.isReply && s.isPatch && s.index === 0) {
    const rc = COVER_RE.exec(s.normalizedSubject);
    if (rc?.[1] && s.stableBranches.length > 0) return makeStable(body, base, 'review-cover', s.stableBranches, s.normalizedSubject, { rc: rc[1], upstreamCommit: null });
  }
  if (s.isReply || s.isForward || !s.isPatch) return null;
  return classifyPatch(s, body, headers, base);
}

function classifyPatch(s: SubjectInfo, body: string, headers: Record<string, string[]>, base: string | null): StableMail | null {
  const branches = s.branchRange ? expandBranchRange(s.branchRange.from, s.branchRange.to) : s.stableBranches;
  if (branches.length === 0) return null;
  if (s.autosel) return makeStable(body, base, 'autosel', branches, s.normalizedSubject);
  if (s.index === 0) {
    // Only the review cover ("6.14.3-rc1 review") says something; a backport series'
    // cover letter is about its patches, which speak for themselves.
    const rc = COVER_RE.exec(s.normalizedSubject);
    return rc?.[1] ? makeStable(body, base, 'review-cover', branches, s.normalizedSubject, { rc: rc[1], upstreamCommit: null }) : null;
  }
  // The review scripts mark each patch with "X-stable: review" and (Greg's) a
  // "<branch>-stable review patch." first line; a person's backport has neither.
  const review = headers['x-stable']?.some((v) => v.trim().toLowerCase() === 'review') ?? false;
  if (s.index !== null && (review || /^\d+\.\d+-stable review patch\./m.test(body))) return makeStable(body, base, 'review-patch', branches, s.normalizedSubject);
  return makeStable(body, base, 'backport', branches, s.normalizedSubject);
}

const CVE_LINE_RE = /fixed in (\d+)\.(\d+)(?:\.(\d+))? with commit ([0-9a-f]{40})/g;

/** linux-cve-announce: the release of each branch that carries the fix, keyed by the mainline commit. */
function releasedFromCveMail(subject: string, body: string): StableMail | null {
  if (!/^Affected and fixed versions$/m.test(body)) return null;
  const released: ReleasedIn[] = [];
  let mainline: string | null = null;
  for (const m of body.matchAll(CVE_LINE_RE)) {
    const branch = `${m[1]}.${m[2]}`;
    if (m[3] === undefined) {
      mainline = m[4] ?? null;
      continue;
    }
    released.push({ branch, version: `${branch}.${m[3]}`, commit: m[4] ?? null });
  }
  if (mainline === null || released.length === 0) return null;
  const title = /^CVE-\d+-\d+: (.+)$/.exec(subject)?.[1] ?? subject;
  return { kind: 'released', branches: released.map((r) => r.branch), upstreamCommit: mainline, title, rc: null, base: null, released };
}
