// Turns one analysed message into the stable events it stands for: one row per branch,
// with the status that mail justifies (see stable-status.ts for precedence). Pure.
import type { ParsedMessage } from '../message.ts';
import type { PatchAnalysis } from './analyze.ts';
import type { StableKind } from './stable-mail.ts';
import type { StableStatus } from './stable-status.ts';
import { parseSubject, subjectKey } from './subject.ts';

export interface StableEventRow {
  /** The stable mail kind, 'cc-stable' for a Cc: stable wish, 'drop' for a reply asking to drop. */
  kind: StableKind | 'cc-stable' | 'drop';
  /** null for rows that carry context only (a review cover's -rc). */
  status: StableStatus | null;
  /** "6.6", "*", "6.6+", or "?" when the branch is that of the mail answered (resolved at the end of ingest). */
  branch: string;
  upstreamCommit: string | null;
  title: string;
  titleKey: string;
  rc: string | null;
  version: string | null;
  base: string | null;
}

const STATUS_OF: Record<StableKind, StableStatus | null> = {
  added: 'queued',
  failed: 'failed-to-apply',
  'review-patch': 'in-review',
  'review-cover': null,
  autosel: 'autosel',
  backport: 'backport-posted',
  released: 'released',
};

/** The columns every event of one message shares. */
interface EventContext {
  upstream: string | null;
  title: string;
  titleKey: string;
  st: PatchAnalysis['stable'];
}

function eventRow(
  c: EventContext,
  kind: StableEventRow['kind'],
  status: StableStatus | null,
  branch: string,
  extra: Partial<StableEventRow> = {},
): StableEventRow {
  return {
    kind,
    status,
    branch,
    upstreamCommit: c.upstream,
    title: c.title,
    titleKey: c.titleKey,
    rc: c.st?.rc ?? null,
    version: null,
    base: c.st?.base ?? null,
    ...extra,
  };
}

export function stableEventsOf(msg: Pick<ParsedMessage, 'subject'>, a: PatchAnalysis): StableEventRow[] {
  const out: StableEventRow[] = [];
  const st = a.stable;
  const c: EventContext = {
    upstream: a.upstreamCommit,
    title: st ? st.title : a.subject.normalizedSubject,
    titleKey: st ? subjectKey(parseSubject(st.title)) : a.titleKey,
    st,
  };
  if (st) {
    if (st.kind === 'released') {
      for (const r of st.released) out.push(eventRow(c, 'released', 'released', r.branch, { version: r.version }));
    } else {
      for (const b of st.branches) out.push(eventRow(c, st.kind, STATUS_OF[st.kind], b));
    }
  }
  if (a.kind === 'reply') {
    // A reply's only stable meaning: the -rc of the review cover it answers, or a drop request.
    if (a.dropRequest) out.push(eventRow(c, 'drop', 'not-needed', '?', { title: msg.subject, titleKey: a.titleKey }));
    return out;
  }
  // A Cc: stable wish, in the patch itself or in the upstream commit a stable mail quotes.
  for (const t of a.trailers) {
    if (!t.stable) continue;
    const ranges = t.stable.branches.length > 0 || t.stable.from !== null;
    if (!ranges) out.push(eventRow(c, 'cc-stable', 'wanted', '*'));
    for (const b of t.stable.branches) out.push(eventRow(c, 'cc-stable', 'wanted', b));
    if (t.stable.from !== null) out.push(eventRow(c, 'cc-stable', 'wanted', `${t.stable.from}+`));
  }
  return out;
}
