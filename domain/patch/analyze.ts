// Everything the patch analysis learns from one message on its own (no other message
// needed): subject tags, diff summary and patch-id, trailers, and the stable-process
// meaning. Pure and structured-cloneable: it runs in the parse worker.
import type { ParsedMessage } from '../message.ts';
import { diffSummary, hasDiff, type FileChange } from './diff.ts';
import { patchId } from './patch-id.ts';
import { classifyStableMail, findUpstreamCommit, type StableMail } from './stable-mail.ts';
import { isBotMail, isStableTeam, replyDecisions, stableRequestOf, UPSTREAM_MARK, type ReplyDecision, type StableRequest } from './stable-reply.ts';
import { parseSubject, subjectKey, type SubjectInfo } from './subject.ts';
import type { SeriesMember } from './series.ts';
import { parsePerson, parseTrailers, type Person, type Trailer } from './trailers.ts';

export type PatchMsgKind = 'patch' | 'cover' | 'reply' | 'other';

export interface FileSummary {
  path: string;
  change: FileChange;
  added: number;
  removed: number;
  binary: boolean;
}

export interface PatchAnalysis {
  kind: PatchMsgKind;
  subject: SubjectInfo;
  titleKey: string;
  patchId: string | null;
  files: FileSummary[];
  added: number;
  removed: number;
  /** A patch's own trailers, or the follow-up trailers a reply gives. */
  trailers: Trailer[];
  /** b4 change-id ("change-id: 20240116-flsplit-bdb46824db68" in a cover letter, or the X-Change-ID header). */
  changeId: string | null;
  /** The mainline commit a backport or stable mail is about. */
  upstreamCommit: string | null;
  /** In-body "From:" (the real author of a forwarded or backported patch). */
  author: Person | null;
  stable: StableMail | null;
  /**
   * What a reply decides for the branch(es) of the stable mail it answers: queued,
   * dropped, withdrawn (if the replier posted the mail answered, checked once the parent
   * is known), released in a version it names, failed to apply (the stable bot).
   */
  decisions: ReplyDecision[];
  /**
   * A patch a reply carries whole, as git format-patch writes it (attached, or pasted
   * under the text): in a thread about a stable branch, a backport posted there.
   */
  inlinePatch?: InlinePatch | null;
  /**
   * A plain patch in a thread that names the mainline commit it carries ("commit X
   * upstream."): a backport whose branch only its cover letter may say ("... on 5.10 stable kernel").
   */
  carriesCommit?: string | null;
  /** A new mail to the stable list asking for mainline commits (kind 'other'): wanted there. */
  stableRequest?: StableRequest | null;
}

export interface InlinePatch {
  title: string;
  upstreamCommit: string | null;
}

// "From <sha> Mon Sep 17 00:00:00 2001" (a pasted one may be space-stuffed), the header
// lines format-patch writes, and the Subject (folded over at most one more line).
const FORMAT_PATCH = /^ ?From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n(?: ?[A-Z][\w-]*: .*\n){0,4}? ?Subject: (?:\[PATCH[^\]\n]*\]\s*)?(.+(?:\n {1,2}\S.*)?)$/m;

/** The patch a reply carries whole, when it carries one with its diff. */
function inlinePatchOf(body: string): InlinePatch | null {
  if (!body.includes(' Mon Sep 17 00:00:00 2001')) return null;
  const m = FORMAT_PATCH.exec(body);
  if (!m?.[1]) return null;
  const rest = body.slice((m.index ?? 0) + m[0].length);
  if (!/^ ?diff --git /m.test(rest)) return null;
  const up = UPSTREAM_MARK.exec(rest.slice(0, 4000));
  return { title: m[1].replace(/\s+/g, ' ').trim(), upstreamCommit: (up?.[1] ?? up?.[2] ?? null)?.toLowerCase() ?? null };
}

/**
 * A reply whose subject is that of a stable mail (AUTOSEL, review, backport, FAILED,
 * queued) or names a stable branch or release ("[Regression 6.1.y]"): one that may decide.
 */
function answersStableMail(subject: SubjectInfo): boolean {
  if (subject.autosel || subject.branchRange !== null || (subject.isPatch && subject.stableBranches.length > 0)) return true;
  const text = `${subject.tags.join(' ')} ${subject.normalizedSubject}`;
  return /^FAILED: [Pp]atch "|^[Pp]atch ".+" (?:has been )?added to the \d+\.\d+-stable tree/.test(subject.normalizedSubject) || /\b\d+\.\d+\.(?:y|\d+)\b|\bstable\b/i.test(text);
}

/**
 * A reply's decisions. Off a stable thread only the stable team, the bot, a named
 * release and a request naming branches speak; most replies name none of them and are not read past this test.
 */
function decisionsOf(subject: SubjectInfo, body: string, senderEmail: string | null): ReplyDecision[] {
  const stableThread = answersStableMail(subject);
  const team = isStableTeam(senderEmail);
  if (!stableThread && !team && !isBotMail(body) && !/\b\d+\.\d+\.(?:\d+|y|x)\b/i.test(body)) return [];
  return replyDecisions(body, { fromStableTeam: team, answersOwnMail: true, stableThread });
}

/** The stable list among the mail's recipients (stable@vger.kernel.org, or the older stable@kernel.org). */
function sentToStable(msg: Pick<ParsedMessage, 'to' | 'cc'>): boolean {
  return [...msg.to, ...msg.cc].some((a) => /^stable@(?:vger\.)?kernel\.org$/i.test(a.address));
}

