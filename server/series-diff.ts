// A range-diff between two versions of a series, for `loregraph diff` and
// GET /api/series/:mid/diff: patches matched by patch-id, then subject
// (domain/patch/range-diff.ts), the interdiff of each changed pair from git (./interdiff.ts).
import type { Db } from '../db/connection.ts';
import { loadMail, pickVersion } from '../db/series-mails.ts';
import { getSeries, type SeriesVersionView, type SeriesView } from '../db/series.ts';
import { LoregraphError } from '../domain/errors.ts';
import { matchVersions, patchText, type RangePatch, type RangeStatus } from '../domain/patch/range-diff.ts';
import { interdiffs } from './interdiff.ts';

export interface RangeSide {
  index: number;
  messageId: string;
  subject: string;
}

export interface RangeDiffPair {
  from: RangeSide | null;
  to: RangeSide | null;
  status: RangeStatus;
  match: 'patch-id' | 'subject' | null;
  /** Unified diff of the two patch texts (commit message and diff); '' unless changed. */
  interdiff: string;
}

export interface RangeDiffView {
  title: string;
  from: string;
  to: string;
  pairs: RangeDiffPair[];
}

/** "2..3", "2..", "..3" or "3" (against the version before it); none: the newest against the one before. */
export function versionsOf(series: SeriesView, range: string | undefined): [SeriesVersionView, SeriesVersionView] {
  const r = (range ?? '').trim();
  // either side may be a partial re-roll's "5.1"
  const m = /^([^.]*(?:\.\d+)?)\.\.([^.]*(?:\.\d+)?)$/.exec(r);
  if (r !== '' && !m && !/^v?\d+(\.\d+)?$/i.test(r)) throw new LoregraphError('USAGE', `bad version range '${r}' (want A..B, e.g. 1..3)`);
  const toWanted = m ? m[2] || undefined : r || undefined;
  const to = pickVersion(series, toWanted);
  let from: SeriesVersionView | undefined;
  if (m?.[1]) from = pickVersion(series, m[1]);
  else from = series.versions[series.versions.indexOf(to) - 1];
  if (!from) throw new LoregraphError('NOT_FOUND', `"${series.title}" has no version before v${to.version} to compare with`);
  return [from, to];
}

// Only the two versions' patch mails: the replies and other versions of the threads have nothing to say here.
function sideOf(db: Db, v: SeriesVersionView): RangePatch[] {
  return v.patches.flatMap((p) => {
    const m = loadMail(db, p.messageId)?.mail;
    return m ? [{ index: p.index, messageId: p.messageId, subject: m.subject, body: m.body }] : [];
  });
}

const sideView = (x: RangePatch | null): RangeSide | null => (x ? { index: x.index, messageId: x.messageId, subject: x.subject } : null);

export async function seriesRangeDiff(db: Db, messageId: string, range?: string): Promise<RangeDiffView> {
  const series = getSeries(db, messageId);
  const [from, to] = versionsOf(series, range);
  const matched = matchVersions(sideOf(db, from), sideOf(db, to));
  const texts = await interdiffs(
    matched.map((p) =>
      p.status === 'changed' && p.from && p.to
        ? { older: patchText(p.from), newer: patchText(p.to), labels: [`v${from.version} ${p.from.index}`, `v${to.version} ${p.to.index}`] }
        : { older: '', newer: '', labels: ['', ''] },
    ),
  );
  const pairs = matched.map((p, i): RangeDiffPair => ({ from: sideView(p.from), to: sideView(p.to), status: p.status, match: p.match, interdiff: texts[i] ?? '' }));
  return { title: series.title, from: from.version, to: to.version, pairs };
}
