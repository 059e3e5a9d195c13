// Rebuilding the full-text index from stored messages (`loregraph reindex`): after a
// change to the extraction or the tokenizer, or to repair an index. Reads the columns
// ingest stored (no re-parse of raw mail), in batches, one transaction per batch so a
// long rebuild does not hold the write lock for minutes.
import type { Db } from '../db/connection.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import { clearSearchIndex, indexSourceRows, insertSearchDoc, markSearchIndexCurrent, optimizeSearchIndex } from '../db/search.ts';
import { extractSearchDoc } from '../domain/search/extract.ts';

export interface ReindexProgress {
  indexed: number;
  elapsedMs: number;
}

export function rebuildSearchIndex(db: Db, opts: { batchSize?: number; onProgress?: (p: ReindexProgress) => void } = {}): ReindexProgress {
  const t0 = performance.now();
  const batchSize = opts.batchSize ?? 2000;
  let indexed = 0;
  let after = 0;
  runInTransaction(db, () => clearSearchIndex(db));
  for (;;) {
    const rows = indexSourceRows(db, after, batchSize);
    if (rows.length === 0) break;
    runInTransaction(db, () => {
      for (const r of rows) {
        const from = r.fromName === null && r.fromAddress === null ? null : { name: r.fromName ?? '', address: r.fromAddress ?? '' };
        insertSearchDoc(db, r.rowId, extractSearchDoc({ subject: r.subject, from, to: r.to, cc: r.cc, listId: r.listId, body: r.body }));
      }
    });
    indexed += rows.length;
    after = (rows.at(-1) as { rowId: number }).rowId;
    opts.onProgress?.({ indexed, elapsedMs: performance.now() - t0 });
  }
  optimizeSearchIndex(db);
  markSearchIndexCurrent(db);
  return { indexed, elapsedMs: performance.now() - t0 };
}
