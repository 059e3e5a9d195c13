// What says "the database may hold something else now": SQLite's data_version moves when
// another connection (an ingest in another process, say) commits, total_changes() when
// this connection writes. A value kept beside a cached answer, to know it is still the answer.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';
import { schemaVersion } from './connection.ts';

const statements = new WeakMap<Db, Statement>();

/**
 * The same readings taken elsewhere. A served database is watched by a thread of its own
 * (server/db-watch.ts), so that the thread answering HTTP asks no SQLite per request: a
 * read there waits on a concurrent ingest's WAL locks and stalled every route under load.
 */
export interface DatabaseWatch {
  /** Changes (within the watch's poll interval) whenever a connection commits. */
  dataVersion(): string;
  /** The schema version last read; throws when the database stopped being readable. */
  schemaVersion(): number;
}

const watches = new WeakMap<Db, DatabaseWatch>();

/** Answers dataVersion and watchedSchemaVersion for `db` from `watch` (null: from SQLite again). */
export function useDatabaseWatch(db: Db, watch: DatabaseWatch | null): void {
  if (watch) watches.set(db, watch);
  else watches.delete(db);
}

/** Equal between two calls only when no connection committed a change in between (a watched database: a poll interval before). */
export function dataVersion(db: Db): string {
  const w = watches.get(db);
  if (w) return w.dataVersion();
  let s = statements.get(db);
  if (!s) statements.set(db, (s = db.sql.prepare('SELECT data_version AS v, total_changes() AS c FROM pragma_data_version').raw()));
  const [v, c] = s.get() as [number, number];
  return `${v}.${c}`;
}

/** The schema version, from the database's watch when it has one, else read now. */
export function watchedSchemaVersion(db: Db): number {
  const w = watches.get(db);
  return w ? w.schemaVersion() : schemaVersion(db);
}
