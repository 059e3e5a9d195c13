// The knowledge thread pass, at the end of an ingest (or of `loregraph knowledge
// --rebuild`): the threads new mail touched, grown to their families (db/knowledge-threads.ts),
// read as the pure assembler's input, and their race records replaced. Runs inside the
// caller's transaction: killed half-way, it leaves the old records and the mark where they
// were, so the next run repeats it and ends as one clean run would.
import type { Db } from '../db/connection.ts';
import { replaceRaces } from '../db/knowledge.ts';
import { knowledgeWork, markKnowledgeDone, pendingKnowledgeThreads, threadFamilies, threadInput } from '../db/knowledge-threads.ts';
import { assembleRaces } from '../domain/knowledge/races.ts';
import type { RaceRecord } from '../domain/knowledge/types.ts';
import { backfillKnowledge } from './knowledge-backfill.ts';

/** Threads handed to the assembler at once: whole families, about this many threads. */
const THREADS_PER_CALL = 300;

export interface KnowledgePassResult {
  /** Stored rows analysed here because ingest had not (a database from before the knowledge layer). */
  backfilled: number;
  /** Threads re-assembled. */
  threads: number;
  races: number;
}

export function runKnowledgePass(db: Db): KnowledgePassResult {
  const work = knowledgeWork(db);
  const backfilled = work.backfillUpto > 0 ? backfillKnowledge(db, 0, work.backfillUpto) : 0;
  // after a backfill every thread is new to the pass
  const after = work.backfillUpto > 0 ? 0 : work.after;
  if (work.upto <= after) {
    if (work.backfillUpto > 0) markKnowledgeDone(db, work.upto);
    return { backfilled, threads: 0, races: 0 };
  }
  const seeds = pendingKnowledgeThreads(db, after);
  const families = threadFamilies(db, seeds);
  const races: RaceRecord[] = [];
  let batch: string[] = [];
  const assemble = (): void => {
    if (batch.length === 0) return;
    // one thread's input at a time would do too; a batch keeps each family in one call
    for (const r of assembleRaces(batch.map((root) => threadInput(db, root)))) races.push(r);
    batch = [];
  };
  for (const f of families) {
    if (batch.length + f.length > THREADS_PER_CALL) assemble();
    for (const root of f) batch.push(root);
  }
  assemble();
  const roots = [...new Set([...seeds, ...families.flat()])];
  replaceRaces(db, roots, races);
  markKnowledgeDone(db, work.upto);
  return { backfilled, threads: roots.length, races: races.length };
}
