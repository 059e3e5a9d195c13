// The analyzers every ingest runs, in order. Add yours here.
import type { Analyzer } from './analyzer.ts';
import { searchIndexAnalyzer } from './search-index.ts';
import { patchAnalyzer } from './patch-analyzer.ts';
import { knowledgeAnalyzer } from './knowledge-analyzer.ts';

// knowledge after patches: its end-of-run pass reads the series the patches pass rebuilds
export const ANALYZERS: Analyzer[] = [searchIndexAnalyzer as Analyzer, patchAnalyzer as Analyzer, knowledgeAnalyzer as Analyzer];
