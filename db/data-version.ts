// What says "the database may hold something else now": SQLite's data_version moves when
// another connection (an ingest in another process, say) commits, total_changes() when
// this connection writes. A value kept beside a cached answer, to know it is still the answer.
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

const statements = new WeakMap<Db, Statement>();

/** Equal between two calls only when no connection committed a change in between. */
export function dataVersion(db: Db): string {
  let s = statements.get(db);
  if (!s) statements.set(db, (s = db.sql.prepare('SELECT data_version AS v, total_changes() AS c FROM pragma_data_version').raw()));
  const [v, c] = s.get() as [number, number];
  return `${v}.${c}`;
}
