// The knowledge thread pass, at the end of an ingest (or of `loregraph knowledge
// --rebuild`): the threads new mail touched, grown to their families (db/knowledge-threads.ts),
// read as the pure assembler's input, and their race records replaced. Runs inside the
// caller's transaction: killed half-way, it leaves the old records and the mark where they
// were, so the next run repeats it and ends as one clean run would.
import type { Db } from '../db/connection.ts';
import { replaceRaces } from '../db/knowledge.ts';
import { fillKnowledgeKeys, knowledgeWork, markKnowledgeDone, pendingKnowledgeThreads, threadFamilies, threadInput } from '../db/knowledge-threads.ts';
import { assembleRaces } from '../domain/knowledge/races.ts';
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
  // the new rows' family keys first: the closure below looks them up (an upgraded database,
  // its mark reset by migration 014, gets every row's here)
  fillKnowledgeKeys(db, after, work.upto);
  const seeds = pendingKnowledgeThreads(db, after);
  const families = threadFamilies(db, seeds);
  // Seeds in no family (no knowledge left in them) lose whatever race was stored for them.
  // First: such a race may also span a family below, whose batch may store it anew.
  const placed = new Set(families.flat());
  const unplaced = seeds.filter((root) => !placed.has(root));
  replaceRaces(db, unplaced, []);
  // Each batch is replaced as soon as it is assembled, so the pass holds one batch's races,
  // not the archive's (at a million messages, holding them all set the ingest's memory
  // peak). A batch is whole families, and a race's threads with knowledge all lie in one
  // family (threadFamilies follows stored races), so no batch touches another's races.
  let races = 0;
  let batch: string[] = [];
  const assemble = (): void => {
    if (batch.length === 0) return;
    const found = assembleRaces(batch.map((root) => threadInput(db, root)));
    replaceRaces(db, batch, found);
    races += found.length;
    batch = [];
  };
  for (const f of families) {
    if (batch.length + f.length > THREADS_PER_CALL) assemble();
    for (const root of f) batch.push(root);
  }
  assemble();
  markKnowledgeDone(db, work.upto);
  return { backfilled, threads: placed.size + unplaced.length, races };
}
