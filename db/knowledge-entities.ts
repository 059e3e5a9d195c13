// Read-only listings the server's knowledge index is built from (server/knowledge.ts):
// every series (its latest version) and every stable fix, with the files they touch.
// Kept apart from db/series.ts and db/stable.ts, which answer one item at a time.
import type { Db } from './connection.ts';
import { bodySql } from './messages.ts';

export interface SeriesListing {
  /** Cover letter, or the first patch when there is no cover. */
  messageId: string;
  title: string;
  /** Latest version, e.g. "3". */
  version: string;
  versions: number;
  sender: string | null;
  files: string[];
  /** Subjects of the latest version's patches. */
  subjects: string[];
  /** The start of the cover letter's text, '' without one. */
  coverText: string;
  /** Bodies of the latest version's patches (the first DIFF_TEXT_CHARS), for their hunk headers. */
  diffTexts: string[];
}

export interface FixListing {
  key: string;
  upstreamCommit: string | null;
  title: string;
  author: string | null;
  patchMessageId: string | null;
  files: string[];
  /** "branch status" pairs seen for the fix, e.g. ["6.6 queued", "6.1 failed-to-apply"]. */
  events: string[];
  /** The body of the fix's patch mail (the first DIFF_TEXT_CHARS), '' when unknown. */
  diffText: string;
}

const COVER_TEXT_CHARS = 600;
/** Enough for the hunk headers of all but huge patches; bounds what one listing holds. */
export const DIFF_TEXT_CHARS = 64 * 1024;

function parseFiles(jsonLines: string | null): string[] {
  const out = new Set<string>();
  for (const line of (jsonLines ?? '').split('\n')) {
    if (!line) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (!Array.isArray(v)) continue;
      for (const f of v as unknown[]) {
        // patch_msgs.files holds {path, change, added, removed, binary} per file
        const path = typeof f === 'string' ? f : f && typeof f === 'object' && 'path' in f ? (f as { path: unknown }).path : null;
        if (typeof path === 'string' && path) out.add(path);
      }
    } catch {
      // a malformed row only loses its file names
    }
  }
  return [...out].sort();
}

function hasTable(db: Db, name: string): boolean {
  return db.sql.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * The latest version of each series family; past `limit` families, those most recently
 * sent (the rest are left out before their patches and bodies are read).
 */
export function listSeriesForKnowledge(db: Db, limit = Infinity): SeriesListing[] {
  if (!hasTable(db, 'series')) return [];
  const rows = db.sql
    .prepare('SELECT id, family, version, title, sender_email, cover_message_id, date FROM series ORDER BY family, version_major, CAST(version AS REAL), date, id')
    .all() as { id: number; family: number; version: string; title: string; sender_email: string | null; cover_message_id: string | null; date: number | null }[];
  const latest = new Map<number, { row: (typeof rows)[number]; versions: number }>();
  for (const r of rows) latest.set(r.family, { row: r, versions: (latest.get(r.family)?.versions ?? 0) + 1 });
  if (latest.size > limit) {
    const newest = new Set([...latest.values()].sort((a, b) => (b.row.date ?? -1) - (a.row.date ?? -1) || b.row.id - a.row.id).slice(0, limit));
    for (const [family, l] of latest) if (!newest.has(l)) latest.delete(family);
  }
  const patches = db.sql.prepare(
    `SELECT sp.message_id AS mid,
       (SELECT pm.subject FROM patch_msgs pm WHERE pm.message_id = sp.message_id LIMIT 1) AS subject,
       (SELECT pm.files FROM patch_msgs pm WHERE pm.message_id = sp.message_id LIMIT 1) AS files,
       (SELECT ${bodySql('m', DIFF_TEXT_CHARS)} FROM messages m WHERE m.message_id = sp.message_id ORDER BY m.id LIMIT 1) AS body
     FROM series_patches sp WHERE sp.series_id = ? ORDER BY sp.idx`,
  );
  const cover = db.sql.prepare(`SELECT ${bodySql('m', COVER_TEXT_CHARS)} AS text FROM messages m WHERE m.message_id = ? ORDER BY m.id LIMIT 1`);
  const out: SeriesListing[] = [];
  for (const { row, versions } of latest.values()) {
    const ps = patches.all(row.id) as { mid: string; subject: string | null; files: string | null; body: string | null }[];
    const messageId = row.cover_message_id ?? ps[0]?.mid;
    if (!messageId) continue;
    const coverText = row.cover_message_id ? ((cover.get(row.cover_message_id) as { text: string } | undefined)?.text ?? '') : '';
    out.push({
      messageId,
      title: row.title,
      version: row.version,
      versions,
      sender: row.sender_email,
      files: parseFiles(ps.map((p) => p.files ?? '').join('\n')),
      subjects: ps.flatMap((p) => (p.subject ? [p.subject] : [])),
      coverText,
      diffTexts: ps.flatMap((p) => (p.body ? [p.body] : [])),
    });
  }
  return out;
}

/** Stable fixes; past `limit`, those whose stable mail came last. */
export function listFixesForKnowledge(db: Db, limit = Infinity): FixListing[] {
  if (!hasTable(db, 'fixes')) return [];
  // only when there are more than that: the newest are found through every fix's events
  const bounded = Number.isFinite(limit) && (db.sql.prepare('SELECT COUNT(*) FROM fixes').pluck().get() as number) > limit;
  const newest = bounded
    ? `WHERE f.fix_key IN (SELECT e.fix_key FROM stable_events e WHERE e.fix_key IS NOT NULL GROUP BY e.fix_key ORDER BY MAX(e.date) DESC, e.fix_key LIMIT ${Math.floor(limit)})`
    : '';
  const rows = db.sql
    .prepare(
      `SELECT f.fix_key, f.upstream_commit, f.title, f.author_name, f.author_email, f.patch_message_id,
         (SELECT pm.files FROM patch_msgs pm WHERE pm.message_id = f.patch_message_id LIMIT 1) AS files,
         (SELECT ${bodySql('m', DIFF_TEXT_CHARS)} FROM messages m WHERE m.message_id = f.patch_message_id ORDER BY m.id LIMIT 1) AS body,
         (SELECT group_concat(branch || ' ' || status, char(10)) FROM
            (SELECT DISTINCT e.branch, e.status FROM stable_events e WHERE e.fix_key = f.fix_key AND e.status IS NOT NULL)) AS events
       FROM fixes f ${newest} ORDER BY f.title, f.fix_key`,
    )
    .all() as {
    fix_key: string;
    upstream_commit: string | null;
    title: string;
    author_name: string | null;
    author_email: string | null;
    patch_message_id: string | null;
    files: string | null;
    body: string | null;
    events: string | null;
  }[];
  return rows.map((r) => ({
    key: r.fix_key,
    upstreamCommit: r.upstream_commit,
    title: r.title,
    author: r.author_name ?? r.author_email,
    patchMessageId: r.patch_message_id,
    files: parseFiles(r.files),
    events: (r.events ?? '').split('\n').filter((e) => e.length > 0),
    diffText: r.body ?? '',
  }));
}
