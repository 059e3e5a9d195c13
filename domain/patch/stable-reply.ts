// What a reply to a stable mail (an AUTOSEL pick, a review patch, a posted backport, a
// FAILED notice) decides for the branch(es) of the mail it answers, read from the
// replier's own lines (never quoted ones):
//   - the stable maintainers' "Now queued up, thanks." / "All now applied": queued;
//   - their "Now dropped", "I'll drop it", "Now deleted": dropped;
//   - anyone's objection: a NAK, "please don't backport this", "let's not backport this
//     one", "not stable material", "please drop it": dropped;
//   - the poster's "please ignore this patch(set)", or "I should remove this patch" conceding
//     an objection: the backport is withdrawn;
//   - "this is already in the 5.15.6 kernel release", "was backported to ... 6.1.68 and
//     6.6.7": released in those versions; the stable team's "the stable trees were already
//     released with this change": released wherever it was in review;
//   - Sasha's pre-merge bot ("[This is an automated email]" ... "v5.4.22: Failed to
//     apply!"): failed to apply on those branches;
//   - a request naming branches ("Looks like linux-6.1.y and linux-6.6.y needs it, too",
//     "Can you please backport this commit to a stable 6.1.y tree?"): wanted there.
// A question, a "this is NOT a bugfix, but I don't mind", or a request to add a
// prerequisite decides nothing. Pure.

export type ReplyDecisionKind = 'queued' | 'dropped' | 'withdrawn' | 'released' | 'bot-failed' | 'failed' | 'wanted';

export interface ReplyDecision {
  kind: ReplyDecisionKind;
  /** The sentence that made it, as written (whitespace collapsed). */
  sentence: string;
  /** Branches the sentence names ("And 5.10.y and 5.15.y. Now queued up"): the decision covers them too. */
  branches: string[];
  /** For 'released': the releases named, lowest per branch ("6.1.68"); empty when none is. */
  versions: string[];
  /** "All now queued up", "Both now queued up": the whole series answered, not one patch. */
  wholeSeries: boolean;
  /**
   * The commit the sentence asks about, when it names one ("would it be possible to apply
   * 1997b3cb421 to the branches ..."), spelled out in full when the mail gives it so.
   */
  commit?: string | null;
  /**
   * A stable-queue patch the decision is about, as its file is named
   * ("cifs-fix-off-by-one-in-smb2_query_info_init"): the request quoted named the fix by it.
   */
  queuePatch?: string;
  /** The fix's title, when the mail names it beside its commit (33eae65c6f ("smb: ...")). */
  title?: string;
}

/** The replier's own text: no quoted lines, no signature, no copy of the mail answered. */
function ownText(body: string): string {
  const out: string[] = [];
  // Every line of the reply passes here: each pattern is asked only of lines whose first
  // character it can start with (white space first for the indented ones: \s is at most
  // U+0020 or at least U+00A0), where seven were asked of every line.
  for (const line of body.split('\n')) {
    const c = line.charCodeAt(0);
    const space = c <= 32 || c >= 160;
    if (c === 45 /* - */ && (/^-- ?$/.test(line) || /^-{3,}\s*Original Message\s*-{3,}/i.test(line))) break;
    if (c === 95 /* _ */ && /^_{10,}\s*$/.test(line)) break;
    if (c === 62 /* > */ || c === 124 /* | */ || (space && (/^\s*>/.test(line) || /^\s*\|/.test(line)))) continue;
    // The attribution line of the quote ("On Tue, Jul 16, 2019 at 1:15 AM X wrote:").
    if (line.includes('wrote:') && /\bwrote:\s*$/.test(line)) continue;
    if ((c === 100 /* d */ || c === 45 || c === 43 /* + */ || space) && /^\s*(?:diff --git|---\s+a\/|\+\+\+\s+b\/)/.test(line)) continue;
    out.push(line);
  }
  return out.join('\n');
}

/**
 * The text split into sentences, each with whitespace collapsed. A sentence may run over
 * lines but not over a blank line, and a greeting line ("Hi Greg,") stands alone.
 */
