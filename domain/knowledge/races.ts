// The thread pass: threads -> families -> race records with their fixes and stances.
// A family is the threads of one race: a report, its v1/v2/v3 patch threads (same series
// or the same patch title), any patch whose Link:/Closes: points into it or whose Reported-by:
// names the bot address the report came from, and the replies to a patch whose own mail the
// archive lost (db/knowledge-threads.ts follows each of these joins too). A family is
// a race when its messages' reasons add up past a threshold and at least one of them is
// strong (a race word in someone's own words or a fix subject, a diagram, a checker
// report); its fixes are every proposal made in it, its stances are aimed at the fix they
// answer through the reply structure. Pure.
import type {
  Evidence,
  Fix,
  FixLifecycle,
  Outcome,
  RaceRecord,
  RaceStatus,
  Reason,
  Stance,
  StanceSignal,
  ThreadInput,
  ThreadMessageInput,
} from './types.ts';
import { linkedMessageIds } from '../patch/lore-link.ts';
import { parseSubject } from '../patch/subject.ts';
import { raceId } from './race-id.ts';
import { botBugOfSender, botBugsOfTrailers, replyTitleKey, sameStem, subjectStem, titleStem, type TitleStem } from './family-keys.ts';

/** A family is a race from this score on (the labelled bench in bench/knowledge.ts calibrates it). */
export const RACE_THRESHOLD = 3;

const STRONG = new Set(['race', 'data-race', 'deadlock', 'interleaving', 'interleaving-diagram', 'kcsan', 'lockdep-splat', 'fix-subject']);

// How far apart one sender's same-titled patches from two addresses may be to be one patch.
const SAME_PATCH_WINDOW_MS = 60 * 86_400_000;

// How long after a patch a reply to it may come whose thread lost its root (a regression report months on).
const ORPHAN_WINDOW_MS = 365 * 86_400_000;

/** A thread whose root mail the archive does not hold, begun by a reply ("Re: ..."): its first message, else null. */
function orphanReply(t: ThreadInput): ThreadMessageInput | null {
  const first = t.messages[0];
  if (!first || first.messageId === t.root || first.parent !== null || first.patch?.stable) return null;
  if (t.messages.some((m) => m.messageId === t.root)) return null;
  if (t.messages.some((m) => m.patch?.kind === 'patch' || m.patch?.kind === 'cover')) return null;
  return parseSubject(first.subject).isReply ? first : null;
}

/**
 * The sender of a patch, to know one person's re-rolls by: the address, unless a list rewrote
 * From: to its own ("X via Linux-f2fs-devel <the list>"), which makes everyone one sender.
 * db/knowledge-threads.ts follows the same senders' patches, so a batch holds both.
 */
function stemSender(m: ThreadMessageInput): string | null {
  if (!m.fromAddress || /\svia\s/i.test(m.from ?? '')) return null;
  return m.fromAddress.toLowerCase();
}

/**
 * Threads joined into families by series, patch title (its stem across a prefix change, from
 * one sender), Link:/Closes: targets, a bot's per-bug address, and an orphaned reply's title.
 */
