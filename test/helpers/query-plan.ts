import { closeDb, openDb } from '../../db/connection.ts';

/** The query plan of a statement, one line per step, on a fresh database with the current schema. */
export function planOf(query: string): string[] {
  const db = openDb(':memory:');
  try {
    const params = Array.from(query.matchAll(/\?/g), () => 'x');
    return (db.sql.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  } finally {
    closeDb(db);
  }
}
