// Storage of what the patch analyzer learns per message: one patch_msgs row, its
// trailers, and the stable events it carries. Cross-message work (series, fix links)
// lives in db/series.ts and db/stable.ts.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import type { PatchAnalysis } from '../ingest/patch/analyze.ts';
import { laneOf } from '../ingest/patch/analyze.ts';
import type { ParsedMessage } from '../ingest/types.ts';
import { stableEventsOf } from '../ingest/patch/stable-events.ts';

interface Stmts {
  msg: Statement;
  trailer: Statement;
  event: Statement;
}

const cache = new WeakMap<Db, Stmts>();

function stmts(db: Db): Stmts {
  let s = cache.get(db);
  if (!s) {
    s = {
      msg: db.sql.prepare(`INSERT OR REPLACE INTO patch_msgs (msg_row, message_id, kind, subject, title, title_key, version, version_major,
        idx, total, rfc, resend, tree, stable_branch, autosel, sender_name, sender_email, date, in_reply_to, refs, patch_id, change_id,
        upstream_commit, author_name, author_email, files, added, removed, lane)
        VALUES (@msg_row, @message_id, @kind, @subject, @title, @title_key, @version, @version_major, @idx, @total, @rfc, @resend, @tree,
        @stable_branch, @autosel, @sender_name, @sender_email, @date, @in_reply_to, @refs, @patch_id, @change_id, @upstream_commit,
        @author_name, @author_email, @files, @added, @removed, @lane)`),
      trailer: db.sql.prepare(`INSERT INTO trailers (msg_row, message_id, name, value, person_name, person_email, commit_sha, commit_subject,
        url, stable_extinfo, followup, target_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      event: db.sql.prepare(`INSERT INTO stable_events (msg_row, message_id, kind, status, branch, upstream_commit, title, title_key, rc,
        version, base, date, in_reply_to, fix_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    };
    cache.set(db, s);
  }
  return s;
}

export function storePatchAnalysis(db: Db, rowId: number, msg: ParsedMessage, a: PatchAnalysis): void {
  const s = stmts(db);
  const sub = a.subject;
  s.msg.run({
    msg_row: rowId,
    message_id: msg.messageId,
    kind: a.kind,
    subject: msg.subject,
    title: a.kind === 'other' && a.stable ? a.stable.title : sub.normalizedSubject,
    title_key: a.titleKey,
    version: sub.version,
    version_major: sub.versionMajor,
    idx: sub.index,
    total: sub.total,
    rfc: sub.rfc ? 1 : 0,
    resend: sub.resend ? 1 : 0,
    tree: sub.tree,
    stable_branch: sub.stableBranch,
    autosel: sub.autosel ? 1 : 0,
    sender_name: msg.from?.name ?? null,
    sender_email: msg.from?.address.toLowerCase() ?? null,
    date: msg.date,
    in_reply_to: msg.inReplyTo,
    refs: JSON.stringify(msg.references),
    patch_id: a.patchId,
    change_id: a.changeId,
    upstream_commit: a.upstreamCommit,
    author_name: a.author?.name ?? null,
    author_email: a.author?.email ?? null,
    files: JSON.stringify(a.files),
    added: a.added,
    removed: a.removed,
    lane: laneOf(sub),
  });
  const followup = a.kind === 'reply' ? 1 : 0;
  // Stored: the trailers people read and b4 collects. Not stored: plain Cc: lines
  // (addressing, half of all trailer lines; Cc: stable is kept) and the trailers a
  // FAILED/added/CVE mail quotes from the original commit (not that mail's own).
  for (const t of a.kind === 'other' ? [] : a.trailers) {
    if (t.name === 'Cc' && !t.stable) continue;
    s.trailer.run(rowId, msg.messageId, t.name, t.value, t.person?.name ?? null, t.person?.email ?? null, t.commit, t.commitSubject, t.url,
      t.stable ? t.stable.extinfo : null, followup, followup ? null : msg.messageId);
  }
  for (const e of stableEventsOf(msg, a)) {
    s.event.run(rowId, msg.messageId, e.kind, e.status, e.branch, e.upstreamCommit, e.title, e.titleKey, e.rc, e.version, e.base, msg.date,
      msg.inReplyTo, e.upstreamCommit);
  }
}