export function families(threads: readonly ThreadInput[]): ThreadInput[][] {
  const parent = threads.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byMessage = new Map<string, number>();
  const byKey = new Map<string, number>();
  const byName = new Map<string, { i: number; date: number }>();
  const byStem = new Map<string, { i: number; date: number; stem: TitleStem }[]>();
  threads.forEach((t, i) => {
    for (const m of t.messages) byMessage.set(m.messageId, i);
  });
  // the own patch thread of each title, for the stable copies (AUTOSEL, review) to join; and
  // every own patch of a title with its sender, for a reply thread that lost its root
  const ownByTitle = new Map<string, number>();
  const ownPatches = new Map<string, { i: number; sender: string; date: number | null }[]>();
  threads.forEach((t, i) => {
    for (const m of t.messages) {
      if (m.patch?.kind !== 'patch' || m.patch.stable || m.patch.titleKey.length < 12) continue;
      if (!ownByTitle.has(m.patch.titleKey)) ownByTitle.set(m.patch.titleKey, i);
      const list = ownPatches.get(m.patch.titleKey) ?? [];
      list.push({ i, sender: (m.from?.replace(/\s+via\s+.*$/i, '') ?? m.fromAddress ?? '').trim().toLowerCase(), date: m.date });
      ownPatches.set(m.patch.titleKey, list);
    }
  });
  threads.forEach((t, i) => {
    for (const m of t.messages) {
      const p = m.patch;
      if (p?.stable && p.kind === 'patch' && p.titleKey.length >= 12) {
        const j = ownByTitle.get(p.titleKey);
        if (j !== undefined) union(i, j);
        // the copies for each branch (AUTOSEL 6.16-6.1, then 6.12, ...) are one fix's story,
        // also when the patch's own thread is not in the archive
        const k = byKey.get(`stable:${p.titleKey}`);
        if (k === undefined) byKey.set(`stable:${p.titleKey}`, i);
        else union(i, k);
      }
      if (p && (p.kind === 'patch' || p.kind === 'cover') && !p.stable) {
        // one patch's versions posted as new threads share its title; a series its id
        // one patch's title from one sender: a generic title sent by many ("fix typo") joins nothing
        for (const key of [p.seriesId !== null ? `s:${p.seriesId}` : null, p.titleKey.length >= 12 ? `t:${p.titleKey}|${m.fromAddress ?? m.from ?? ''}` : null]) {
          if (!key) continue;
          const j = byKey.get(key);
          if (j === undefined) byKey.set(key, i);
          else union(i, j);
        }
        // one person's v5 from another address is the same patch's story, when sent within
        // weeks of it: Chao Yu's "f2fs: fix to avoid potential deadlock" of 2020 (huawei.com)
        // and 2022 (kernel.org) are two deadlocks
        if (m.from && m.fromAddress && /\S\s+\S/.test(m.from) && p.titleKey.length >= 12 && m.date !== null) {
          const key = `t:${p.titleKey}|name:${m.from.toLowerCase()}`;
          const seen = byName.get(key);
          if (seen === undefined) byName.set(key, { i, date: m.date });
          else if (Math.abs(seen.date - m.date) <= SAME_PATCH_WINDOW_MS) union(i, seen.i);
        }
        // the same patch re-rolled under another prefix by its sender, within weeks: "ppp: Fix
        // deadlock ... in ap_get()" then "net: ppp: Fix deadlock ... in ap_get()"; a generic
        // stem ("fix memory leak") or another person's joins nothing (family-keys.ts)
        const stem = p.kind === 'patch' ? subjectStem(m.subject) : null;
        const sender = stemSender(m);
        if (stem?.specific && sender && m.date !== null) {
          const key = `${stem.stem}|${sender}`;
          const list = byStem.get(key) ?? [];
          for (const e of list) if (Math.abs(e.date - m.date) <= SAME_PATCH_WINDOW_MS && sameStem(e.stem, stem)) union(i, e.i);
          list.push({ i, date: m.date, stem });
          byStem.set(key, list);
        }
      }
      for (const id of linkedMessageIds(m.trailers)) {
        const j = byMessage.get(id);
        if (j !== undefined) union(i, j);
      }
      // a bot's report and the patches that say they fix it: syzbot sends each bug's report
      // (and its later replies) from that bug's own address, which the fix names in its
      // Reported-by: (or its dashboard page in Closes:); a patch's quoted or replied-to
      // trailers do not count, as a reply's do not (db/knowledge-threads.ts keys the same)
      const bugs = [botBugOfSender(m.fromAddress), ...(p && (p.kind === 'patch' || p.kind === 'cover') ? botBugsOfTrailers(m.trailers) : [])];
      for (const bug of bugs) {
        if (bug === null) continue;
        const j = byKey.get(bug);
        if (j === undefined) byKey.set(bug, i);
        else union(i, j);
      }
    }
  });
  // a reply thread whose root (the patch it answers) the archive lost joins that patch's
  // family when one person sent a patch of its title ("Re: [Regression Bug] Re: [PATCH net v3
  // 2/2] ppp: fix race conditions in ppp_fill_forward_path"); a title several people sent is
  // no one patch's
  threads.forEach((t, i) => {
    const first = orphanReply(t);
    if (!first) return;
    const near = (o: { date: number | null }): boolean => first.date === null || o.date === null || Math.abs(o.date - first.date) <= ORPHAN_WINDOW_MS;
    const key = replyTitleKey(first.subject);
    const found = (key === null ? [] : (ownPatches.get(key) ?? [])).filter(near);
    if (found.length > 0 && new Set(found.map((o) => o.sender)).size === 1) union(i, found[0]!.i);
  });
  const groups = new Map<number, ThreadInput[]>();
  threads.forEach((t, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(t);
    else groups.set(r, [t]);
  });
  return [...groups.values()];
}

