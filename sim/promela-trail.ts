// SPIN's counterexample, in our terms: the `spin -t -p` listing of an error trail mapped back,
// line by line, to the (thread, step, branch) of the exported model, so it can be replayed on
// the explorer's model (sim/replay.ts). A SPIN trail that replays to the same kind of error is
// the strongest agreement there is: the two tools found the same bug, not just "a" bug.
import type { PmlLine } from './promela.ts';

export interface TrailEntry {
  /** SPIN's step number: all statements of one d_step share it. */
  depth: number;
  proc: number;
  line: number;
}

/**
 * The `N: proc P (name:1) file:LINE (state S) [stmt]` lines of `spin -t -p`; everything else
 * is ignored, including the listing of where each process stands once the trail ends (the
 * same shape, without a `[stmt]`).
 */
export function parseSpinTrail(text: string): TrailEntry[] {
  const out: TrailEntry[] = [];
  for (const l of text.split('\n')) {
    const m = /^\s*(\d+):\s+proc\s+(\d+)\s+\([^)]*\)\s+\S+?:(\d+)\s.*\t\[.*\]\s*$/.exec(l);
    if (m) out.push({ depth: Number(m[1]), proc: Number(m[2]), line: Number(m[3]) });
  }
  return out;
}

export interface TrailStep {
  thread: string;
  step: string;
  branch?: string;
}

/**
 * One witness step per transition of a thread: a new SPIN step number starts a transition,
 * except that an `atomic` step (a goto target) may print under several step numbers on its
 * one line. Lines that are not steps of ours (the monitors, `done` counting) are skipped.
 */
export function trailToWitness(entries: TrailEntry[], lines: Map<number, PmlLine>): TrailStep[] {
  const out: TrailStep[] = [];
  let prev: { depth: number; proc: number; line: number } | undefined;
  for (const e of entries) {
    const at = lines.get(e.line);
    const same = prev !== undefined && prev.proc === e.proc && prev.line === e.line && (prev.depth === e.depth || at?.atomic === true);
    prev = e;
    if (!at || same) continue;
    out.push({ thread: at.thread, step: at.step, ...(at.branch !== undefined ? { branch: at.branch } : {}) });
  }
  return out;
}
