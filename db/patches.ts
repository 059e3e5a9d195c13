// Storage of what the patch analyzer learns per message: one patch_msgs row, written in
// the ingest transaction, carrying the message's trailers and stable events as JSON. The
// end-of-ingest pass (materializePatchRows) copies those into the trailers and
// stable_events tables: one row per message during ingest keeps the writer fast.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import type { PatchMsgRow } from '../ingest/patch/patch-row.ts';
import type { StableEventRow } from '../ingest/patch/stable-events.ts';
import type { Trailer } from '../ingest/patch/trailers.ts';
import { LoregraphError } from '../errors.ts';

const cache = new WeakMap<Db, Statement>();

const MATERIALIZE_PAGE = 2000;

function insertStmt(db: Db): Statement {
  let s = cache.get(db);
  if (!s) {
    const cols = new Set((db.sql.prepare(`SELECT name FROM pragma_table_info('patch_msgs')`).all() as { name: string }[]).map((r) => r.name));
    if (!cols.has('materialized')) {
      throw new LoregraphError('DB_OPEN', `database ${db.path} was created before the current patch tables (migration 002): create a new database and ingest again`);
    }
    s = db.sql.prepare(`INSERT OR REPLACE INTO patch_msgs (msg_row, message_id, kind, subject, title, title_key, version, version_major,
      idx, total, rfc, resend, tree, stable_branch, autosel, sender_name, sender_email, date, in_reply_to, refs, patch_id, change_id,
      upstream_commit, author_name, author_email, files, added, removed, lane, trailers_json, events_json, materialized)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`);
    cache.set(db, s);
  }
  return s;
}

/** Inserts the row the parse worker built (ingest/patch/patch-row.ts); call in the ingest transaction. */
export function storePatchRow(db: Db, rowId: number, r: PatchMsgRow): void {
  insertStmt(db).run(
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
    r.trailersJson,
    r.eventsJson,
  );
}

/** What the rows waiting for the end-of-ingest pass can change. */
export interface PendingPatchWork {
  rows: number;
  /** Some are patches or cover letters: series, follow-up targets and fix links may change. */
  seriesMembers: boolean;
  /** Some carry trailers (a reply's follow-up trailers need a target). */
  trailers: boolean;
  /** Some carry stable-process events. */
  stableEvents: boolean;
}

export function pendingPatchWork(db: Db): PendingPatchWork {
  const r = db.sql
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(MAX(kind IN ('patch', 'cover')), 0) AS members, COALESCE(MAX(trailers_json <> '[]'), 0) AS trailers,
        COALESCE(MAX(events_json <> '[]'), 0) AS events FROM patch_msgs WHERE materialized = 0`,
    )
    .get() as { n: number; members: number; trailers: number; events: number };
  return { rows: r.n, seriesMembers: r.members === 1, trailers: r.trailers === 1, stableEvents: r.events === 1 };
}

/** Copies pending rows' trailers and stable events into their tables. */
export function materializePatchRows(db: Db): number {
  // In pages, not one .all(): a first ingest of a large archive has every row pending, and
  // holding them all at once is what set the ingest's peak memory.
  const page = db.sql.prepare(`SELECT msg_row, message_id, kind, date, in_reply_to, trailers_json, events_json FROM patch_msgs
    WHERE materialized = 0 AND msg_row > ? ORDER BY msg_row LIMIT ${MATERIALIZE_PAGE}`);
  const insT = db.sql.prepare(`INSERT INTO trailers (msg_row, message_id, name, value, person_name, person_email, commit_sha, commit_subject,
    url, stable_extinfo, followup, target_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insE = db.sql.prepare(`INSERT INTO stable_events (msg_row, message_id, kind, status, branch, upstream_commit, title, title_key, rc,
    version, base, date, in_reply_to, fix_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  let count = 0;
  for (let after = 0; ; ) {
    const rows = page.all(after) as { msg_row: number; message_id: string; kind: string; date: number | null; in_reply_to: string | null; trailers_json: string; events_json: string }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const followup = r.kind === 'reply' ? 1 : 0;
      for (const t of JSON.parse(r.trailers_json) as Trailer[]) {
        insT.run(r.msg_row, r.message_id, t.name, t.value, t.person?.name ?? null, t.person?.email ?? null, t.commit, t.commitSubject, t.url,
          t.stable ? t.stable.extinfo : null, followup, followup ? null : r.message_id);
      }
      for (const e of JSON.parse(r.events_json) as StableEventRow[]) {
        insE.run(r.msg_row, r.message_id, e.kind, e.status, e.branch, e.upstreamCommit, e.title, e.titleKey, e.rc, e.version, e.base, r.date,
          r.in_reply_to, e.upstreamCommit);
      }
    }
    count += rows.length;
    after = rows[rows.length - 1]!.msg_row;
  }
  db.sql.prepare('UPDATE patch_msgs SET materialized = 1 WHERE materialized = 0').run();
  return count;
}
