// The analyzers every ingest runs, in order. Add yours here.
import type { Analyzer } from './analyzer.ts';
import { searchIndexAnalyzer } from './search-index.ts';
import { patchAnalyzer } from './patch-analyzer.ts';

export const ANALYZERS: Analyzer[] = [searchIndexAnalyzer as Analyzer, patchAnalyzer as Analyzer];
