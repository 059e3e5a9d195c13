// Plain-text views of stable status for the terminal: a fix's timeline per branch, and
// the fixes x branches matrix. Control characters from a mail never reach the terminal.
import type { FixStatus, StableMatrix } from '../db/stable.ts';
import type { BranchStatus, ReleaseInfo } from '../domain/patch/stable-status.ts';

// eslint-disable-next-line no-control-regex
export const clean = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ');

const day = (d: number | null): string => (d === null ? '(no date)' : new Date(d).toISOString().slice(0, 10));

export function releaseText(r: ReleaseInfo): string {
  if (r.state === 'released') return `released${r.version ? ` in ${r.version}` : ''} (${r.source})`;
  if (r.state === 'not-yet') return `not in a release up to ${r.asOf}`;
  return 'release unknown';
}

function branchLines(branch: string, st: BranchStatus): string[] {
  const extra = [st.rc, st.status === 'released' ? null : st.version].filter(Boolean).join(' ');
  const out = [
    `  ${branch.padEnd(6)} ${st.status}${extra ? ` (${extra})` : ''} since ${day(st.since)}; ${releaseText(st.release)}; first ${day(st.firstDate)}, last ${day(st.lastDate)}`,
  ];
  for (const h of st.history) {
    const range = h.rawRange !== null ? ` [range "${clean(h.rawRange)}"]` : '';
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

/** One row per fix, one column per branch; a legend and per-branch counts under it. */
export function formatMatrix(m: StableMatrix): string {
  const branches = m.branches.map((b) => b.branch);
  const out = [`${'commit'.padEnd(12)} ${branches.map((b) => b.padStart(5)).join(' ')}  title`];
  for (const f of m.fixes) {
    const cells = branches.map((b) => (ABBREV[f.cells[b]?.status ?? ''] ?? '.').padStart(5)).join(' ');
    // A stable-only fix has no upstream commit: '-' keeps the columns readable.
    out.push(`${(f.fix.upstreamCommit ?? '-').slice(0, 12).padEnd(12)} ${cells}  ${clean(f.fix.title).slice(0, 70)}`);
  }
  out.push(`${m.fixes.length} fixes x ${branches.length} branches; ${Object.entries(ABBREV).map(([k, v]) => `${v}=${k}`).join(' ')}`);
  for (const b of m.branches) {
    const counts = Object.entries(b.counts).map(([s, n]) => `${s} ${n}`).join(', ');
    out.push(`  ${b.branch.padEnd(6)} ${counts}${b.synced ? ` (git read up to ${b.synced})` : ''}`);
  }
  return out.join('\n') + '\n';
}
