// Plain-text views of stable status for the terminal: a fix's timeline per branch, and
// the fixes x branches matrix. Control characters from a mail never reach the terminal.
import type { BranchFix, FixStatus, StableMatrix } from '../db/stable.ts';
import type { BranchStatus, ReleaseInfo } from '../domain/patch/stable-status.ts';
import { clean } from './race-format.ts';

const day = (d: number | null): string => (d === null ? '(no date)' : new Date(d).toISOString().slice(0, 10));

export function releaseText(r: ReleaseInfo): string {
  if (r.state === 'released') return `released${r.version ? ` in ${r.version}` : ''} (${r.source})`;
  if (r.state === 'not-yet') return `not in a release up to ${r.asOf}`;
  return 'release unknown';
}

/** The -rc of a review, and a version named short of a release ("6.1.110-rc1", ...). */
const extraOf = (st: BranchStatus): string => [st.rc, st.status === 'released' ? null : st.version].filter(Boolean).join(' ');

/**
 * A branch's status in one line. A release says its version and source once ("released
 * since (no date); released in 7.1.3" said it twice); dates no mail gave (a CVE mail has
 * none) are left out rather than printed as "(no date)" three times.
 */
function branchHeader(branch: string, st: BranchStatus): string {
  const extra = extraOf(st);
  const first = st.firstDate === null ? null : day(st.firstDate);
  const last = st.lastDate === null ? null : day(st.lastDate);
  const span = first === null || last === null ? '' : first === last ? `; all on ${first}` : `; first ${first}, last ${last}`;
  const head =
    st.status === 'released' && st.release.state === 'released'
      ? `${releaseText(st.release)}${st.since === null ? '' : `, known since ${day(st.since)}`}`
      : `${st.status}${extra ? ` (${extra})` : ''}${st.since === null ? '' : ` since ${day(st.since)}`}; ${releaseText(st.release)}`;
  return `  ${branch.padEnd(6)} ${head}${span}`;
}

function branchLines(branch: string, st: BranchStatus): string[] {
  const out = [branchHeader(branch, st)];
  for (const h of st.history) {
    // A bare "Cc: stable" has no range to show: its line is the sentence.
    const range = h.rawRange ? ` [range "${clean(h.rawRange)}"]` : '';
    out.push(`      ${day(h.date)} ${h.status.padEnd(15)} ${clean(h.sender ?? '')} ${h.messageId ? `<${h.messageId}>` : ''}`.trimEnd());
    if (h.sentence) out.push(`          "${clean(h.sentence).slice(0, 160)}"${range}`);
  }
  return out;
}

export function formatFixStatus(f: FixStatus): string {
  const out = [`fix: ${clean(f.fix.title)}`];
  if (f.fix.upstreamCommit) out.push(`commit: ${f.fix.upstreamCommit}`);
  if (f.fix.author) out.push(`author: ${clean(f.fix.author.name ?? '')} <${f.fix.author.email ?? ''}>`);
  if (f.fix.patchMessageId) out.push(`patch mail: <${f.fix.patchMessageId}> (matched by ${f.fix.patchMatch})`);
  const joined = f.links.filter((l) => l.role === 'patch' && l.messageId !== f.fix.patchMessageId);
  for (const l of joined) out.push(`  also: <${l.messageId}> (${l.how})`);
  for (const [branch, st] of Object.entries(f.branches)) out.push(...branchLines(branch, st));
  return out.join('\n') + '\n';
}

/** `loregraph stable <branch>`: one line per fix, its status there, since when, and the deciding mails. */
export function formatBranchFixes(fixes: readonly BranchFix[]): string {
  const out = fixes.map((f) => {
    const extra = extraOf(f.status);
    const since = f.status.since === null ? '' : day(f.status.since);
    return (
      `${f.status.status.padEnd(16)} ${since.padEnd(10)} ${(f.fix.upstreamCommit ?? '').slice(0, 12).padEnd(12)} ${clean(f.fix.title)}` +
      `${extra ? ` (${extra})` : ''}; ${releaseText(f.status.release)}; ${f.status.evidence.map((e) => `<${e}>`).join(' ')}`
    );
  });
  return [...out, `${fixes.length} fixes`].join('\n') + '\n';
}

