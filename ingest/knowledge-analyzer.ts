// The knowledge analyzer: a message's reply structure and what it says about races,
// fixes and stances, read on the parse worker (domain/knowledge/message.ts) from the same
// patch analysis the patches analyzer uses; its row written in the ingest transaction;
// and, at the end of the run, the thread pass over the threads new mail touched. Runs
// after the patches analyzer, whose series the pass reads.
import type { Analyzer } from './analyzer.ts';
import { storeMessageKnowledge, type KnowledgeRow } from '../db/knowledge.ts';
import { analyzeKnowledge } from '../domain/knowledge/message.ts';
import { patchAnalysisOf, subjectOf } from './patch-analysis.ts';
import { knowledgeRow } from './knowledge-row.ts';
import { runKnowledgePass } from './knowledge-pass.ts';

export const knowledgeAnalyzer: Analyzer<KnowledgeRow> = {
  name: 'knowledge',
  analyze(msg) {
    const patch = patchAnalysisOf(msg);
    return knowledgeRow(analyzeKnowledge(msg, patch, subjectOf(msg)), patch);
  },
  store(db, ref, row) {
    // Every message's row marks it for the thread pass (rows past the pass's mark); a
    // message whose analysis failed (noted on it) has none, and its structure is re-derived.
    if (row) storeMessageKnowledge(db, ref.rowId, row);
  },
  finish(db) {
    runKnowledgePass(db);
  },
};