/** A subject as a title: the subject parser's tags and reply markers gone ("Subject:" too, which saved pages repeat). */
function cleanTitle(subject: string): string {
  return parseSubject(subject.replace(/^((?:\s*(?:re|aw|sv)\s*:)*)\s*subject:\s*/i, '$1')).normalizedSubject || subject.trim();
}

/** A race whose mail has no subject (a saved body) is named by its strongest sentence. */
function untitled(reasons: readonly Reason[]): string {
  const r = reasons.filter((x) => x.weight > 0).sort((a, b) => Number(STRONG.has(b.kind)) - Number(STRONG.has(a.kind)) || b.weight - a.weight)[0];
  if (!r) return '(no subject)';
  const t = r.evidence.text;
  return t.length > 90 ? `${t.slice(0, 89)}…` : t;
}

function byDate(a: ThreadMessageInput, b: ThreadMessageInput): number {
  return (a.date ?? 0) - (b.date ?? 0);
}

interface Scored {
  score: number;
  strong: boolean;
  reasons: Reason[];
}

/** The family's reasons, each kind counted at most twice across the family, so one word repeated in twenty replies stays one word. */
function scoreFamily(messages: readonly ThreadMessageInput[]): Scored {
  const perKind = new Map<string, number>();
  const reasons: Reason[] = [];
  let score = 0;
  let strong = false;
  const senders = messages.map((m) => m.from);
  // the same words said again ("Re: [BUG] ..." repeating the report's subject) are one reason,
  // weighing as their strongest saying: a patch's subject, though a reply thread that lost its
  // root ("Re: [PATCH] ...", weighing less) is older in the family
  const said = new Set<string>();
  const wordsOf = (r: Reason): string => `${r.kind}|${r.evidence.block === null ? cleanTitle(r.evidence.text) : r.evidence.text}`;
  const strongest = new Map<string, Reason>();
  for (const m of messages) {
    for (const r of m.knowledge?.reasons ?? []) {
      if (r.weight <= 0) continue;
      const words = wordsOf(r);
      const best = strongest.get(words);
      if (!best || r.weight > best.weight) strongest.set(words, r);
    }
  }
  for (const m of messages) {
    for (const said1 of m.knowledge?.reasons ?? []) {
      const words = wordsOf(said1);
      const r = said1.weight > 0 ? (strongest.get(words) ?? said1) : said1;
      // (a refutation quoted back is kept: it was heard, and weighs as it did)
      const again = said.has(words);
      if (r.weight > 0 && again) continue;
      said.add(words);
      const n = perKind.get(r.kind) ?? 0;
      if (n >= 2) continue;
      perKind.set(r.kind, n + 1);
      // quoted words weigh half because their own mail usually said them first; when
      // nobody in the family is the quoted person, the quote is the only copy we have
      const only = r.quotedFrom !== undefined && r.weight > 0 && !senders.some((s) => sameAuthor(s, r.quotedFrom || null));
      const base = only ? r.weight * 2 : r.weight;
      // a second saying of the same thing adds half; a second refutation counts in full
      const w = n === 0 || r.weight < 0 ? base : base / 2;
      score += w;
      // the record lists the same words once, whatever they weighed
      if (!again) reasons.push({ ...r, weight: w });
      // a race word only the quoted text says, or only a stable copy, is not strong on its own
      if (STRONG.has(r.kind) && r.weight >= 1) strong = true;
    }
  }
  return { score, strong, reasons };
}

function sameAuthor(a: string | null, b: string | null): boolean {
  if (!a || !b) return false;
  const x = a.toLowerCase().replace(/\s*\(.*\)\s*$/, '').trim();
  const y = b.toLowerCase().replace(/\s*\(.*\)\s*$/, '').trim();
  if (x === y) return true;
  // "Jan Kara" ~ "jack@suse.cz" cannot be told; "Yan, Zi" ~ "Zi Yan" can
  const words = (s: string): string => s.split(/[\s,]+/).filter(Boolean).sort().join(' ');
  return words(x) === words(y);
}

