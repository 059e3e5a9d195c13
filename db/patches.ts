// Storage of what the patch analyzer learns per message, written in the ingest
// transaction: the patch_msgs row, its trailers and its stable events (the parse worker
// sends the latter two as JSON). The end-of-ingest passes (series, follow-up targets,
// stable status) then cover every row past the last run's mark (meta 'patches_done_upto'):
// row ids only grow, so the mark is one number, and a run killed before its passes leaves
// its rows past the mark for the next run.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import { readMeta, writeMeta } from './meta.ts';
import type { PatchMsgRow } from '../domain/patch/patch-row.ts';
import type { StableEventRow } from '../domain/patch/stable-events.ts';
import type { Trailer } from '../domain/patch/trailers.ts';

interface Stmts {
  row: Statement;
  trailer: Statement;
  event: Statement;
}
const cache = new WeakMap<Db, Stmts>();

const DONE_KEY = 'patches_done_upto';

function stmts(db: Db): Stmts {
  let s = cache.get(db);
  if (!s) {
    s = {
      row: db.sql.prepare(`INSERT OR REPLACE INTO patch_msgs (msg_row, message_id, kind, subject, title, title_key, version, version_major,
        idx, total, rfc, resend, tree, stable_branch, autosel, sender_name, sender_email, date, in_reply_to, refs, patch_id, change_id,
        upstream_commit, author_name, author_email, files, added, removed, lane)
        VALUES (${Array.from({ length: 29 }, () => '?').join(', ')})`),
      trailer: db.sql.prepare(`INSERT INTO trailers (msg_row, message_id, name, value, person_name, person_email, commit_sha, commit_subject,
        url, stable_extinfo, followup, target_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      event: db.sql.prepare(`INSERT INTO stable_events (msg_row, message_id, kind, status, branch, upstream_commit, title, title_key, rc,
        version, base, date, in_reply_to, fix_key, sentence, raw_range, author) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    };
    cache.set(db, s);
  }
  return s;
}

/** Inserts what the parse worker built (domain/patch/patch-row.ts) for one message; call in the ingest transaction. */
export function storePatchRow(db: Db, rowId: number, r: PatchMsgRow): void {
  const s = stmts(db);
  s.row.run(
    rowId,
    r.messageId,
    r.kind,
    r.subject,
    r.title,
    r.titleKey,
    r.version,
    r.versionMajor,
    r.idx,
    r.total,
    r.rfc,
    r.resend,
    r.tree,
    r.stableBranch,
    r.autosel,
    r.senderName,
    r.senderEmail,
    r.date,
    r.inReplyTo,
    r.refsJson,
    r.patchId,
    r.changeId,
    r.upstreamCommit,
    r.authorName,
    r.authorEmail,
    r.filesJson,
    r.added,
    r.removed,
    r.lane,
  );
  // A reply's trailers are follow-ups: their target (the patch or cover answered) is found
  // at the end of the run, when every message is in.
  const followup = r.kind === 'reply' ? 1 : 0;
  if (r.trailersJson !== '[]') {
    for (const t of JSON.parse(r.trailersJson) as Trailer[]) {
      s.trailer.run(rowId, r.messageId, t.name, t.value, t.person?.name ?? null, t.person?.email ?? null, t.commit, t.commitSubject, t.url,
        t.stable ? t.stable.extinfo : null, followup, followup ? null : r.messageId);
    }
  }
  if (r.eventsJson !== '[]') {
    for (const e of JSON.parse(r.eventsJson) as StableEventRow[]) {
      s.event.run(rowId, r.messageId, e.kind, e.status, e.branch, e.upstreamCommit, e.title, e.titleKey, e.rc, e.version, e.base, r.date,
        // A decision whose branch is not known yet ('?') has no fix until the end-of-ingest pass gives it one.
        r.inReplyTo, e.branch === '?' ? null : e.upstreamCommit, e.sentence, e.rawRange, e.author);
    }
  }
}

/** What the rows past the mark can change. */
export interface PendingPatchWork {
  rows: number;
  /** The newest row: the mark once the passes are done. */
  upto: number;
  /** Some are patches or cover letters: series, follow-up targets and fix links may change. */
  seriesMembers: boolean;
  /** Some carry trailers (a reply's follow-up trailers need a target). */
  trailers: boolean;
  /** Some carry stable-process events. */
  stableEvents: boolean;
}

export function pendingPatchWork(db: Db): PendingPatchWork {
  const after = Number(readMeta(db, DONE_KEY) ?? '0');
  const r = db.sql
    .prepare(`SELECT COUNT(*) AS n, COALESCE(MAX(msg_row), 0) AS upto, COALESCE(MAX(kind IN ('patch', 'cover')), 0) AS members
      FROM patch_msgs WHERE msg_row > ?`)
    .get(after) as { n: number; upto: number; members: number };
  // Rows are appended in msg_row order, so the last one tells whether any is past the mark.
  const newest = (table: 'trailers' | 'stable_events'): number =>
    (db.sql.prepare(`SELECT msg_row FROM ${table} ORDER BY rowid DESC LIMIT 1`).pluck().get() as number | undefined) ?? 0;
  return { rows: r.n, upto: r.upto, seriesMembers: r.members === 1, trailers: newest('trailers') > after, stableEvents: newest('stable_events') > after };
}

/** Sets the mark: the end-of-ingest passes have covered every row up to `upto`. */
export function markPatchWorkDone(db: Db, upto: number): void {
  writeMeta(db, DONE_KEY, String(upto));
}
