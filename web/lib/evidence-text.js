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

/**
 * What each reason kind means, in a reviewer's words: the kinds are the analyzer's names
 * ("stakes", "trap:performance"), which say nothing to someone reading a race.
 */
const REASON_LABELS = {
  race: ['says “race”', 'the words name a race'],
  'data-race': ['says “data race”', 'the words name a data race'],
  deadlock: ['says “deadlock”', 'the words name a deadlock, ABBA or lock inversion'],
  concurrent: ['says “concurrently”', 'the words say two things happen at the same time'],
  interleaving: ['describes an interleaving', 'interleaving, TOCTOU or time-of-check words'],
  barrier: ['names a barrier', 'a memory barrier, READ_ONCE/WRITE_ONCE or ordering'],
  'use-after-free': ['says “use-after-free”', 'the words name a use-after-free'],
  window: ['names a race window', '“race window”, “a window between”'],
  'race-sides': ['names both sides', 'the words say what races with what: “race between A and B”, “may race with X”'],
  // named neutrally: the mail's columns may be CPU0/CPU1, Thread 1/Thread 2, or a task's name
  'interleaving-diagram': ['interleaving diagram', 'the mail draws the interleaving'],
  'fix-subject': ['subject fixes a race', 'a patch subject that fixes, avoids or prevents a race or deadlock'],
  'bug-report': ['bug report', 'the subject is a bug report'],
  stakes: ['what it breaks', 'what the race loses or breaks: crash, corruption, stale data'],
  kcsan: ['KCSAN report', 'a KCSAN data-race report'],
  'lockdep-splat': ['lockdep splat', 'a lockdep circular/recursive locking report'],
  'hung-task': ['hung task', 'a hung-task report'],
  syzbot: ['from syzbot', 'reported by syzbot/syzkaller'],
  'trap:no-race': ['against: “no race”', 'the words say there is no race; counts against'],
  'trap:false-positive': ['against: false positive', 'the words say it is a false positive; counts against'],
  'trap:lockdep-annotation': ['against: lockdep annotation', 'a lockdep annotation rather than a fix; counts against'],
  'trap:performance': ['against: performance', 'about throughput or parallelism rather than a race; counts against'],
};

/** A reason kind as a reviewer reads it ({ label, title }); an unknown kind as itself. */
export function reasonLabel(kind) {
  const [label, title] = REASON_LABELS[kind] ?? [kind, null];
  return { label, title: title ? `${title} (${kind})` : kind };
}

/**
 * Reasons grouped by the sentence they were read from: one sentence (a subject, say) often
 * gives several (a fix subject, "race", "use-after-free"), and a reply quoting it gives them
 * again; quoting it once per reason made a list of the same line. Each group keeps the first
 * place it was read (`evidence`) and the other messages that say it (`also`), in the order
 * the analyzer ranked the reasons.
 */
export function reasonsBySentence(list) {
  const groups = new Map();
  for (const x of list) {
    const key = String(x.evidence.text).replace(/\s+/g, ' ').trim();
    let g = groups.get(key);
    if (!g) {
      g = { evidence: x.evidence, kinds: [], quotedFrom: x.quotedFrom, also: [] };
      groups.set(key, g);
    } else if (x.evidence.messageId !== g.evidence.messageId && !g.also.some((e) => e.messageId === x.evidence.messageId)) {
      g.also.push(x.evidence);
    }
    if (!g.kinds.includes(x.kind)) g.kinds.push(x.kind);
  }
  return [...groups.values()];
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
  const copies = f.copyHeads ?? [];
  if (copies.length) out.push('  stable copies:', ...copies.map((c) => `    ${c.subject}\n      ${lore(c.messageId)}`));
  if (f.stable) {
    const branches = Object.entries(f.stable.branches ?? {});
    if (branches.length) out.push(`  stable: ${branches.map(([b, s]) => `${b} ${s.status}${s.version ? ` ${s.version}` : ''}`).join(', ')}`);
  }
  return out;
}

/**
 * A thread of the family by subject and link; a stable bundle by the race's own patch in it
 * (its 1/7 is some other patch, and quoting that would mislead whoever follows the link).
 */
function threadLines(t) {
  if (t.focus) return [`- ${t.focus.subject}`, `  ${lore(t.focus.messageId)}`];
  return t.subject ? [`- ${t.subject}`, `  ${lore(t.root)}`] : [`- ${lore(t.root)}`];
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
    for (const g of reasonsBySentence(r.reasons)) {
      out.push(`- ${g.kinds.map((k) => reasonLabel(k).label).join('; ')} (${lore(g.evidence.messageId)}):`);
      // a diagram's evidence is its heading row, not a sentence to quote
      if (g.kinds.length === 1 && g.kinds[0] === 'interleaving-diagram') out.push(`  columns: ${g.evidence.text}`);
      else out.push(quoted(g.evidence.text).replace(/^/gm, '  '));
    }
  }
  if (r.fixes.length) {
    out.push('', 'Proposed fixes:');
    for (const f of r.fixes) out.push(...fixLines(f));
  }
  out.push('', 'Threads:', ...(r.threadHeads ?? r.threads.map((root) => ({ root }))).flatMap(threadLines));
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
  // the report thread is often the discussion too: one trailer, not the same link twice
  if (discussion && discussion !== report) out.push(`Link: ${lore(discussion)}`);
  if (report) out.push(`Closes: ${lore(report)}`);
  return out;
}
