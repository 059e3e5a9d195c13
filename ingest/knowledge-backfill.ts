// Knowledge for messages stored without it: rows from before migration 008, or all rows
// again after the extraction changed (`loregraph knowledge --rebuild`). Reads the stored
// columns (no re-parse of raw mail) and runs the same analysis the parse worker runs.
import type { Db } from '../db/connection.ts';
import { storeMessageKnowledge } from '../db/knowledge.ts';
import { rowsWithoutKnowledge } from '../db/knowledge-threads.ts';
import { getStoredMessage } from '../db/message-view.ts';
import { analyzeKnowledge } from '../domain/knowledge/message.ts';
import type { ParsedMessage } from '../domain/message.ts';
import { patchAnalysisOf } from './patch-analysis.ts';
import { knowledgeRow } from './knowledge-row.ts';

const BATCH = 500;

/**
 * Analyses every row in (after, upto] that has no knowledge row; returns how many. Call in
 * a transaction, or pass `inTransaction` to commit batch by batch.
 */
export function backfillKnowledge(db: Db, after: number, upto: number, opts: { inTransaction?: (f: () => void) => void; onProgress?: (n: number) => void } = {}): number {
  let done = 0;
  let from = after;
  const run = opts.inTransaction ?? ((f: () => void) => f());
  for (;;) {
    const rows = rowsWithoutKnowledge(db, from, upto, BATCH);
    if (rows.length === 0) return done;
    run(() => {
      for (const rowId of rows) {
        const stored = getStoredMessage(db, rowId);
        if (!stored) continue;
        const msg: ParsedMessage = { ...stored, dateSource: stored.date === null ? 'none' : 'date' };
        try {
          const patch = patchAnalysisOf(msg);
          storeMessageKnowledge(db, rowId, knowledgeRow(analyzeKnowledge(msg, patch), patch));
        } catch {
          // as on the parse worker: a message the analysis cannot read keeps no knowledge, the rest go on
        }
      }
    });
    done += rows.length;
    from = rows.at(-1) as number;
    opts.onProgress?.(done);
  }
}
