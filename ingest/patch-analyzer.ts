// The patches analyzer: per-message analysis in the parse worker, its rows in the ingest
// transaction, and the cross-message passes (follow-up trailers, series, stable fixes)
// once at the end of the run.
import type { Analyzer } from './analyzer.ts';
import { patchAnalysisOf } from './patch-analysis.ts';
import { patchMsgRow, type PatchMsgRow } from '../domain/patch/patch-row.ts';
import { markPatchWorkDone, pendingPatchWork, storePatchRow } from '../db/patches.ts';
import { rebuildSeries, resolveFollowupTrailers } from '../db/series.ts';
import { resolveStable } from '../db/stable.ts';

export const patchAnalyzer: Analyzer<PatchMsgRow> = {
  name: 'patches',
  analyze(msg) {
    const a = patchAnalysisOf(msg);
    return a ? patchMsgRow(msg, a) : undefined;
  },
  store(db, ref, row) {
    if (row) storePatchRow(db, ref.rowId, row);
  },
  finish(db) {
    // Nothing new (a re-run over an archive already ingested): series and fixes stand.
    // Rows a killed run stored are past the mark, so the next run's passes cover them.
    const work = pendingPatchWork(db);
    if (work.rows === 0) return;
    // Each pass runs only when the new rows can change its result: series are rebuilt from
    // every patch and cover (seconds on a large archive), which a run that brought only
    // replies or stable mail does not need.
    if (work.trailers || work.seriesMembers) resolveFollowupTrailers(db);
    if (work.seriesMembers) rebuildSeries(db);
    if (work.stableEvents || work.seriesMembers) resolveStable(db);
    markPatchWorkDone(db, work.upto);
  },
};
