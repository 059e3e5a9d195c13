// What one message says about a race, on its own: the reasons that make it read as a
// race report or discussion (and the false friends that argue against), the code paths,
// locks, outcome, versions and configs it names, an interleaving diagram, the fixes it
// proposes (its patch, an inline diff, an attached .patch, an idea in prose) and the
// stances its own paragraphs take. Quoted text counts too, attributed to whom it quotes:
// a reply that quotes the whole discussion (as saved pages do) is often all there is.
// Pure and structured-cloneable: it runs in the parse worker.
import type { ParsedMessage } from '../message.ts';
import type { PatchAnalysis } from '../patch/analyze.ts';
import { parseSubject, subjectKey, type SubjectInfo } from '../patch/subject.ts';
import { readDiagram, functionsIn } from './diagram.ts';
import { gated, Probe } from './gate.ts';
import { allocatorFrames, blankAddresses, blankQuotedTitles, introducesNothing, isReportingMachinery, isSyzbotCommand, otherCommitLines } from './noise.ts';
import {
  ANNOTATION_SUBJECT,
  APPLIED,
  BUG_REPORT_SUBJECT,
  CHECKER_REPORTS,
  FEATURE_SUBJECT,
  FIX_SUBJECT,
  IDEA,
  LOCK_CALL,
  LOCK_HINT,
  LOCKS,
  NAMED_LOCK,
  NOT_FUNCTIONS,
  OUTCOME_HINT,
  OUTCOME_WORDS,
  RACE_HINT,
  RACE_WORDS,
  REASON_HINT,
  STAKES,
  STANCE_WORDS,
  trailerStance,
  TRAPS,
  WIP,
} from './lexicon.ts';
import { blockText, hasSpaceRun, isSpace, parseReply, type Block, type ReplyStructure } from './reply.ts';
import type { Evidence, FixProposal, MessageKnowledge, Outcome, Reason, StanceSignal } from './types.ts';

export interface MessageAnalysis {
  blocks: Block[];
  restored: boolean;
  /** Null when the message says nothing the knowledge layer keeps. */
  knowledge: MessageKnowledge | null;
}

const MAX_EVIDENCE = 300;

// The word lists with their literals (gate.ts), looked for before each list's regex runs.
const REASON_LISTS = [...RACE_WORDS, ...CHECKER_REPORTS, ...TRAPS].map(([kind, re, weight]) => ({
  kind,
  re,
  weight,
  gate: gated(re),
  trap: TRAPS.some(([k]) => k === kind),
}));
const OUTCOME_GATES = OUTCOME_WORDS.map(([, re]) => gated(re));
// An anchored list is asked sentence by sentence only (its anchors mean a sentence's start
// or end); its literals still say whether any sentence can hold a match.
const STANCE_LISTS = STANCE_WORDS.map(([stance, re]) => ({ stance, re, gate: gated(re), anchored: /[$^]/.test(re.source) }));
const LOCK_GATES = LOCKS.map(([name, re]) => ({ name, gate: gated(re) }));
const NAMED_LOCK_GATE = gated(NAMED_LOCK);
const LOCK_CALL_GATE = gated(LOCK_CALL);
// asked once a message, of all its own words, so more literals than one text's gate are worth their scans
const APPLIED_GATE = gated(APPLIED, 5);
const PULL_BODY = /^The following changes since commit [0-9a-f]{7,}/m;

const DIGEST_SUBJECT = /^(?:Re:\s*)?(?:\[syzbot\] (?:\[[^\]]*\] )?Monthly \S+ report\b|\[ANNOUNCE\] Linux \d)/i;

/**
 * Whether a text holds a word only a race discussion uses. One pass of the pattern: a
 * substring scan before it (one per word, and "lock" or "free" is in most kernel mail)
 * cost more than the pattern it rarely spared.
 */
function mentionsRace(text: string): boolean {
  return RACE_HINT.test(text);
}

// Quoted text weighs less: in a thread its own message usually said it first.
const QUOTED_WEIGHT = 0.5;

// A ruler line ("=====" above a lockdep or KASAN splat, "-----" between its parts) says nothing.
const RULER = /(?:^|\s)([=\-_*~#])\1{3,}(?=\s|$)/g;

function clip(s: string): string {
  const r = s.replace(RULER, ' ');
  // most evidence is one line of single spaces: then there is no run to collapse (and no copy to make)
  const t = (hasSpaceRun(r) ? r.replace(/\s+/g, ' ') : r).trim();
  return t.length > MAX_EVIDENCE ? `${t.slice(0, MAX_EVIDENCE - 1)}…` : t;
}

/** What may start a sentence after a full stop: [A-Z(`"'*-]. */
function opensSentence(c: number): boolean {
  return (c >= 65 && c <= 90) || c === 40 || c === 96 || c === 34 || c === 39 || c === 42 || c === 45;
}

// Where a sentence may end: a full stop, question or exclamation mark before whitespace.
const MARK_SPACE = /[.?!\uff1f\uff01]\s/g;

/**
 * Sentences of a prose block. A full stop ends a sentence before a capital; a question or
 * exclamation mark (the full-width ones of CJK input methods too) before anything: replies
 * often go on in lower case. The same cuts as splitting on
 * /(?<=[.!?])\s+(?=[A-Z(`"'*-])|(?<=[?!？！])\s+/, found by hand: that split, lookbehind
 * tried at every character, was among the analyzer's costliest passes. The regex only jumps
 * to the next mark before whitespace (a native scan, where a loop looked at every character).
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const keep = (piece: string): void => {
    const t = piece.trim();
    if (t.length > 0) out.push(t);
  };
  let from = 0;
  MARK_SPACE.lastIndex = 0;
  for (let m = MARK_SPACE.exec(text); m !== null; m = MARK_SPACE.exec(text)) {
    const i = m.index + 1; // the whitespace after the mark
    let j = i + 1;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(m.index) === 46 /* . */ && !(j < text.length && opensSentence(text.charCodeAt(j)))) continue;
    keep(text.slice(from, i));
    from = j;
    MARK_SPACE.lastIndex = j;
  }
  keep(text.slice(from));
  return out;
}

