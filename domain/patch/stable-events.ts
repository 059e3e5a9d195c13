// Turns one analysed message into the stable events it stands for: one row per branch,
// each with the status that mail justifies and the sentence that justifies it (see
// stable-status.ts for how a branch's events become its status). Pure.
import type { ParsedMessage } from '../message.ts';
import type { PatchAnalysis } from './analyze.ts';
import { maintainedAround, parseStableRange, resolveStableRange } from './stable-branches.ts';
import type { StableKind } from './stable-mail.ts';
import { namedBranches, type ReplyDecisionKind } from './stable-reply.ts';
import type { StableStatus } from './stable-status.ts';
import { parseSubject, subjectKey } from './subject.ts';

/** What a reply decided, before its branch is known ('?' until the end of ingest). */
export const REPLY_EVENT_KINDS = ['queue', 'drop', 'withdraw', 'release-note', 'bot-failed', 'fail-note', 'wish'] as const;
export type ReplyEventKind = (typeof REPLY_EVENT_KINDS)[number];

/** A stable posting or review patch that reverts a fix on its branch. */
export type RevertKind = 'revert';

export interface StableEventRow {
  /** The stable mail kind, 'cc-stable' for a Cc: stable wish, or a reply's decision. */
  kind: StableKind | 'cc-stable' | ReplyEventKind | RevertKind;
  /** null for rows that carry context only (a review cover's -rc). */
  status: StableStatus | null;
  /** "6.6", or "?" when the branch is that of the mail answered (resolved at the end of ingest). */
  branch: string;
  upstreamCommit: string | null;
  title: string;
  titleKey: string;
  rc: string | null;
  version: string | null;
  base: string | null;
  /** The words that made the event: a subject, a "Cc: stable ... # 4.14+" line, a reply's sentence. */
  sentence: string;
  /**
   * For a Cc: stable wish, the range as written after "#" ('' for a bare tag); for a
   * reply's decision, the branches its sentence names, space-separated ("*": the whole
   * series answered; "^6.1": named by the thread's subject, used when no stable mail is found;
   * "any": a failure naming no branch, on every branch the mail answered asked for).
   */
  rawRange: string | null;
  /** An announcement's shortlog names the fix's author: the join needs it. */
  author: string | null;
}

const STATUS_OF: Record<StableKind, StableStatus | null> = {
  added: 'queued',
  failed: 'failed-to-apply',
  'review-patch': 'in-review',
  'review-cover': null,
  autosel: 'autosel',
  backport: 'backport-posted',
  released: 'released',
  announce: 'released',
};

const DECISION_EVENT: Record<ReplyDecisionKind, { kind: ReplyEventKind; status: StableStatus }> = {
  queued: { kind: 'queue', status: 'queued' },
  dropped: { kind: 'drop', status: 'not-needed' },
  withdrawn: { kind: 'withdraw', status: 'not-needed' },
  released: { kind: 'release-note', status: 'released' },
  'bot-failed': { kind: 'bot-failed', status: 'failed-to-apply' },
  failed: { kind: 'fail-note', status: 'failed-to-apply' },
  wanted: { kind: 'wish', status: 'wanted' },
};

/** The columns every event of one message shares. */
interface EventContext {
  upstream: string | null;
  title: string;
  titleKey: string;
  sentence: string;
  st: PatchAnalysis['stable'];
}

