// A first ingest into an empty database loads without the secondary indexes nothing reads
// while messages are stored, and builds them once at the end. Kept up to date row by row,
// each is a B-tree on a random key (dates, addresses, titles, patch-ids): every batch dirties
// pages all over it, and every commit writes those pages out again. One sorted build at the
// end costs a fraction of that. An ingest into a database that already holds messages keeps
// its indexes: rebuilding them would cost more than the new rows save.
//
// The dropped indexes' SQL is kept in meta, so a run killed mid-load gets them back the next
// time the database is opened for writing (openDb calls restoreDeferredIndexes).
import type { Db } from './connection.ts';

const META_KEY = 'deferred_indexes';

interface HeldIndex {
  name: string;
  /** As sqlite_master kept it before the drop. */
  sql: string;
}

/** The indexes a bulk load is holding back, as recorded in meta (none when no load is). */
function heldIndexes(db: Db): HeldIndex[] {
  const value = db.sql.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(META_KEY) as string | undefined;
  return value === undefined ? [] : (JSON.parse(value) as HeldIndex[]);
}

/**
 * Written per message on random keys, read only by queries and the end-of-ingest passes.
 * Not here: the indexes threading reads while storing (messages_message_id,
 * message_refs_ref, thread_nodes_parent), the content-hash uniqueness that deduplicates, and
 * indexes whose keys arrive in order (messages_date, patch_msgs_pending): appended to, they
 * cost little, while a rebuild of messages_date alone scans the whole messages table (0.35 s
 * at 100,000 messages).
 */
const DEFERRABLE = [
  'messages_from',
  'message_addresses_address',
  'thread_nodes_root',
  'patch_msgs_message_id',
  'patch_msgs_title_key',
  'patch_msgs_patch_id',
  'patch_msgs_newest_patch',
];
/** Read by subject threading as messages arrive. */
const SUBJECT_INDEX = 'messages_base_subject';

/**
 * Drops the deferrable indexes when the database holds no messages yet; returns whether it
 * did. Call restoreDeferredIndexes when the load is done.
 */
export function deferIndexesForBulkLoad(db: Db, opts: { subjectThreading: boolean }): boolean {
  if (db.sql.prepare('SELECT 1 FROM messages LIMIT 1').get() !== undefined) return false;
  if (heldIndexes(db).length > 0) return false;
  const names = opts.subjectThreading ? DEFERRABLE : [...DEFERRABLE, SUBJECT_INDEX];
  const found = db.sql
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name IN (${names.map(() => '?').join(', ')})`)
    .all(...names) as HeldIndex[];
  if (found.length === 0) return false;
  db.sql.transaction(() => {
    db.sql.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(META_KEY, JSON.stringify(found));
    for (const f of found) db.sql.exec(`DROP INDEX "${f.name.replaceAll('"', '""')}"`);
  })();
  return true;
}

/** Builds the indexes a bulk load dropped (if any); returns how many. */
export function restoreDeferredIndexes(db: Db): number {
  // openDb runs this on every database, including test schemas without a meta table
  if (db.sql.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get() === undefined) return 0;
  const held = heldIndexes(db);
  if (held.length === 0) return 0;
  db.sql.transaction(() => {
    // IF NOT EXISTS: another writer may have rebuilt some of them already
    for (const h of held) db.sql.exec(h.sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS '));
    db.sql.prepare('DELETE FROM meta WHERE key = ?').run(META_KEY);
  })();
  return held.length;
}

/** Names of the indexes a bulk load is holding back (empty when none). */
export function deferredIndexes(db: Db): string[] {
  return heldIndexes(db).map((h) => h.name);
}