/** A unit's sentences, split once: several readers (reasons, fixes, stances) ask for them. */
function sentences(u: Unit): string[] {
  return (u.sentences ??= splitSentences(u.text));
}

// A path in the tree: its first part has no dot (example.org/x.c is a URL, not a file).
// An #include's <linux/types.h> is a header's include name, not a path in the tree.
const FILE_RE = /(?<![\w./:<-])((?:[a-z0-9_-]+\/)(?:[a-z0-9_.-]+\/)*[a-z0-9_.-]+\.(?:c|h|rs|S))\b/g;
const FUNCTION_RE = /\b([a-z_][a-z0-9_]{2,})\(\)/g;
const CONFIG_RE = /\bCONFIG_[A-Z0-9_]{3,}\b/g;
const VERSION_RE = /\b(?:(?:v|linux-|Linux |kernel )(\d\.\d{1,2}(?:\.\d{1,3})?(?:-rc\d+)?)|(\d\.\d{1,2}(?:\.\d{1,3})?(?:-rc\d+)?)(?=[ -](?:kernels?|LTS|stable|mainline|-rc|\.y)\b))/g;

function addAll(into: string[], items: Iterable<string>, max = 40): void {
  for (const it of items) if (!into.includes(it) && into.length < max) into.push(it);
}

/**
 * A lockdep splat names a lock's class, not a function: "(sb_internal#2){.+.+}-{0:0}" (#2 its
 * subclass, {.+.+} its usage marks) and a workqueue's flush as "(wq_completion)events" or
 * "((work_completion)(&w->work))". Only these printed forms are told: a class named in prose
 * ("evict takes sb_internal") reads the same as a function, and stays.
 */
