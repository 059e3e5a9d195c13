// `loregraph knowledge`: bring the knowledge graph up to date without new mail (a database
// from before it existed), or --rebuild it from the stored messages after the extraction
// changed. The per-message analysis commits batch by batch; the thread pass in one transaction.
import type { Db } from '../db/connection.ts';
import { deferRaceIndexes, restoreDeferredIndexes } from '../db/bulk-load.ts';
import { PASS_CACHE_MIB, runInTransaction, withPageCache } from '../db/ingest-tx.ts';
import { clearKnowledgeForRebuild, knowledgeWork } from '../db/knowledge-threads.ts';
import { backfillKnowledge } from './knowledge-backfill.ts';
import { runKnowledgePass, type KnowledgePassResult } from './knowledge-pass.ts';

export interface KnowledgeRebuildOptions {
  /** Forget everything and analyse every stored message again. */
  rebuild?: boolean;
  onProgress?: (analysed: number, total: number) => void;
}

export function updateKnowledge(db: Db, opts: KnowledgeRebuildOptions = {}): KnowledgePassResult & { elapsedMs: number } {
  const t0 = performance.now();
  if (opts.rebuild) runInTransaction(db, () => clearKnowledgeForRebuild(db));
  const work = knowledgeWork(db);
  // The backfill mark stays until the pass below clears it: a run cut short resumes here.
  const backfilled =
    work.backfillUpto > 0
      ? backfillKnowledge(db, 0, work.backfillUpto, {
          inTransaction: (f) => runInTransaction(db, f),
          onProgress: (n) => opts.onProgress?.(n, work.backfillUpto),
        })
      : 0;
  // with no race stored (a rebuild, a database from before the knowledge graph) the pass
  // stores every race: their indexes are built once after it
  const held = deferRaceIndexes(db);
  const pass = withPageCache(db, PASS_CACHE_MIB, () => {
    const p = runInTransaction(db, () => runKnowledgePass(db));
    if (held) restoreDeferredIndexes(db);
    return p;
  });
  return { ...pass, backfilled: backfilled + pass.backfilled, elapsedMs: performance.now() - t0 };
}