function eventRow(c: EventContext, kind: StableEventRow['kind'], status: StableStatus | null, branch: string, extra: Partial<StableEventRow> = {}): StableEventRow {
  return {
    kind,
    status,
    branch,
    upstreamCommit: c.upstream,
    title: c.title,
    titleKey: c.titleKey,
    rc: c.st?.rc ?? null,
    version: null,
    base: c.st?.base ?? null,
    sentence: c.sentence,
    rawRange: null,
    author: null,
    ...extra,
  };
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** A commit named the kernel's way: 24a9799aa8ef ("title"). */
const COMMIT_REF = /\b([0-9a-f]{12,40})\s*\(\s*"/;

/** The commit a text names the kernel's way (24a9799aa8ef ("title")), or null. */
export function commitRefOf(text: string): string | null {
  return COMMIT_REF.exec(text)?.[1] ?? null;
}

export function stableEventsOf(msg: Pick<ParsedMessage, 'subject' | 'date'>, a: PatchAnalysis): StableEventRow[] {
  const out: StableEventRow[] = [];
  const st = a.stable;
  const c: EventContext = {
    upstream: a.upstreamCommit,
    title: st ? st.title : a.subject.normalizedSubject,
    titleKey: st ? subjectKey(parseSubject(st.title)) : a.titleKey,
    sentence: oneLine(msg.subject),
    st,
  };
  const reverted = st && (st.kind === 'backport' || st.kind === 'review-patch') ? (/^(?:[\w/.-]+: )*Revert "(.+)"$/.exec(st.title)?.[1] ?? null) : null;
  if (st) {
    if (st.kind === 'released' || st.kind === 'announce') {
      for (const r of st.released) {
        const extra: Partial<StableEventRow> = { version: r.version };
        // An announcement's line is a fix of its own, named by title and author.
        if (r.title !== undefined) {
          Object.assign(extra, { title: r.title, titleKey: subjectKey(parseSubject(r.title)), author: r.author ?? null, upstreamCommit: null });
          extra.sentence = `${r.author ?? ''}: ${r.title} (Linux ${r.version})`;
        }
        out.push(eventRow(c, st.kind, 'released', r.branch, extra));
      }
    } else if (reverted !== null) {
      // 'Revert "X"' posted for a branch, or in its review series: X leaves that branch. A
      // revert that is itself a mainline commit ("ppp: Revert "ppp: add softdep"") is also
      // a fix of its own on the branch; a stable-only revert is not.
      const extra = { title: reverted, titleKey: subjectKey(parseSubject(reverted)), upstreamCommit: null };
      for (const b of st.branches) out.push(eventRow(c, 'revert', 'not-needed', b, extra));
      if (st.upstreamCommit !== null) for (const b of st.branches) out.push(eventRow(c, st.kind, STATUS_OF[st.kind], b));
    } else {
      for (const b of st.branches) out.push(eventRow(c, st.kind, STATUS_OF[st.kind], b));
    }
  }
  if (a.kind === 'reply') {
    // A reply's stable meaning: the -rc of the review cover it answers, or a decision on
    // the mail it answers, whose branches are known once every mail is in.
    // A sentence or a regression thread's subject may name the fix by its quoted title
    // ('fixed by the commit "smb3: ..."', '[Regression 6.1.y] From "cifs: ..."'): the key
    // a named release is matched by.
    const subjectQuote = /"([^"]{12,})"/.exec(msg.subject)?.[1];
    // A thread about a commit named the kernel's way ('backporting 24a9799aa8ef ("smb: ...")
    // to older stable series (was: FAILED: ... 6.1-stable tree)'): the fix, and the branches
    // its subject names, when no stable mail of the thread says more.
    const commitRef = COMMIT_REF.exec(msg.subject)?.[1] ?? null;
    const subjectBranches = commitRef ? namedBranches(msg.subject).map((b) => `^${b}`) : [];
    // A backport attached to (or pasted in) a reply in a thread whose subject names the
    // branch ("[Regression 6.1.y] ...", "Re: FAILED: ... 6.1-stable tree"): posted there.
    // (A reply that also decides something is about the thread's fix: "This fix is not
    // needed now ..." with the alternative attached is an objection, not a posting.)
    const inline = a.decisions.length === 0 ? a.inlinePatch : null;
    if (inline) {
      const extra = { title: inline.title, titleKey: subjectKey(parseSubject(inline.title)), upstreamCommit: inline.upstreamCommit, sentence: `${inline.title} (a patch in a reply)` };
      const named = namedBranches(msg.subject).filter((x) => maintainedAround(x, msg.date));
      for (const b of named) out.push(eventRow(c, 'backport', 'backport-posted', b, extra));
      // A thread about the commit it backports ('Re: backporting 24a9799aa8ef ("...") to older
      // stable series'): the branch is the one the thread's first subject named, found at the end.
      const ref = commitRefOf(msg.subject);
      if (named.length === 0 && ref !== null && inline.upstreamCommit?.startsWith(ref)) out.push(eventRow(c, 'backport', 'backport-posted', '?', { ...extra, rawRange: 'thread' }));
    }
    for (const dec of a.decisions) {
      if (dec.queuePatch !== undefined) {
        // A stable-queue file names its fix as the queue scripts spell a subject: the title key, dashed.
        const d = DECISION_EVENT[dec.kind];
        const file = `queue-${dec.branches[0] ?? ''}/${dec.queuePatch}.patch`;
        const key = dec.queuePatch.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
        out.push(eventRow(c, d.kind, d.status, '?', { upstreamCommit: null, title: file, titleKey: key, sentence: dec.sentence, rawRange: dec.branches.join(' ') }));
        continue;
      }
      // A decision naming its own commit without a title is not titled by the thread's subject.
      const untitled = dec.commit ? `commit ${dec.commit.slice(0, 12)}` : undefined;
      const quoted = dec.title ?? /"([^"]{12,})"/.exec(dec.sentence)?.[1] ?? untitled ?? subjectQuote;
      const titleKey = quoted ? subjectKey(parseSubject(quoted)) : a.titleKey;
      const ref = dec.commit ?? COMMIT_REF.exec(dec.sentence)?.[1] ?? commitRef;
      const d = DECISION_EVENT[dec.kind];
      // "?" until the mail decided on is known; the branches and releases the sentence
      // names ride along ("whole series" as a leading "*"). A branch long out of
      // maintenance on the mail's date is a slip ("linux-5.0.y" in a list of 2024).
      const live = dec.branches.filter((b) => dec.kind === 'bot-failed' || maintainedAround(b, msg.date));
      // ("any": a failure that names no branch, "do not apply to any stable kernel trees": every branch asked for.)
      const anywhere = dec.kind === 'failed' && dec.branches.length === 0 ? ['any'] : [];
      const named = [...(dec.wholeSeries ? ['*'] : []), ...anywhere, ...live, ...subjectBranches].join(' ');
      out.push(
        eventRow(c, d.kind, d.status, '?', {
          upstreamCommit: ref,
          title: quoted ?? msg.subject,
          titleKey,
          sentence: dec.sentence,
          rawRange: named,
          version: dec.versions.length > 0 ? dec.versions.join(' ') : null,
        }),
      );
    }
    return out;
  }
  // A Cc: stable wish in a patch mail: its range means the branches maintained on the
  // mail's date. The same trailer quoted by a stable mail (a review patch, an AUTOSEL
  // pick, a FAILED notice, a backport) is the upstream commit's old wish, not a new one.
  if (st) return out;
  // A request to the stable list: each commit it names wanted on the branches it names, or
  // (none named: "in all the stable trees") on every branch maintained that day.
  const req = a.stableRequest;
  if (req) {
    const named = req.branches.filter((b) => maintainedAround(b, msg.date));
    const branches = named.length > 0 ? named : resolveStableRange(parseStableRange(''), msg.date);
    for (const { commit, title } of req.commits) {
      const t = title ?? `commit ${commit.slice(0, 12)}`;
      const extra = { upstreamCommit: commit, title: t, titleKey: title ? subjectKey(parseSubject(title)) : '', sentence: req.sentence, rawRange: named.join(' ') };
      for (const b of branches) out.push(eventRow(c, 'wish', 'wanted', b, extra));
    }
    return out;
  }
  // A series patch carrying its mainline commit: a backport if its cover names a branch
  // (known once every mail is in; "cover" marks what the '?' waits for).
  if (a.carriesCommit) out.push(eventRow(c, 'backport', 'backport-posted', '?', { upstreamCommit: a.carriesCommit, rawRange: 'cover' }));
  for (const t of a.trailers) {
    if (!t.stable) continue;
    const branches = resolveStableRange(parseStableRange(t.stable.extinfo), msg.date);
    const sentence = oneLine(`${t.name}: ${t.value}`);
    for (const b of branches) out.push(eventRow(c, 'cc-stable', 'wanted', b, { sentence, rawRange: t.stable.extinfo }));
  }
  return out;
}
