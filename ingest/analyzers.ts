// The analyzers every ingest runs, in order. Add yours here.
import type { Analyzer } from './analyzer.ts';

export const ANALYZERS: Analyzer[] = [];
