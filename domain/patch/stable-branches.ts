// Which stable branches existed on a given day, so that "Cc: stable # 4.14+", "# 5.4-6.1"
// or a bare "Cc: stable" in a mail of 2019 means the branches maintained in 2019, and an
// AUTOSEL range "6.16-5.4" the ones between its ends that were alive when it was sent.
//
// Source: kernel.org's releases page (https://www.kernel.org/category/releases.html) for
// the longterm branches and their end of life, and Wikipedia's "Linux kernel version
// history" (https://en.wikipedia.org/wiki/Linux_kernel_version_history) for every
// release's date and each branch's last stable release. `first` is the day Linus released
// x.y (its stable branch opens then), `last` the day of the branch's final x.y.z
// release; null while it is still maintained. Entries marked `approx` come from
// projections or are later than what the sources had settled when this table was written;
// a branch only ever named by mail (not in the table) is still accepted where a mail
// names it exactly. Pure data and pure functions.
import { compareBranches } from './trailers.ts';

export interface StableBranchInfo {
  branch: string;
  /** ISO date of the x.y release. */
  first: string;
  /** ISO date of the last x.y.z release; null: maintained as far as this table knows. */
  last: string | null;
  longterm: boolean;
  approx?: boolean;
}

const B = (branch: string, first: string, last: string | null, longterm = false, approx = false): StableBranchInfo =>
  approx ? { branch, first, last, longterm, approx } : { branch, first, last, longterm };

export const STABLE_BRANCH_TABLE: readonly StableBranchInfo[] = [
  B('3.16', '2014-08-03', '2020-06-11', true),
  B('3.18', '2014-12-07', '2019-05-16', true),
  B('4.4', '2016-01-10', '2022-02-03', true),
  B('4.9', '2016-12-11', '2023-01-07', true),
  B('4.14', '2017-11-12', '2024-01-10', true),
  B('4.19', '2018-10-22', '2024-12-05', true),
  B('4.20', '2018-12-23', '2019-03-19'),
  B('5.0', '2019-03-03', '2019-06-04'),
  B('5.1', '2019-05-05', '2019-07-28'),
  B('5.2', '2019-07-07', '2019-10-11'),
  B('5.3', '2019-09-15', '2019-12-17'),
  B('5.4', '2019-11-24', '2025-12-18', true, true),
  B('5.5', '2020-01-26', '2020-04-21'),
  B('5.6', '2020-03-29', '2020-06-17'),
  B('5.7', '2020-05-31', '2020-08-27'),
  B('5.8', '2020-08-02', '2020-11-01'),
  B('5.9', '2020-10-11', '2020-12-21'),
  B('5.10', '2020-12-13', null, true),
  B('5.11', '2021-02-14', '2021-05-19'),
  B('5.12', '2021-04-25', '2021-07-20'),
  B('5.13', '2021-06-27', '2021-09-18'),
  B('5.14', '2021-08-29', '2021-11-21'),
  B('5.15', '2021-10-31', null, true),
  B('5.16', '2022-01-09', '2022-04-13'),
  B('5.17', '2022-03-20', '2022-06-14'),
  B('5.18', '2022-05-22', '2022-08-21'),
  B('5.19', '2022-07-31', '2022-10-24'),
  B('6.0', '2022-10-02', '2023-01-12'),
  B('6.1', '2022-12-11', null, true),
  B('6.2', '2023-02-19', '2023-05-17'),
  B('6.3', '2023-04-23', '2023-07-11'),
  B('6.4', '2023-06-25', '2023-09-13'),
  B('6.5', '2023-08-27', '2023-11-28'),
  B('6.6', '2023-10-30', null, true),
  B('6.7', '2024-01-07', '2024-04-03'),
  B('6.8', '2024-03-10', '2024-05-30'),
  B('6.9', '2024-05-12', '2024-07-27'),
  B('6.10', '2024-07-14', '2024-10-10'),
  B('6.11', '2024-09-15', '2024-12-05'),
  B('6.12', '2024-11-17', null, true),
  B('6.13', '2025-01-19', '2025-04-20'),
  B('6.14', '2025-03-24', '2025-06-10'),
  B('6.15', '2025-05-25', '2025-08-20'),
  B('6.16', '2025-07-27', '2025-10-12'),
  B('6.17', '2025-09-28', '2025-12-18', false, true),
  B('6.18', '2025-11-30', null, true, true),
  B('6.19', '2026-02-08', '2026-05-15', false, true),
  B('7.0', '2026-04-12', null, false, true),
];

const DAY = 86_400_000;
// A branch is maintained from the day of x.y (its backports are posted while mainline's
// merge window is still open) to the day of its last release, both included: a mail of
// the day after a branch's end does not mean it.
const LAST_DAY = DAY - 1;

