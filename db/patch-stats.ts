// The counters the patch analysis adds to `loregraph stats` (kept apart from
// db/patches.ts so that stats loads no analysis code).
import type { Db } from './db.ts';
import type { StatFn } from './stat-fn.ts';

function count(db: Db, sql: string): number {
  try {
    return (db.sql.prepare(sql).get() as { n: number }).n;
  } catch {
    // A database created before migration 002 has no patch tables: nothing counted yet.
    return 0;
  }
}

export const PATCH_STATS: [string, StatFn][] = [
  ['patches', (db) => count(db, `SELECT COUNT(DISTINCT message_id) AS n FROM patch_msgs WHERE kind = 'patch'`)],
  ['series', (db) => count(db, 'SELECT COUNT(*) AS n FROM series')],
  ['trailers', (db) => count(db, 'SELECT COUNT(*) AS n FROM trailers')],
  ['stableEvents', (db) => count(db, 'SELECT COUNT(*) AS n FROM stable_events WHERE status IS NOT NULL')],
];
