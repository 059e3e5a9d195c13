// "Copy evidence": plain text a reviewer pastes into a reply. The facts with lore links,
// objections quoted with their author, the simulator's verdicts with the command that
// reproduces them, and Link:/Closes: trailers ready to use. Pure: values in, a string out.
// Bidi overrides in mail text are spelled out here too: pasted into a reply they would
// reverse what follows them there as well.
import { day, visibleControls, whoFull } from './dom.js';

const lore = (mid) => `https://lore.kernel.org/r/${encodeURI(mid).replace(/[#?]/g, encodeURIComponent)}`;

/** One line of quoted mail, folded the way a mail client quotes. */
function quoted(text, width = 72) {
  const words = String(text).replace(/\s+/g, ' ').trim().split(' ');
  const out = [];
  let line = '>';
  for (const w of words) {
    if (line.length + w.length + 1 > width && line !== '>') {
      out.push(line);
      line = '>';
    }
    line += ` ${w}`;
  }
  if (line !== '>') out.push(line);
  return out.join('\n');
}

/** Objections and requested changes first: what a reviewer must answer. */
const STANCE_ORDER = ['nacked', 'objection', 'changes-requested', 'question', 'tested', 'reviewed', 'acked', 'agreement'];
export function stancesInOrder(stances) {
  const rank = (s) => {
    const i = STANCE_ORDER.indexOf(s.stance);
    return i < 0 ? STANCE_ORDER.length : i;
  };
  return [...stances].sort((a, b) => rank(a) - rank(b));
}

export function simCommand(scenario, variant, config) {
  return `npx loregraph sim run ${scenario}${variant ? ` --variant ${variant}` : ''}${config ? ` --config ${config}` : ''}`;
}

/** The lines a proposed fix contributes: who, where, lifecycle, stances, scenarios, stable. */
function fixLines(f) {
  const out = [];
  out.push(`- ${f.summary || '(no summary)'} (${f.kind}${f.version ? `, v${f.version}` : ''}), ${f.author ?? 'unknown'}, ${day(f.date)}: ${f.lifecycle}`);
  out.push(`  ${lore(f.messageId)}`);
  for (const s of stancesInOrder(f.stances)) {
    out.push(`  ${s.stance} from ${s.author ?? 'unknown'} (${lore(s.messageId)}):`);
    out.push(quoted(s.evidence.text).replace(/^/gm, '  '));
  }
  for (const sc of f.scenarios ?? []) {
    if (sc.kind !== 'explicit') {
      out.push(`  simulator: ${sc.label}`);
      continue;
    }
    for (const v of sc.verdicts) {
      out.push(`  simulator: ${sc.scenario} variant ${sc.variant}, config ${v.config}: expected ${v.verdict}${v.property ? ` (${v.property})` : ''}${v.original ? `; without the fix: ${v.original}` : ''}`);
      out.push(`    ${simCommand(sc.scenario, sc.variant, v.config)}`);
    }
  }
  if (f.stable) {
    const branches = Object.entries(f.stable.branches ?? {});
    if (branches.length) out.push(`  stable: ${branches.map(([b, s]) => `${b} ${s.status}${s.version ? ` ${s.version}` : ''}`).join(', ')}`);
  }
  return out;
}

/** A race: its facts each with the sentence and link it was read from, its fixes, trailers. */
export function raceEvidenceText(r) {
  const out = [];
  out.push(`Race: ${r.title}`);
  out.push(`Outcome: ${r.outcome}, status: ${r.status}, confidence ${Math.round(r.confidence * 100)}%, ${day(r.firstDate)} .. ${day(r.lastDate)}`);
  if (r.outcomeEvidence) out.push(`  outcome from ${lore(r.outcomeEvidence.messageId)}:`, quoted(r.outcomeEvidence.text).replace(/^/gm, '  '));
  if (r.statusEvidence) out.push(`  status from ${lore(r.statusEvidence.messageId)}:`, quoted(r.statusEvidence.text).replace(/^/gm, '  '));
  for (const [label, xs] of [['Functions', r.functions], ['Files', r.files], ['Locks', r.locks], ['Versions', r.versions], ['Configs', r.configs]]) {
    if (xs.length) out.push(`${label}: ${xs.join(', ')}`);
  }
  if (r.reasons.length) {
    out.push('', 'Why this is a race:');
    for (const x of r.reasons) {
      out.push(`- ${x.kind} (${lore(x.evidence.messageId)}):`);
      out.push(quoted(x.evidence.text).replace(/^/gm, '  '));
    }
  }
  if (r.fixes.length) {
    out.push('', 'Proposed fixes:');
    for (const f of r.fixes) out.push(...fixLines(f));
  }
  out.push('', 'Threads:', ...r.threads.map((t) => `- ${lore(t)}`));
  out.push('', ...trailers(r.evidence[0], r.threads[0]));
  return visibleControls(out.join('\n'));
}

/** A fix on its own, with its race for context. */
export function fixEvidenceText(race, f) {
  const out = [`Proposed fix for: ${race.title} (${race.outcome}, ${race.status})`, ...fixLines(f), ''];
  out.push(...trailers(race.evidence[0], f.messageId));
  return visibleControls(out.join('\n'));
}

/** A message: who said what when, its link, and the trailers pointing at it. */
export function messageEvidenceText(m) {
  return visibleControls([`${m.subject || '(no subject)'}`, `From: ${whoFull(m.from)}, ${day(m.date)}`, lore(m.messageId), '', `Link: ${lore(m.messageId)}`].join('\n'));
}

/** Link: to the discussion, Closes: to the report a fix closes. */
function trailers(report, discussion) {
  const out = [];
  if (discussion) out.push(`Link: ${lore(discussion)}`);
  if (report) out.push(`Closes: ${lore(report)}`);
  return out;
}