function isLockdepClass(text: string, at: number, name: string): boolean {
  const after = text.slice(at + name.length, at + name.length + 24);
  if (/^(?:#\d|\)?\{[-+.?]+\})/.test(after)) return true;
  return /^(?:wq|work)_completion$/.test(name) && text[at - 1] === '(' && after.startsWith(')');
}

function functionsOf(text: string): string[] {
  const out: string[] = [];
  if (!text.includes('()')) return out; // every FUNCTION_RE match ends so
  for (const m of text.matchAll(FUNCTION_RE)) {
    const f = m[1] ?? '';
    if (!NOT_FUNCTIONS.has(f) && !out.includes(f)) out.push(f);
  }
  return out;
}

function filesOf(text: string): string[] {
  if (!/\.[chS]\b|\.rs\b/.test(text)) return [];
  // "diff --git a/fs/x.c b/fs/x.c" quoted in prose names fs/x.c, not a/fs/x.c
  // a splat's frames through dump_stack, KASAN, lockdep or the entry code are the report's, not the race's
  // and the allocator's frames in the stacks of where the object was allocated and freed are the allocator's
  const allocator = allocatorFrames(text);
  const files = new Set<string>();
  for (const m of text.matchAll(FILE_RE)) {
    const f = (m[1] ?? '').replace(/^[ab]\/(?=[^/]+\/)/, '');
    if (f.includes('/') && !isReportingMachinery(f) && !allocator(f, m.index)) files.add(f);
  }
  return [...files];
}

export function locksOf(text: string): string[] {
  const out: string[] = [];
  if (!LOCK_HINT.test(text)) return out;
  const probe = new Probe(text);
  for (const { name, gate } of LOCK_GATES) if (probe.test(gate)) out.push(name);
  for (const m of probe.mayMatch(NAMED_LOCK_GATE) ? text.matchAll(NAMED_LOCK) : []) {
    const l = m[1] ?? '';
    if (text[(m.index ?? 0) + l.length] === '(') continue; // filemap_invalidate_lock() is a function
    if (!/^(?:spin|mutex|read|write|down|up|rw|seq|folio|page|inode|mmap|xa|xas|rcu_read|invalidate|i_mmap|pte_offset_map)_/.test(`${l}_`) || /_(?:rwsem|sem|mutex)$/.test(l)) {
      if (!out.includes(l) && !/^(?:inode_lock|folio_lock|mmap_lock|xa_lock|xas_lock|invalidate_lock|spin_lock|mutex_lock|read_lock|write_lock|rcu_read_lock|page_lock|i_lock)$/.test(l)) out.push(l);
    }
  }
  for (const m of probe.mayMatch(LOCK_CALL_GATE) ? text.matchAll(LOCK_CALL) : []) {
    const l = m[1] ?? '';
    if (l && !out.includes(l) && /(?:lock|sem|mutex|rwsem)$/.test(l)) out.push(l);
  }
  return out;
}

function versionsOf(text: string): string[] {
  if (!/\d\.\d/.test(text)) return [];
  return [...new Set([...text.matchAll(VERSION_RE)].map((m) => m[1] ?? m[2] ?? '').filter(Boolean))];
}

/** The sender as a person: "Chao Yu via Linux-f2fs-devel" (a list rewriting From for DMARC) is Chao Yu. */
export function personName(name: string): string {
  return name.replace(/\s+via\s+\S.*$/i, '').replace(/^["']|["']$/g, '').trim();
}

function senderName(msg: ParsedMessage): string | null {
  const n = msg.from?.name ? personName(msg.from.name) : '';
  return n || msg.from?.address || null;
}

interface Unit {
  block: number | null;
  /** 0 for own text and the subject. */
  depth: number;
  author: string | null;
  text: string;
  kind: Block['kind'] | 'subject';
  sentences?: string[];
}

// Quoted text is read up to this much per message, nearest to the sender's own words
// first: in a thread its own mail usually holds it anyway, and a reply that quotes a
// whole 200-message discussion must not cost two hundred messages.
const QUOTED_BUDGET = 8 * 1024;
const NO_LINES: ReadonlySet<number> = new Set();
// A saved page run together (restored) is often a whole discussion in one reply's quotes.
const QUOTED_BUDGET_RESTORED = 48 * 1024;
const OWN_BUDGET = 64 * 1024;

/**
 * The message's text as units (subject first), each with its block and author. Quoted
 * text only when `quotes`: a reply whose mail says nothing of races is read for its own
 * words (stances, ideas, an inline diff), which is what a race thread needs of it.
 */
function unitsOf(msg: ParsedMessage, r: ReplyStructure, quotes: boolean): Unit[] {
  const sender = senderName(msg);
  const units: Unit[] = [{ block: null, depth: 0, author: sender, text: msg.subject, kind: 'subject' }];
  let quoted = 0;
  let own = 0;
  const budget = r.restored ? QUOTED_BUDGET_RESTORED : QUOTED_BUDGET;
  // (looked for only in mail that says something of races: elsewhere no word of theirs could count)
  const others = quotes ? otherCommitLines(r.unquoted) : NO_LINES;
  for (const [i, b] of r.blocks.entries()) {
    if (b.kind === 'signature' || b.kind === 'attribution' || (b.depth > 0 && !quotes)) continue;
    let size = 0;
    for (let l = b.start; l <= b.end && size <= budget; l++) size += r.lines[l]?.length ?? 0;
    if (b.depth > 0 ? quoted > budget : own > OWN_BUDGET) continue;
    if (b.depth > 0) quoted += size;
    else own += size;
    // a diff is read for its hunk headers, changed lines and comments: its first thousand lines do
    const diffLines = quotes ? 1000 : 200;
    const block = b.kind === 'diff' && b.end - b.start > diffLines ? { ...b, end: b.start + diffLines } : b;
    // a quoted patch is code, not the quoting person's prose (its comments still speak), and
    // another commit's `git log` line or block is that commit's words (noise.ts)
    const prose = b.kind !== 'diff' && b.kind !== 'code';
    const text =
      b.kind === 'quote'
        ? blockText(r, block, (l, at) => !isQuotedCode(l) && !others.has(at))
        : prose && others.size > 0
          ? blockText(r, block, (_l, at) => !others.has(at))
          : blockText(r, block);
    units.push({ block: i, depth: b.depth, author: b.depth === 0 ? sender : b.author, text, kind: b.kind });
  }
  return units;
}

// A quoted diff's lines: headers, hunk headers, context indented by a tab, and added or
// removed code (a "- item" in a changelog is prose; "+\tspin_lock(&x);" and "-#include <y.h>" are not).
const QUOTED_CODE = /^(?:diff --git |index [0-9a-f]+\.\.|\+\+\+ |--- [ab]\/|@@ -\d| ?\t|[+-]$|[+-](?:\t|\s*(?:[#}]|(?:if|for|while|else|return|switch|case|goto|break|continue|do)\b)|(?!\s*\/?\*).*[;{]\s*$))/;

/** QUOTED_CODE.test(line), its first character asked first: most quoted lines are prose, which starts with none of d i + - @ space tab. */
function isQuotedCode(line: string): boolean {
  const c = line.charCodeAt(0);
  return (c === 100 || c === 105 || c === 43 || c === 45 || c === 64 || c === 32 || c === 9) && QUOTED_CODE.test(line);
}

function ev(messageId: string, unit: Unit, text: string): Evidence {
  const at = unit.text.indexOf(text);
  return at > 0 ? { messageId, block: unit.block, at, text: clip(text) } : { messageId, block: unit.block, text: clip(text) };
}

function firstMatching(sents: readonly string[], re: RegExp): string | null {
  for (const s of sents) if (re.test(s)) return s;
  return null;
}

// A diff's lines that speak: the comments it adds, and hunk headers. A removed comment is
// the code going away ("-	/* racing with truncate? */" in a series deleting dead code),
// and says nothing of what the patch does.
const DIFF_COMMENT = /^\+\s*\/?\*|^\+.*\/\/|^@@/;
// A comment a patch adds says what its code guards against ("to avoid deadlock", "may race
// with mkfs"), a design note more than a report: half the weight of the same words in prose.
const DIFF_COMMENT_WEIGHT = 0.5;
// A sentence that is a review trailer: "Reviewed-by: ...".
const TRAILER = /^([A-Z][a-z]+-by):/;
// A line of code a function is called from: a statement, a block's opening, a condition.
const CODE_STATEMENT = /;\s*$|\{\s*$|^\s*(?:if|while|for|return)\b/;

function raceReasons(msg: ParsedMessage, units: Unit[], patch: PatchAnalysis | undefined): Reason[] {
  const reasons: Reason[] = [];
  const id = msg.messageId;
  const subject = units[0]!;
  const isReplySubject = /^\s*(?:re|aw|sv)\s*:/i.test(msg.subject);
  if (!isReplySubject && FIX_SUBJECT.test(msg.subject)) reasons.push({ kind: 'fix-subject', weight: 4, evidence: ev(id, subject, msg.subject) });
  if (ANNOTATION_SUBJECT.test(msg.subject)) reasons.push({ kind: 'trap:lockdep-annotation', weight: -5, evidence: ev(id, subject, msg.subject) });
  // a reply under a feature's subject is that feature's design discussion ("Re: [GSoC 2026]
  // Multi-threaded decompression for fsck.erofs"): the races it names are what the work must avoid
  const bare = isReplySubject ? msg.subject.replace(/^(?:\s*(?:re|aw|sv)\s*:)+\s*/i, '') : msg.subject;
  if (!FIX_SUBJECT.test(bare) && FEATURE_SUBJECT.test(bare)) reasons.push({ kind: 'trap:feature', weight: -5, evidence: ev(id, subject, msg.subject) });
  // counted once per message per kind (the first unit that says it), so a long rant does
  // not outweigh a diagram; each word list is tried on the whole text first, as most fail
  // another commit's title (named in prose, a Fixes: line, a `git log` line or block) is that
  // commit's words, not this mail's (noise.ts)
  // words inside a link, a Message-ID or an address ("Closes: https://lore.../x-race-report@...") are no one's vocabulary
  const texts = units.map((u) =>
    u.kind === 'code'
      ? ''
      : u.kind === 'diff'
        ? u.text.split('\n').filter((l) => DIFF_COMMENT.test(l)).join('\n')
        : u.kind === 'subject'
          ? blankAddresses(u.text)
          : blankAddresses(blankQuotedTitles(u.text)),
  );
  const whole = texts.join('\n');
  // one pass says whether any word list can match at all; most replies stop here
  if (!REASON_HINT.test(whole)) return reasons;
  const probe = new Probe(whole);
  for (const { kind, re, weight, gate, trap } of REASON_LISTS) {
    // the literals only: a list that matches no text matches none of them, found as cheaply
    // unit by unit, and one that does was found twice when asked of the whole text first
    if (!probe.mayMatch(gate)) continue;
    const at = texts.findIndex((t) => t.length > 0 && re.test(t));
    if (at < 0) continue;
    const u = units[at]!;
    const text = texts[at]!;
    const scale = (u.depth === 0 ? 1 : QUOTED_WEIGHT) * (u.kind === 'diff' ? DIFF_COMMENT_WEIGHT : 1);
    const s = (u.kind === 'diff' ? firstMatching(splitSentences(text), re) : sentences(u).find((x) => re.test(blankAddresses(x)))) ?? text;
    const w = weight * (weight > 0 ? scale : 1) * (u.kind === 'subject' && weight > 0 && !isReplySubject ? 1.5 : 1);
    const reason: Reason = { kind: trap ? `trap:${kind}` : kind, weight: w, evidence: ev(id, u, s) };
    if (u.depth > 0) reason.quotedFrom = u.author ?? '';
    reasons.push(reason);
  }
  // what the words lose or break, once something says "race": the report's stakes
  const concurrency = reasons.some((r) => r.weight > 0 && RACE_WORDS.some(([k]) => k === r.kind));
  if (concurrency) {
    const stakes = units.find((u) => u.kind !== 'code' && u.kind !== 'diff' && STAKES.test(u.text));
    if (stakes) {
      const s = firstMatching(sentences(stakes), STAKES) ?? stakes.text;
      const reason: Reason = { kind: 'stakes', weight: 1, evidence: ev(id, stakes, s) };
      if (stakes.depth > 0) reason.quotedFrom = stakes.author ?? '';
      reasons.push(reason);
    }
    if (BUG_REPORT_SUBJECT.test(msg.subject.replace(/^\s*(?:re|aw|sv)\s*:\s*(?:subject:\s*)?/i, ''))) reasons.push({ kind: 'bug-report', weight: 1, evidence: ev(id, subject, msg.subject) });
  }
  if (patch?.stable) {
    // a stable-process copy repeats the patch: its words are not new evidence
    for (const r of reasons) if (r.weight > 0) r.weight *= 0.5;
  }
  return reasons;
}

// A reviewer's remark on what the patch itself would do ("It can deadlock.", "This would crash
// on unmount"): the risk of one version of the fix, not what the race did.
const PATCH_RISK = /^(?:but |and |actually,? |hmm,? |no,? )?(?:this|that|it|which|the (?:patch|change|fix|new code)) (?:(?:would|will|can|could|may|might) (?:still |also |then )?|(?:still |also )?)(?:dead-?lock|hang|crash|panic|livelock|corrupt|cause (?:a |an )?(?:dead-?lock|crash|hang|panic|use-after-free|UAF|corruption))/i;

function outcomeOf(id: string, units: Unit[], reply: boolean): { outcome: Outcome; evidence: Evidence } | null {
  // another commit's title ("introduced by commit 7377e853967b ("foo: fix potential deadlock ...")")
  // is that commit's outcome, not this one's (noise.ts)
  const texts = new Map(units.map((u) => [u, u.kind === 'code' || u.kind === 'diff' || u.kind === 'subject' ? u.text : blankQuotedTitles(u.text)]));
  const whole = units.filter((u) => u.kind !== 'code' && u.kind !== 'diff').map((u) => texts.get(u)!).join('\n');
  if (!OUTCOME_HINT.test(whole)) return null;
  const probe = new Probe(whole);
  // which outcomes may be named, by their literals: each unit is asked below anyway, and a
  // pattern asked of the whole text first was one more pass over it for those that are named
  const present = OUTCOME_GATES.map((g) => probe.mayMatch(g));
  if (!present.some(Boolean)) return null;
  // the subject and the sender's own words decide first, then the quoted report
  const ordered = [...units].sort((a, b) => (a.kind === 'subject' ? -1 : 0) - (b.kind === 'subject' ? -1 : 0) || a.depth - b.depth);
  let best: { outcome: Outcome; evidence: Evidence; rank: number } | null = null;
  for (const u of ordered) {
    if (u.kind === 'code' || u.kind === 'diff') continue;
    const text = texts.get(u)!;
    for (const [rank, [outcome, re]] of OUTCOME_WORDS.entries()) {
      if (!present[rank] || !re.test(text)) continue;
      const matching = (text === u.text ? sentences(u) : splitSentences(text)).filter((x) => re.test(x));
      // a reply's own remark on what the patch would do is a review of it (a stance), not the race's outcome
      const s = matching.find((x) => !(reply && u.depth === 0 && PATCH_RISK.test(x)));
      if (s === undefined && matching.length > 0) continue;
      const score = rank + (u.kind === 'subject' ? -10 : u.depth * 2);
      if (!best || score < best.rank) best = { outcome, evidence: ev(id, u, s ?? text), rank: score };
      break;
    }
  }
  return best ? { outcome: best.outcome, evidence: best.evidence } : null;
}

// IDEA asked of a whole text, before its sentences: a branch anchored at a sentence's start
// ("And add a WRITE_ONCE() in foo()") may match wherever a sentence starts, not only at the
// text's start, so the gate drops the anchor (IDEA has no [^...] class for it to break).
const IDEA_ANY_LINE = new RegExp(IDEA.source.replaceAll('^', ''), IDEA.flags);

// Column headings of an interleaving diagram: "CPU0", "Thread A", "Process B", "Task 1".
const DIAGRAM_HEADING = /\b(?:CPU ?\d+|Thread ?[A-Z0-9]\b|Process ?[A-Z0-9]\b|Task ?[A-Z0-9]\b)/;

// A sentence that offers the code below it as the change: "change like this?", "How about below:",
// "How about:", "Why not:", "something like the following", "e.g.:".
const CODE_OFFER = /\b(?:(?:change|do|fix|write|it|something) (?:it )?like (?:this|that|below|the following)|(?:how|what) about (?:this|below|the following|something like)|(?:how|what) about\s*[:?]|why not\s*[:?]|something like\s*:|the following (?:change|diff|code)|e\.g\.?\s*:?)\s*[?:.]?\s*$/i;

// A dotfile a patch touches (.gitignore, .mailmap) is no place a race runs.
const codeFile = (f: string): boolean => !/(?:^|\/)\.[^/]*$/.test(f);

function diffFiles(text: string): string[] {
  return [...new Set([...text.matchAll(/^(?:\+\+\+|---) (?:[ab]\/)?(\S+)/gm)].map((m) => m[1] ?? '').filter((f) => f !== '/dev/null' && f.includes('.') && codeFile(f)))];
}

function fixProposals(
  msg: ParsedMessage,
  units: Unit[],
  patch: PatchAnalysis | undefined,
  subj: SubjectInfo,
  diffFunctions: string[],
  prose: string,
): FixProposal[] {
  const id = msg.messageId;
  const sender = senderName(msg);
  const out: FixProposal[] = [];
  const ownDiff = units.find((u) => u.kind === 'diff' && u.depth === 0 && /^(?:diff --git|--- |@@ )/m.test(u.text) && /^[+-](?![+-])/m.test(u.text));
  // a new version posted as a reply ("Re: [PATCH v2] ...", whole patch inside) is a patch too
  const repost = subj.isReply && subj.isPatch && ownDiff !== undefined && units.some((u) => u.depth === 0 && /Signed-off-by:/.test(u.text));
  if (patch?.kind === 'patch' || repost) {
    out.push({
      kind: 'patch',
      author: (patch?.author?.name ? personName(patch.author.name) : '') || patch?.author?.email || sender,
      summary: subj.normalizedSubject || msg.subject,
      functions: diffFunctions,
      files: patch && patch.files.length > 0 ? patch.files.map((f) => f.path).filter(codeFile).slice(0, 40) : diffFiles(ownDiff?.text ?? ''),
      wip: WIP.test(msg.subject),
      titleKey: subjectKey(subj),
      version: subj.versionMajor,
      evidence: ev(id, units[0]!, msg.subject),
    });
  } else if (ownDiff) {
    // a diff in the sender's own text: "something like this?"
    // the last sentence above it that says something ("Thanks." or a run of trailers says nothing of the diff)
    let intro = '';
    for (const u of units.slice(1, units.indexOf(ownDiff)).reverse()) {
      if (u.kind !== 'own') continue;
      intro = sentences(u).filter((s) => !introducesNothing(s)).slice(-1)[0] ?? '';
      if (intro) break;
    }
    const files = diffFiles(ownDiff.text);
    out.push({
      kind: 'inline-diff',
      author: sender,
      summary: clip(intro || `inline diff of ${files.join(', ') || 'the code under discussion'}`),
      functions: diffFunctions,
      files,
      wip: WIP.test(intro) || WIP.test(msg.subject) || units.some((u) => u.depth === 0 && /\buntested\b/i.test(u.text)),
      evidence: ev(id, ownDiff, ownDiff.text.split('\n').find((l) => /^@@|^diff --git/.test(l)) ?? ownDiff.text.split('\n')[0] ?? ''),
    });
  }
  if (out.length === 0) {
    // code in the sender's own words, offered as the change ("change like this?", "How about
    // below:"): a proposal as an inline diff is, though written without diff markers
    for (const [i, u] of units.entries()) {
      // (an interleaving drawn in columns is the race, told "race like this:", not a change)
      if (u.kind !== 'code' || u.depth !== 0 || !/[a-z_]\w*\s*\(/i.test(u.text) || DIAGRAM_HEADING.test(u.text)) continue;
      // the offer is the last sentence of an own paragraph just above (a function's name on a line of its own may stand between)
      const near = units.slice(1, i).filter((x) => x.depth === 0 && x.kind === 'own' && x.block !== null && u.block !== null && u.block - x.block <= 3);
      const intro = near.map((x) => sentences(x).slice(-1)[0] ?? '').reverse().find((x) => CODE_OFFER.test(x));
      if (intro === undefined) continue;
      out.push({
        kind: 'inline-diff',
        author: sender,
        summary: clip(intro),
        functions: functionsIn(u.text).filter((f) => f.includes('_') && !NOT_FUNCTIONS.has(f)).slice(0, 30),
        files: [],
        wip: WIP.test(intro),
        evidence: ev(id, u, u.text.split('\n').find((l) => l.trim().length > 0) ?? u.text),
      });
      break;
    }
  }
  if (subj.isReply && subj.isPatch && !repost) {
    // a review of a patch we may not hold: the quoted commit message stands for it
    const quotedPatch = units.find((u) => u.kind === 'quote' && /(?:^|\s)(?:From:\s|Signed-off-by:\s|Fixes:\s[0-9a-f]{8})/.test(u.text));
    if (quotedPatch) {
      out.push({
        kind: 'patch',
        author: quotedPatch.author,
        summary: subj.normalizedSubject || msg.subject,
        functions: [],
        files: [],
        wip: false,
        titleKey: subjectKey(subj),
        version: subj.versionMajor,
        quotedIn: id,
        evidence: ev(id, quotedPatch, sentences(quotedPatch)[0] ?? quotedPatch.text),
      });
    }
  }
  for (const a of msg.attachments) {
    if (!a.filename || !/\.(?:patch|diff)$/i.test(a.filename)) continue;
    out.push({ kind: 'attachment', author: sender, summary: a.filename, functions: [], files: [], wip: WIP.test(a.filename), evidence: { messageId: id, block: null, text: a.filename } });
  }
  // a patch's own description explains the patch: its words are no further proposals
  const isPatchMail = out[0]?.kind === 'patch' && !out[0].quotedIn;
  // a patch mail that says nothing of races has none (no quotes are read): then prose is not scanned
  const readable = units.filter((u) => (u.kind === 'own' && !isPatchMail) || u.kind === 'quote');
  // attachments named or announced in the text (saved pages lose the parts themselves)
  for (const u of readable.length > 0 && /attach|\.patch\b|\.diff\b/i.test(prose) ? readable : []) {
    for (const m of u.text.matchAll(/(?:^|[\s(-])([\w.+-]+\.(?:patch|diff))\b/g)) {
      const name = m[1] ?? '';
      if (out.some((f) => f.summary === name)) continue;
      const around = u.text.slice(Math.max(0, (m.index ?? 0) - 200), (m.index ?? 0) + 200);
      if (!/attach/i.test(around) && !prevTexts(units, u, 3).some((t) => /attach/i.test(t))) continue;
      out.push({ kind: 'attachment', author: u.author, summary: name, functions: [], files: [], wip: WIP.test(name), evidence: ev(id, u, name) });
    }
    for (const s of sentences(u)) {
      if (!/\battach(?:ing|ed)?\b.{0,40}\b(?:patch|diff|fix)\b/i.test(s) || /\.(?:patch|diff)\b/.test(s) || isSyzbotCommand(s)) continue;
      if (/\b(?:repro|reproducer|config|log|dmesg|trace|script)\b/i.test(s) && !/\bpatch\b/i.test(s)) continue;
      if (out.some((f) => f.kind === 'attachment' && f.evidence.block === u.block)) continue;
      out.push({ kind: 'attachment', author: u.author, summary: clip(s), functions: functionsOf(s), files: filesOf(s), wip: WIP.test(s), evidence: ev(id, u, s) });
    }
  }
  // ideas in prose; a quoted patch's own description ("let's force read to buffered IO") is
  // that patch, not an idea of its author's besides it
  const quotedPatchBy = new Set(out.filter((f) => f.kind === 'patch' && f.quotedIn).map((f) => f.author));
  for (const u of readable.length > 0 && IDEA_ANY_LINE.test(prose) ? readable : []) {
    if (!IDEA_ANY_LINE.test(u.text)) continue;
    if (u.depth > 0 && u.author !== null && quotedPatchBy.has(u.author)) continue;
    for (const s of sentences(u)) {
      if (!IDEA.test(s)) continue;
      const fns = [...new Set([...functionsOf(s), ...functionsIn(s).filter((f) => f.includes('_') && !NOT_FUNCTIONS.has(f))])];
      const codeish =
        fns.length > 0 ||
        locksOf(s).length > 0 ||
        /\b[a-z]+_[a-z0-9_]+\b|->|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/.test(s) ||
        /\b(?:lock(?:s|ed|ing)?|mutex|semaphore|barriers?|rcu|atomic(?:ally)?|refcount|spinlock|serializ\w+)\b/i.test(s);
      if (!codeish && !/\b(?:better|simpler|proper|real|right) fix\b|\bother idea\b/i.test(s)) continue;
      if (out.some((f) => f.kind === 'prose' && f.summary === clip(s))) continue;
      // one idea told over adjacent paragraphs of one person is one proposal
      const prev = out[out.length - 1];
      if (prev?.kind === 'prose' && prev.author === u.author && u.block !== null && prev.evidence.block !== null && u.block - prev.evidence.block <= 1) {
        addAll(prev.functions, fns);
        continue;
      }
      out.push({ kind: 'prose', author: u.author, summary: clip(s), functions: fns, files: filesOf(s), wip: false, evidence: ev(id, u, s) });
    }
  }
  return out.slice(0, 12);
}

function prevTexts(units: Unit[], u: Unit, n: number): string[] {
  const i = units.indexOf(u);
  return units.slice(Math.max(1, i - n), i).map((x) => x.text);
}

const HUNK = /^@@ [^@]* @@\s*(.*)$/;

/** A line that opens a comment or goes on with one: `/* …`, ` * …`, `// …` (not `*ptr = …`). */
const COMMENT_LINE = /^\s*(?:\/\*|\*(?:\s|\/|$)|\/\/)/;

function functionsInDiff(units: Unit[]): string[] {
  const out: string[] = [];
  let budget = 800; // changed lines read: a 10,000-line patch names its functions in its first hunks
  for (const u of units) {
    if (u.kind !== 'diff' || u.depth !== 0) continue;
    for (const line of u.text.split('\n')) {
      if (--budget < 0 || out.length >= 30) break;
      // the first character says which of the two a line can be, without a regex per line
      const c = line.charCodeAt(0);
      if (c === 64 /* @ */) {
        const hunk = HUNK.exec(line);
        if (hunk?.[1]) addAll(out, functionsIn(hunk[1]).slice(-1));
      } else if ((c === 43 /* + */ || c === 45) /* - */ && line.charCodeAt(1) !== 43 && line.charCodeAt(1) !== 45) {
        // a comment is prose, read as prose is: "increasing (physical) address order" calls nothing
        const code = line.slice(1);
        addAll(out, (COMMENT_LINE.test(code) ? functionsOf(code) : functionsIn(code)).filter((f) => !NOT_FUNCTIONS.has(f)));
      }
    }
  }
  return out.slice(0, 30);
}

// Where a patch pasted into a reply starts: format-patch's From line, a scissors line, or its Subject.
const PASTED_PATCH_START = /^(?:From [0-9a-f]{40} |-{2,} ?>8 ?-{2,}|Subject: \[PATCH)/;

/**
 * `ownPatch`: the mail is a patch, also one reposted as a reply ("Re: [PATCH v4] ..." with
 * the whole format-patch): its description is no stance, while a reply's words above the
 * pasted patch ("I just found this can hang ... How about this?") are.
 */
function stancesOf(msg: ParsedMessage, r: ReplyStructure, units: Unit[], patch: PatchAnalysis | undefined, ownPatch: boolean): StanceSignal[] {
  const id = msg.messageId;
  const sender = senderName(msg);
  const out: StanceSignal[] = [];
  // trailers a reply gives are stances on what it answers (a patch's own are its history)
  if (patch && patch.kind !== 'patch' && !ownPatch) {
    for (const t of patch.trailers) {
      const kind = trailerStance(t.name);
      if (!kind) continue;
      out.push({ stance: kind, author: sender, evidence: { messageId: id, block: null, text: clip(`${t.name}: ${t.value}`) }, answers: null });
    }
  }
  const isPatch = patch?.kind === 'patch' || patch?.kind === 'cover';
  const pastedAt = !isPatch && ownPatch ? r.lines.findIndex((l) => PASTED_PATCH_START.test(l)) : -1;
  // the first line of the patch's own words: all of a patch mail, of a repost from its From line (or all of it)
  const descriptionFrom = isPatch ? 0 : ownPatch ? Math.max(pastedAt, 0) : Infinity;
  // The units whose sentences are read: deeper quotes are older replies' words, read where
  // they were said, and a patch's own description is no stance (quoted text is someone
  // else's, counted where they said it). A patch mail not about races has none: then no
  // word list need be asked at all.
  const read = units.filter(
    (u) => (u.kind === 'own' || u.kind === 'quote') && u.depth <= 2 && !(u.depth === 0 && u.block !== null && (r.blocks[u.block]?.start ?? 0) >= descriptionFrom),
  );
  if (read.length === 0) return out;
  const whole = read.map((u) => u.text).join('\n');
  // only the kinds whose words occur in them at all (anchored ones are asked sentence by sentence)
  const probe = new Probe(whole);
  const kinds = STANCE_LISTS.filter((l) => (l.stance === 'question' ? /[?？]/.test(whole) : l.anchored ? probe.mayMatch(l.gate) : probe.test(l.gate))).map(
    (l) => [l.stance, l.re] as const,
  );
  // several sentences of a paragraph often answer one long quote: its text is read once
  const answeredTexts = new Map<number, string>();
  const answeredText = (idx: number, b: Block): string => {
    let t = answeredTexts.get(idx);
    if (t === undefined) answeredTexts.set(idx, (t = clip(blockText(r, b)).slice(0, 160)));
    return t;
  };
  for (const u of kinds.length > 0 ? read : []) {
    const block = u.block === null ? undefined : r.blocks[u.block];
    for (const s of sentences(u)) {
      const trailer = TRAILER.exec(s);
      const kind = trailer?.[1] ? trailerStance(trailer[1]) : null;
      if (kind) {
        if (u.depth === 0 && !out.some((o) => o.stance === kind && o.evidence.block === null)) out.push({ stance: kind, author: u.author, evidence: ev(id, u, s), answers: null });
        continue;
      }
      for (const [stance, re] of kinds) {
        if (!re.test(s)) continue;
        // "If the result looks correct, please mark ...": praise inside a condition is no judgement
        // ("If you think X is better, I'll send v2" agrees after its condition)
        if (stance === 'agreement' && /^\s*if\b/i.test(s) && re.test(s.split(',')[0] ?? '')) break;
        if (stance === 'question' && (s.length < 15 || !/\b(?:this|that|it|the fix|the patch|your|we|lock|race|why|how|what|can|could|would|should|does|is)\b/i.test(s))) break;
        // an own paragraph answers the quote above it; a quoted one, the deeper quote above it
        const answersIdx = block?.depth === 0 ? block.answers : answeredIndex(r, u.block);
        const answered = answersIdx === null ? undefined : r.blocks[answersIdx];
        const signal: StanceSignal = {
          stance,
          author: u.author,
          evidence: ev(id, u, s),
          answers: answered && answersIdx !== null ? { block: answersIdx, author: answered.author, text: answeredText(answersIdx, answered) } : null,
        };
        if (u.depth > 0) signal.quotedFrom = u.author ?? '';
        out.push(signal);
        break;
      }
      if (out.length >= 20) return out;
    }
  }
  return out;
}

/** For a quoted paragraph, the block it answered: the nearest deeper quote above it. */
function answeredIndex(r: ReplyStructure, blockIdx: number | null): number | null {
  if (blockIdx === null) return null;
  const b = r.blocks[blockIdx];
  if (!b) return null;
  for (let i = blockIdx - 1; i >= 0; i--) {
    const a = r.blocks[i]!;
    if (a.kind === 'quote' && a.depth > b.depth) return i;
    if (a.kind === 'quote' && a.depth < b.depth) return null;
  }
  return null;
}

/** `subject`: parseSubject(msg.subject), when the caller has it (most mail has no patch analysis to hold it). */
export function analyzeKnowledge(msg: ParsedMessage, patch: PatchAnalysis | undefined, subject?: SubjectInfo): MessageAnalysis {
  const r = parseReply(msg.body);
  // One look at the whole mail decides how much of it is read: with no word of races,
  // locks or checkers anywhere, its quotes hold nothing a race record takes from it.
  const subj = patch?.subject ?? subject ?? parseSubject(msg.subject);
  // A pull request's shortlog and summary retell its patches' races, and a digest (syzbot's
  // monthly report, a release announcement's shortlog) lists them: each has its own thread.
  const pull = subj.pull || (msg.body.includes('The following changes since commit ') && PULL_BODY.test(msg.body));
  const digest = DIGEST_SUBJECT.test(msg.subject);
  const concerned = !pull && !digest && (mentionsRace(msg.subject) || mentionsRace(msg.body.length > 65536 ? msg.body.slice(0, 65536) : msg.body));
  const units = unitsOf(msg, r, concerned);
  const id = msg.messageId;
  const reasons = concerned ? raceReasons(msg, units, patch) : [];
  const prose = units.filter((u) => u.kind !== 'diff').map((u) => u.text).join('\n');
  const diffFunctions = functionsInDiff(units);
  const stripped = concerned ? r.unquoted : [];
  const d = readDiagram(stripped);
  let diagram: MessageKnowledge['diagram'] = null;
  if (d) {
    const blockIdx = r.blocks.findIndex((b) => b.start <= d.line + 1 && b.end >= d.line);
    diagram = { evidence: { messageId: id, block: blockIdx >= 0 ? blockIdx : null, text: clip(stripped[d.line] ?? '') }, columns: d.columns, steps: d.steps.slice(0, 80) };
    // lockdep prints its own CPU0/CPU1 scenario: then the diagram is the splat's, not a person's reading
    const splat = reasons.some((x) => x.kind === 'lockdep-splat');
    reasons.push({ kind: 'interleaving-diagram', weight: splat ? 1 : 5, evidence: diagram.evidence });
  }
  const fixes = fixProposals(msg, units, patch, subj, diffFunctions, prose);
  const stances = stancesOf(msg, r, units, patch, fixes[0]?.kind === 'patch' && !fixes[0].quotedIn);
  let applied: Evidence | null = null;
  // asked of the sender's own words at once: most mail names none of the words
  const own = units.filter((u) => u.depth === 0 && u.kind === 'own');
  for (const u of own.length > 0 && new Probe(own.map((x) => x.text).join('\n')).mayMatch(APPLIED_GATE) ? own : []) {
    if (!APPLIED.test(u.text)) continue;
    const s = firstMatching(sentences(u), APPLIED);
    if (s) {
      applied = ev(id, u, s);
      break;
    }
  }
  // What the message names and what it ends in are kept only with a reason, fix, stance or
  // applied note: a fifth of mail has none, and is spared reading them.
  const worthKeeping = reasons.length > 0 || fixes.length > 0 || stances.length > 0 || applied !== null;
  if (!worthKeeping) return { blocks: r.blocks, restored: r.restored, knowledge: null };
  const functions: string[] = [];
  const files: string[] = [];
  const locks: string[] = [];
  const versions: string[] = [];
  const configs: string[] = [];
  addAll(functions, functionsOf(prose));
  addAll(files, filesOf(prose));
  addAll(locks, locksOf(prose));
  addAll(versions, versionsOf(prose), 12);
  addAll(configs, (prose.includes('CONFIG_') && prose.match(CONFIG_RE)) || [], 12);
  addAll(functions, diffFunctions);
  const rests = r.unquoted;
  for (const b of r.blocks) {
    if (b.kind === 'diff' || b.kind === 'signature' || (b.depth > 0 && !concerned)) continue;
    for (let i = b.start; i <= b.end; i++) {
      const line = r.lines[i] ?? '';
      if (!line.includes(';') && !line.includes('{') && !line.includes('if (')) continue;
      const t = rests[i] ?? '';
      if (CODE_STATEMENT.test(t)) addAll(functions, functionsIn(t).filter((f) => f.includes('_') && !NOT_FUNCTIONS.has(f)));
    }
  }
  if (patch) addAll(files, patch.files.map((f) => f.path).filter(codeFile));
  if (d) for (const s of d.steps) addAll(functions, s.functions);
  // snake_case names in the sentences that made it a race ("a race where folio_seek_hole_data
  // would mistake ..."): kernel prose often names functions without their parentheses; one
  // after a slash is a path's or a link's (syzbot's ".../non_bootable_disk-23a80d46.raw.xz")
  for (const r of reasons) {
    if (r.weight <= 0) continue;
    for (const m of r.evidence.text.matchAll(/(?<![>./\w])([a-z][a-z0-9]*_[a-z0-9_]+)\b(?!->|\.\w|\s*=)/g)) {
      const f = m[1] ?? '';
      if (isLockdepClass(r.evidence.text, m.index ?? 0, f)) continue;
      if (f.length >= 6 && !/_(?:lock|mutex|sem|rwsem|count|cnt|flag|flags|size|list|lru)$/.test(f)) addAll(functions, [f]);
    }
  }
  const score = reasons.reduce((n, x) => n + x.weight, 0);
  const knowledge: MessageKnowledge = {
    score,
    reasons,
    functions,
    files,
    locks,
    outcome: outcomeOf(id, units, /^\s*(?:re|aw|sv)\s*:/i.test(msg.subject)),
    versions,
    configs,
    diagram,
    fixes,
    stances,
    applied,
  };
  return { blocks: r.blocks, restored: r.restored, knowledge };
}