function overlap(a: string, b: string): number {
  const wa = new Set(a.toLowerCase().match(/[a-z_][a-z0-9_]{3,}/g) ?? []);
  const wb = b.toLowerCase().match(/[a-z_][a-z0-9_]{3,}/g) ?? [];
  let n = 0;
  for (const w of wb) if (wa.has(w)) n++;
  return n;
}

// A version named in prose: "v4", "V2" (not "v4.2" or a kernel's "v6.1").
const NAMED_VERSION = /\b[vV](\d{1,2})\b(?![.\d])/;

const YOUR = /\byour (?:fix|patch|change|approach|proposal|idea|version|diff)\b/i;

interface FixAt {
  fix: Fix;
  message: ThreadMessageInput;
  index: number;
  titleKey: string | undefined;
}

/** The fix a stance is about, and how that was decided. */
function aimStance(
  s: StanceSignal,
  msg: ThreadMessageInput,
  fixes: readonly FixAt[],
  ancestors: (m: ThreadMessageInput) => ThreadMessageInput[],
): { fix: Fix; aimedBy: Stance['aimedBy'] } | null {
  const earlier = fixes.filter((f) => (f.message.date ?? 0) <= (msg.date ?? 0) || f.message === msg);
  if (earlier.length === 0) return null;
  const trailer = /^(?:Reviewed|Acked|Tested|Nacked)-by:/.test(s.evidence.text);
  const your = YOUR.test(s.evidence.text);
  const theirs = (author: string | null): FixAt[] => earlier.filter((f) => sameAuthor(f.fix.author, author));
  if (!trailer && your && s.answers?.author) {
    const last = theirs(s.answers.author).pop();
    if (last) return { fix: last.fix, aimedBy: 'quoted' };
  }
  if (!trailer) {
    // the sender's own proposal just before, in the same run of their words: "the patch is
    // obviously ungood ... I don't think it works" after "I'm attaching a WIP patch"
    const near = (e: Evidence): boolean => {
      const fb = e.block ?? -1;
      const sb = s.evidence.block ?? -1;
      return fb >= 0 && sb >= 0 && (fb < sb ? sb - fb <= 2 : fb === sb && (e.at ?? 0) < (s.evidence.at ?? 0));
    };
    const own = earlier.filter((f) => f.message === msg && sameAuthor(f.fix.author, s.author) && near(f.fix.evidence)).pop();
    if (own) return { fix: own.fix, aimedBy: 'quoted' };
  }
  if (!trailer && s.answers) {
    const answered = s.answers;
    // the answered paragraph names a version of their patch ("How about v4?", "v2 is out"): that
    // version, though the reply sits in the older version's thread
    const named = NAMED_VERSION.exec(answered.text);
    if (named) {
      const v = Number(named[1]);
      const f = theirs(answered.author).filter((x) => x.fix.kind === 'patch' && x.fix.version === v).pop();
      if (f && !sameAuthor(f.fix.author, s.author)) return { fix: f.fix, aimedBy: 'quoted' };
    }
    // the answered person's fix in the mail this one replies to (a v2 reviewed in its own thread)
    for (const a of ancestors(msg)) {
      const f = fixes.filter((x) => x.message === a && sameAuthor(x.fix.author, answered.author));
      if (f.length > 0) return { fix: (f.find((x) => x.fix.kind === 'patch') ?? f[f.length - 1]!).fix, aimedBy: 'quoted' };
    }
    // the answered person's proposal, the one whose words the answered paragraph shares most (ties: the latest)
    const quoted = theirs(answered.author)
      .map((f) => ({ f, n: overlap(f.fix.summary + ' ' + f.fix.evidence.text, answered.text) }))
      .sort((a, b) => b.n - a.n);
    const best = quoted.filter((q) => q.n === quoted[0]?.n);
    const pick = best[best.length - 1] ?? quoted[0];
    if (pick && !sameAuthor(pick.f.fix.author, s.author)) return { fix: pick.f.fix, aimedBy: 'quoted' };
  }
  // a reply to the fix's message (or to a reply to it)
  for (const a of ancestors(msg)) {
    const f = fixes.filter((x) => x.message === a);
    const pick = f.find((x) => x.fix.kind === 'patch') ?? f[f.length - 1];
    if (pick) return { fix: pick.fix, aimedBy: trailer ? 'trailer' : 'reply' };
  }
  return null;
}

