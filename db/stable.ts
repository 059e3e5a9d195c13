// Stable tracking: at the end of ingest, gives each reply's decision the branches of the
// mail it answers, joins every mail about one fix into one record (the patch mail and
// its versions, the upstream commit, the stable mails; each join labelled in fix_links),
// and answers "what is the status of this fix on each branch", "what happened on this
// branch" and the fixes x branches matrix. Statuses are read from each branch's timeline
// in domain/patch/stable-status.ts, and only there.
import type { Db } from './connection.ts';
import { LoregraphError } from '../domain/errors.ts';
import { commitRefOf, REPLY_EVENT_KINDS } from '../domain/patch/stable-events.ts';
import { namedBranches } from '../domain/patch/stable-reply.ts';
import { compareBranches } from '../domain/patch/trailers.ts';
import { syncedUpTo } from './stable-releases.ts';
import {
  resolveBranchStatuses,
  STATUSES,
  type BranchStatus,
  type StableEventInput,
  type StableStatus,
} from '../domain/patch/stable-status.ts';

interface EventRow {
  id: number;
  msg_row: number;
  message_id: string;
  kind: string;
  status: string | null;
  branch: string;
  upstream_commit: string | null;
  title: string;
  title_key: string;
  rc: string | null;
  version: string | null;
  date: number | null;
  in_reply_to: string | null;
  fix_key: string | null;
  sentence: string | null;
  raw_range: string | null;
}

/**
 * The statements resolveStable runs once per fix; each must seek an index, never sort or
 * scan a group that grows with the archive. Exported so a test can check their query plans.
 */
export const FIX_PER_ROW_SQL = {
  eventsOf: `SELECT e.*, p.patch_id, p.author_name, p.author_email, p.sender_name, p.sender_email FROM stable_events e
    JOIN patch_msgs p ON p.msg_row = e.msg_row WHERE e.fix_key = ? ORDER BY e.date, e.id`,
  byPatchId: `SELECT message_id FROM patch_msgs WHERE patch_id = ? AND kind = 'patch' AND lane = '' ORDER BY date DESC LIMIT 1`,
  byTitleAuthor: `SELECT message_id FROM patch_msgs WHERE title_key = ? AND kind = 'patch' AND lane = '' AND sender_email = ?
    ORDER BY date DESC LIMIT 1`,
  byTitle: `SELECT message_id FROM patch_msgs WHERE title_key = ? AND kind = 'patch' AND lane = '' ORDER BY date DESC LIMIT 1`,
  relink: `UPDATE stable_events SET fix_key = ? WHERE message_id = ? AND fix_key IS NOT ?`,
  seriesVersions: `SELECT DISTINCT b.message_id FROM series_patches a JOIN series sa ON sa.id = a.series_id
    JOIN series sb ON sb.family = sa.family JOIN series_patches b ON b.series_id = sb.id AND b.idx = a.idx WHERE a.message_id = ?`,
} as const;

const sqlList = (kinds: readonly string[]): string => `(${kinds.map((k) => `'${k}'`).join(', ')})`;
const isReplyKind = (kind: string): boolean => (REPLY_EVENT_KINDS as readonly string[]).includes(kind);
const REPLY_KINDS = sqlList(REPLY_EVENT_KINDS);
// A reply's wish is a wish like a Cc: stable line, once its fix is known.
const DECIDING_KINDS = sqlList(REPLY_EVENT_KINDS.filter((k) => k !== 'wish'));
const isWish = (kind: string): boolean => kind === 'cc-stable' || kind === 'wish';
// How far up a thread a decision looks for the stable mail it is about ("Now dropped"
// answering the objection that answered the review patch).
const MAX_HOPS = 6;