function sentences(text: string): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const greeting = /^\s*((?:hi|hello|hey|dear|thanks|thank you)\b[^\n]{0,30},)\s*\n/i.exec(para);
    if (greeting?.[1]) out.push(greeting[1].trim());
    const rest = greeting ? para.slice(greeting[0].length) : para;
    // (Typographic apostrophes read as plain ones: "doesn’t".)
    for (const s of splitAfterMarks(rest.replace(/\s+/g, ' ').replace(/[\u2018\u2019]/g, "'"))) if (s.trim().length > 0) out.push(s.trim());
  }
  return out;
}

/**
 * split(/(?<=[.!?])\s+/) of a text whose white space is single spaces (collapsed above): a
 * cut at each space after a full stop, question or exclamation mark, found with indexOf
 * where the lookbehind was tried at every character.
 */
function splitAfterMarks(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = text.indexOf(' ', 1); i >= 0; i = text.indexOf(' ', i + 1)) {
    const c = text.charCodeAt(i - 1);
    if (c !== 46 /* . */ && c !== 33 /* ! */ && c !== 63 /* ? */) continue;
    out.push(text.slice(from, i));
    from = i + 1;
  }
  out.push(text.slice(from));
  return out;
}

const QUEUED = /\b(?:(?:all|both|now|they are|it is|it's|these are|this is) )?(?:now )?(?:queued(?: up)?|applied)\b/i;
const QUEUED_STRICT = /^(?:(?:thanks|anyway|ok|okay|great|good)[,!.]?\s*)?(?:all |both |they(?:'re| are) |it(?:'s| is) )?(?:now |both now |all now )?(?:queued up|queued|applied)(?:[,.!]| to| for| now|\s*$)/i;
const DROPPED_BY_STABLE = [
  /\bnow (?:dropped|deleted|removed)\b/i,
  /\b(?:i'?l+|i will|i'?ve|i have|already|we'?ll)\s+(?:go\s+|now\s+)?(?:drop(?:ped)?|delete[d]?|remove[d]?)\b(?!\s+(?:the\s+)?(?:cc|to:))/i,
  /\bdropped (?:it |this |them |both )?(?:from (?:my|the) queue|now)\b/i,
];
const OBJECTIONS = [
  /^\s*nak(?:ed)?\b/i,
  /^\s*nacked-by:/i,
  /\bnak(?:ed)?[.!,:]?\s*(?:this|for|,|$)/i,
  /\b(?:please\s+)?(?:don'?t|do not|dont)\s+(?:backport|apply|take|queue|pick)\b/i,
  /\blet'?s not (?:backport|take|apply|queue)\b/i,
  /\b(?:should|must) not (?:be )?(?:backported|go (?:in)?to (?:the )?stable|applied to (?:the )?stable)/i,
  /\bnot (?:a )?(?:stable material|suitable for stable|candidate for stable)\b/i,
  /\bnot needed (?:now |anymore |any more )?(?:for|in|on) (?:stable|the stable|this|\d)/i,
  /\b(?:don'?t|do not|doesn'?t) need (?:this|the|that) (?:patch|fix|backport)\b/i,
  /\bremove (?:this|the|it|these|them)\b(?:\s+\w+){0,2}\s+from (?:the|your|my) (?:stable )?queue\b/i,
  /\bno need to backport\b/i,
  /\bplease drop (?:it|this|them|these|the patch)\b/i,
  /\b(?:does not|doesn't) (?:need|belong) (?:to be backported|in stable|in the stable)/i,
];
const WITHDRAWN = /\bplease (?:ignore|disregard|drop) (?:this|the|my|these)\s*(?:\w+\s+){0,2}(?:patch(?:set|es)?|series|backports?|version|one|mail|email|submission)\b/i;
// The poster conceding an objection: "Sorry I missed this. I should remove this patch from our
// product kernel too.", "I'll drop this one from the series". (Not a plan about other patches:
// the object is this patch, and the verb the poster's own.)
const CONCEDED = /\bI(?:'ll| will| should| need to| have to)\s+(?:remove|drop)\s+(?:this|that)\s+(?:patch|backport|one|commit)\b/i;
// "This is NOT a bugfix, but I don't mind ...": an objection taken back in the same breath.
const RELENTS = /\b(?:but|though|however)\b[^.]*\b(?:don'?t mind|fine with|ok with|okay with|no objection)/i;

// A release: "6.1.68", "v5.10.210"; not a date ("07.02.24"), an address or a longer
// version ("1.2.3.4"), and not a release candidate ("6.9.3-rc1" is no release).
const VERSION_RE = /(?<![\d.])v?([2-9]|[1-9]\d)\.(0|[1-9]\d?)\.(0|[1-9]\d{0,2})(?![\d.]*\d)(?!-rc)/g;
const NAMED_BRANCH_RE = /\b(?:v?(\d+)\.(\d+)\.[yx]|linux-(\d+)\.(\d+)\.y|(\d+)\.(\d+)-stable)\b/gi;
// "already in 6.1.110", "was backported to ... 6.1.68", "has also been merged to v5.10.210",
// "in the 6.1.72 kernel, this problem was fixed by the commit "X"".
const RELEASED_PHRASE =
  /\b(?:already\b[^.?!]*\b(?:in|part of|released|merged|backported|included)|(?:was|were|been|got|is|are)\s+(?:also\s+)?(?:backported|merged|released|included)\s+(?:to|in|into|with)|have\s+already\s+the\s+commit\s+in|in\s+(?:the\s+)?v?\d+\.\d+\.\d+\s+(?:kernel|release)\b[^.?!]*\bfixed\s+by)\b/i;
const NEGATED = /\b(?:not|isn'?t|wasn'?t|aren'?t|weren'?t|never|no longer)\b/i;
const RELEASED_NO_VERSION = /\b(?:stable )?(?:trees|releases?|kernels?) (?:were|was|have been|are) already released with (?:this|the|that) (?:change|commit|patch|fix)\b/i;
const BOT_MARK = /^\[This is an automated email\]/m;
const BOT_WORDS = '[This is an automated email]';

/** BOT_MARK.test(body), its words looked for first: a line anchor is tried at every character of the text, and most mail has no such line. */
function hasBotMark(body: string): boolean {
  return body.includes(BOT_WORDS) && BOT_MARK.test(body);
}
const BOT_FAILED = /^v(\d+)\.(\d+)(?:\.\d+)?: Failed to apply!/gm;

// A commit named the kernel's way, with its title: 33eae65c6f ("smb: x()"), or loosely 33eae65c6f (smb: x()).
const NAMED_COMMIT = /\b([0-9a-f]{8,40})\s*\(\s*"?([^"()]*(?:\([^()]*\)[^"()]*)*?)"?\s*\)/g;
// A regression report's span: "after upgrading from v5.15.148 to v5.15.149", "bisected the issue between 6.1.69 and 6.1.70".
const REGRESSION_SPAN = /\b(?:upgrad\w*|updat\w*|moving|going|bisect\w*)\b[^.?!]*?\b(?:from|between)\s+v?(\d+\.\d+\.\d+)\s+(?:to|and)\s+v?(\d+\.\d+\.\d+)\b/i;
// ... and the commit it blames: found by bisection, or reverted to make the regression go away.
const BLAMES = /\bbad commit\b|\bfirst bad\b|\bcaused by\b|\brevert(?:ed|ing)\b[^.?!]*\b(?:no longer|go(?:es)? away|fix(?:es|ed) it|resolves?)\b/i;
// "both 5.15.146 and 5.10.206 ... have the bad commit 33eae65c6f (...)".
const HAS_COMMIT = /\b(?:has|have|contains?|carr(?:y|ies)|includes?)\s+(?:the\s+)?(?:bad\s+|offending\s+|same\s+|broken\s+)?(?:commit|patch|change)\b/i;
// "We were lucky with 5.4 as it doesn't have the bad commit because of merge conflict".
const NOT_APPLIED = /\bfail(?:ed|s)? to apply\b|\b(?:does|did)(?:n'?t| not) apply\b|\b(?:does|did)(?:n'?t| not) (?:have|get|contain)\b[^.?!]*\b(?:merge )?conflicts?\b/i;
// A branch said bare beside a preposition: "with 5.4", "on 5.15.y" (not a release "5.4.2").
const BARE_BRANCH = /\b(?:with|on|for|in|to)\s+v?(\d+)\.(\d+)(?:\.[yx])?\b(?![.\d])/gi;
// "the mentioned reverted patch has also been merged to v5.10.210": the commit named before.
const REFERS_BACK = /\bthe (?:mentioned|above|aforementioned|said|reverted|same)\b[^.?!]{0,20}\b(?:patch|commit|change)\b/i;
const BAD_WORDS = /\b(?:bad|offending|culprit|regressing|broken)\s+(?:commit|patch|change)\b/i;
// A bisected stable commit quoted as git shows it, and the upstream commit its message names.
const GIT_LOG_TITLE = /^commit [0-9a-f]{40}[^\n]*\n(?:[A-Z][\w-]*:[^\n]*\n)+\s*\n\s+(\S[^\n]*)/m;
/** A backport's line naming its mainline commit: "commit X upstream." or "[ Upstream commit X ]" (analyze.ts reads it too). */
export const UPSTREAM_MARK = /^\s*commit ([0-9a-f]{40}) upstream\b|^\s*\[\s*[Uu]pstream commit ([0-9a-f]{40})\s*\]/m;

/** The commits a text names the kernel's way, with their titles. */
function namedCommits(s: string): { commit: string; title: string }[] {
  const out: { commit: string; title: string }[] = [];
  for (const m of s.matchAll(NAMED_COMMIT)) if (m[1] && /\d/.test(m[1]) && m[2] && /[a-z]/i.test(m[2])) out.push({ commit: m[1].toLowerCase(), title: m[2].trim() });
  return out;
}

/** Stable branches a text names: "6.1.y", "linux-6.1.y", "6.1-stable". */
export function namedBranches(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(NAMED_BRANCH_RE)) {
    const b = m[1] !== undefined ? `${m[1]}.${m[2]}` : m[3] !== undefined ? `${m[3]}.${m[4]}` : `${m[5]}.${m[6]}`;
    if (!out.includes(b)) out.push(b);
  }
  return out;
}

/** The lowest release named per branch: "6.1.110 or 6.1.111" is 6.1.110. */
function releasesNamed(s: string): string[] {
  const lowest = new Map<string, number>();
  for (const m of s.matchAll(VERSION_RE)) {
    const b = `${m[1]}.${m[2]}`;
    const n = Number(m[3]);
    if (!lowest.has(b) || n < (lowest.get(b) ?? 0)) lowest.set(b, n);
  }
  return [...lowest].map(([b, n]) => `${b}.${n}`);
}

function decision(kind: ReplyDecisionKind, sentence: string, extra: Partial<ReplyDecision> = {}): ReplyDecision {
  return { kind, sentence, branches: namedBranches(sentence), versions: [], wholeSeries: /^\W*(?:\w+,\s*)?(?:all|both)\b/i.test(sentence), ...extra };
}

const DECISION_WORDS = /queue|appl|drop|delet|remov|\bnak|backport|ignore|disregard|material|suitable|candidate|released|already|merged|includ|need|belong|pick|fixed by|\badd\b|bisect|revert|conflict|\bha(?:s|ve) the\b/i;
// The stable team's promise is their queueing: "so I'll queue this up for the next round",
// "So I'll go add this manually"; not one with a condition ("I'll queue it once X is in").
const QUEUED_PROMISE = /\b(?:i'?ll|i will|we'?ll|we will)\s+(?:go\s+|now\s+)?(?:queue|add|apply|take)\s+(?:this|it|these|them|that|both)(?:\s+up)?\b/i;
const CONDITIONAL = /\b(?:if|once|after|when|until|unless|as soon as)\b/i;
// A hedge is no negation: "If it is not too late, would it be possible to apply X?".
const HEDGE = /\bif (?:it(?:'s| is)|this is) not too late\b,?/gi;
// The commit a request names: "apply 1997b3cb421 to", "backport commit 24a9799aa8ef".
const ASKED_COMMIT = /\b(?:apply|backport|pick(?: up)?|cherry-pick|take|queue|include)\s+(?:the\s+)?(?:upstream\s+)?(?:commit\s+)?([0-9a-f]{7,40})\b/i;
// A request for branches the sentence names: "X needs it, too", "can you please backport
// this to 6.1.y"; not a note on prerequisites or on what applies cleanly.
const WISH =
  /\bneeds? (?:it|this|that)\b|\b(?:please|could you|can you|would you|would it be possible|is it possible|could we|can we)\b[^.?!]*\b(?:backport|apply|include|queue|pick up|take)\b/i;
// "... apply X to the branches Y was cherry-picked to? I believe the complete set of branches
// are linux-6.6.y, linux-6.1.y": a request whose branches the next sentence lists.
const BRANCHES_FOLLOW = /\b(?:branches|trees|stable (?:series|kernels|releases))\b/i;
// (Nor a request to revert, nor "please note that ... take this path".)
const NOT_A_WISH = /\bcleanly\b|prerequisite|depend|follow-?ups?\b|followings?\b|\brevert|\bplease note\b/i;
const MAX_SENTENCE = 400;

// The stable team's answer to a request: "These do not apply properly at all to any stable
// kernel trees", "This does not apply to any of the stable trees": failed wherever it was asked
// for (no branch named: the branches of the request answered).
const NOT_APPLIED_ANYWHERE = /\b(?:do|does|did)(?:n'?t| not) apply\b[^.?!]*\b(?:any|all) (?:of )?(?:the )?(?:stable|longterm)\b/i;

/** A sentence without the question it ends in: "These do not apply to any stable tree, did you test them?" states the first half. */
function statedPart(s: string): string {
  return s.endsWith('?') ? s.replace(/,[^,]*\?$/, '') : s;
}

/** Sasha's pre-merge bot answering a patch that carries a stable tag. */
export function isBotMail(body: string): boolean {
  return hasBotMark(body);
}

/** Sasha's pre-merge bot: the branches it could not apply the patch to. */
function botVerdict(body: string): ReplyDecision | null {
  if (!hasBotMark(body)) return null;
  const failed: string[] = [];
  const lines: string[] = [];
  for (const m of body.matchAll(BOT_FAILED)) {
    const b = `${m[1]}.${m[2]}`;
    if (!failed.includes(b)) failed.push(b);
    lines.push(m[0]);
  }
  return failed.length > 0 ? { kind: 'bot-failed', sentence: lines.join(' '), branches: failed, versions: [], wholeSeries: false } : null;
}

/**
 * What a reply decides: at most one of queued/dropped/withdrawn (the first said), and a
 * release it names ("It was merged in 5.16-rc1, and then backported to 5.15.6. Anyway, now
 * queued up" is both). `fromStableTeam`: the replier is one of the stable maintainers,
 * whose "queued"/"dropped" are decisions rather than wishes; `answersOwnMail`: the replier
 * sent the mail answered (a withdrawal is the poster's to make); `stableThread`: the
 * subject is a stable mail's, where anyone's objection counts (elsewhere only the stable
 * team, the bot and named releases do).
 */
export function replyDecisions(body: string, opts: { fromStableTeam: boolean; answersOwnMail: boolean; stableThread?: boolean }): ReplyDecision[] {
  const bot = botVerdict(body);
  if (bot) return [bot];
  const stableThread = opts.stableThread ?? true;
  // "> 1. Remove this patch from the queue: .../queue-5.15/x.patch" answered "Now done.".
  if (opts.fromStableTeam && body.includes('queue-')) {
    const answers = queueAnswers(body);
    if (answers.length > 0) return answers;
  }
  const own = ownText(body);
  // Most replies say none of the words a decision needs: not worth splitting into sentences.
  if (!DECISION_WORDS.test(own)) return [];
  const out: ReplyDecision[] = [];
  let decided = false;
  let released = false;
  let wished = false;
  let previous = '';
  const all = sentences(own);
  // Which commit a regression report's sentence is about: the one it names, else the one
  // named before it ("the bad commit" is the one first called bad).
  let lastNamed: { commit: string; title: string } | null = null;
  let badNamed: { commit: string; title: string } | null = null;
  const releasedBranches = new Set<string>();
  for (const [i, s] of all.entries()) {
    const before = previous;
    previous = s;
    const inSentence = s.length > MAX_SENTENCE ? [] : namedCommits(s);
    const about = inSentence[0] ?? (BAD_WORDS.test(s) ? (badNamed ?? lastNamed) : lastNamed);
    if (inSentence[0]) {
      lastNamed = inSentence[0];
      if (BAD_WORDS.test(s)) badNamed = inSentence[0];
    }
    // Decisions are said in a sentence, not in a pasted log line.
    if (s.length > MAX_SENTENCE) continue;
    const question = s.endsWith('?');
    // "The stable trees were already released with this change in it, so I'll queue this
    // up": the promise is a decision, and the sentence may still name a release.
    let promised = false;
    if (!decided && !question) {
      let found: ReplyDecision | null = null;
      if (opts.fromStableTeam && DROPPED_BY_STABLE.some((re) => re.test(s))) found = decision('dropped', s);
      else if (opts.fromStableTeam && QUEUED_STRICT.test(s) && QUEUED.test(s)) found = decision('queued', s);
      else if (opts.fromStableTeam && QUEUED_PROMISE.test(s) && !CONDITIONAL.test(s.replace(/^\W*so\b/i, ''))) {
        found = decision('queued', s);
        promised = true;
      }
      // "Please drop the patch" is anyone's objection (the poster's too) before it is a withdrawal.
      else if (stableThread && OBJECTIONS.some((re) => re.test(s)) && !RELENTS.test(s)) found = decision('dropped', s);
      else if (stableThread && opts.answersOwnMail && (WITHDRAWN.test(s) || (CONCEDED.test(s) && !CONDITIONAL.test(s)))) found = decision('withdrawn', s);
      if (found) {
        // "And 5.10.y and 5.15.y.  Now queued up, thanks.": the branches come just before.
        if (before.length < 80 && /^(?:and|also|plus)\b/i.test(before)) for (const b of namedBranches(before)) if (!found.branches.includes(b)) found.branches.push(b);
        out.push(found);
        decided = true;
        if (!promised) continue;
      }
    }
    const versions = releasesNamed(s);
    if (!wished && !opts.fromStableTeam && WISH.test(s) && !NEGATED.test(s.replace(HEDGE, '')) && !NOT_A_WISH.test(s)) {
      const wish = decision('wanted', s);
      // (The list may stand in a paragraph of its own: "... branches are\n\n   linux-6.6.y, ...".)
      if (wish.branches.length === 0 && BRANCHES_FOLLOW.test(s)) {
        for (const next of all.slice(i + 1, i + 3)) {
          // ("... to the branches? We do not need it in 6.1.y." lists none to ask for.)
          if (next.length < MAX_SENTENCE && !NEGATED.test(next)) wish.branches = namedBranches(next);
          if (wish.branches.length > 0) break;
        }
      }
      const asked = ASKED_COMMIT.exec(s)?.[1];
      if (asked !== undefined && /\d/.test(asked)) {
        wish.commit = fullCommit(body, asked.toLowerCase());
        const title = commitTitle(body, wish.commit);
        if (title) wish.title = title;
      }
      if (wish.branches.length > 0) {
        out.push(wish);
        wished = true;
        continue;
      }
    }
    const regression = versions.length > 0 && !question ? regressionRelease(s, own, about) : null;
    if (regression && !regression.versions.some((v) => releasedBranches.has(branchOf(v)))) {
      out.push(regression);
      for (const v of regression.versions) releasedBranches.add(branchOf(v));
      released = true;
    } else if (versions.length > 0 && !question && about && HAS_COMMIT.test(s) && !NEGATED.test(s) && !versions.some((v) => releasedBranches.has(branchOf(v)))) {
      // A report that releases carry a commit it names: released there.
      out.push(decision('released', s, { versions, branches: [], commit: about.commit, title: about.title }));
      for (const v of versions) releasedBranches.add(branchOf(v));
      released = true;
    } else if (opts.fromStableTeam && !decided && !statedPart(s).endsWith('?') && NOT_APPLIED_ANYWHERE.test(statedPart(s))) {
      out.push(decision('failed', s, { branches: [] }));
      decided = true;
    } else if (about && NOT_APPLIED.test(s) && !question) {
      const branches = [...namedBranches(s), ...[...s.matchAll(BARE_BRANCH)].map((m) => `${m[1]}.${m[2]}`)];
      if (branches.length > 0) out.push(decision('failed', s, { branches: [...new Set(branches)], commit: about.commit, title: about.title }));
    } else if (versions.length > 0 && RELEASED_PHRASE.test(s) && !NEGATED.test(s) && !versions.some((v) => releasedBranches.has(branchOf(v)))) {
      // (Each release a reply names once: "... since 5.15.149, and also merged to v5.10.210".)
      // The fix is the commit the sentence names, or the one before it the sentence points back to.
      const which = inSentence[0] ?? (REFERS_BACK.test(s) ? about : null);
      out.push(decision('released', s, { versions, branches: [], ...(which ? { commit: which.commit, title: which.title } : {}) }));
      for (const v of versions) releasedBranches.add(branchOf(v));
      released = true;
    } else if (!released && opts.fromStableTeam && RELEASED_NO_VERSION.test(s)) {
      out.push(decision('released', s, { branches: [] }));
      released = true;
    }
  }
  return out;
}

// A patch file of the stable queue: stable-queue.git/tree/queue-5.15/<name>.patch.
const QUEUE_FILE = /\bqueue-(\d+\.\d+)\/([A-Za-z0-9][\w.+-]*?)\.patch\b/g;
// The stable team's short answer right under a quoted request.
const DONE = /^\s*(?:ok(?:ay)?[,.!]?\s*)?(?:(?:now|all|both)\s+)?(done|dropped|removed|deleted|queued(?: up)?|applied|added)\b[^\n]{0,40}$/i;
const REMOVE_VERB = /\b(?:remove|drop|delete|revert)\b/i;
const ADD_VERB = /\b(?:add|queue|apply|take)\b/i;

/**
 * The stable team's answers between quoted requests that name stable-queue patches: each
 * "Now done." (or "Now dropped.") under "> Remove this patch from the queue: .../queue-5.15/
 * x.patch" decides on that patch, on that branch; "add" requests are queued the same way.
 */
function queueAnswers(body: string): ReplyDecision[] {
  const out: ReplyDecision[] = [];
  let quoted: string[] = [];
  let afterQuote = false;
  for (const line of body.split('\n')) {
    if (/^\s*>/.test(line)) {
      if (!afterQuote) quoted = [];
      // Only what the mail answered said (one level deep): older requests quoted in it were not put to the stable team now.
      if (!/^\s*>\s*>/.test(line)) quoted.push(line.replace(/^\s*>\s?/, ''));
      afterQuote = true;
      continue;
    }
    if (line.trim() === '') continue;
    const done = afterQuote ? DONE.exec(line) : null;
    afterQuote = false;
    if (!done?.[1]) {
      quoted = [];
      continue;
    }
    const word = done[1].toLowerCase();
    const block = quoted.join('\n');
    for (const m of block.matchAll(QUEUE_FILE)) {
      // The request's verb: on the URL's line or the line before it.
      const at = block.slice(0, m.index ?? 0).split('\n');
      const near = at.slice(-2).join(' ');
      const removal = word === 'done' ? REMOVE_VERB.test(near) : /dropped|removed|deleted/.test(word);
      if (!removal && !(word === 'done' ? ADD_VERB.test(near) : true)) continue;
      const request = near.replace(/\s+/g, ' ').replace(/\s*https?:\S*$/, '').trim();
      const name = m[2] ?? '';
      out.push({
        kind: removal ? 'dropped' : 'queued',
        sentence: `${line.trim()} (to: "${request} queue-${m[1]}/${name}.patch")`,
        branches: [m[1] ?? ''],
        versions: [],
        wholeSeries: false,
        queuePatch: name,
      });
    }
    quoted = [];
  }
  return out;
}

const branchOf = (version: string): string => version.split('.').slice(0, 2).join('.');

/**
 * A regression report: "after upgrading from v5.15.148 to v5.15.149, I have reverted
 * eb3e28c1e8 (...) and I no longer see the regression", "I bisected the issue between
 * 6.1.69 and 6.1.70 which pointed me to this bad commit:" followed by the stable commit as
 * git shows it. The blamed commit is in the later release.
 */
function regressionRelease(s: string, own: string, about: { commit: string; title: string } | null): ReplyDecision | null {
  const span = REGRESSION_SPAN.exec(s);
  if (!span?.[2] || !BLAMES.test(s) || NEGATED.test(s.replace(/\bno longer see\b/gi, ''))) return null;
  const mark = UPSTREAM_MARK.exec(own);
  const fromLog = mark ? { commit: (mark[1] ?? mark[2] ?? '').toLowerCase(), title: GIT_LOG_TITLE.exec(own)?.[1]?.trim() ?? '' } : null;
  // The sentence's own commit, else (bisection) the upstream commit of the stable commit quoted after it.
  const named = namedCommits(s)[0] ?? fromLog ?? about;
  if (!named) return null;
  const version = span[2].replace(/^v/, '');
  return decision('released', s, { versions: [version], branches: [], commit: named.commit, ...(named.title ? { title: named.title } : {}) });
}

/**
 * The title a mail gives a commit: the subject line of its log as git shows it ("commit X",
 * "Author: ...", "Date: ...", a blank line, the title indented), or the kernel's X ("title").
 */
function commitTitle(body: string, commit: string): string | null {
  const lines = body.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\s*commit ${commit}\\b`).test(l));
  if (at >= 0) {
    let i = at + 1;
    while (i < lines.length && /^\s*[A-Z][\w-]*:\s/.test(lines[i] ?? '')) i++;
    while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
    const title = lines[i]?.trim();
    if (title && i > at + 1 && !/^commit [0-9a-f]{7,}/.test(title)) return title;
  }
  const named = namedCommits(body.replace(/\s+/g, ' ')).find((n) => commit.startsWith(n.commit) || n.commit.startsWith(commit));
  return named?.title ?? null;
}

/** An abbreviated commit spelled out by the full one the mail gives ("commit 1997b3cb4217b09e4965..."), else as written. */
function fullCommit(body: string, short: string): string {
  if (short.length === 40) return short;
  for (const m of body.matchAll(/\b[0-9a-f]{40}\b/g)) if (m[0].startsWith(short)) return m[0];
  return short;
}

/** The first decision of a reply, or null (see replyDecisions). */
export function replyDecision(body: string, opts: { fromStableTeam: boolean; answersOwnMail: boolean; stableThread?: boolean }): ReplyDecision | null {
  return replyDecisions(body, opts)[0] ?? null;
}

/** The stable maintainers' addresses, whose replies are decisions (queue, drop). */
const STABLE_TEAM = new Set(['gregkh@linuxfoundation.org', 'greg@kroah.com', 'sashal@kernel.org', 'ben@decadent.org.uk', 'bwh@kernel.org']);

export function isStableTeam(email: string | null | undefined): boolean {
  return email !== null && email !== undefined && STABLE_TEAM.has(email.toLowerCase());
}

/** A mail to the stable maintainers asking for mainline commits: each commit, on the branches named (none: every one maintained). */
export interface StableRequest {
  commits: { commit: string; title: string | null }[];
  branches: string[];
  sentence: string;
}

// A mainline commit given whole as a link: ".../torvalds/linux.git/commit/?id=<sha>", ".../linus/<sha>", "https://git.kernel.org/linus/<sha>".
const COMMIT_LINK = /\bgit\.kernel\.org\/[^\s<>]*?(?:\/commit\/?\?id=|\/linus\/|\/c\/)([0-9a-f]{40})\b/g;
// "commit <sha>" spelled out whole on a line of its own, as a request lists them.
const COMMIT_LINE = /^\s*(?:commit\s+)?([0-9a-f]{40})\b/gm;

/**
 * A new mail (no reply) sent to the stable list asking for commits ("We seem to have missed
 * adding the stable tag to a couple of important patches ... Can you please include them in
 * all the stable trees?" over two commit links): wanted there, each commit its own fix. The
 * commits must be given whole (a link, or a line of its own), or the kernel's way with a title.
 */
export function stableRequestOf(body: string): StableRequest | null {
  const own = ownText(body);
  if (!DECISION_WORDS.test(own)) return null;
  // (An ask not to backport is no request: "Please don't backport this to the stable trees".)
  const asked = sentences(own).find(
    (s) => s.length <= MAX_SENTENCE && WISH.test(s) && !NEGATED.test(s.replace(HEDGE, '')) && !NOT_A_WISH.test(s) && !OBJECTIONS.some((re) => re.test(s)),
  );
  if (asked === undefined) return null;
  const commits = new Map<string, string | null>();
  for (const m of own.matchAll(COMMIT_LINK)) if (m[1]) commits.set(m[1], null);
  for (const m of own.matchAll(COMMIT_LINE)) if (m[1] && /[a-f]/.test(m[1])) commits.set(m[1], null);
  for (const n of namedCommits(own.replace(/\s+/g, ' '))) {
    const whole = [...commits.keys()].find((c) => c.startsWith(n.commit));
    commits.set(whole ?? n.commit, n.title);
  }
  if (commits.size === 0) return null;
  return { commits: [...commits].map(([commit, title]) => ({ commit, title })), branches: namedBranches(own), sentence: asked };
}