const LIFECYCLE_OF: Partial<Record<Stance['stance'], FixLifecycle>> = {
  objection: 'objected',
  nacked: 'objected',
  'changes-requested': 'changes-requested',
  reviewed: 'reviewed',
  acked: 'reviewed',
  tested: 'reviewed',
};

function lifecycle(fix: Fix, stances: readonly { s: Stance; date: number | null }[], applied: { ev: Evidence; date: number | null } | null): { lifecycle: FixLifecycle; evidence: Evidence | null } {
  if (fix.supersededBy) return { lifecycle: 'superseded', evidence: null };
  if (applied) return { lifecycle: 'applied', evidence: applied.ev };
  let last: { l: FixLifecycle; ev: Evidence; date: number } | null = null;
  for (const { s, date } of stances) {
    const l = LIFECYCLE_OF[s.stance];
    if (!l) continue;
    // the fix's own author conceding counts; praising their own fix does not
    if ((date ?? 0) >= (last?.date ?? -Infinity)) last = { l, ev: s.evidence, date: date ?? 0 };
  }
  if (last) return { lifecycle: last.l, evidence: last.ev };
  if (stances.length > 0) return { lifecycle: 'under-review', evidence: stances[stances.length - 1]!.s.evidence };
  return { lifecycle: 'proposed', evidence: null };
}

function topOutcome(messages: readonly ThreadMessageInput[]): { outcome: Outcome; evidence: Evidence } | null {
  const counts = new Map<Outcome, { n: number; first: Evidence }>();
  for (const m of messages) {
    const o = m.knowledge?.outcome;
    if (!o) continue;
    const c = counts.get(o.outcome);
    // the subject that names the outcome counts thrice
    const w = o.evidence.block === null ? 3 : 1;
    if (c) c.n += w;
    else counts.set(o.outcome, { n: w, first: o.evidence });
  }
  let best: { outcome: Outcome; evidence: Evidence; n: number } | null = null;
  for (const [outcome, c] of counts) if (!best || c.n > best.n) best = { outcome, evidence: c.first, n: c.n };
  return best ? { outcome: best.outcome, evidence: best.evidence } : null;
}

function union(into: string[], items: readonly string[] | undefined, max: number): void {
  for (const it of items ?? []) if (!into.includes(it) && into.length < max) into.push(it);
}

