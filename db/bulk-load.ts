// A first ingest into an empty database loads without the secondary indexes nothing reads
// while messages are stored, and builds them once at the end. Kept up to date row by row,
// each is a B-tree on a random key (dates, addresses, titles, patch-ids): every batch dirties
// pages all over it, and every commit writes those pages out again. One sorted build at the
// end costs a fraction of that. An ingest into a database that already holds messages keeps
// its indexes when it brings little against what is there (a rebuild reads every row);
// an archive of more than about half the stored mail is loaded as a first load is
// (appending 20,000 generated messages to 20,000 cost the writer 1.6x the CPU of the same
// load into an empty database, patch_msgs' five indexes the most). Such an append keeps
// the usual fsyncs: the rows already stored are at stake. A server reading meanwhile
// answers, only more slowly, as during a first load.
//
// The dropped indexes' SQL is kept in meta, so a run killed mid-load gets them back the next
// time the database is opened for writing (openDb calls restoreDeferredIndexes).
//
// The load also runs with synchronous=OFF, as public-inbox's --no-fsync does for an initial
// index: the fsyncs of WAL checkpoints, which write each rewritten index page to the disk
// again and again, cost 4.8-5.0 s of a 29 s load of 100,000 messages (2.1 s without them).
// Nothing is at stake while the load runs: the database holds only what the archives hold.
// A killed process loses nothing the page cache has (the file is as a synced load leaves
// it); only an OS crash or power loss mid-load can leave a damaged file. So the load records
// the boot it ran in, and an open from another boot checks the file before going on. The
// load's end syncs everything before it clears its mark.
import { readFileSync } from 'node:fs';
import type { Db } from './db.ts';
import { deleteMeta, readMeta, writeMeta } from './meta.ts';
import { LoregraphError } from '../domain/errors.ts';

const META_KEY = 'deferred_indexes';
const BOOT_KEY = 'bulk_load_boot';

/** This boot of the machine (Linux), or null where unknown: then every later open checks. */
function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

interface HeldIndex {
  name: string;
  /** As sqlite_master kept it before the drop. */
  sql: string;
  /** Built after the end-of-run passes, not before them (PASS_WRITTEN). */
  afterPasses?: boolean;
}

/** The indexes a bulk load is holding back, as recorded in meta (none when no load is). */
function heldIndexes(db: Db): HeldIndex[] {
  const value = readMeta(db, META_KEY);
  return value === undefined ? [] : (JSON.parse(value) as HeldIndex[]);
}

/**
 * Written per message on random keys, read only by queries and the end-of-ingest passes.
 * Not here: the indexes threading reads while storing (messages_message_id,
 * message_refs_ref, thread_nodes_parent), the content-hash uniqueness that deduplicates, and
 * indexes whose keys arrive in order (messages_date, trailers_row): appended to, they cost
 * little, while a rebuild of messages_date alone scans the whole messages table (0.35 s at
 * 100,000 messages).
 */
const DEFERRABLE = [
  'messages_from',
  'message_addresses_address',
  'thread_nodes_root',
  'patch_msgs_message_id',
  'patch_msgs_title_key',
  'patch_msgs_patch_id',
  'patch_msgs_newest_patch',
  'patch_msgs_sender',
  'trailers_msg',
  'trailers_target',
  'stable_events_fix',
  'stable_events_branch',
  'stable_events_msg',
  'stable_events_title',
  'stable_events_parent',
];
/** Read by subject threading as messages arrive. */
const SUBJECT_INDEX = 'messages_base_subject';

/**
 * Written by the end-of-run knowledge pass and read by none of it, held back until that
 * pass is done, on a first load only (then the race tables start empty, and no race is
 * deleted, which needs the race_id indexes). Each race adds some 25 rows to these on
 * random keys: at a million generated messages (110,000 races) the pass spent 160 of its
 * 258 s storing races; at 300k, holding these back took that part from 31 to 16 s, and
 * their build after it 0.8 s. Kept: race_threads_root, which the pass reads for the races
 * already stored under a thread.
 */
const PASS_WRITTEN = ['races_last_date', 'race_messages_race', 'race_terms_race', 'race_terms_term', 'race_fixes_race', 'race_fixes_message', 'race_stances_message'];

/** The boot mark of a held-back load that kept its fsyncs: no crash can have damaged it. */
const SYNCED = 'synced';

/**
 * An append of at least this share of the mail already stored (raw bytes) holds the indexes
 * back too: rebuilding them over old and new rows then costs less than keeping them up to
 * date (20,000 generated messages: a rebuild 0.6 s, keeping them 1.5-2 s of writer CPU).
 */
const APPEND_SHARE = 0.5;

/**
 * Raw mail bytes stored, estimated without reading the table: the newest rows' mean size
 * times the highest row id. (The file's size will not do: it is 1.2x the mail for lore's,
 * 4.4x for generated small patches.)
 */
function storedMailBytes(db: Db): number {
  const r = db.sql
    .prepare('SELECT (SELECT MAX(id) FROM messages) AS n, (SELECT AVG(raw_size) FROM (SELECT raw_size FROM messages ORDER BY id DESC LIMIT 1000)) AS mean')
    .get() as { n: number | null; mean: number | null };
  return (r.n ?? 0) * (r.mean ?? 0);
}

