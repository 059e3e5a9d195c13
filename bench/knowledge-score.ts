// Scores race records against the labels in bench/labels/races.json (threads read and
// judged by hand): race precision and recall per labelled thread, fix recall (a labelled
// fix found among the race's fixes by its message), and stance accuracy (a labelled
// stance found with the same kind, aimed at the same fix). Pure, so the bench and a test
// share it.
import type { RaceRecord } from '../domain/knowledge/types.ts';

export interface LabelledFix {
  message: string;
  author: string;
  kind: string;
  quote: string;
}

export interface LabelledStance {
  message: string;
  author: string;
  fix: string;
  stance: string;
  quote: string;
}

export interface LabelledThread {
  file: string;
  root: string;
  subject: string;
  race: boolean;
  why: string;
  outcome?: string;
  functions?: string[];
  fixes?: LabelledFix[];
  stances?: LabelledStance[];
  /** The date a thread was labelled from mail the extractor had not been tuned on: scored apart, as the figure that says how it does on mail nobody read. */
  heldOut?: string;
  /** How a held-out thread was chosen, when that sets it apart (a random draw made after rules changed). */
  drawn?: string;
}

export interface KnowledgeScore {
  threads: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  fixesFound: number;
  fixesLabelled: number;
  fixRecall: number;
  stancesRight: number;
  stancesLabelled: number;
  stanceAccuracy: number;
  outcomesRight: number;
  misses: string[];
}

/** `racesOfThread(root)` answers the races whose families hold the labelled thread (by its root): a stable bundle may hold several. */
export function scoreKnowledge(labels: readonly LabelledThread[], racesOfThread: (root: string) => RaceRecord[]): KnowledgeScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let fixesFound = 0;
  let fixesLabelled = 0;
  let stancesRight = 0;
  let stancesLabelled = 0;
  let outcomesRight = 0;
  const misses: string[] = [];
  for (const t of labels) {
    const races = racesOfThread(t.root);
    const race = races[0] ?? null;
    const fixes = races.flatMap((r) => r.fixes);
    if (t.race && race) tp++;
    else if (t.race) {
      fn++;
      misses.push(`missed race: ${t.subject} <${t.root}>`);
    } else if (race) {
      fp++;
      misses.push(`false race: ${t.subject} <${t.root}> (${race.reasons.slice(0, 3).map((r) => `${r.kind} ${r.weight}`).join(', ')})`);
    }
    if (!t.race) continue;
    if (races.some((r) => r.outcome === t.outcome)) outcomesRight++;
    for (const f of t.fixes ?? []) {
      fixesLabelled++;
      // one fix, one record: a labelled stable copy (AUTOSEL 6.18-6.1) is found in the record of the patch it copies
      if (fixes.some((x) => x.messageId === f.message || (x.copies ?? []).includes(f.message))) fixesFound++;
      else misses.push(`missed fix (${f.kind}) by ${f.author}: ${f.quote.slice(0, 80)} <${f.message}>`);
    }
    for (const s of t.stances ?? []) {
      stancesLabelled++;
      const found = fixes.flatMap((x) => x.stances.map((st) => ({ st, fix: x }))).find((x) => x.st.messageId === s.message && x.st.stance === s.stance);
      if (found && found.fix.messageId === s.fix) stancesRight++;
      else misses.push(`stance ${s.stance} by ${s.author} ${found ? `aimed at ${found.fix.messageId}` : 'not found'}: ${s.quote.slice(0, 70)}`);
    }
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 1 : Math.round((a / b) * 1000) / 1000);
  return {
    threads: labels.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    fixesFound,
    fixesLabelled,
    fixRecall: ratio(fixesFound, fixesLabelled),
    stancesRight,
    stancesLabelled,
    stanceAccuracy: ratio(stancesRight, stancesLabelled),
    outcomesRight,
    misses,
  };
}