/** One family as a race record, or null when it does not read as a race. */
export function assembleFamily(threads: readonly ThreadInput[]): RaceRecord | null {
  const messages = threads.flatMap((t) => t.messages).sort(byDate);
  if (messages.length === 0) return null;
  const scored = scoreFamily(messages);
  if (scored.score < RACE_THRESHOLD || !scored.strong) return null;
  // said twice to be a false positive (a lockdep false alarm, a misread report), or said once
  // in someone's own words as a statement ("Fwiw, this was always a false-positive."; "it looks
  // like a false positive?" asks), and no patch that names a race: the thread was about a race
  // that is not there
  const refutations = scored.reasons.filter((r) => r.kind === 'trap:false-positive');
  const refuted = refutations.reduce((n, r) => n + r.weight, 0);
  const stated = refutations.some((r) => r.quotedFrom === undefined && r.evidence.block !== null && !/\?\s*$/.test(r.evidence.text));
  if ((refuted <= -6 || stated) && !scored.reasons.some((r) => r.kind === 'fix-subject')) return null;

  const byId = new Map(messages.map((m) => [m.messageId, m]));
  const ancestors = (m: ThreadMessageInput): ThreadMessageInput[] => {
    const out: ThreadMessageInput[] = [];
    let p = m.parent ? byId.get(m.parent) : undefined;
    for (let i = 0; p && i < 64; i++) {
      out.push(p);
      p = p.parent ? byId.get(p.parent) : undefined;
    }
    return out;
  };

  // fixes: every proposal, one per patch version (stable-process copies are the stable story, not new fixes)
  const ownTitles = new Set(
    messages.flatMap((m) => (m.patch?.stable ? [] : (m.knowledge?.fixes ?? []).filter((p) => p.kind === 'patch' && !p.quotedIn && p.titleKey).map((p) => p.titleKey!))),
  );
  const ownVersions = new Set(
    messages.flatMap((m) => (m.patch?.stable ? [] : (m.knowledge?.fixes ?? []).filter((p) => p.kind === 'patch' && !p.quotedIn && p.titleKey).map((p) => `${p.titleKey}|${p.version ?? 1}`))),
  );
  // a long series fixes its race in one or two patches: the others (and their versions)
  // are the series, not fixes of the race; a patch is one when some version says a race word
  const raceTitles =
    ownTitles.size <= 3
      ? null
      : new Set(
          messages.flatMap((m) =>
            (m.knowledge?.reasons ?? []).some((r) => r.weight > 0) ? (m.knowledge?.fixes ?? []).flatMap((p) => (p.kind === 'patch' && p.titleKey ? [p.titleKey] : [])) : [],
          ),
        );
  const fixes: FixAt[] = [];
  for (const m of messages) {
    const proposals = m.knowledge?.fixes ?? [];
    proposals.forEach((p, n) => {
      if (p.kind === 'patch' && raceTitles && p.titleKey && !raceTitles.has(p.titleKey)) return;
      // a stable-process copy is a fix only where the family has no patch of its own by that title
      if (p.kind === 'patch' && m.patch?.stable && ownTitles.has(m.patch.titleKey)) return;
      // and only its first copy: the copies for later branches are the same fix's stable story
      if (p.kind === 'patch' && m.patch?.stable && fixes.some((f) => f.message.patch?.stable && f.message.patch.titleKey === m.patch?.titleKey)) return;
      // a patch read from a review's quotes, when the patch mail itself is here, is that mail's;
      // a version no mail here carries is its own fix (the v1 a review quotes, whose mail the
      // archive lost, beside the v2 that supersedes it)
      const quotedVersion = `${p.titleKey}|${p.version ?? 1}`;
      if (p.quotedIn && p.titleKey !== undefined && (ownVersions.has(quotedVersion) || fixes.some((f) => f.fix.kind === 'patch' && `${f.titleKey}|${f.fix.version}` === quotedVersion))) return;
      // the same idea quoted again in a later reply is the first one's
      const dup = p.kind !== 'patch' && fixes.find((f) => f.fix.kind === p.kind && f.fix.summary === p.summary && sameAuthor(f.fix.author, p.author));
      if (dup) return;
      fixes.push({
        message: m,
        index: n,
        titleKey: p.titleKey,
        fix: {
          id: `${m.messageId}#${n}`,
          kind: p.kind,
          author: p.author,
          messageId: m.messageId,
          date: m.date,
          summary: p.summary,
          functions: p.functions,
          files: p.files,
          wip: p.wip,
          version: p.kind === 'patch' ? (p.version ?? m.patch?.version ?? 1) : null,
          lifecycle: 'proposed',
          lifecycleEvidence: null,
          supersededBy: null,
          stances: [],
          evidence: p.evidence,
        },
      });
    });
  }
  // versions of one patch: each older one is superseded by the next
  const patchesByTitle = new Map<string, FixAt[]>();
  for (const f of fixes) {
    const key = f.titleKey ?? f.message.patch?.titleKey;
    if (f.fix.kind !== 'patch' || !key) continue;
    const list = patchesByTitle.get(key) ?? [];
    list.push(f);
    patchesByTitle.set(key, list);
  }
  // a re-roll under another prefix by the same author continues the versions ("ppp: X" v1, "net: ppp: X" v2)
  const byStem = new Map<string, FixAt[]>();
  for (const [key, list] of [...patchesByTitle]) {
    const stem = titleStem(list[0]!.fix.summary);
    if (!stem?.specific) continue;
    const into = byStem.get(stem.stem);
    const head = into?.[0];
    if (into && head && sameStem(titleStem(head.fix.summary)!, stem) && sameAuthor(head.fix.author, list[0]!.fix.author)) {
      into.push(...list);
      patchesByTitle.delete(key);
    } else if (!into) byStem.set(stem.stem, list);
  }
  for (const list of patchesByTitle.values()) {
    list.sort((a, b) => (a.fix.version ?? 1) - (b.fix.version ?? 1) || (a.fix.date ?? 0) - (b.fix.date ?? 0));
    for (let i = 0; i + 1 < list.length; i++) {
      if ((list[i + 1]!.fix.version ?? 1) > (list[i]!.fix.version ?? 1)) list[i]!.fix.supersededBy = list[i + 1]!.fix.id;
    }
  }

  // stances, aimed at their fix; a quoted stance repeated in later replies counts once
  const stanceDates = new Map<string, { s: Stance; date: number | null }[]>();
  const seenStance = new Set<string>();
  const seenWords = new Set<string>();
  for (const m of messages) {
    const above = ancestors(m);
    for (const s of m.knowledge?.stances ?? []) {
      // a quoted stance counts only where the mail it quotes is missing (a saved reply quoting
      // a discussion): quoting the mail it answers, the words are that mail's, read there
      if (s.quotedFrom !== undefined && above.some((a) => sameAuthor(a.from, s.quotedFrom || null))) continue;
      // a quote with no attribution line it could be read from, in a reply whose parent is here, is the parent's words
      if (s.quotedFrom === '' && m.parent !== null && above.length > 0) continue;
      const aim = aimStance(s, m, fixes, ancestors);
      if (!aim) continue;
      // the same words on the same fix once; on another fix they are another stance (a
      // reviewer's identical Reviewed-by on each patch of a family)
      const words = `${s.stance}|${s.evidence.text}|${aim.fix.id}`;
      const key = `${s.author ?? ''}|${words}`;
      if (seenStance.has(key)) continue;
      // quoted words someone already said count once, whoever the quoting mail names (an
      // attribution line the reader could not read names nobody)
      if (s.quotedFrom !== undefined && seenWords.has(words)) continue;
      // praise or questions from the fix's own author are conversation, not a stance on it, and
      // their own sentence quoted back in someone else's reply is no objection of theirs; their
      // own later doubt ("Oh, the fix is incorrect, will look into it") is kept: the labelled
      // threads count such a retraction as an objection
      if (sameAuthor(aim.fix.author, s.author) && (s.stance === 'agreement' || s.stance === 'question' || s.quotedFrom !== undefined)) continue;
      seenStance.add(key);
      seenWords.add(words);
      const stance: Stance = { stance: s.stance, author: s.author, messageId: m.messageId, evidence: s.evidence, aimedBy: aim.aimedBy };
      aim.fix.stances.push(stance);
      const list = stanceDates.get(aim.fix.id) ?? [];
      list.push({ s: stance, date: m.date });
      stanceDates.set(aim.fix.id, list);
    }
  }
  // "Applied, thanks" answers the patch it replies to
  const applied = new Map<string, { ev: Evidence; date: number | null }>();
  for (const m of messages) {
    const ev = m.knowledge?.applied;
    if (!ev) continue;
    for (const a of ancestors(m)) {
      const f = fixes.find((x) => x.message === a && x.fix.kind === 'patch');
      if (f) {
        applied.set(f.fix.id, { ev, date: m.date });
        break;
      }
    }
  }
  // a stable-process mail (AUTOSEL, a review series, FAILED) of a patch means it is in mainline
  const stableCopies = messages.filter((m) => m.patch?.stable);
  for (const f of fixes) {
    const l = lifecycle(f.fix, stanceDates.get(f.fix.id) ?? [], applied.get(f.fix.id) ?? null);
    f.fix.lifecycle = l.lifecycle;
    f.fix.lifecycleEvidence = l.evidence;
    const key = f.titleKey ?? f.message.patch?.titleKey;
    if (f.fix.kind !== 'patch' || f.fix.supersededBy || !key) continue;
    // every stable-process mail of its title (AUTOSEL, review, FAILED, "added to the tree")
    const stableMails = stableCopies.filter((m) => m.patch?.titleKey === key && m !== f.message);
    const copies = stableMails.filter((m) => m.patch?.kind === 'patch');
    if (copies.length > 0) f.fix.copies = copies.map((m) => m.messageId);
    // the stable process handles only what mainline took: a fix that is such a mail, or has one, is merged
    const copy = f.message.patch?.stable ? f.message : stableMails[0];
    if (copy) {
      f.fix.lifecycle = 'merged';
      f.fix.lifecycleEvidence = { messageId: copy.messageId, block: null, text: copy.subject };
    }
  }

  const functions: string[] = [];
  const files: string[] = [];
  const locks: string[] = [];
  const versions: string[] = [];
  const configs: string[] = [];
  let diagram: RaceRecord['diagram'] = null;
  const evidence: string[] = [];
  for (const m of messages) {
    const k = m.knowledge;
    if (!k) continue;
    if (k.reasons.some((r) => r.weight > 0)) evidence.push(m.messageId);
    diagram ??= k.diagram;
    union(functions, k.diagram?.steps.flatMap((s) => s.functions), 30);
    union(functions, k.functions, 30);
    union(files, k.files, 30);
    union(locks, k.locks, 20);
    union(versions, k.versions, 12);
    union(configs, k.configs, 12);
  }

  const outcome = topOutcome(messages);
  const titled = messages.find((m) => m.knowledge?.reasons.some((r) => r.kind === 'fix-subject')) ?? messages.find((m) => !/^\s*re\s*:/i.test(m.subject) && m.subject.trim() !== '') ?? messages[0]!;
  const refuting = scored.reasons.filter((r) => r.kind === 'trap:false-positive' || r.kind === 'trap:no-race');
  const confirming = fixes.find((f) => f.fix.lifecycle === 'applied' || f.fix.lifecycle === 'reviewed') ?? null;
  let status: RaceStatus = 'open';
  let statusEvidence: Evidence | null = null;
  if (confirming) {
    status = 'confirmed';
    statusEvidence = confirming.fix.lifecycleEvidence ?? confirming.fix.evidence;
  } else if (refuting.length > 0 && refuting.reduce((n, r) => n + r.weight, 0) <= -3) {
    status = 'refuted';
    statusEvidence = refuting[0]!.evidence;
  }
  const confidence = Math.round(Math.min(0.99, Math.max(0.05, 1 - Math.exp(-scored.score / 6))) * 100) / 100;
  const first = messages[0]!;
  const dates = messages.map((m) => m.date).filter((d): d is number => d !== null);
  return {
    id: raceId(threads[0]?.messages[0]?.messageId ?? first.messageId),
    title: cleanTitle(titled.subject) || cleanTitle(first.subject) || untitled(scored.reasons),
    outcome: outcome?.outcome ?? 'other',
    outcomeEvidence: outcome?.evidence ?? null,
    status,
    statusEvidence,
    confidence,
    reasons: scored.reasons.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, 16),
    functions,
    files,
    locks,
    versions,
    configs,
    diagram,
    threads: [...new Set(threads.map((t) => t.root))],
    messages: messages.map((m) => m.messageId),
    evidence: evidence.slice(0, 50),
    fixes: fixes.map((f) => f.fix),
    firstDate: dates.length ? Math.min(...dates) : null,
    lastDate: dates.length ? Math.max(...dates) : null,
  };
}

