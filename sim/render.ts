// Runs and outcomes as text for people: each outcome's story (the steps that matter, the
// folded ones counted, the breaking step marked, the failed expression with its values).
// Pure: values in, text out.
import type { Outcome, RunReport, WitnessStep } from './ast.ts';

export interface RenderOptions {
  /** Show every step of each witness, folded ones too (they are marked `..`). */
  full?: boolean;
}

function stepLine(w: WitnessStep, i: number, mark: string): string {
  return `${mark}${String(i + 1).padStart(3)}. ${w.thread}: ${w.step}${w.branch ? ` [${w.branch}]` : ''}  (${w.file}:${w.function})`;
}

/** One outcome: what failed, then its witness as a story. */
export function renderOutcome(o: Outcome, opts: RenderOptions = {}): string[] {
  const out: string[] = [];
  const where = o.thread !== undefined ? ` at ${o.thread}:${o.step}${o.lock !== undefined ? ` (${o.lock})` : ''}` : '';
  out.push(`${o.verdict}: ${o.property} [${o.kind}]${where}`);
  if (o.message) out.push(`  ${o.message}`);
  if (o.story.failed) out.push(`  fails: ${o.story.failed.text}`);
  if (o.waitFor?.length) {
    out.push('  wait-for:');
    for (const e of o.waitFor) out.push(`    ${e.thread} -> ${e.waitsFor} -> ${e.heldBy.join(', ') || 'nobody'}`);
  }
  const shown = new Set(o.story.shown);
  const folded = o.witness.length - shown.size;
  out.push(`  witness: ${o.witness.length} steps${folded > 0 && !opts.full ? `, ${folded} folded (they touch nothing this depends on)` : ''}`);
  let skipped: string[] = [];
  const flush = (): void => {
    if (skipped.length === 0) return;
    out.push(`        ... ${skipped.length} folded: ${skipped.join(', ')}`);
    skipped = [];
  };
  o.witness.forEach((w, i) => {
    const keep = shown.has(i);
    if (!keep && !opts.full) {
      skipped.push(`${w.thread}:${w.step}`);
      return;
    }
    flush();
    const breaks = i === o.story.breaking;
    out.push(`${stepLine(w, i, breaks ? '  >>' : keep ? '    ' : '  ..')}${breaks ? `   <- ${o.verdict === 'deadlock' ? 'closes the cycle' : `breaks ${o.property}`}` : ''}`);
    for (const c of w.changes) out.push(`           ${c}`);
  });
  flush();
  return out;
}

/** A whole run: the verdict line, then every outcome's story, then the steps never executed. */
export function renderRun(r: RunReport, opts: RenderOptions = {}): string {
  const out: string[] = [];
  out.push(`${r.scenario} / ${r.variant} / ${r.config}: ${r.verdict}${r.property ? ` (${r.property})` : ''}${r.bound ? ` [bound ${r.bound}]` : ''}`);
  out.push(`  ${r.states} states, ${r.transitions} transitions, ${r.ms} ms`);
  if (r.outcomes.length > 1) out.push(`  ${r.outcomes.length} outcomes: ${r.outcomes.map((o) => o.property).join(', ')}${r.complete ? '' : ' (the search was cut short: there may be more)'}`);
  r.outcomes.forEach((o, i) => {
    out.push('');
    out.push(...(r.outcomes.length > 1 ? [`outcome ${i + 1} of ${r.outcomes.length}`] : []), ...renderOutcome(o, opts));
  });
  if (r.unreached.length) {
    out.push('');
    out.push(`never executed: ${r.unreached.join(', ')}`);
  }
  return out.join('\n') + '\n';
}
