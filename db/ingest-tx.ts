// A transaction around ingest work, so layers outside db/ never touch the handle.
import type { Db } from './connection.ts';

export function runInTransaction<T>(db: Db, fn: () => T): T {
  return db.sql.transaction(fn)();
}