/**
 * Drops the deferrable indexes when the database holds no messages yet, or when the mail
 * coming (`incomingBytes`, raw, as far as known before reading) is large against the
 * database; returns whether it did. Call restoreDeferredIndexes when the load is done.
 */
export function deferIndexesForBulkLoad(db: Db, opts: { subjectThreading: boolean; incomingBytes?: number }): boolean {
  if (heldIndexes(db).length > 0) return false;
  const empty = db.sql.prepare('SELECT 1 FROM messages LIMIT 1').get() === undefined;
  if (!empty && (opts.incomingBytes ?? 0) < APPEND_SHARE * storedMailBytes(db)) return false;
  const names = [...DEFERRABLE, ...(opts.subjectThreading ? [] : [SUBJECT_INDEX]), ...(empty ? PASS_WRITTEN : [])];
  if (!holdIndexes(db, names, empty ? (bootId() ?? '') : SYNCED)) return false;
  // After the mark is written (synced as usual): from here on a crash is detectable.
  // Only a first load runs unsynced: an append has the stored rows to lose.
  if (empty) db.sql.pragma('synchronous = OFF');
  return true;
}

/**
 * Holds the race tables' indexes back while the knowledge pass fills them from nothing
 * (`loregraph knowledge --rebuild`), as on a first load: returns whether it did. The writes
 * stay synced. Call restoreDeferredIndexes after the pass.
 */
export function deferRaceIndexes(db: Db): boolean {
  if (heldIndexes(db).length > 0 || db.sql.prepare('SELECT 1 FROM races LIMIT 1').get() !== undefined) return false;
  return holdIndexes(db, PASS_WRITTEN, SYNCED);
}

/** Drops those of the indexes `names` that exist, recording them and the boot mark in meta; whether any was. */
function holdIndexes(db: Db, names: readonly string[], boot: string): boolean {
  const found = (
    db.sql
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name IN (${names.map(() => '?').join(', ')})`)
      .all(...names) as HeldIndex[]
  ).map((h) => (PASS_WRITTEN.includes(h.name) ? { ...h, afterPasses: true } : h));
  if (found.length === 0) return false;
  db.sql.transaction(() => {
    writeMeta(db, META_KEY, JSON.stringify(found));
    writeMeta(db, BOOT_KEY, boot);
    for (const f of found) db.sql.exec(`DROP INDEX "${f.name.replaceAll('"', '""')}"`);
  })();
  return true;
}

/** Whether this connection writes without fsync (a bulk load is running on it). */
export function unsyncedWrites(db: Db): boolean {
  return db.sql.pragma('synchronous', { simple: true }) === 0;
}

/** Back to the usual durability (openDb's synchronous=NORMAL): call when a load stops, however. */
export function endUnsyncedWrites(db: Db): void {
  db.sql.pragma('synchronous = NORMAL');
}

/**
 * A load cut short in an earlier boot may have lost writes the OS never made durable:
 * refuse a file that fails SQLite's quick_check (seconds on a large database, and only then).
 */
function checkAfterCrash(db: Db): void {
  const boot = readMeta(db, BOOT_KEY);
  if (boot === SYNCED) return;
  const now = bootId();
  if (boot !== undefined && boot !== '' && boot === now) return;
  const verdict = db.sql.pragma('quick_check(1)', { simple: true });
  if (verdict !== 'ok') {
    throw new LoregraphError(
      'DB_DAMAGED',
      `database ${db.path} was damaged by a crash during its first load (quick_check: ${String(verdict).replace(/\s+/g, ' ')}): delete it and run the ingest again`,
    );
  }
}

/**
 * Builds the indexes a bulk load dropped (if any), and makes the load durable; returns how
 * many. `beforePasses`: only those the end-of-run passes read; the rest stay held (and
 * recorded) until a call without it, after the passes, or the next writable open.
 */
export function restoreDeferredIndexes(db: Db, opts: { beforePasses?: boolean } = {}): number {
  // openDb runs this on every database, including test schemas without a meta table
  if (db.sql.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get() === undefined) return 0;
  const all = heldIndexes(db);
  const held = opts.beforePasses ? all.filter((h) => !h.afterPasses) : all;
  const later = opts.beforePasses ? all.filter((h) => h.afterPasses) : [];
  // This connection's own load may find its indexes already built (another writable open
  // restores them): its writes still need the sync below.
  const unsynced = unsyncedWrites(db);
  if (held.length === 0 && !unsynced) return 0;
  if (all.length > 0) checkAfterCrash(db);
  // Synced from here: the checkpoints of the index build fsync the database file, which
  // takes the unsynced checkpoints of the load along; the explicit one covers a small load.
  endUnsyncedWrites(db);
  if (held.length > 0) {
    db.sql.transaction(() => {
      // IF NOT EXISTS: another writer may have rebuilt some of them already
      for (const h of held) db.sql.exec(h.sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS '));
    })();
  }
  db.sql.pragma('wal_checkpoint(PASSIVE)');
  if (later.length > 0) {
    // synced from here on: a crash now cannot damage the file, only leave these to build
    writeMeta(db, META_KEY, JSON.stringify(later));
    writeMeta(db, BOOT_KEY, SYNCED);
  } else if (all.length > 0) deleteMeta(db, META_KEY, BOOT_KEY);
  return held.length;
}

/** Names of the indexes a bulk load is holding back (empty when none). */
export function deferredIndexes(db: Db): string[] {
  return heldIndexes(db).map((h) => h.name);
}