function inBodyAuthor(body: string): Person | null {
  // Only the first lines, or the header block of a quoted commit ("From <sha> Mon Sep 17
  // 00:00:00 2001" in FAILED mails): "From: X" anywhere else is quoted text.
  const head = body.slice(0, 2000).split('\n', 8);
  for (const line of head) {
    const m = /^From:\s*(.+)$/.exec(line);
    if (m?.[1]) return parsePerson(m[1]);
  }
  if (!body.includes('\nFrom:')) return null; // what the pattern below needs, found much faster
  const quoted = /^From [0-9a-f]{40} [^\n]*\nFrom:\s*([^\n]+)$/m.exec(body);
  return quoted?.[1] ? parsePerson(quoted[1]) : null;
}

function changeIdOf(body: string): string | null {
  if (!body.includes('change-id:')) return null;
  for (const m of body.matchAll(/^change-id:\s*(\S+)\s*$/gm)) if (m[1]) return m[1];
  return null;
}

/** `subject`: parseSubject(msg.subject), when the caller has it (ingest/patch-analysis.ts shares it with the knowledge analysis). */
export function analyzePatchMessage(msg: ParsedMessage, subject: SubjectInfo = parseSubject(msg.subject)): PatchAnalysis | undefined {
  const body = msg.body;
  const senderEmail = msg.from?.address.toLowerCase() ?? null;
  const stable = classifyStableMail(msg.subject, body, msg.headers, subject, { date: msg.date, senderEmail });
  const diffPresent = hasDiff(body);
  let kind: PatchMsgKind;
  // FAILED/added/CVE mails quote the commit, diff and all, but are not patch submissions.
  if (stable && (stable.kind === 'failed' || stable.kind === 'added' || stable.kind === 'released' || stable.kind === 'announce')) kind = 'other';
  else if (subject.isReply || subject.isForward) kind = 'reply';
  // An answer that kept the patch's subject without "Re:" (b4 "nore"): no diff, and a parent.
  else if (subject.isPatch && subject.index !== 0 && !diffPresent && msg.inReplyTo !== null && subject.index === null) kind = 'reply';
  else if (subject.isPatch && subject.index === 0) kind = 'cover';
  else if (subject.isPatch || (diffPresent && !subject.pull)) kind = 'patch';
  else kind = 'other';

  const trailers = kind === 'reply' ? parseTrailers(body, { followup: true }) : kind === 'other' && !stable ? [] : parseTrailers(body);
  const decisions = kind === 'reply' && (subject.isReply || subject.isForward) ? decisionsOf(subject, body, senderEmail) : [];
  const inlinePatch = kind === 'reply' ? inlinePatchOf(body) : null;
  // A request to the stable list that is no patch ("Can you please include them in all the
  // stable trees?" over commit links) is the one plain mail with a stable meaning.
  const stableRequest = kind === 'other' && !stable && !msg.inReplyTo && sentToStable(msg) ? stableRequestOf(body) : null;
  if (kind === 'other' && !stable && !stableRequest) return undefined;
  if (kind === 'reply' && trailers.length === 0 && decisions.length === 0 && !stable && !inlinePatch) return undefined;

  let files: FileSummary[] = [];
  let added = 0;
  let removed = 0;
  let pid: string | null = null;
  if (kind !== 'reply' && diffPresent) {
    const d = diffSummary(body);
    files = d.files.map((f) => ({ path: f.newPath ?? f.oldPath ?? '', change: f.change, added: f.added, removed: f.removed, binary: f.binary }));
    added = d.added;
    removed = d.removed;
    pid = patchId(body);
  }
  const header = msg.headers['x-change-id']?.[0]?.trim();
  const changeId = header ?? (kind === 'reply' ? null : changeIdOf(body));
  return {
    kind,
    subject,
    titleKey: kind === 'other' && stable ? subjectKey(parseSubject(stable.title)) : subjectKey(subject),
    patchId: pid,
    files,
    added,
    removed,
    trailers,
    changeId,
    upstreamCommit: stable?.upstreamCommit ?? null,
    author: kind === 'reply' ? null : inBodyAuthor(body),
    stable,
    decisions,
    inlinePatch,
    carriesCommit: kind === 'patch' && !stable && msg.inReplyTo !== null ? findUpstreamCommit(body) : null,
    stableRequest,
  };
}

/** The fields series grouping needs, from a message and its analysis. */
export function seriesMemberOf(msg: Pick<ParsedMessage, 'messageId' | 'from' | 'date' | 'inReplyTo' | 'references'>, a: PatchAnalysis): SeriesMember | null {
  if (a.kind !== 'patch' && a.kind !== 'cover') return null;
  const s = a.subject;
  return {
    messageId: msg.messageId,
    isCover: a.kind === 'cover',
    version: s.version,
    versionMajor: s.versionMajor,
    index: s.index,
    total: s.total,
    title: s.normalizedSubject,
    titleKey: a.titleKey,
    senderEmail: msg.from?.address.toLowerCase() ?? '',
    date: msg.date,
    inReplyTo: msg.inReplyTo,
    refs: msg.references,
    changeId: a.changeId,
    patchId: a.patchId,
    lane: laneOf(s),
  };
}

export function laneOf(s: SubjectInfo): string {
  if (s.autosel) return `autosel ${s.stableBranch ?? s.branchRange?.from ?? ''}`;
  return s.stableBranches.join('/');
}
