// Stable tracking: links each stable event to its upstream fix at the end of ingest,
// links the fix to the patch mail it came from, and answers "what is the status of this
// fix on each branch" and "what happened on this branch". Statuses and their precedence
// are defined once, in domain/patch/stable-status.ts.
import type { Db } from './connection.ts';
import { LoregraphError } from '../domain/errors.ts';
import { resolveBranchStatuses, STATUSES, type BranchStatus, type StableEventInput, type StableStatus } from '../domain/patch/stable-status.ts';

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
  relink: `UPDATE stable_events SET fix_key = ? WHERE message_id = ? AND fix_key <> ?`,
} as const;

/** End-of-ingest pass: context from parent mails, fix keys, and the fixes table. */
export function resolveStable(db: Db): number {
  const sql = db.sql;
  // A "please drop" reply is about the branch(es) of the mail it answers.
  const drops = sql.prepare(`SELECT * FROM stable_events WHERE branch = '?'`).all() as EventRow[];
  const parentEvents = sql.prepare(`SELECT * FROM stable_events WHERE message_id = ? AND status IS NOT NULL AND branch GLOB '[0-9]*.[0-9]*' AND branch NOT LIKE '%+'`);
  const insDrop = sql.prepare(`INSERT INTO stable_events (msg_row, message_id, kind, status, branch, upstream_commit, title, title_key, rc, version, base, date,
    in_reply_to, fix_key) VALUES (?, ?, 'drop', 'not-needed', ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, NULL)`);
  const del = sql.prepare('DELETE FROM stable_events WHERE id = ?');
  for (const d of drops) {
    const parents = d.in_reply_to ? (parentEvents.all(d.in_reply_to) as EventRow[]) : [];
    if (parents.length === 0) continue;
    for (const p of parents) insDrop.run(d.msg_row, d.message_id, p.branch, p.upstream_commit, p.title, p.title_key, d.date, d.in_reply_to);
    del.run(d.id);
  }
  // Review patches take the -rc of their cover; backports answering a FAILED mail take its commit.
  // (A test report answering the cover stands in for a cover missing from the archive.)
  sql.exec(`UPDATE stable_events SET rc = COALESCE(
      (SELECT c.rc FROM stable_events c WHERE c.message_id = stable_events.in_reply_to AND c.kind = 'review-cover' AND c.rc IS NOT NULL LIMIT 1),
      (SELECT c.rc FROM stable_events c WHERE c.in_reply_to = stable_events.in_reply_to AND c.kind = 'review-cover' AND c.rc IS NOT NULL LIMIT 1))
    WHERE kind = 'review-patch' AND rc IS NULL AND in_reply_to IS NOT NULL`);
  sql.exec(`UPDATE stable_events SET upstream_commit = (SELECT f.upstream_commit FROM stable_events f WHERE f.message_id = stable_events.in_reply_to
      AND f.kind = 'failed' AND f.upstream_commit IS NOT NULL LIMIT 1)
    WHERE kind = 'backport' AND upstream_commit IS NULL`);

  // Fix keys: the upstream commit where a mail names it, else the commit of a fix with
  // the same title, else the (newest) original patch mail with that title.
  // Unresolved drop requests ('?': their parent is no stable mail, or not ingested yet) stay unkeyed.
  // Each UPDATE touches only rows whose value changes: rewriting unchanged rows costs WAL pages.
  sql.exec(`UPDATE stable_events SET fix_key = upstream_commit WHERE upstream_commit IS NOT NULL AND fix_key IS NOT upstream_commit`);
  sql.exec(`UPDATE stable_events SET fix_key = (SELECT o.upstream_commit FROM stable_events o WHERE o.title_key = stable_events.title_key
      AND o.upstream_commit IS NOT NULL AND o.title_key <> '' LIMIT 1)
    WHERE upstream_commit IS NULL AND branch <> '?' AND (fix_key IS NULL OR fix_key NOT GLOB '[0-9a-f]*')`);
  sql.exec(`UPDATE stable_events SET fix_key = 'msg:' || COALESCE((SELECT p.message_id FROM patch_msgs p WHERE p.title_key = stable_events.title_key
      AND p.kind = 'patch' AND p.lane = '' AND p.title_key <> '' ORDER BY p.date DESC, p.msg_row DESC LIMIT 1), stable_events.message_id)
    WHERE fix_key IS NULL AND branch <> '?'`);

  sql.exec('DELETE FROM fixes');
  const keys = sql.prepare(`SELECT DISTINCT fix_key FROM stable_events WHERE fix_key IS NOT NULL AND status IS NOT NULL`).all() as { fix_key: string }[];
  const eventsOf = sql.prepare(FIX_PER_ROW_SQL.eventsOf);
  const byPatchId = sql.prepare(FIX_PER_ROW_SQL.byPatchId);
  const byTitleAuthor = sql.prepare(FIX_PER_ROW_SQL.byTitleAuthor);
  const byTitle = sql.prepare(FIX_PER_ROW_SQL.byTitle);
  const ins = sql.prepare(`INSERT INTO fixes (fix_key, upstream_commit, title, author_name, author_email, patch_message_id, patch_match)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const relink = sql.prepare(FIX_PER_ROW_SQL.relink);
  for (const { fix_key } of keys) {
    const evs = eventsOf.all(fix_key) as (EventRow & {
      patch_id: string | null;
      author_name: string | null;
      author_email: string | null;
      sender_name: string | null;
      sender_email: string | null;
    })[];
    const first = evs.find((e) => e.kind !== 'cc-stable') ?? evs[0];
    if (!first) continue;
    const commit = fix_key.startsWith('msg:') ? null : fix_key;
    const authored = evs.find((e) => e.author_email);
    let author = authored ? { name: authored.author_name, email: authored.author_email } : null;
    let patch: string | null = null;
    let match: string | null = null;
    if (fix_key.startsWith('msg:')) {
      patch = fix_key.slice(4);
      match = 'self';
      const own = evs.find((e) => e.message_id === patch);
      if (own) author ??= { name: own.sender_name, email: own.sender_email };
    } else {
      for (const e of evs) {
        const hit = e.patch_id ? (byPatchId.get(e.patch_id) as { message_id: string } | undefined) : undefined;
        if (hit && !evs.some((x) => x.message_id === hit.message_id && x.kind !== 'cc-stable')) {
          patch = hit.message_id;
          match = 'patch-id';
          break;
        }
      }
      if (!patch && author?.email) {
        const hit = byTitleAuthor.get(first.title_key, author.email) as { message_id: string } | undefined;
        if (hit) [patch, match] = [hit.message_id, 'subject+author'];
      }
      if (!patch && first.title_key) {
        const hit = byTitle.get(first.title_key) as { message_id: string } | undefined;
        if (hit) [patch, match] = [hit.message_id, 'subject'];
      }
      // The original mail's own Cc: stable wish belongs to this fix too.
      if (patch) relink.run(fix_key, patch, fix_key);
    }
    ins.run(fix_key, commit, first.title, author?.name ?? null, author?.email ?? null, patch, match);
  }
  return keys.length;
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

function eventsFor(db: Db, key: string): StableEventInput[] {
  const rows = db.sql
    .prepare('SELECT status, branch, message_id, date, rc, version, base FROM stable_events WHERE fix_key = ? AND status IS NOT NULL ORDER BY date, id')
    .all(key) as { status: string; branch: string; message_id: string; date: number | null; rc: string | null; version: string | null; base: string | null }[];
  return rows
    .filter((r) => (STATUSES as readonly string[]).includes(r.status))
    .map((r) => ({ status: r.status as StableStatus, branch: r.branch, messageId: r.message_id, date: r.date, rc: r.rc, version: r.version, base: r.base }));
}

/** Finds a fix by upstream commit (full or abbreviated, at least 7 hex digits) or by any message about it. */
export function findFix(db: Db, shaOrMessageId: string): FixRow | null {
  const q = shaOrMessageId.trim().replace(/^<|>$/g, '');
  if (/^[0-9a-f]{7,40}$/i.test(q)) {
    const rows = db.sql.prepare('SELECT * FROM fixes WHERE upstream_commit LIKE ? LIMIT 2').all(`${q.toLowerCase()}%`) as FixRow[];
    if (rows.length > 1) throw new LoregraphError('USAGE', `commit prefix ${q} is ambiguous: give more digits`);
    if (rows[0]) return rows[0];
  }
  const direct = db.sql.prepare('SELECT * FROM fixes WHERE fix_key = ? OR patch_message_id = ? LIMIT 1').get(`msg:${q}`, q) as FixRow | undefined;
  if (direct) return direct;
  const viaEvent = db.sql
    .prepare('SELECT f.* FROM stable_events e JOIN fixes f ON f.fix_key = e.fix_key WHERE e.message_id = ? LIMIT 1')
    .get(q) as FixRow | undefined;
  if (viaEvent) return viaEvent;
  // A patch of a later version of the series whose older version was linked.
  const viaSeries = db.sql
    .prepare(
      `SELECT f.* FROM series_patches a JOIN series sa ON sa.id = a.series_id JOIN series sb ON sb.family = sa.family
       JOIN series_patches b ON b.series_id = sb.id AND b.idx = a.idx JOIN fixes f ON f.patch_message_id = b.message_id
       WHERE a.message_id = ? LIMIT 1`,
    )
    .get(q) as FixRow | undefined;
  return viaSeries ?? null;
}

export function getFixStatus(db: Db, shaOrMessageId: string): FixStatus {
  const row = findFix(db, shaOrMessageId);
  if (!row) throw new LoregraphError('NOT_FOUND', `no stable history for ${shaOrMessageId}`);
  return { fix: fixInfo(row), branches: resolveBranchStatuses(eventsFor(db, row.fix_key)) };
}

export interface BranchFix {
  fix: FixInfo;
  status: BranchStatus;
}

/** Every fix seen for a branch ("6.6", "6.6.y" accepted) with its status there. */
export function listStableBranch(db: Db, branch: string): BranchFix[] {
  const m = /^v?(\d+\.\d+)(?:\.y)?$/i.exec(branch.trim());
  if (!m?.[1]) throw new LoregraphError('USAGE', `'${branch}' is not a stable branch (expected e.g. 6.6 or 6.6.y)`);
  const b = m[1];
  const rows = db.sql
    .prepare(
      `SELECT f.* FROM fixes f WHERE f.fix_key IN (SELECT fix_key FROM stable_events WHERE status IS NOT NULL AND branch = ?)
       ORDER BY f.title`,
    )
    .all(b) as FixRow[];
  const out: BranchFix[] = [];
  for (const r of rows) {
    const st = resolveBranchStatuses(eventsFor(db, r.fix_key), [b])[b];
    if (st) out.push({ fix: fixInfo(r), status: st });
  }
  return out;
}

export function countFixes(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(*) AS n FROM fixes').get() as { n: number }).n;
}
