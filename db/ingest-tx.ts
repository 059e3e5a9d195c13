// A transaction around ingest work, so layers outside db/ never touch the handle.
import type { Db } from './connection.ts';

export function runInTransaction<T>(db: Db, fn: () => T): T {
  return db.sql.transaction(fn)();
}

/**
 * Runs `fn` (the load, batch by batch) with SQLite's temporary files in memory. Each row
 * insert that may fail half-way (a foreign key, a NOT NULL) keeps the pages it changes in a
 * statement journal, spilled to a temporary file past 64 KiB: four of our 16 KiB pages. At
 * 100,000 generated messages that was 4 of the load's 7.2 GB of writes and half its system
 * CPU (8.0 -> 4.5 s). Only for the load, whose statements each touch a few pages: an index
 * build or an end-of-run pass would sort or journal in memory what it should spill.
 */
export async function withTempInMemory<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const restore = setForNow(db, 'temp_store', 'MEMORY');
  try {
    return await fn();
  } finally {
    restore();
  }
}

/**
 * SQLite's page cache for the index builds and end-of-run passes (better-sqlite3's default:
 * 16 MB). The passes look rows up by title, sender and thread all over tables that outgrow
 * 16 MB between 100,000 and 300,000 messages, and read those pages from the OS again and
 * again: the knowledge pass read 162,049 pages at 100k and 698,621 at 300k (4.3x for 3x).
 * Its run over a stored 300k database: 46.8 s of CPU and 49.8 s wall at 16 MB (peak 274 MB),
 * 41.9 and 38.3 s at 32 MB (285 MB), 41.8 and 38.4 s at 64 MB (356 MB). A 1M ingest with
 * 64 MB took its passes from 215 to 190 s, and its peak from 319 to 407 MB. Not for the
 * load, whose random inserts would fill it with pages each batch touches once.
 */
export const PASS_CACHE_MIB = 32;

/** Runs `fn` with SQLite's page cache at `mib` MiB, then gives the memory back. */
export function withPageCache<T>(db: Db, mib: number, fn: () => T): T {
  // shrinking the setting back frees the pages above it
  const restore = setForNow(db, 'cache_size', -mib * 1024);
  try {
    return fn();
  } finally {
    restore();
  }
}

/** Sets a connection's PRAGMA `name` to `value`; returns what sets it back as it was. */
function setForNow(db: Db, name: 'temp_store' | 'cache_size', value: string | number): () => void {
  const before = db.sql.pragma(name, { simple: true }) as number;
  db.sql.pragma(`${name} = ${value}`);
  return () => void db.sql.pragma(`${name} = ${before}`);
}
