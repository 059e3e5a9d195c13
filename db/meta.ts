// The meta table: one value per key for what the database records about itself (a bulk
// load in progress, where the end-of-run passes stopped, an index to rebuild).
import type { Db } from './db.ts';

export function readMeta(db: Db, key: string): string | undefined {
  return db.sql.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
}

export function writeMeta(db: Db, key: string, value: string): void {
  db.sql.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
}

export function deleteMeta(db: Db, ...keys: string[]): void {
  for (const key of keys) db.sql.prepare('DELETE FROM meta WHERE key = ?').run(key);
}
