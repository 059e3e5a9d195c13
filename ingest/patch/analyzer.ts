// The patches analyzer: per-message analysis in the parse worker, its rows in the ingest
// transaction, and the cross-message passes (follow-up trailers, series, stable fixes)
// once at the end of the run.
import type { Analyzer } from '../analyzer.ts';
import type { Db } from '../../db/connection.ts';
import { analyzePatchMessage, type PatchAnalysis } from './analyze.ts';
import { storePatchAnalysis } from '../../db/patches.ts';
import { rebuildSeries, resolveFollowupTrailers } from '../../db/series.ts';
import { resolveStable } from '../../db/stable.ts';

// Databases that got new patch rows since their last finish: an ingest that stored
// nothing new (a re-run over the same archive) leaves series and fixes as they are.
const changed = new WeakSet<Db>();

export const patchAnalyzer: Analyzer<PatchAnalysis> = {
  name: 'patches',
  analyze: (msg) => analyzePatchMessage(msg),
  store(db, ref, result, msg) {
    if (!result) return;
    storePatchAnalysis(db, ref.rowId, msg, result);
    changed.add(db);
  },
  finish(db) {
    if (!changed.has(db)) return;
    resolveFollowupTrailers(db);
    rebuildSeries(db);
    resolveStable(db);
    changed.delete(db);
  },
};
