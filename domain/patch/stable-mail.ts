// Recognises the mail of the stable-kernel process and says what it means for one
// upstream fix on one or more stable branches. Pure: subject, body and headers in, a
// StableMail out. Every rule asks for the exact form the stable scripts write (a
// "-stable tree" phrase alone is not enough: "linux-next: manual merge of the
// mm-stable tree with the cifs tree" is about linux-next, not a stable branch).
import { parseSubject, type SubjectInfo } from './subject.ts';
import { expandBranchRange } from './stable-branches.ts';
import { isStableTeam } from './stable-reply.ts';

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
  | 'released'
  /** "Linux 6.6.12" / "[ANNOUNCE] Linux 3.16.76": a stable release and its shortlog. */
  | 'announce';

export interface ReleasedIn {
  branch: string;
  version: string;
  /** The commit on the stable branch. */
  commit: string | null;
  /** For an announcement's shortlog line: the fix's title and its author's name. */
  title?: string;
  author?: string;
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

const SHA = '([0-9a-f]{40})';
const ANY_SHA = '[0-9a-f]{40}';
// Words one of the patterns below needs, looked for first: asked of every patch of a series
// (ingest's patch analysis), which seldom names a commit, the seven patterns over each body
// were 2.4% of the parse worker's time on the corpus. (A literal regex, not includes: it
// skips ahead, and is faster on the two-byte string a body with one non-Latin-1 character is.)
const UPSTREAM = /upstream/i;
const CHERRY = /cherry/;
const FORMAT_PATCH_DATE = / Mon Sep 17 00:00:00 2001/;

// Global, compiled once: stable-sync asks this of every commit of a stable tree. Each with
// what any of its matches holds, unanchored, same flags but g and m: a look for that
// (one quick scan) goes first, as a line anchor is tried at every character of the text;
// and the word it needs, so a text without that word is not scanned for it at all (a
// 1.7 MB patch that says "upstream" once was scanned seven times, 10 ms). Two patterns
// share one look, asked once.
const COMMIT_UPSTREAM = new RegExp(`commit ${ANY_SHA} upstream`, 'i');
const UPSTREAM_PATTERNS: { re: RegExp; held: RegExp; word: RegExp }[] = [
  { re: new RegExp(`^commit ${SHA} upstream\\.?\\s*$`, 'gmi'), held: COMMIT_UPSTREAM, word: UPSTREAM },
  { re: new RegExp(`^\\[\\s*[Uu]pstream commit ${SHA}\\s*\\]`, 'gm'), held: new RegExp(`[Uu]pstream commit ${ANY_SHA}`), word: UPSTREAM },
  { re: new RegExp(`^\\s*commit ${SHA} upstream`, 'gmi'), held: COMMIT_UPSTREAM, word: UPSTREAM },
  { re: new RegExp(`^upstream ${SHA}\\b`, 'gmi'), held: new RegExp(`upstream ${ANY_SHA}`, 'i'), word: UPSTREAM },
  { re: new RegExp(`^From ${SHA} Mon Sep 17 00:00:00 2001`, 'gm'), held: new RegExp(`From ${ANY_SHA} Mon Sep 17 00:00:00 2001`), word: FORMAT_PATCH_DATE },
  { re: new RegExp(`git cherry-pick -x ${SHA}`, 'gm'), held: new RegExp(`git cherry-pick -x ${ANY_SHA}`), word: CHERRY },
  { re: new RegExp(`\\(cherry picked from commit ${SHA}\\)`, 'gm'), held: new RegExp(`\\(cherry picked from commit ${ANY_SHA}\\)`), word: CHERRY },
];

/** The mainline commit a backport or stable mail names ("commit X upstream.", "[ Upstream commit X ]", ...). */
export function findUpstreamCommit(body: string): string | null {
  // each word and each look asked at most once
  const asked = new Map<RegExp, boolean>();
  const holds = (re: RegExp): boolean => {
    let h = asked.get(re);
    if (h === undefined) asked.set(re, (h = re.test(body)));
    return h;
  };
  if (!holds(UPSTREAM) && !holds(CHERRY) && !holds(FORMAT_PATCH_DATE)) return null;
  for (const { re, held, word } of UPSTREAM_PATTERNS) {
    if (!holds(word) || !holds(held)) continue;
    // (matchAll iterates over a copy: the shared regex keeps no lastIndex between calls.)
    for (const m of body.matchAll(re)) {
      // A stable Revert says "This reverts commit <stable sha> which is commit <sha>
      // upstream.": that is the reverted fix's commit, not the revert's.
      const before = body.slice(Math.max(0, (m.index ?? 0) - 80), m.index ?? 0);
      if (/which is\s*$/i.test(before) || /reverts commit [0-9a-f]+\s*$/i.test(before)) continue;
      if (m[1]) return m[1].toLowerCase();
    }
  }
  return null;
}

const ADDED_RE = /^[Pp]atch "(.+)" (?:has been )?added to the (\d+\.\d+)-stable tree$/;
const FAILED_RE = /^FAILED: [Pp]atch "(?:\[PATCH[^\]]*\]\s*)?(.+)" failed to apply to (\d+\.\d+)-stable tree$/;
// "6.14.3-rc1 review" today; "5.0.11-stable review" on Greg's covers until 2019.
const COVER_RE = /^(\d+\.\d+\.\d+(?:-rc\d+|-stable)) review$/;

function quotedTitle(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

/**
 * What every stable mail of a kind says; `extra` overrides (a review cover names no
 * upstream commit: its body, a shortlog of hundreds of patches and quoted again by every
 * test report, is then not searched for one).
 */
function makeStable(body: string, base: string | null, kind: StableKind, branches: string[], title: string, extra: Partial<StableMail> = {}): StableMail {
  return {
    kind,
    branches,
    upstreamCommit: extra.upstreamCommit === undefined ? findUpstreamCommit(body) : extra.upstreamCommit,
    title: quotedTitle(title),
    rc: null,
    base,
    released: [],
    ...extra,
  };
}

/** What the classifier may know of the mail beyond subject and body. */
export interface StableMailContext {
  /** The mail's date (ms): which branches a range means. */
  date?: number | null;
  /** The sender's address: the stable maintainers' numbered series are review series. */
  senderEmail?: string | null;
}

export function classifyStableMail(
  subject: string,
  body: string,
  headers: Record<string, string[]> = {},
  parsed?: SubjectInfo,
  ctx: StableMailContext = {},
): StableMail | null {
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
    if (!s.isPatch) {
      const ann = announcementOf(s.normalizedSubject, body);
      if (ann) return ann;
    }
  }
  // Test reports answer the review cover; they carry its -rc even when the cover itself
  // is not in the archive.
  if (s.isReply && s.isPatch && s.index === 0) {
    const rc = COVER_RE.exec(s.normalizedSubject);
    if (rc?.[1] && s.stableBranches.length > 0) return makeStable(body, base, 'review-cover', s.stableBranches, s.normalizedSubject, { rc: rc[1], upstreamCommit: null });
  }
  if (s.isReply || s.isForward || !s.isPatch) return null;
  return classifyPatch(s, body, headers, base, ctx);
}

// The first line the review scripts put in each patch: Greg's "6.12-stable review
// patch." (since 2023), Ben Hutchings' "3.16.76-rc1 review patch.".
const REVIEW_LINE_RE = /^\s*\d+\.\d+(?:\.\d+)?(?:-rc\d+)?(?:-stable)? review patch\./m;

function classifyPatch(s: SubjectInfo, body: string, headers: Record<string, string[]>, base: string | null, ctx: StableMailContext): StableMail | null {
  const date = ctx.date ?? null;
  const branches = s.branchRange ? expandBranchRange(s.branchRange.from, s.branchRange.to, date) : s.stableBranches;
  if (branches.length === 0) return null;
  if (s.autosel) return makeStable(body, base, 'autosel', branches, s.normalizedSubject);
  if (s.index === 0) {
    // Only the review cover ("6.14.3-rc1 review") says something; a backport series'
    // cover letter is about its patches, which speak for themselves.
    const rc = COVER_RE.exec(s.normalizedSubject);
    return rc?.[1] ? makeStable(body, base, 'review-cover', branches, s.normalizedSubject, { rc: rc[1], upstreamCommit: null }) : null;
  }
  // The review scripts mark each patch with "X-stable: review" and a "review patch."
  // first line (2023 on); Greg's series of 2019-2022 had neither, only his address on a
  // numbered "[PATCH 5.4 050/344]" whose body opens with the author's "From:". A person's
  // backport, numbered or not, has none of these.
  const review = headers['x-stable']?.some((v) => v.trim().toLowerCase() === 'review') ?? false;
  // Only the review form "[PATCH 5.4 050/344]": the team's own backports say "6.1.y".
  const byStableTeam = isStableTeam(ctx.senderEmail) && s.tags.some((t) => /^PATCH \d+\.\d+ \d+\/\d+$/i.test(t.trim()));
  if (s.index !== null && (review || REVIEW_LINE_RE.test(body.slice(0, 400)) || byStableTeam)) return makeStable(body, base, 'review-patch', branches, s.normalizedSubject);
  return makeStable(body, base, 'backport', branches, s.normalizedSubject);
}

// "I'm announcing the release of the 6.6.12 kernel." Subject "Linux 6.6.12".
const ANNOUNCE_SUBJECT_RE = /^Linux (\d+)\.(\d+)\.(\d+)$/;
const ANNOUNCE_BODY_RE = /announcing the release of the (\d+\.\d+\.\d+) kernel/i;

/**
 * A stable release announcement and the fixes its shortlog lists ("Author Name (2):"
 * then each title indented): every one released on that branch in that version. The
 * shortlog names no commit; the fix is joined by title and author.
 */
function announcementOf(subject: string, body: string): StableMail | null {
  const m = ANNOUNCE_SUBJECT_RE.exec(subject);
  const b = ANNOUNCE_BODY_RE.exec(body);
  if (!m || !b || b[1] !== `${m[1]}.${m[2]}.${m[3]}`) return null;
  const branch = `${m[1]}.${m[2]}`;
  const version = b[1];
  const released: ReleasedIn[] = [];
  let author: string | null = null;
  for (const line of body.split('\n')) {
    const a = /^(\S.*?) \(\d+\):\s*$/.exec(line);
    if (a?.[1]) {
      author = a[1].trim();
      continue;
    }
    const t = /^\s{2,}(\S.*)$/.exec(line);
    if (t?.[1] && author !== null) {
      const title = t[1].trim();
      // The release's own "Linux 6.6.12" commit is not a fix.
      if (title !== `Linux ${version}`) released.push({ branch, version, commit: null, title, author });
      continue;
    }
    if (line.trim() === '') continue;
    author = null;
  }
  return { kind: 'announce', branches: [branch], upstreamCommit: null, title: `Linux ${version}`, rc: null, base: null, released };
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
  // A bug a stable backport brought in ("Issue introduced in 5.13.2 ... fixed in 5.13.5") has
  // only stable lines: the tooling writes no "fixed in 5.14" line for a mainline the CVE never
  // called affected. Its list of commits ("https://git.kernel.org/stable/c/<sha>", stable ones
  // first) still ends with the mainline fix: the one commit no "fixed in" line names.
  if (mainline === null) mainline = unnamedListedCommit(body, released);
  if (mainline === null || released.length === 0) return null;
  const title = /^CVE-\d+-\d+: (.+)$/.exec(subject)?.[1] ?? subject;
  return { kind: 'released', branches: released.map((r) => r.branch), upstreamCommit: mainline, title, rc: null, base: null, released };
}

const CVE_LISTED_RE = /^\s*https:\/\/git\.kernel\.org\/stable\/c\/([0-9a-f]{40})\s*$/gm;

/** The one commit a CVE mail lists that none of its "fixed in" lines names, else null. */
function unnamedListedCommit(body: string, released: readonly ReleasedIn[]): string | null {
  const named = new Set(released.map((r) => r.commit));
  const rest = [...new Set([...body.matchAll(CVE_LISTED_RE)].map((m) => m[1] as string))].filter((c) => !named.has(c));
  return rest.length === 1 ? (rest[0] as string) : null;
}