/** The statements of the decision pass, prepared once per run. */
function decisionStatements(db: Db) {
  const sql = db.sql;
  return {
    // The stable mails' own events first; a plain patch's wishes only when it has no other
    // (a "now queued up" answering a patch sent to stable, the bot answering a patch).
    ownEvents: sql.prepare(`SELECT * FROM stable_events WHERE message_id = ? AND status IS NOT NULL AND kind NOT IN ${DECIDING_KINDS}
      AND branch GLOB '[0-9]*.[0-9]*' ORDER BY kind IN ('cc-stable', 'wish'), id`),
    // A request answering a plain patch with no stable event yet: the patch is the fix.
    plainPatch: sql.prepare(`SELECT message_id, title, title_key FROM patch_msgs WHERE message_id = ? AND kind = 'patch' AND lane = '' LIMIT 1`),
    // A backport series' cover letter carries no event; its patches do. (Not a review
    // round's cover: "please drop X" answering it is about one of its hundred patches.)
    // (Not a backport a reply carries: that answers the mail, it is not one of its patches.)
    childEvents: sql.prepare(`SELECT e.* FROM stable_events e JOIN patch_msgs p ON p.msg_row = e.msg_row WHERE e.in_reply_to = ? AND e.status IS NOT NULL
      AND e.kind = 'backport' AND e.branch GLOB '[0-9]*.[0-9]*' AND p.kind <> 'reply'`),
    siblings: sql.prepare(`SELECT DISTINCT e.* FROM series_patches a JOIN series_patches b ON b.series_id = a.series_id
      JOIN stable_events e ON e.message_id = b.message_id WHERE a.message_id = ? AND e.status IS NOT NULL AND e.kind = 'backport'`),
    parentOf: sql.prepare(`SELECT in_reply_to FROM messages WHERE message_id = ? AND in_reply_to IS NOT NULL LIMIT 1`).pluck(),
    decidedOn: sql.prepare(`SELECT in_reply_to FROM stable_events WHERE message_id = ? AND kind IN ${DECIDING_KINDS}
      AND branch GLOB '[0-9]*.[0-9]*' AND in_reply_to IS NOT NULL LIMIT 1`).pluck(),
    coverOf: sql.prepare(`SELECT subject FROM patch_msgs WHERE message_id = ? AND kind = 'cover' LIMIT 1`),
    messageKnown: sql.prepare(`SELECT 1 FROM messages WHERE message_id = ? LIMIT 1`).pluck(),
    subjectOf: sql.prepare(`SELECT subject, in_reply_to FROM messages WHERE message_id = ? LIMIT 1`),
    senderOf: sql.prepare(`SELECT lower(from_address) FROM messages WHERE message_id = ? LIMIT 1`).pluck(),
    // "The stable trees were already released with this change": wherever it was in review or queued by then.
    // (fix_key is the upstream commit from the insert on: the index serves it.)
    reviewedBranches: sql.prepare(`SELECT DISTINCT branch FROM stable_events WHERE fix_key = ? AND kind IN ('review-patch', 'added', 'queue')
      AND branch GLOB '[0-9]*.[0-9]*' AND (date IS NULL OR date <= ?)`).pluck(),
    ins: sql.prepare(`INSERT INTO stable_events (msg_row, message_id, kind, status, branch, upstream_commit, title, title_key, rc, version, base, date,
      in_reply_to, fix_key, sentence, raw_range, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, ?, ?, ?, ?, ?, NULL)`),
    del: sql.prepare('DELETE FROM stable_events WHERE id = ?'),
    byCommit: sql.prepare(`SELECT * FROM stable_events WHERE fix_key GLOB ? AND status IS NOT NULL AND branch GLOB '[0-9]*.[0-9]*' ORDER BY date, id`),
    // A stable-queue file's name is its fix's title key, dashed, maybe cut short.
    byQueueFile: sql.prepare(`SELECT * FROM stable_events WHERE (title_key = ? OR title_key GLOB ?) AND status IS NOT NULL
      AND kind IN ('review-patch', 'added', 'autosel', 'backport', 'failed') AND branch GLOB '[0-9]*.[0-9]*' ORDER BY title_key <> ?, date, id`),
    byTitle: sql.prepare(`SELECT * FROM stable_events WHERE title_key = ? AND status IS NOT NULL
      AND kind IN ('review-patch', 'added', 'autosel', 'backport', 'failed') AND branch GLOB '[0-9]*.[0-9]*' ORDER BY date, id`),
  };
}

/**
 * The stable mail a reply is about: the nearest ancestor with events, and those events.
 * `stableOnly`: pass over a request's wishes ("already released with this change" is about
 * the review patch answered, not the other commit a reader asked for in between).
 */
function decidedMail(q: ReturnType<typeof decisionStatements>, from: string | null, stableOnly = false): { target: string; events: EventRow[] } | null {
  return climb(q, from, stableOnly, false) ?? climb(q, from, stableOnly, true);
}

/** One climb up the thread; `viaDecisions`: hop from a decided reply to the mail it decided on. */
function climb(q: ReturnType<typeof decisionStatements>, from: string | null, stableOnly: boolean, viaDecisions: boolean): { target: string; events: EventRow[] } | null {
  let target = from;
  for (let hop = 0; target && hop < MAX_HOPS; hop++) {
    let found = q.ownEvents.all(target) as EventRow[];
    const stableOnes = found.filter((e) => !isWish(e.kind));
    if (stableOnes.length > 0 || stableOnly) found = stableOnes;
    if (found.length === 0) found = q.childEvents.all(target) as EventRow[];
    if (found.length > 0) return { target, events: found };
    // Past the climb's reach, a reply whose own decision is resolved ("This fix is not needed
    // now" answered by Greg, answered again) leads to its stable mail, however deep the thread.
    const decided = viaDecisions ? (q.decidedOn.get(target) as string | undefined) : undefined;
    target = decided ?? (q.parentOf.get(target) as string | undefined) ?? null;
  }
  return null;
}

/** The plain patch a request answers (directly or up the thread), as a target without events. */
function plainPatchOf(q: ReturnType<typeof decisionStatements>, d: EventRow): { target: string; events: EventRow[] } | null {
  let target = d.in_reply_to;
  for (let hop = 0; target && hop < MAX_HOPS; hop++) {
    const p = q.plainPatch.get(target) as { message_id: string; title: string; title_key: string } | undefined;
    if (p) return { target, events: [{ ...d, message_id: p.message_id, title: p.title, title_key: p.title_key, upstream_commit: null, branch: '' }] };
    target = (q.parentOf.get(target) as string | undefined) ?? null;
  }
  return null;
}

/**
 * A thread about a commit its subject names ('backporting 24a9799aa8ef ("...")'): the stable
 * mails about that commit, or, with none in the archive, the commit itself on the branches
 * the subject names.
 */
