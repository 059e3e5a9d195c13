// A fix's status on each stable branch, from the events mails gave about it. The order
// of STATUSES is the one place precedence is defined: on a branch, the event with the
// latest status in this list wins (later = further along, or a decision that overrides
// the earlier ones). Pure.
import { compareBranches } from './trailers.ts';

export const STATUSES = [
  /** Cc: stable (or its "# 6.1.x" / "v6.6+" comment) says the branch needs it. */
  'wanted',
  /** The AUTOSEL bot proposed it. */
  'autosel',
  /** "FAILED: patch ... failed to apply to X-stable tree". */
  'failed-to-apply',
  /** A maintainer asked to drop it, or the Cc: stable range excludes the branch. */
  'not-needed',
  /** Someone posted a backport for the branch. */
  'backport-posted',
  /** "added to the X-stable tree": in the stable queue. */
  'queued',
  /** In a stable review series (with its -rc). */
  'in-review',
  /** A mail says which release carries it. */
  'released',
] as const;

export type StableStatus = (typeof STATUSES)[number];

export function statusRank(s: StableStatus): number {
  return STATUSES.indexOf(s);
}

export interface StableEventInput {
  status: StableStatus;
  /** "6.6", or "*" (every branch) / "6.6+" (that branch and newer) for a Cc: stable wish. */
  branch: string;
  messageId: string;
  date: number | null;
  rc: string | null;
  version: string | null;
  /** X-stable-base of an AUTOSEL mail ("Linux 6.12.9"): the release it was picked against. */
  base?: string | null;
}

export interface BranchStatus {
  status: StableStatus;
  /** Message-ids that justify the status (the winning events), oldest first. */
  evidence: string[];
  rc: string | null;
  version: string | null;
  /** The newest X-stable-base any mail on the branch gave. */
  base: string | null;
  /** Every event seen on the branch, oldest first, for the full story. */
  history: { status: StableStatus; messageId: string; date: number | null }[];
}

function isConcrete(branch: string): boolean {
  return /^\d+\.\d+$/.test(branch);
}

/**
 * Per-branch statuses. Wishes for "*" or "X+" are spread over the concrete branches the
 * fix was seen on (the branches any mail named for it); with none, they are kept under
 * their own key so the wish is still visible. A range wish makes concrete branches below
 * it 'not-needed'.
 */
export function resolveBranchStatuses(events: readonly StableEventInput[], alsoBranches: readonly string[] = []): Record<string, BranchStatus> {
  const concrete = new Set([...events.filter((e) => isConcrete(e.branch)).map((e) => e.branch), ...alsoBranches.filter(isConcrete)]);
  const expanded: StableEventInput[] = [];
  for (const e of events) {
    if (isConcrete(e.branch)) {
      expanded.push(e);
      continue;
    }
    if (concrete.size === 0) {
      expanded.push(e);
      continue;
    }
    const from = e.branch.endsWith('+') ? e.branch.slice(0, -1) : null;
    for (const b of concrete) {
      if (from === null || compareBranches(b, from) >= 0) expanded.push({ ...e, branch: b });
      else expanded.push({ ...e, branch: b, status: 'not-needed' });
    }
  }
  const byBranch = new Map<string, StableEventInput[]>();
  for (const e of expanded) {
    const list = byBranch.get(e.branch) ?? [];
    list.push(e);
    byBranch.set(e.branch, list);
  }
  const out: Record<string, BranchStatus> = {};
  const branches = [...byBranch.keys()].sort((a, b) => (isConcrete(a) && isConcrete(b) ? compareBranches(b, a) : a.localeCompare(b)));
  for (const branch of branches) {
    if ((byBranch.get(branch) ?? []).length === 0) continue;
    const list = (byBranch.get(branch) ?? []).slice().sort((a, b) => (a.date ?? 0) - (b.date ?? 0));
    let best: StableStatus = list[0]?.status ?? 'wanted';
    for (const e of list) if (statusRank(e.status) > statusRank(best)) best = e.status;
    const winners = list.filter((e) => e.status === best);
    const evidence = [...new Set(winners.map((e) => e.messageId))];
    out[branch] = {
      status: best,
      evidence,
      rc: [...winners].reverse().map((e) => e.rc).find((x) => x !== null) ?? null,
      version: [...winners].reverse().map((e) => e.version).find((x) => x !== null) ?? null,
      base: [...list].reverse().map((e) => e.base ?? null).find((x) => x !== null) ?? null,
      history: list.map((e) => ({ status: e.status, messageId: e.messageId, date: e.date })),
    };
  }
  return out;
}
