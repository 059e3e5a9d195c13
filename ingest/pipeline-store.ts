// The writer half of ingest: one batch of processed messages into the database, in one
// transaction with threading, every analyzer's `store` and the source's resume point.
import type { Db } from '../db/connection.ts';
import { insertMessage } from '../db/messages.ts';
import { rawPacker } from '../db/raw-packs.ts';
import { threadMessages, type ThreadInput } from '../db/threads.ts';
import { recordIngestError } from '../db/ingest-errors.ts';
import { markSourceProgress } from '../db/ingest-sources.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import type { Analyzer } from './analyzer.ts';
import type { Processed } from './pipeline-process.ts';

export interface BatchCounts {
  stored: number;
  duplicate: number;
  malformed: number;
  lenient: number;
}

export interface StoreOptions {
  subjectThreading?: boolean;
  analyzers?: readonly Analyzer[];
}

export function storeBatch(db: Db, sourceId: number | null, batch: readonly Processed[], opts: StoreOptions = {}): BatchCounts {
  const analyzers = opts.analyzers ?? [];
  return runInTransaction(db, () => {
    const counts: BatchCounts = { stored: 0, duplicate: 0, malformed: 0, lenient: 0 };
    const threadInputs: ThreadInput[] = [];
    const stored: { rowId: number; r: Extract<Processed, { ok: true }> }[] = [];
    const packer = rawPacker(db);
    for (const r of batch) {
      if (!r.ok) {
        if (recordIngestError(db, sourceId, r.position, r.reason, r.raw, r.hash)) counts.malformed++;
        else counts.duplicate++;
        continue;
      }
      const m = r.message;
      // consecutive stored messages share a compressed pack: a pack is cut by the batch, which
      // is the same run of the archive whatever the number of parse workers
      const rowId = insertMessage(db, m, { data: r.stored.data, codec: null, size: r.stored.size, envelope: r.envelope, position: r.position }, sourceId, packer);
      if (rowId === null) {
        counts.duplicate++;
        continue;
      }
      counts.stored++;
      if (m.lenientJson !== null) counts.lenient++;
      threadInputs.push({ messageId: m.messageId, chain: m.chain, subject: m.subject, base: m.baseSubject, isReply: m.isReply });
      stored.push({ rowId, r });
    }
    packer.finish();
    threadMessages(db, threadInputs, { subjectThreading: opts.subjectThreading ?? false });
    // One analyzer at a time, after every other write: FTS5 flushes its pending terms to a
    // new segment whenever another statement opens a savepoint, so interleaving the
    // full-text inserts with row inserts wrote one tiny segment per message (2x the cost).
    for (const a of analyzers) {
      for (const { rowId, r } of stored) a.store(db, { rowId, messageId: r.message.messageId }, r.analysis[a.name], r.message);
    }
    const last = batch.at(-1);
    if (last && sourceId !== null) markSourceProgress(db, sourceId, last.position.index, last.position.offset, last.ok ? last.message.contentHash : last.hash);
    return counts;
  });
}

/** Runs every analyzer's `finish` in one transaction (cross-message work after a run). */
export function finishAnalyzers(db: Db, analyzers: readonly Analyzer[]): void {
  const finishers = analyzers.filter((a) => a.finish);
  if (finishers.length > 0) runInTransaction(db, () => finishers.forEach((a) => a.finish?.(db)));
}
