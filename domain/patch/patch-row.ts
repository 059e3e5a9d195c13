// The patch_msgs row one analysed message becomes, built in the parse worker: every
// column value ready to bind (JSON included), so the writer thread, the slower half of
// the ingest pipeline, only inserts it. Pure.
import type { ParsedMessage } from '../message.ts';
import { laneOf, type PatchAnalysis } from './analyze.ts';
import { stableEventsOf } from './stable-events.ts';
import type { Trailer } from './trailers.ts';

/** Column values of patch_msgs (db/migrations/002_patches.sql) but the row id, with its trailers and stable events. */
export interface PatchMsgRow {
  messageId: string;
  kind: PatchAnalysis['kind'];
  subject: string;
  title: string;
  titleKey: string;
  version: string | null;
  versionMajor: number;
  idx: number | null;
  total: number | null;
  rfc: 0 | 1;
  resend: 0 | 1;
  tree: string | null;
  stableBranch: string | null;
  autosel: 0 | 1;
  senderName: string | null;
  senderEmail: string | null;
  date: number | null;
  inReplyTo: string | null;
  refsJson: string;
  patchId: string | null;
  changeId: string | null;
  upstreamCommit: string | null;
  authorName: string | null;
  authorEmail: string | null;
  filesJson: string;
  added: number;
  removed: number;
  lane: string;
  /** The trailers rows to insert with it, as one JSON string: cheaper to pass between threads than objects. */
  trailersJson: string;
  /** The stable_events rows, likewise. */
  eventsJson: string;
}

/** The trailers worth keeping: what people read and b4 collects. */
function keptTrailers(a: PatchAnalysis): Trailer[] {
  // Not kept: plain Cc: lines (addressing, half of all trailer lines; Cc: stable is kept)
  // and the trailers a FAILED/added/CVE mail quotes from the original commit.
  if (a.kind === 'other') return [];
  return a.trailers.filter((t) => t.name !== 'Cc' || t.stable !== null);
}

export function patchMsgRow(msg: ParsedMessage, a: PatchAnalysis): PatchMsgRow {
  const sub = a.subject;
  return {
    messageId: msg.messageId,
    kind: a.kind,
    subject: msg.subject,
    title: a.kind === 'other' && a.stable ? a.stable.title : sub.normalizedSubject,
    titleKey: a.titleKey,
    version: sub.version,
    versionMajor: sub.versionMajor,
    idx: sub.index,
    total: sub.total,
    rfc: sub.rfc ? 1 : 0,
    resend: sub.resend ? 1 : 0,
    tree: sub.tree,
    stableBranch: sub.stableBranch,
    autosel: sub.autosel ? 1 : 0,
    senderName: msg.from?.name ?? null,
    senderEmail: msg.from?.address.toLowerCase() ?? null,
    date: msg.date,
    inReplyTo: msg.inReplyTo,
    refsJson: JSON.stringify(msg.references),
    patchId: a.patchId,
    changeId: a.changeId,
    upstreamCommit: a.upstreamCommit,
    authorName: a.author?.name ?? null,
    authorEmail: a.author?.email ?? null,
    filesJson: JSON.stringify(a.files),
    added: a.added,
    removed: a.removed,
    lane: laneOf(sub),
    trailersJson: JSON.stringify(keptTrailers(a)),
    eventsJson: JSON.stringify(stableEventsOf(msg, a)),
  };
}
