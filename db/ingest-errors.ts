// Messages ingest could not store, with the reason and where they are; recorded once per
// distinct input (raw_hash) so reruns add nothing.
import { createHash } from 'node:crypto';
import type { Db } from './connection.ts';
import type { SourcePosition } from '../domain/message.ts';

export interface IngestErrorRow {
  id: number;
  source: string;
  index: number | null;
  offset: number | null;
  reason: string;
  rawSize: number | null;
  /** sha256 of the input (of all of it, for an oversized message whose raw is only its head). */
  rawHash: string;
}

/**
 * `hash` names the input when `raw` is not all of it (an oversized message keeps only its
 * head); by default it is the sha256 of `raw`, or of the position and reason without one.
 */
export function recordIngestError(db: Db, sourceId: number | null, position: SourcePosition, reason: string, raw: Uint8Array | null, hash?: string): boolean {
  hash ??= createHash('sha256')
    .update(raw ?? Buffer.from(`${JSON.stringify(position)}\n${reason}`))
    .digest('hex');
  const info = db.sql
    .prepare(`INSERT OR IGNORE INTO ingest_errors (source_id, source_offset, source_index, position, reason, raw, raw_hash, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(sourceId, position.offset, position.index, JSON.stringify(position), reason, raw, hash, Date.now());
  return info.changes > 0;
}

export function listIngestErrors(db: Db, limit = 100): IngestErrorRow[] {
  const rows = db.sql
    .prepare('SELECT id, position, source_index, source_offset, reason, length(raw) AS size, raw_hash FROM ingest_errors ORDER BY id LIMIT ?')
    .all(limit) as { id: number; position: string; source_index: number | null; source_offset: number | null; reason: string; size: number | null; raw_hash: string }[];
  return rows.map((r) => ({
    id: r.id,
    source: (JSON.parse(r.position) as SourcePosition).source,
    index: r.source_index,
    offset: r.source_offset,
    reason: r.reason,
    rawSize: r.size,
    rawHash: r.raw_hash,
  }));
}

export function countIngestErrors(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(*) AS n FROM ingest_errors').get() as { n: number }).n;
}