/** The stable branches maintained on a day (ms since epoch), newest first. */
export function maintainedOn(date: number): string[] {
  return STABLE_BRANCH_TABLE.filter((b) => Date.parse(b.first) <= date && (b.last === null || date <= Date.parse(b.last) + LAST_DAY))
    .map((b) => b.branch)
    .sort((a, b) => compareBranches(b, a));
}

// A branch is still named for a while after its last release (a late reply, a request
// crossing its end); long after, a mail naming it means another one.
const NAMED_GRACE = 90 * DAY;

/**
 * Whether a mail of this date can mean the branch: not one that ended long before it.
 * A branch the table does not know, or an undated mail, is given the benefit of the doubt.
 */
export function maintainedAround(branch: string, date: number | null): boolean {
  const info = STABLE_BRANCH_TABLE.find((b) => b.branch === branch);
  if (!info || info.last === null || date === null) return true;
  return date <= Date.parse(info.last) + NAMED_GRACE;
}

/** A version range as the stable rules let people write it after "Cc: stable ... #". */
export interface StableRangeSpec {
  /** Branches named exactly ("# 6.1", "# 5.10.x"). */
  branches: string[];
  /** Lowest branch of an open range ("# 4.14+", "# v6.1+"). */
  from: string | null;
  /** A closed range "# 5.4-6.1": both ends. */
  between?: { low: string; high: string } | null;
}

const RANGE_TOKEN = /(>=?\s*)?\bv?(\d+)\.(\d+)(?:\.(?:\d+|x|y))?(?:\s*(\+|and (?:later|newer|up)|or (?:later|newer))|\s*(?:-|\.\.|to)\s*v?(\d+)\.(\d+)(?:\.(?:\d+|x|y))?)?/gi;

/** Reads the comment of a "Cc: stable@vger.kernel.org # ..." line (the part before a "prereq"). */
export function parseStableRange(extinfo: string): StableRangeSpec {
  const spec: StableRangeSpec = { branches: [], from: null, between: null };
  const prereq = /[0-9a-f]{7,40}\s*:?\s*prereq/i.exec(extinfo);
  const text = prereq ? extinfo.slice(0, prereq.index) : extinfo;
  for (const m of text.matchAll(RANGE_TOKEN)) {
    const br = `${m[2]}.${m[3]}`;
    if (m[5] !== undefined && m[6] !== undefined) {
      const other = `${m[5]}.${m[6]}`;
      const [low, high] = compareBranches(br, other) <= 0 ? [br, other] : [other, br];
      spec.between = spec.between
        ? { low: compareBranches(low, spec.between.low) < 0 ? low : spec.between.low, high: compareBranches(high, spec.between.high) > 0 ? high : spec.between.high }
        : { low, high };
    } else if (m[4] !== undefined || m[1] !== undefined) {
      // "v6.6.55+, v6.10.14+": several open ranges; the lowest one is where the need starts.
      if (spec.from === null || compareBranches(br, spec.from) < 0) spec.from = br;
    } else if (!spec.branches.includes(br)) spec.branches.push(br);
  }
  return spec;
}

/**
 * The concrete branches a wish means on the mail's date: exact names as written, an open
 * range or a closed one clipped to what was maintained, a bare tag every maintained branch.
 * Without a date (a mail with none) a bare or open range cannot be resolved: [].
 */
export function resolveStableRange(spec: StableRangeSpec, date: number | null): string[] {
  const out = new Set<string>(spec.branches);
  const alive = date === null ? [] : maintainedOn(date);
  if (spec.from !== null) {
    const from = spec.from;
    for (const b of alive) if (compareBranches(b, from) >= 0) out.add(b);
    // Undated, the start is all that can be said; and a start newer than this table
    // ("# v7.1+" in a mail of mid-2026) is a branch the mail knows and the table does not yet.
    if (date === null || !STABLE_BRANCH_TABLE.some((b) => b.branch === from)) out.add(from);
  }
  if (spec.between) {
    const { low, high } = spec.between;
    for (const b of alive) if (compareBranches(b, low) >= 0 && compareBranches(b, high) <= 0) out.add(b);
    if (date === null) out.add(low).add(high);
  }
  if (spec.branches.length === 0 && spec.from === null && !spec.between) for (const b of alive) out.add(b);
  return [...out].sort((a, b) => compareBranches(b, a));
}

/**
 * The branches an AUTOSEL range ("7.0-6.12") passes through: its ends, and the branches
 * between them maintained on the mail's date (longterm ones only when the date is unknown).
 */
export function expandBranchRange(from: string, to: string, date: number | null = null): string[] {
  const [hi, lo] = compareBranches(from, to) >= 0 ? [from, to] : [to, from];
  const pool = date === null ? STABLE_BRANCH_TABLE.filter((b) => b.longterm).map((b) => b.branch) : maintainedOn(date);
  const mid = pool.filter((b) => compareBranches(b, lo) > 0 && compareBranches(b, hi) < 0).sort((a, b) => compareBranches(b, a));
  return [...new Set([hi, ...mid, lo])];
}
