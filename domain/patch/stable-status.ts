// A fix's status on each stable branch, read from the timeline of events mails gave
// about it: the current status is what the latest decisive event says. A drop after a
// posting is a drop, a posting after a drop a posting again. Two rules keep the story
// honest: a Cc: stable wish never undoes what the stable process did (the same wish is
// quoted again in every later review and FAILED mail), and a release is final (a late
// CVE mail or AUTOSEL pick does not undo it; only a revert on the branch does). Pure.
import { compareBranches } from './trailers.ts';

export const STATUSES = [
  /** Cc: stable (or its "# 6.1.x" / "v6.6+" comment) says the branch needs it. */
  'wanted',
  /** The AUTOSEL bot proposed it. */
  'autosel',
  /** "FAILED: patch ... failed to apply to X-stable tree". */
  'failed-to-apply',
  /** Dropped by the stable team, objected to (NAK), or a posted backport withdrawn. */
  'not-needed',
  /** Someone posted a backport for the branch. */
  'backport-posted',
  /** "added to the X-stable tree", or "now queued up": in the stable queue. */
  'queued',
  /** In a stable review series (with its -rc). */
  'in-review',
  /** A release carries it (an announcement, a CVE mail, or the stable git tree). */
  'released',
] as const;

export type StableStatus = (typeof STATUSES)[number];

/** Orders events of the same instant (a FAILED mail that also quotes the Cc: stable wish). */
function statusRank(s: StableStatus): number {
  return STATUSES.indexOf(s);
}

export interface StableEventInput {
  status: StableStatus;
  /** "6.6". */
  branch: string;
  /** null for what no mail said (a release read from the stable git tree). */
  messageId: string | null;
  date: number | null;
  rc: string | null;
  version: string | null;
  /** X-stable-base of an AUTOSEL mail ("Linux 6.12.9"): the release it was picked against. */
  base?: string | null;
  /** What made it: the stable mail kind, 'cc-stable', a reply's 'queue'/'drop'/'withdraw', 'git'. */
  kind?: string;
  /** "Name <address>" of the mail's sender. */
  sender?: string | null;
  sentence?: string | null;
  /** A wish's range as written ("4.14+", '' for a bare tag). */
  rawRange?: string | null;
}

export interface TimelineEvent {
  status: StableStatus;
  kind: string;
  messageId: string | null;
  date: number | null;
  sender: string | null;
  sentence: string | null;
  rawRange: string | null;
  version: string | null;
}

/** Whether a release is known: from a mail or the stable git tree, or honestly unknown. */
export type ReleaseInfo =
  | { state: 'released'; version: string | null; source: string }
  /** The stable git tree was read up to `asOf` and no release of the branch carries the fix. */
  | { state: 'not-yet'; asOf: string }
  | { state: 'unknown' };

export interface BranchStatus {
  status: StableStatus;
  /** The mails of the deciding event and of the same status since, oldest first. */
  evidence: string[];
  /** Date of the deciding event. */
  since: number | null;
  firstDate: number | null;
  lastDate: number | null;
  rc: string | null;
  version: string | null;
  /** The newest X-stable-base any mail on the branch gave. */
  base: string | null;
  release: ReleaseInfo;
  /** Every event seen on the branch, oldest first: the whole story. */
  history: TimelineEvent[];
}

/** Where a release was read, by the kind of event that said so. */
const RELEASE_SOURCE: Record<string, string> = {
  released: 'CVE announcement',
  announce: 'release announcement',
  'release-note': 'a reply naming the release',
  git: 'stable git tree',
};

function isConcrete(branch: string): boolean {
  return /^\d+\.\d+$/.test(branch);
}

function timelineEvent(e: StableEventInput): TimelineEvent {
  return {
    status: e.status,
    kind: e.kind ?? e.status,
    messageId: e.messageId,
    date: e.date,
    sender: e.sender ?? null,
    sentence: e.sentence ?? null,
    rawRange: e.rawRange ?? null,
    version: e.version,
  };
}

/** The status one branch's events add up to. `events` may come in any order. */
export function branchTimeline(events: readonly StableEventInput[], syncedAsOf: string | null = null): BranchStatus | null {
  if (events.length === 0) return null;
  const list = events
    .map((e, i) => ({ e, i }))
    .sort((x, y) => (x.e.date ?? 0) - (y.e.date ?? 0) || statusRank(x.e.status) - statusRank(y.e.status) || x.i - y.i)
    .map((x) => x.e);
  let current: StableEventInput | null = null;
  let evidence: (string | null)[] = [];
  for (const e of list) {
    // Released is final but for a revert on the branch, which takes the fix out again.
    if (current?.status === 'released' && e.kind !== 'revert') {
      if (e.status === 'released') evidence.push(e.messageId);
      continue;
    }
    if (e.status === 'wanted' && current !== null && current.status !== 'wanted') continue;
    if (current === null || e.status !== current.status) {
      current = e;
      evidence = [e.messageId];
    } else evidence.push(e.messageId);
  }
  const decided = current ?? list[list.length - 1];
  if (!decided) return null;
  const sameStatus = list.filter((e) => e.status === decided.status);
  const releasedEvent = list.find((e) => e.status === 'released');
  const release: ReleaseInfo = releasedEvent
    ? { state: 'released', version: releasedEvent.version, source: RELEASE_SOURCE[releasedEvent.kind ?? ''] ?? 'mail' }
    : syncedAsOf !== null
      ? { state: 'not-yet', asOf: syncedAsOf }
      : { state: 'unknown' };
  const dates = list.map((e) => e.date).filter((d): d is number => d !== null);
  return {
    status: decided.status,
    evidence: [...new Set(evidence.filter((m): m is string => m !== null))],
    since: decided.date,
    firstDate: dates.length > 0 ? Math.min(...dates) : null,
    lastDate: dates.length > 0 ? Math.max(...dates) : null,
    rc: [...sameStatus].reverse().map((e) => e.rc).find((x) => x !== null) ?? null,
    version: releasedEvent?.version ?? [...sameStatus].reverse().map((e) => e.version).find((x) => x !== null) ?? null,
    base: [...list].reverse().map((e) => e.base ?? null).find((x) => x !== null) ?? null,
    release,
    history: list.map(timelineEvent),
  };
}

/**
 * Per-branch statuses, newest branch first. `synced` names, per branch, the newest
 * release read from a stable git tree (where a fix missing from it is "not yet" released).
 */
export function resolveBranchStatuses(events: readonly StableEventInput[], synced: Readonly<Record<string, string>> = {}): Record<string, BranchStatus> {
  const byBranch = new Map<string, StableEventInput[]>();
  for (const e of events) {
    if (!isConcrete(e.branch)) continue;
    const list = byBranch.get(e.branch) ?? [];
    list.push(e);
    byBranch.set(e.branch, list);
  }
  const out: Record<string, BranchStatus> = {};
  for (const branch of [...byBranch.keys()].sort((a, b) => compareBranches(b, a))) {
    const st = branchTimeline(byBranch.get(branch) ?? [], synced[branch] ?? null);
    if (st) out[branch] = st;
  }
  return out;
}
