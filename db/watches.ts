// Saved searches and how far each was last read (db/migrations/010_watches.sql).
import type { Db } from './connection.ts';
import { LoregraphError } from '../domain/errors.ts';

export interface Watch {
  name: string;
  query: string;
  /** ms since the epoch. */
  createdAt: number;
  /** The highest messages.id the last `watch up` had read; 0 before the first run. */
  seenRow: number;
  lastRunAt: number | null;
}

interface Row {
  name: string;
  query: string;
  created_at: number;
  seen_row: number;
  last_run_at: number | null;
}

const toWatch = (r: Row): Watch => ({ name: r.name, query: r.query, createdAt: r.created_at, seenRow: r.seen_row, lastRunAt: r.last_run_at });

export function addWatch(db: Db, name: string, query: string, now: number): Watch {
  if (getWatchOrNull(db, name)) throw new LoregraphError('USAGE', `a saved search named '${name}' exists already (watch rm ${name} first)`);
  db.sql.prepare('INSERT INTO watches (name, query, created_at) VALUES (?, ?, ?)').run(name, query, now);
  return getWatch(db, name);
}

export function removeWatch(db: Db, name: string): void {
  if (db.sql.prepare('DELETE FROM watches WHERE name = ?').run(name).changes === 0) throw new LoregraphError('NOT_FOUND', `no saved search named '${name}'`);
}

export function listWatches(db: Db): Watch[] {
  return (db.sql.prepare('SELECT * FROM watches ORDER BY name').all() as Row[]).map(toWatch);
}

function getWatchOrNull(db: Db, name: string): Watch | null {
  const r = db.sql.prepare('SELECT * FROM watches WHERE name = ?').get(name) as Row | undefined;
  return r ? toWatch(r) : null;
}

export function getWatch(db: Db, name: string): Watch {
  const w = getWatchOrNull(db, name);
  if (!w) throw new LoregraphError('NOT_FOUND', `no saved search named '${name}'`);
  return w;
}

/** Records that a run read every row up to `row`. */
export function markWatchRead(db: Db, name: string, row: number, now: number): void {
  db.sql.prepare('UPDATE watches SET seen_row = MAX(seen_row, ?), last_run_at = ? WHERE name = ?').run(row, now, name);
}

/** The highest messages.id stored: what a run reads up to. */
export function newestRow(db: Db): number {
  return (db.sql.prepare('SELECT COALESCE(MAX(id), 0) FROM messages').pluck().get() as number) ?? 0;
}
