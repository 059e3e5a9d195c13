// What an archive holds, for a first page that reflects it: the lists and their message
// counts, the date range, the stable branches with fixes seen, and the newest series.
import type { Db } from './db.ts';

export interface ArchiveOverview {
  lists: { list: string; messages: number }[];
  /** Epoch ms of the oldest and newest dated message, null for an empty archive. */
  firstDate: number | null;
  lastDate: number | null;
  stableBranches: { branch: string; fixes: number }[];
  recentSeries: { title: string; version: string; messageId: string; sender: string | null; senderName: string | null; date: number | null; patches: number }[];
}

/** A table a migration has not yet made answers nothing, like an empty one. */
function rows<T>(db: Db, sql: string, ...args: unknown[]): T[] {
  try {
    return db.sql.prepare(sql).all(...args) as T[];
  } catch {
    return [];
  }
}

export function archiveOverview(db: Db, recent = 8): ArchiveOverview {
  const lists = rows<{ list: string | null; messages: number }>(
    db,
    'SELECT list_id AS list, COUNT(*) AS messages FROM messages GROUP BY list_id ORDER BY messages DESC LIMIT 50',
  ).map((r) => ({ list: r.list ?? '', messages: r.messages }));
  // Through the date index: two seeks. A message dated in the far future (a broken clock) is left out.
  const horizon = Date.now() + 366 * 86_400_000;
  const first = rows<{ d: number | null }>(db, 'SELECT MIN(date) AS d FROM messages WHERE date IS NOT NULL AND date > 0')[0]?.d ?? null;
  const last = rows<{ d: number | null }>(db, 'SELECT MAX(date) AS d FROM messages WHERE date IS NOT NULL AND date < ?', horizon)[0]?.d ?? null;
  const stableBranches = rows<{ branch: string; fixes: number }>(
    db,
    `SELECT branch, COUNT(DISTINCT COALESCE(fix_key, upstream_commit, title_key)) AS fixes
       FROM stable_events WHERE status IS NOT NULL AND branch <> '?' GROUP BY branch`,
  ).sort((a, b) => b.branch.localeCompare(a.branch, undefined, { numeric: true }));
  // A series posted again (v2, v3, a resend) is one entry, its newest posting: the page
  // links to the series, which lists every version. Read a few more to fill the list.
  const seen = new Set<string>();
  const recentSeries = rows<{ title: string; version: string; messageId: string | null; sender: string | null; senderName: string | null; date: number | null; patches: number }>(
    db,
    `SELECT s.title, s.version, COALESCE(s.cover_message_id, (SELECT p.message_id FROM series_patches p WHERE p.series_id = s.id ORDER BY p.idx LIMIT 1)) AS messageId,
            s.sender_email AS sender, s.date, (SELECT COUNT(*) FROM series_patches p WHERE p.series_id = s.id) AS patches,
            -- the name a reader knows the sender by, from the mail that opens the series
            (SELECT NULLIF(m.from_name, '') FROM messages m WHERE m.message_id = COALESCE(s.cover_message_id,
              (SELECT p.message_id FROM series_patches p WHERE p.series_id = s.id ORDER BY p.idx LIMIT 1)) LIMIT 1) AS senderName
       FROM series s WHERE s.date IS NOT NULL AND s.date < ? ORDER BY s.date DESC LIMIT ?`,
    horizon,
    recent * 4,
  )
    .flatMap((r) => {
      if (r.messageId === null || seen.has(r.title)) return [];
      seen.add(r.title);
      return [{ ...r, messageId: r.messageId }];
    })
    .slice(0, recent);
  return { lists, firstDate: first, lastDate: last, stableBranches, recentSeries };
}
