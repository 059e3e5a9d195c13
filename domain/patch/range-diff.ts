// Two versions of a series side by side, as `git range-diff` and `b4 diff` show them:
// each patch of the newer version matched to the older one by patch-id (unchanged), else
// by subject (changed), and what is left over added or dropped. Pure: the interdiff text
// of a changed pair is made by whoever runs the diff (server/interdiff.ts, through git).
import { commitMessageEnd } from './trailers.ts';
import { patchId } from './patch-id.ts';
import { parseSubject, subjectKey } from './subject.ts';

export interface RangePatch {
  index: number;
  messageId: string;
  subject: string;
  body: string;
}

export type RangeStatus = 'unchanged' | 'changed' | 'added' | 'dropped';

export interface RangePair {
  from: RangePatch | null;
  to: RangePatch | null;
  status: RangeStatus;
  /** How the two were matched. */
  match: 'patch-id' | 'subject' | null;
}

/** What a range-diff compares of a patch: its title, commit message and diff, without diffstat and blob ids. */
export function patchText(p: RangePatch): string {
  const lines = p.body.replace(/\r/g, '').split('\n');
  const end = commitMessageEnd(lines);
  const message = lines.slice(0, end).join('\n').replace(/\s+$/, '');
  const diffStart = lines.findIndex((l, i) => i >= end && (l.startsWith('diff ') || l.startsWith('--- ')));
  const diffLines = diffStart < 0 ? [] : lines.slice(diffStart);
  // the signature git format-patch leaves under the diff is not the patch's
  const sig = diffLines.lastIndexOf('-- ');
  const diff = (sig >= 0 ? diffLines.slice(0, sig) : diffLines).filter((l) => !l.startsWith('index '));
  return `${parseSubject(p.subject).normalizedSubject}\n\n${message}\n---\n${diff.join('\n').replace(/\s+$/, '')}\n`;
}

export function matchVersions(from: readonly RangePatch[], to: readonly RangePatch[]): RangePair[] {
  const left = [...from];
  const pairs: RangePair[] = [];
  const take = (pred: (p: RangePatch) => boolean): RangePatch | null => {
    const i = left.findIndex(pred);
    return i < 0 ? null : (left.splice(i, 1)[0] ?? null);
  };
  const ids = new Map([...from, ...to].map((p) => [p, patchId(p.body)]));
  const key = (p: RangePatch) => subjectKey(parseSubject(p.subject));
  const pending: RangePatch[] = [];
  // patch-id first over the whole series, so a reordered unchanged patch is not taken by subject
  for (const p of to) {
    const id = ids.get(p);
    const same = id ? take((q) => ids.get(q) === id) : null;
    if (same) pairs.push({ from: same, to: p, status: 'unchanged', match: 'patch-id' });
    else pending.push(p);
  }
  for (const p of pending) {
    const same = take((q) => key(q) === key(p));
    pairs.push(same ? { from: same, to: p, status: 'changed', match: 'subject' } : { from: null, to: p, status: 'added', match: null });
  }
  for (const q of left) pairs.push({ from: q, to: null, status: 'dropped', match: null });
  // in the newer version's order, dropped ones where they stood in the older
  const pos = (r: RangePair) => (r.to ? r.to.index : (r.from?.index ?? 0) - 0.5);
  return pairs.sort((a, b) => pos(a) - pos(b));
}