/**
 * A stable-process thread (AUTOSEL, a review series) is a bundle: patch 2..N reply to
 * patch 1 but each is its own fix. Each stable patch and the replies below it becomes its
 * own unit, keeping the thread's root as its thread, so one bundle can hold several races.
 */
export function splitStableBundles(thread: ThreadInput): ThreadInput[] {
  const root = thread.messages.find((m) => m.parent === null) ?? thread.messages[0];
  if (!root?.patch?.stable) return [thread];
  const heads = new Set(thread.messages.filter((m) => m.patch?.stable && (m.patch.kind === 'patch' || m.patch.kind === 'cover')).map((m) => m.messageId));
  if (heads.size < 2) return [thread];
  const byId = new Map(thread.messages.map((m) => [m.messageId, m]));
  const headOf = (m: ThreadMessageInput): string => {
    let cur: ThreadMessageInput | undefined = m;
    for (let i = 0; cur && i < 64; i++) {
      if (heads.has(cur.messageId)) return cur.messageId;
      cur = cur.parent ? byId.get(cur.parent) : undefined;
    }
    return root.messageId;
  };
  const units = new Map<string, ThreadMessageInput[]>();
  for (const m of thread.messages) {
    const h = headOf(m);
    const list = units.get(h) ?? [];
    list.push(m);
    units.set(h, list);
  }
  return [...units.values()].map((messages) => ({ root: thread.root, messages }));
}

/** Every race among these threads, one record per family. */
export function assembleRaces(threads: readonly ThreadInput[]): RaceRecord[] {
  const out: RaceRecord[] = [];
  for (const family of families(threads.flatMap(splitStableBundles))) {
    // the family's first thread (oldest root) names it
    family.sort((a, b) => (a.messages[0]?.date ?? 0) - (b.messages[0]?.date ?? 0));
    const race = assembleFamily(family);
    if (race) out.push(race);
  }
  return out;
}