const ABBREV: Record<string, string> = {
  wanted: 'want',
  autosel: 'auto',
  'failed-to-apply': 'FAIL',
  'not-needed': 'drop',
  'backport-posted': 'bp',
  queued: 'q',
  'in-review': 'rev',
  released: 'REL',
};

/** A title never gets fewer columns than this when the matrix is fitted to a terminal. */
const MIN_TITLE = 40;
const COMMIT_WIDTH = 12;

/**
 * The branches that fit `width` beside the commit and a title: the busiest first (the
 * longterm branches a fix travels to, not the newest short-lived ones), shown newest first.
 */
function fittedBranches(m: StableMatrix, width: number): string[] {
  let budget = width - COMMIT_WIDTH - 2 - MIN_TITLE;
  const fixesOn = (b: StableMatrix['branches'][number]): number => Object.values(b.counts).reduce((a, n) => a + (n ?? 0), 0);
  const keep = new Set<string>();
  for (const b of [...m.branches].sort((x, y) => fixesOn(y) - fixesOn(x))) {
    const w = cellWidth(b.branch) + 1;
    if (w > budget) break;
    budget -= w;
    keep.add(b.branch);
  }
  return m.branches.map((b) => b.branch).filter((b) => keep.has(b));
}

const cellWidth = (branch: string): number => Math.max(4, branch.length);

/** Words of a note in lines of at most `width` (the continuation indented); one line without a width. */
function wrap(text: string, width: number | undefined): string[] {
  if (width === undefined) return [text];
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line !== '' && line.length + 1 + w.length > width) {
      lines.push(line);
      line = `  ${w}`;
    } else line = line === '' ? w : `${line} ${w}`;
  }
  return [...lines, line];
}

/**
 * One row per fix, one column per branch; a legend and per-branch counts under it. With a
 * `width` (a terminal's), only the busiest branches that fit get a column and the rest are
 * named under the matrix: 45 branches of 6 columns each ran to 354 characters a line.
 */
export function formatMatrix(m: StableMatrix, width?: number): string {
  const all = m.branches.map((b) => b.branch);
  const branches = width === undefined ? all : fittedBranches(m, width);
  const hidden = all.filter((b) => !branches.includes(b));
  const fixes = hidden.length === 0 ? m.fixes : m.fixes.filter((f) => branches.some((b) => f.cells[b]));
  const cellsWidth = branches.reduce((a, b) => a + cellWidth(b) + 1, 0);
  const titleWidth = width === undefined ? 70 : Math.max(MIN_TITLE, width - COMMIT_WIDTH - cellsWidth - 2);
  const out = [`${'commit'.padEnd(COMMIT_WIDTH)} ${branches.map((b) => b.padStart(cellWidth(b))).join(' ')}  title`];
  for (const f of fixes) {
    const cells = branches.map((b) => (ABBREV[f.cells[b]?.status ?? ''] ?? '.').padStart(cellWidth(b))).join(' ');
    // A stable-only fix has no upstream commit: '-' keeps the columns readable.
    out.push(`${(f.fix.upstreamCommit ?? '-').slice(0, COMMIT_WIDTH).padEnd(COMMIT_WIDTH)} ${cells}  ${clean(f.fix.title).slice(0, titleWidth).trimEnd()}`);
  }
  const notes = [`${fixes.length} fixes x ${branches.length} branches; ${Object.entries(ABBREV).map(([k, v]) => `${v}=${k}`).join(' ')}`];
  if (hidden.length > 0) {
    notes.push(
      `${hidden.length} quieter branches have no column at ${width} columns (${m.fixes.length - fixes.length} fixes are only there): ${hidden.join(' ')}; ` +
        `--branches picks the columns, and piped output has every one`,
    );
  }
  for (const n of notes) out.push(...wrap(n, width));
  for (const b of m.branches) {
    const counts = Object.entries(b.counts).map(([s, n]) => `${s} ${n}`).join(', ');
    out.push(`  ${b.branch.padEnd(6)} ${counts}${b.synced ? ` (git read up to ${b.synced})` : ''}`);
  }
  return out.join('\n') + '\n';
}
