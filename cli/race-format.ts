// How `loregraph races`, `race` and `fix` print the knowledge graph for a person: a table
// of races, and a race or fix with every fact followed by the mail it came from.
import type { RaceSummary } from '../db/knowledge.ts';
import type { Evidence, Fix, RaceRecord } from '../domain/knowledge/types.ts';
import type { ScenarioLink } from '../server/scenario-links.ts';

// Control characters from a mail never reach the terminal.
// eslint-disable-next-line no-control-regex
export const clean = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ');

const day = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));

function cut(s: string, n: number): string {
  const t = clean(s);
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

export function formatRaceTable(total: number, races: readonly RaceSummary[]): string {
  const rows = races.map((r) => [r.id, r.outcome, r.confidence.toFixed(2), r.status, String(r.fixes), day(r.lastDate), cut(r.title, 70)]);
  const head = ['id', 'outcome', 'conf', 'status', 'fixes', 'last', 'title'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = [line(head), ...rows.map(line)];
  for (const r of races) out.push(`  ${r.id} evidence: ${r.evidence.map((m) => `<${clean(m)}>`).join(' ')}`);
  out.push(`${total} race${total === 1 ? '' : 's'}`);
  return out.join('\n') + '\n';
}

function quote(e: Evidence | null): string {
  return e === null ? '' : `"${cut(e.text, 160)}" <${clean(e.messageId)}>`;
}

/** A value and the mail that says so, when there is one (no trailing space without). */
const said = (value: string, e: Evidence | null): string => (e === null ? value : `${value} ${quote(e)}`);

const list = (xs: readonly string[]): string => (xs.length > 0 ? xs.map(clean).join(', ') : '-');

export function formatFix(f: Fix, links: readonly ScenarioLink[], indent = ''): string[] {
  const head = [f.kind, f.version !== null ? `v${f.version}` : '', f.wip ? 'WIP' : '', f.author ? `by ${clean(f.author)}` : ''].filter(Boolean).join(' ');
  const out = [
    `${indent}fix ${clean(f.id)}: ${head}, ${f.lifecycle}${f.supersededBy ? ` by ${clean(f.supersededBy)}` : ''} ${day(f.date)}`,
    `${indent}  ${cut(f.summary, 200)}`,
    `${indent}  proposed in: ${quote(f.evidence)}`,
  ];
  if (f.lifecycleEvidence) out.push(`${indent}  ${f.lifecycle} because: ${quote(f.lifecycleEvidence)}`);
  if (f.copies && f.copies.length > 0) out.push(`${indent}  stable copies: ${f.copies.map((c) => `<${clean(c)}>`).join(' ')}`);
  if (f.functions.length > 0) out.push(`${indent}  functions: ${list(f.functions)}`);
  if (f.files.length > 0) out.push(`${indent}  files: ${list(f.files)}`);
  if (f.stances.length > 0) out.push(`${indent}  stances:`);
  for (const s of f.stances) out.push(`${indent}    ${s.stance.padEnd(17)} ${clean(s.author ?? '?')} (${s.aimedBy}): ${quote(s.evidence)}`);
  if (links.length > 0) out.push(`${indent}  scenarios:`);
  for (const l of links) out.push(`${indent}    ${l.kind}: ${clean(l.label)}`);
  return out;
}

export function formatRace(r: RaceRecord, links: ReadonlyMap<string, ScenarioLink[]>): string {
  const out = [
    `race ${r.id}: ${clean(r.title)}`,
    `  outcome: ${said(r.outcome, r.outcomeEvidence)}`,
    `  status: ${said(r.status, r.statusEvidence)}`,
    `  confidence: ${r.confidence.toFixed(2)}`,
    `  dates: ${day(r.firstDate)} .. ${day(r.lastDate)}`,
    `  functions: ${list(r.functions)}`,
    `  files: ${list(r.files)}`,
    `  locks: ${list(r.locks)}`,
    `  versions: ${list(r.versions)}`,
    `  configs: ${list(r.configs)}`,
    `  threads: ${r.threads.map((t) => `<${clean(t)}>`).join(' ')}`,
    `  evidence: ${r.evidence.map((t) => `<${clean(t)}>`).join(' ')}`,
    '  reasons:',
    ...r.reasons.map((x) => `    ${(x.weight >= 0 ? '+' : '') + x.weight.toFixed(1)} ${x.kind}: ${quote(x.evidence)}`),
  ];
  if (r.diagram) {
    out.push(`  interleaving (${r.diagram.columns.map(clean).join(' | ')}) in <${clean(r.diagram.evidence.messageId)}>:`);
    for (const s of r.diagram.steps) out.push(`    ${clean(r.diagram.columns[s.column] ?? `#${s.column}`).padEnd(14)} ${cut(s.text, 100)}`);
  }
  out.push(`  fixes (${r.fixes.length}):`);
  for (const f of r.fixes) out.push(...formatFix(f, links.get(f.id) ?? [], '    '));
  return out.join('\n') + '\n';
}
