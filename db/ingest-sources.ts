// Archives given to ingest, and how far each got: the resume point after a kill.
import { resolve } from 'node:path';
import type { Db } from './connection.ts';

export interface SourceRow {
  id: number;
  path: string;
  kind: string;
  bytes: number;
  doneIndex: number;
  doneOffset: number;
  doneHash: string | null;
  completed: boolean;
}

/** Sources are identified by absolute path, so a resume works whatever the cwd was. */
export function upsertSource(db: Db, path: string, kind: string, bytes: number): SourceRow {
  path = resolve(path);
  db.sql
    .prepare(`INSERT INTO sources (path, kind, bytes, updated_at) VALUES (?, ?, ?, ?)
              ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, bytes = excluded.bytes`)
    .run(path, kind, bytes, Date.now());
  return getSource(db, path) as SourceRow;
}

export function getSource(db: Db, path: string): SourceRow | undefined {
  path = resolve(path);
  const r = db.sql
    .prepare('SELECT id, path, kind, bytes, done_index, done_offset, done_hash, completed FROM sources WHERE path = ?')
    .get(path) as { id: number; path: string; kind: string; bytes: number; done_index: number; done_offset: number; done_hash: string | null; completed: number } | undefined;
  if (!r) return undefined;
  return { id: r.id, path: r.path, kind: r.kind, bytes: r.bytes, doneIndex: r.done_index, doneOffset: r.done_offset, doneHash: r.done_hash, completed: r.completed === 1 };
}

/** Called inside the batch transaction, so the resume point and the batch commit together. */
export function markSourceProgress(db: Db, sourceId: number, index: number, offset: number, hash: string): void {
  db.sql
    .prepare('UPDATE sources SET done_index = ?, done_offset = ?, done_hash = ?, updated_at = ? WHERE id = ? AND done_index < ?')
    .run(index, offset, hash, Date.now(), sourceId, index);
}

export function markSourceCompleted(db: Db, sourceId: number, completed: boolean): void {
  db.sql.prepare('UPDATE sources SET completed = ?, updated_at = ? WHERE id = ?').run(completed ? 1 : 0, Date.now(), sourceId);
}

/** Forget the resume point (the archive changed under us): everything is re-read and deduplicated by hash. */
export function resetSourceProgress(db: Db, sourceId: number): void {
  db.sql.prepare('UPDATE sources SET done_index = -1, done_offset = -1, done_hash = NULL, completed = 0 WHERE id = ?').run(sourceId);
}

export function countSources(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(*) AS n FROM sources').get() as { n: number }).n;
}

/** What one source contributed: stored copies and recorded errors. */
export function sourceCounts(db: Db, path: string): { messages: number; errors: number } {
  const src = getSource(db, path);
  if (!src) return { messages: 0, errors: 0 };
  const n = (sql: string) => (db.sql.prepare(sql).get(src.id) as { n: number }).n;
  return {
    messages: n('SELECT COUNT(*) AS n FROM messages WHERE source_id = ?'),
    errors: n('SELECT COUNT(*) AS n FROM ingest_errors WHERE source_id = ?'),
  };
}