function byCommitRef(q: ReturnType<typeof decisionStatements>, d: EventRow): { target: string; events: EventRow[] } | null {
  const short = d.upstream_commit;
  if (!short || !/^[0-9a-f]{8,40}$/.test(short)) return null;
  // The stable mails about the commit; another reply's decision on it is no branch of its own.
  const any = q.byCommit.all(`${short}*`) as EventRow[];
  const known = any.filter((e) => !isWish(e.kind) && !isReplyKind(e.kind));
  const first = known[0];
  if (first) return { target: first.message_id, events: known };
  // Spelled out where another reply gave it whole ("33eae65c6f" after "commit 33eae65c6f49... upstream."): one fix, one record.
  const ref = any.map((e) => e.upstream_commit).find((c): c is string => c !== null && c.length === 40 && c.startsWith(short)) ?? short;
  let branches = (d.raw_range ?? '').split(' ').filter((t) => t.startsWith('^')).map((t) => t.slice(1));
  if (branches.length === 0 && d.kind !== 'release-note') branches = threadSubjectBranches(q, d.in_reply_to, ref);
  // A request naming its own branches needs none from the thread.
  const namesBranches = (d.raw_range ?? '').split(' ').some((t) => /^\d+\.\d+$/.test(t));
  if (branches.length === 0 && d.kind !== 'release-note' && !((d.kind === 'wish' || d.kind === 'fail-note') && namesBranches)) return null;
  const target = d.in_reply_to ?? d.message_id;
  // A named release needs no branch from the subject: its versions name them.
  const on = branches.length > 0 ? branches : [''];
  return { target, events: on.map((branch) => ({ ...d, message_id: target, branch, upstream_commit: ref })) };
}

// How far up a thread a commit's branches are looked for in the subjects: replies drop the
// "(was: FAILED: ... 6.1-stable tree)" a thread's first mail carried, a dozen mails on.
const MAX_SUBJECT_HOPS = 40;

/**
 * The branches named by the subject of the nearest ancestor about the same commit
 * ('backporting 24a9799aa8ef ("...") to older stable series (was: Re: FAILED: patch "..."
 * failed to apply to 6.1-stable tree)'), for a decision whose own subject lost them.
 */
function threadSubjectBranches(q: ReturnType<typeof decisionStatements>, from: string | null, ref: string): string[] {
  let target = from;
  for (let hop = 0; target && hop < MAX_SUBJECT_HOPS; hop++) {
    const row = q.subjectOf.get(target) as { subject: string; in_reply_to: string | null } | undefined;
    if (!row) return [];
    const named = commitRefOf(row.subject);
    if (named !== null && (named.startsWith(ref) || ref.startsWith(named))) {
      const branches = namedBranches(row.subject);
      if (branches.length > 0) return branches;
    }
    target = row.in_reply_to;
  }
  return [];
}

/**
 * A decision on a stable-queue file ("Now done." under "Remove this patch from the queue:
 * .../queue-5.15/x.patch"): the fix whose title the file spells, on the file's branch only.
 */
function byQueueFile(q: ReturnType<typeof decisionStatements>, d: EventRow): { target: string; events: EventRow[] } | null {
  if (!/^queue-\d+\.\d+\/.+\.patch$/.test(d.title) || d.title_key.length < 12) return null;
  const events = q.byQueueFile.all(d.title_key, `${d.title_key}*`, d.title_key) as EventRow[];
  const first = events[0];
  if (!first) return null;
  const same = events.filter((e) => e.title_key === first.title_key);
  return { target: first.message_id, events: same.map((e) => ({ ...e, branch: '' })) };
}

/** A regression thread that quotes the fix's title ('[Regression 6.1.y] From "X"'): the stable mails about X. */
function byQuotedTitle(q: ReturnType<typeof decisionStatements>, d: EventRow): { target: string; events: EventRow[] } | null {
  if (!d.title_key) return null;
  const events = q.byTitle.all(d.title_key) as EventRow[];
  const first = events[0];
  return first ? { target: first.message_id, events } : null;
}

// A cover letter's words for a branch: "on 5.10 stable kernel", "for the 6.1 LTS", or "5.10.y".
const COVER_BRANCH = /\b(?:on|for|to|in|into)\s+(?:the\s+)?(?:linux[- ])?v?(\d+)\.(\d+)(?:\.[yx])?(?:-stable|\s+(?:stable|longterm|lts)\b)/gi;

/** The branches a cover letter's subject names, or none. */
function coverBranches(subject: string): string[] {
  const out = namedBranches(subject);
  for (const m of subject.matchAll(COVER_BRANCH)) if (!out.includes(`${m[1]}.${m[2]}`)) out.push(`${m[1]}.${m[2]}`);
  return out;
}

/**
 * A series patch that carries its mainline commit ("commit X upstream.") under a cover
 * naming a branch ("[PATCH 0/2] smb: client: fix ... on 5.10 stable kernel") is a backport
 * posted there; under any other cover it is no stable event, and is removed.
 */
function resolveCoverBackport(q: ReturnType<typeof decisionStatements>, d: EventRow): void {
  let branches: string[];
  if (d.raw_range === 'thread') {
    // A backport a reply carries, in a thread about its commit: the branch its first subject named.
    branches = d.upstream_commit ? threadSubjectBranches(q, d.in_reply_to, d.upstream_commit) : [];
  } else {
    const cover = d.in_reply_to ? (q.coverOf.get(d.in_reply_to) as { subject: string } | undefined) : undefined;
    // Not yet: the cover may come with a later ingest.
    if (!cover && d.in_reply_to && !q.messageKnown.get(d.in_reply_to)) return;
    branches = cover ? coverBranches(cover.subject) : [];
  }
  for (const b of branches) {
    q.ins.run(d.msg_row, d.message_id, d.kind, d.status, b, d.upstream_commit, d.title, d.title_key, null, d.date, d.in_reply_to, d.upstream_commit, d.sentence, null);
  }
  q.del.run(d.id);
}

/** One commit, however abbreviated either spelling is. */
function sameCommit(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** The branches (and releases) one decision covers. */
function decisionBranches(q: ReturnType<typeof decisionStatements>, d: EventRow, events: EventRow[]): Map<string, string | null> {
  const named = (d.raw_range ?? '').split(' ').filter((b) => /^\d+\.\d+$/.test(b));
  const out = new Map<string, string | null>();
  if (d.kind === 'bot-failed' || d.kind === 'fail-note' || d.kind === 'wish') {
    for (const b of named) out.set(b, null);
    // "These do not apply to any stable kernel trees" names none: wherever the mail answered asked for it.
    if (d.kind === 'fail-note' && named.length === 0 && (d.raw_range ?? '').split(' ').includes('any')) for (const e of events) out.set(e.branch, null);
    return out;
  }
  if (d.kind === 'release-note') {
    const versions = (d.version ?? '').split(' ').filter((v) => v.length > 0);
    for (const v of versions) out.set(v.split('.').slice(0, 2).join('.'), v);
    if (versions.length === 0) {
      const commit = events.find((e) => e.upstream_commit)?.upstream_commit;
      if (commit) for (const b of q.reviewedBranches.all(commit, d.date ?? Number.MAX_SAFE_INTEGER) as string[]) out.set(b, null);
    }
    return out;
  }
  for (const e of events) out.set(e.branch, null);
  for (const b of named) out.set(b, null);
  return out;
}

/** A reply's decision is about the branches of the stable mail it (or its parent) answers. */
function resolveReplyDecisions(db: Db): void {
  // Series patches waiting for their cover's branch first: decisions answering the cover need them.
  const pending = db.sql.prepare(`SELECT * FROM stable_events WHERE branch = '?' ORDER BY kind <> 'backport', id`).all() as EventRow[];
  if (pending.length === 0) return;
  const q = decisionStatements(db);
  for (const d of pending) {
    if (d.kind === 'backport') {
      resolveCoverBackport(q, d);
      continue;
    }
    const queueFile = byQueueFile(q, d);
    if (!queueFile && /^queue-\d+\.\d+\//.test(d.title)) continue;
    const versionless = d.kind === 'release-note' && !d.version;
    let answered = decidedMail(q, d.in_reply_to, versionless);
    // A reply that names another commit than the mail it answers ("would it be possible to
    // apply 1997b3cb421 to the branches ...", under a review patch of 39299bdd2546) is about that commit.
    if (answered && d.upstream_commit && answered.events.every((e) => e.upstream_commit !== null && !sameCommit(e.upstream_commit, d.upstream_commit ?? ''))) {
      answered = byCommitRef(q, d) ?? answered;
    }
    const found =
      queueFile ??
      // A named release goes to the fix its sentence (or subject) names, else to the thread's.
      (d.kind === 'release-note' ? byQuotedTitle(q, d) : null) ??
      answered ??
      (d.kind === 'wish' ? plainPatchOf(q, d) : null) ??
      byCommitRef(q, d) ??
      // A request under a patch mail missing from the archive ("Re: [PATCH] cifs: Convert struct
      // fealist ...": "Can you please apply this to the next 6.1.y release?"): the stable mails of that title.
      (d.kind === 'wish' ? byQuotedTitle(q, d) : null);
    // Not yet: the mail answered may come with a later ingest.
    if (!found) continue;
    const { target } = found;
    let events = found.events;
    // A plain patch's wishes are decided on by the stable team's "queued", the bot, or a
    // named release; a NAK of the patch itself, or Greg's "Now deleted." of a thread off
    // the stable list, is no stable decision.
    const wishesOnly = events.every((e) => isWish(e.kind));
    if (wishesOnly && (d.kind === 'withdraw' || d.kind === 'drop')) {
      q.del.run(d.id);
      continue;
    }
    // Only the poster can withdraw a posting; anyone else's "please ignore this" is no decision.
    if (d.kind === 'withdraw' && q.senderOf.get(d.message_id) !== q.senderOf.get(target)) {
      q.del.run(d.id);
      continue;
    }
    // "All now queued up" answering one patch of a backport series covers its siblings.
    if ((d.raw_range ?? '').split(' ').includes('*')) {
      const more = q.siblings.all(target) as EventRow[];
      if (more.length > 0) events = [...events, ...more];
    }
    // One group per mail decided on; a request's wishes one per commit it names (each its own fix).
    const byMail = new Map<string, EventRow[]>();
    for (const e of events) {
      const group = e.kind === 'wish' && e.in_reply_to === null ? `${e.message_id}\0${e.upstream_commit ?? ''}` : e.message_id;
      byMail.set(group, [...(byMail.get(group) ?? []), e]);
    }
    const seen = new Set<string>();
    let inserted = 0;
    for (const group of byMail.values()) {
      // A posted mainline revert is a fix of its own: a decision on the posting is about it,
      // not about the commit it reverts (whose leaving the branch the posting already said).
      const own = group.filter((e) => e.kind !== 'revert');
      const evs = own.length > 0 ? own : group;
      const first = evs[0];
      if (!first) continue;
      const mail = first.message_id;
      const branches = decisionBranches(q, d, evs);
      for (const [branch, version] of branches) {
        const key = `${first.upstream_commit ?? first.title_key}\0${branch}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // in_reply_to names the stable mail decided on (not the reply's own parent): the
        // decision takes that mail's fix, whatever key it gets.
        if (!/^\d+\.\d+$/.test(branch)) continue;
        // A whole commit is its fix's key from the insert on, as for the stable mails: later decisions find it by prefix.
        const fixKey = first.upstream_commit !== null && first.upstream_commit.length === 40 ? first.upstream_commit : null;
        q.ins.run(d.msg_row, d.message_id, d.kind, d.status, branch, first.upstream_commit, first.title, first.title_key, version, d.date, mail, fixKey, d.sentence, d.raw_range);
        inserted++;
      }
    }
    // A decision that found its mail but no branch stays pending rather than vanish.
    if (inserted > 0) q.del.run(d.id);
  }
}

/** Review patches take the -rc of their cover; backports answering a FAILED mail take its commit. */
function inheritFromParents(db: Db): void {
  // (A test report answering the cover stands in for a cover missing from the archive.)
  db.sql.exec(`UPDATE stable_events SET rc = COALESCE(
      (SELECT c.rc FROM stable_events c WHERE c.message_id = stable_events.in_reply_to AND c.kind = 'review-cover' AND c.rc IS NOT NULL LIMIT 1),
      (SELECT c.rc FROM stable_events c WHERE c.in_reply_to = stable_events.in_reply_to AND c.kind = 'review-cover' AND c.rc IS NOT NULL LIMIT 1))
    WHERE kind = 'review-patch' AND rc IS NULL AND in_reply_to IS NOT NULL`);
  db.sql.exec(`UPDATE stable_events SET upstream_commit = (SELECT f.upstream_commit FROM stable_events f WHERE f.message_id = stable_events.in_reply_to
      AND f.kind = 'failed' AND f.upstream_commit IS NOT NULL LIMIT 1)
    WHERE kind = 'backport' AND upstream_commit IS NULL`);
}

type LinkedEvent = EventRow & {
  patch_id: string | null;
  author_name: string | null;
  author_email: string | null;
  sender_name: string | null;
  sender_email: string | null;
};

interface PatchMatch {
  messageId: string;
  how: 'patch-id' | 'subject+author' | 'subject';
}

/**
 * The original patch mail of a fix named by its upstream commit, and how it was found.
 * Its statements are prepared once: the end-of-ingest pass asks once per commit.
 */
function patchMailFinder(db: Db): (evs: LinkedEvent[], titleKey: string, authorEmail: string | null) => PatchMatch | null {
  const byPatchId = db.sql.prepare(FIX_PER_ROW_SQL.byPatchId);
  const byTitleAuthor = db.sql.prepare(FIX_PER_ROW_SQL.byTitleAuthor);
  const byTitle = db.sql.prepare(FIX_PER_ROW_SQL.byTitle);
  return (evs, titleKey, authorEmail) => {
    // The stable mails' diffs only: a wish's own patch would find itself.
    for (const e of evs) {
      if (e.kind === 'cc-stable') continue;
      const hit = e.patch_id ? (byPatchId.get(e.patch_id) as { message_id: string } | undefined) : undefined;
      if (hit && !evs.some((x) => x.message_id === hit.message_id && x.kind !== 'cc-stable')) return { messageId: hit.message_id, how: 'patch-id' };
    }
    if (!titleKey) return null;
    if (authorEmail) {
      const hit = byTitleAuthor.get(titleKey, authorEmail) as { message_id: string } | undefined;
      if (hit) return { messageId: hit.message_id, how: 'subject+author' };
    }
    const hit = byTitle.get(titleKey) as { message_id: string } | undefined;
    return hit ? { messageId: hit.message_id, how: 'subject' } : null;
  };
}

/** End-of-ingest pass: decisions, context from parent mails, fix keys, fixes and their links. */
export function resolveStable(db: Db): number {
  const sql = db.sql;
  resolveReplyDecisions(db);
  inheritFromParents(db);

  // Fix keys: the upstream commit where a mail names it, else the commit of a stable mail
  // with the same title (an announcement's shortlog line, a backport without its marker).
  // Unresolved decisions ('?': their stable mail is not ingested yet) stay unkeyed.
  // Each UPDATE touches only rows whose value changes: rewriting unchanged rows costs WAL pages.
  sql.exec(`UPDATE stable_events SET fix_key = upstream_commit WHERE upstream_commit IS NOT NULL AND fix_key IS NOT upstream_commit AND branch <> '?'`);
  sql.exec(`UPDATE stable_events SET fix_key = (SELECT o.upstream_commit FROM stable_events o WHERE o.title_key = stable_events.title_key
      AND o.upstream_commit IS NOT NULL AND o.title_key <> '' LIMIT 1)
    WHERE upstream_commit IS NULL AND branch <> '?' AND (fix_key IS NULL OR fix_key NOT GLOB '[0-9a-f]*')`);

  sql.exec('DELETE FROM fixes');
  sql.exec('DELETE FROM fix_links');
  const eventsOf = sql.prepare(FIX_PER_ROW_SQL.eventsOf);
  const relink = sql.prepare(FIX_PER_ROW_SQL.relink);
  const versions = sql.prepare(FIX_PER_ROW_SQL.seriesVersions).pluck();
  const link = sql.prepare(`INSERT OR IGNORE INTO fix_links (fix_key, message_id, role, how) VALUES (?, ?, ?, ?)`);
  const ins = sql.prepare(`INSERT OR REPLACE INTO fixes (fix_key, upstream_commit, title, author_name, author_email, patch_message_id, patch_match)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);

  // The patch mail of each commit, and every version of it (a v3 carrying Cc: stable is
  // the same fix as the commit it became): their wishes join the commit's record.
  const commits = sql.prepare(`SELECT DISTINCT fix_key FROM stable_events WHERE fix_key GLOB '[0-9a-f]*' AND status IS NOT NULL AND branch <> '?'`).pluck().all() as string[];
  const patchOf = new Map<string, PatchMatch>();
  const findPatchMail = patchMailFinder(db);
  for (const key of commits) {
    const evs = eventsOf.all(key) as LinkedEvent[];
    const first = evs.find((e) => e.kind !== 'cc-stable') ?? evs[0];
    if (!first) continue;
    const authored = evs.find((e) => e.author_email);
    const patch = findPatchMail(evs, first.title_key, authored?.author_email ?? null);
    if (!patch) continue;
    patchOf.set(key, patch);
    relink.run(key, patch.messageId, key);
    link.run(key, patch.messageId, 'patch', patch.how);
    for (const v of versions.all(patch.messageId) as string[]) {
      if (v === patch.messageId) continue;
      relink.run(key, v, key);
      link.run(key, v, 'patch', 'series');
    }
  }
  // What is left is a patch mail's own wish, keyed by the newest patch with its title, or
  // a stable mail about a stable-only patch (no upstream commit), keyed by itself.
  // (Postings of one stable-only fix for several branches share its title: the first is the key.)
  sql.exec(`UPDATE stable_events SET fix_key = 'msg:' || COALESCE(
      (SELECT p.message_id FROM patch_msgs p WHERE p.title_key = stable_events.title_key
        AND p.kind = 'patch' AND p.lane = '' AND p.title_key <> '' ORDER BY p.date DESC, p.msg_row DESC LIMIT 1),
      (SELECT o.message_id FROM stable_events o WHERE o.title_key = stable_events.title_key AND o.title_key <> '' AND o.upstream_commit IS NULL
        AND o.kind IN ('backport', 'review-patch', 'autosel', 'failed', 'added') ORDER BY o.date, o.id LIMIT 1),
      stable_events.message_id)
    WHERE fix_key IS NULL AND branch <> '?' AND kind NOT IN ${REPLY_KINDS}`);
  // A decision belongs to the fix of the stable mail it decided on; a request answering a
  // plain patch (no event of its own), to that patch's; a decision on a request, to the
  // request's. Chains are short: two rounds.
  const byTarget = sql.prepare(`UPDATE stable_events SET fix_key = COALESCE((SELECT t.fix_key FROM stable_events t WHERE t.message_id = stable_events.in_reply_to
      AND t.id <> stable_events.id AND t.fix_key IS NOT NULL ORDER BY t.kind IN ${REPLY_KINDS} LIMIT 1), fix_key)
    WHERE kind IN ${REPLY_KINDS} AND branch <> '?' AND upstream_commit IS NULL`);
  byTarget.run();
  sql.exec(`UPDATE stable_events SET fix_key = 'msg:' || COALESCE((SELECT p.message_id FROM patch_msgs p WHERE p.title_key = stable_events.title_key
      AND p.kind = 'patch' AND p.lane = '' AND p.title_key <> '' ORDER BY p.date DESC, p.msg_row DESC LIMIT 1), stable_events.in_reply_to)
    WHERE kind = 'wish' AND fix_key IS NULL AND branch <> '?'`);
  byTarget.run();

  const keys = sql.prepare(`SELECT DISTINCT fix_key FROM stable_events WHERE fix_key IS NOT NULL AND status IS NOT NULL AND branch <> '?'`).pluck().all() as string[];
  for (const key of keys) {
    const evs = eventsOf.all(key) as LinkedEvent[];
    const first = evs.find((e) => e.kind !== 'cc-stable') ?? evs[0];
    if (!first) continue;
    const isCommit = !key.startsWith('msg:');
    const authored = evs.find((e) => e.author_email);
    let author = authored ? { name: authored.author_name, email: authored.author_email } : null;
    let patch: PatchMatch | null = patchOf.get(key) ?? null;
    if (!isCommit) {
      patch = { messageId: key.slice(4), how: 'subject' };
      const own = evs.find((e) => e.message_id === patch?.messageId);
      if (own) author ??= { name: own.sender_name, email: own.sender_email };
      link.run(key, patch.messageId, 'patch', 'self');
      for (const v of versions.all(patch.messageId) as string[]) if (v !== patch.messageId) link.run(key, v, 'patch', 'series');
    }
    for (const e of evs) {
      if (e.kind === 'cc-stable' && patch && e.message_id === patch.messageId) continue;
      const how = isReplyKind(e.kind) ? 'reply' : e.upstream_commit === key ? 'commit' : e.kind === 'cc-stable' ? 'series' : 'subject';
      link.run(key, e.message_id, e.kind === 'cc-stable' ? 'patch' : 'stable', how);
    }
    ins.run(key, isCommit ? key : null, first.title, author?.name ?? null, author?.email ?? null, patch?.messageId ?? null, isCommit ? (patch?.how ?? null) : 'self');
  }
  return keys.length;
}

export interface FixLink {
  messageId: string;
  /** 'patch': a version of the patch mail; 'stable': a stable-process mail about the fix. */
  role: string;
  /** How it was joined: 'commit' | 'patch-id' | 'subject+author' | 'subject' | 'series' | 'self' | 'reply'. */
  how: string;
}

export interface FixInfo {
  key: string;
  upstreamCommit: string | null;
  title: string;
  author: { name: string | null; email: string | null } | null;
  /** The original patch mail, and how it was matched ('patch-id' | 'subject+author' | 'subject' | 'self'). */
  patchMessageId: string | null;
  patchMatch: string | null;
}

export interface FixStatus {
  fix: FixInfo;
  /** Every mail joined into this fix, and how. */
  links: FixLink[];
  branches: Record<string, BranchStatus>;
}

interface FixRow {
  fix_key: string;
  upstream_commit: string | null;
  title: string;
  author_name: string | null;
  author_email: string | null;
  patch_message_id: string | null;
  patch_match: string | null;
}

function fixInfo(r: FixRow): FixInfo {
  return {
    key: r.fix_key,
    upstreamCommit: r.upstream_commit,
    title: r.title,
    author: r.author_name !== null || r.author_email !== null ? { name: r.author_name, email: r.author_email } : null,
    patchMessageId: r.patch_message_id,
    patchMatch: r.patch_match,
  };
}

interface StoredEvent {
  fix_key: string;
  status: string;
  kind: string;
  branch: string;
  message_id: string;
  date: number | null;
  rc: string | null;
  version: string | null;
  base: string | null;
  sentence: string | null;
  raw_range: string | null;
  from_name: string | null;
  from_address: string | null;
}

const EVENT_COLUMNS = `e.fix_key, e.status, e.kind, e.branch, e.message_id, e.date, e.rc, e.version, e.base, e.sentence, e.raw_range, m.from_name, m.from_address`;

function toInput(r: StoredEvent): StableEventInput | null {
  if (!(STATUSES as readonly string[]).includes(r.status)) return null;
  const sender = r.from_address ? (r.from_name ? `${r.from_name} <${r.from_address}>` : r.from_address) : (r.from_name ?? null);
  return {
    status: r.status as StableStatus,
    kind: r.kind,
    branch: r.branch,
    messageId: r.message_id,
    date: r.date,
    rc: r.rc,
    version: r.version,
    base: r.base,
    sender,
    sentence: r.sentence,
    // Only a Cc: stable line has a range as written; a reply's raw_range is how its branches
    // were found ('*' for a whole series), which no mail wrote.
    rawRange: r.kind === 'cc-stable' ? r.raw_range : null,
  };
}

/**
 * A fix's events, prepared once per answer: a branch listing or the matrix asks per fix
 * (428 fixes of the cifs stable threads prepared the same two statements 428 times).
 */
function fixEventReader(db: Db) {
  const releases = db.sql.prepare('SELECT branch, version, stable_commit, tag_date FROM stable_releases WHERE upstream_commit = ?');
  const events = db.sql.prepare(
    `SELECT ${EVENT_COLUMNS} FROM stable_events e JOIN messages m ON m.id = e.msg_row WHERE e.fix_key = ? AND e.status IS NOT NULL ORDER BY e.date, e.id`,
  );
  /** Releases read from a stable git tree, as events of their own (no mail: messageId null). */
  const gitReleaseEvents = (commit: string): StableEventInput[] =>
    (releases.all(commit) as { branch: string; version: string; stable_commit: string | null; tag_date: number | null }[]).map((r) => ({
      status: 'released' as const,
      kind: 'git',
      branch: r.branch,
      messageId: null,
      date: r.tag_date,
      rc: null,
      version: r.version,
      sender: null,
      sentence: `v${r.version} carries ${r.stable_commit ? r.stable_commit.slice(0, 12) : 'it'} (commit ${commit.slice(0, 12)} upstream)`,
      rawRange: null,
    }));
  const eventsFor = (key: string): StableEventInput[] => {
    const out = (events.all(key) as StoredEvent[]).map(toInput).filter((e): e is StableEventInput => e !== null);
    if (!key.startsWith('msg:')) out.push(...gitReleaseEvents(key));
    return out;
  };
  return { gitReleaseEvents, eventsFor };
}

const syncedBranches = (db: Db): Record<string, string> => Object.fromEntries(syncedUpTo(db));

/**
 * How findFix looks a fix up, each by an index (a race page asks per proposed fix; a scan
 * of every fix each time grew with the archive). A commit fix's key is its upstream commit,
 * so a prefix is a range of the primary key; a fix's patch mail is always in its fix_links.
 * Exported for the plan test.
 */
export const FIND_FIX_SQL = {
  byCommitPrefix: `SELECT * FROM fixes WHERE fix_key GLOB ? LIMIT 2`,
  byKey: `SELECT * FROM fixes WHERE fix_key = ?`,
  // The fix whose patch mail it is first, as before among the fixes it is joined to.
  byLink: `SELECT f.* FROM fix_links l JOIN fixes f ON f.fix_key = l.fix_key WHERE l.message_id = ? ORDER BY f.patch_message_id IS ? DESC LIMIT 1`,
  byEvent: `SELECT f.* FROM stable_events e JOIN fixes f ON f.fix_key = e.fix_key WHERE e.message_id = ? LIMIT 1`,
} as const;

/** Finds a fix by upstream commit (full or abbreviated, at least 7 hex digits) or by any message about it. */
export function findFix(db: Db, shaOrMessageId: string): FixRow | null {
  const q = shaOrMessageId.trim().replace(/^<|>$/g, '');
  if (/^[0-9a-f]{7,40}$/i.test(q)) {
    const rows = db.sql.prepare(FIND_FIX_SQL.byCommitPrefix).all(`${q.toLowerCase()}*`) as FixRow[];
    if (rows.length > 1) throw new LoregraphError('USAGE', `commit prefix ${q} is ambiguous: give more digits`);
    if (rows[0]) return rows[0];
    // A fix only ever named short ("24a9799aa8ef" in a thread's subject) is found by the
    // whole commit too: its key is a prefix of what was asked, each tried by primary key, longest first.
    for (let n = q.length - 1; n >= 7; n--) {
      const row = db.sql.prepare(FIND_FIX_SQL.byKey).get(q.slice(0, n).toLowerCase()) as FixRow | undefined;
      if (row) return row;
    }
  }
  return (
    (db.sql.prepare(FIND_FIX_SQL.byKey).get(`msg:${q}`) as FixRow | undefined) ??
    (db.sql.prepare(FIND_FIX_SQL.byLink).get(q, q) as FixRow | undefined) ??
    (db.sql.prepare(FIND_FIX_SQL.byEvent).get(q) as FixRow | undefined) ??
    null
  );
}

export function getFixStatus(db: Db, shaOrMessageId: string): FixStatus {
  const row = findFix(db, shaOrMessageId);
  if (!row) throw new LoregraphError('NOT_FOUND', `no stable history for ${shaOrMessageId}`);
  const links = db.sql.prepare('SELECT message_id, role, how FROM fix_links WHERE fix_key = ? ORDER BY role, message_id').all(row.fix_key) as {
    message_id: string;
    role: string;
    how: string;
  }[];
  return {
    fix: fixInfo(row),
    links: links.map((l) => ({ messageId: l.message_id, role: l.role, how: l.how })),
    branches: resolveBranchStatuses(fixEventReader(db).eventsFor(row.fix_key), syncedBranches(db)),
  };
}

export interface BranchFix {
  fix: FixInfo;
  status: BranchStatus;
}

/** "6.6", "6.6.y", "v6.6" -> "6.6"; anything else is a usage error that says what is expected. */
export function normalizeBranch(branch: string): string {
  const m = /^v?(\d+\.\d+)(?:\.[yx])?$/i.exec(branch.trim());
  if (!m?.[1]) throw new LoregraphError('USAGE', `'${branch}' is not a stable branch (expected e.g. 6.6 or 6.6.y)`);
  return m[1];
}

/**
 * The fixes of a branch: those mail put there, and those a synced stable git tree released
 * there, asked per fix by primary key (a synced tree holds a row per backported commit: the
 * branch's every release is no list to build for each question). Exported for its plan test.
 */
export const BRANCH_FIXES_SQL = `SELECT f.* FROM fixes f WHERE f.fix_key IN (SELECT fix_key FROM stable_events WHERE status IS NOT NULL AND branch = ?)
  OR EXISTS (SELECT 1 FROM stable_releases r WHERE r.upstream_commit = f.fix_key AND r.branch = ?)
  ORDER BY f.title`;

/** Every fix seen for a branch ("6.6", "6.6.y" accepted) with its status there. */
export function listStableBranch(db: Db, branch: string): BranchFix[] {
  const b = normalizeBranch(branch);
  const rows = db.sql.prepare(BRANCH_FIXES_SQL).all(b, b) as FixRow[];
  const synced = syncedBranches(db);
  const { eventsFor } = fixEventReader(db);
  const out: BranchFix[] = [];
  for (const r of rows) {
    const st = resolveBranchStatuses(eventsFor(r.fix_key), synced)[b];
    if (st) out.push({ fix: fixInfo(r), status: st });
  }
  return out;
}

/** One cell of the matrix: the status, since when, the mails that decided it, and the release. */
export interface MatrixCell {
  status: StableStatus;
  since: number | null;
  evidence: string[];
  release: BranchStatus['release'];
}

export interface StableMatrix {
  /** Every branch known in the data, newest first, with how many fixes have each status there. */
  branches: { branch: string; counts: Partial<Record<StableStatus, number>>; synced: string | null }[];
  fixes: { fix: FixInfo; cells: Record<string, MatrixCell> }[];
}

/** Every fix against every branch: read in one pass over the events, grouped by fix. */
export function stableMatrix(db: Db): StableMatrix {
  const fixes = db.sql.prepare('SELECT * FROM fixes ORDER BY title, fix_key').all() as FixRow[];
  const events = new Map<string, StableEventInput[]>();
  const rows = db.sql
    .prepare(`SELECT ${EVENT_COLUMNS} FROM stable_events e JOIN messages m ON m.id = e.msg_row
      WHERE e.fix_key IS NOT NULL AND e.status IS NOT NULL ORDER BY e.fix_key, e.date, e.id`)
    .iterate() as IterableIterator<StoredEvent>;
  for (const r of rows) {
    const e = toInput(r);
    if (!e) continue;
    const list = events.get(r.fix_key) ?? [];
    list.push(e);
    events.set(r.fix_key, list);
  }
  const synced = syncedBranches(db);
  const { gitReleaseEvents } = fixEventReader(db);
  const counts = new Map<string, Partial<Record<StableStatus, number>>>();
  const out: StableMatrix['fixes'] = [];
  for (const f of fixes) {
    const evs = events.get(f.fix_key) ?? [];
    if (f.upstream_commit) evs.push(...gitReleaseEvents(f.upstream_commit));
    const statuses = resolveBranchStatuses(evs, synced);
    const cells: Record<string, MatrixCell> = {};
    for (const [branch, st] of Object.entries(statuses)) {
      cells[branch] = { status: st.status, since: st.since, evidence: st.evidence, release: st.release };
      const c = counts.get(branch) ?? {};
      c[st.status] = (c[st.status] ?? 0) + 1;
      counts.set(branch, c);
    }
    if (Object.keys(cells).length > 0) out.push({ fix: fixInfo(f), cells });
  }
  const branches = [...counts.keys()]
    .sort((a, b) => compareBranches(b, a))
    .map((branch) => ({ branch, counts: counts.get(branch) ?? {}, synced: synced[branch] ?? null }));
  return { branches, fixes: out };
}

/** A proposed fix's status per stable branch, compact: what a race page's fix table shows. */
export interface FixBranchStatus {
  status: StableStatus;
  since: number | null;
  /** The mail that decided it. */
  messageId: string | null;
}

/**
 * The per-branch stable status of the commit a patch mail became, or null when no stable
 * mail or Cc: stable names it. Only patch mails have one: an idea in prose never reaches a
 * stable tree under its own name.
 */
export function stableOfPatchMail(db: Db, messageId: string): { upstream: string | null; branches: Record<string, FixBranchStatus> } | null {
  const row = findFix(db, messageId);
  if (!row) return null;
  const branches: Record<string, FixBranchStatus> = {};
  for (const [branch, st] of Object.entries(resolveBranchStatuses(fixEventReader(db).eventsFor(row.fix_key), syncedBranches(db)))) {
    branches[branch] = { status: st.status, since: st.since, messageId: st.evidence[st.evidence.length - 1] ?? null };
  }
  return { upstream: row.upstream_commit, branches };
}
