// An apply-ready series, as `b4 am` makes it: the patches of one version in order, each
// with the trailers reviewers gave in replies folded into its commit message, trailers
// given on the cover letter applied to every patch, trailers given on an earlier version
// carried forward when the patch (its patch-id) did not change, and trailers naming
// someone other than the reply's sender refused. Every added trailer is reported with the
// mail it came from. Pure: the mails come in as values, the mbox goes out as text.
import { foldTrailers, type FoldOptions, type NewTrailer, type Recipient } from './am-body.ts';
import { makeTrailer, namesSender, replyTrailers, trailerEquals, type AmTrailer } from './am-trailers.ts';
import { hasDiff } from './diff.ts';
import { patchId } from './patch-id.ts';
import { parseSubject } from './subject.ts';

/** What `am` needs of one mail. */
export interface AmMail {
  messageId: string;
  subject: string;
  fromName: string;
  fromEmail: string;
  /** The Date header as written. */
  dateHeader: string;
  to: Recipient[];
  cc: Recipient[];
  /** Decoded text body. */
  body: string;
  inReplyTo: string | null;
  /** Oldest first. */
  references: string[];
}

export interface AmPatch {
  index: number;
  mail: AmMail;
}

export interface AmInput {
  /** "3", "5.1". */
  version: string;
  total: number;
  patches: AmPatch[];
  cover: AmMail | null;
  /** Every other mail that may carry trailers or be a patch of another version: replies, older patches. */
  others: AmMail[];
}

export interface AmOptions {
  /** false: the patches as sent (b4 --no-add-trailers). */
  addTrailers: boolean;
  /** The user's identity ("Name <addr>"), for their own Signed-off-by. */
  identity: string | null;
  addMySob: boolean;
  addLink: boolean;
  /** "Link: https://patch.msgid.link/%s" by default; b4's linktrailermask. */
  linkMask: string;
  copyCcs: boolean;
  trailerOrder: string;
  /** Accept trailers naming someone else than the reply's sender (b4 -S). */
  sloppy: boolean;
  ignoreFrom: string[];
}

export const DEFAULT_AM_OPTIONS: AmOptions = {
  addTrailers: true,
  identity: null,
  addMySob: false,
  addLink: false,
  linkMask: 'Link: https://patch.msgid.link/%s',
  copyCcs: false,
  trailerOrder: '*',
  sloppy: false,
  ignoreFrom: [],
};

export type TrailerSource = 'reply' | 'cover' | 'earlier-version' | 'added';

export interface ReportedTrailer {
  trailer: string;
  source: TrailerSource;
  /** The reply that gave it (null for one we add: Link:, Cc:, our Signed-off-by). */
  givenIn: string | null;
  /** For a carried trailer: the earlier version's patch the reply answered. */
  via: string | null;
}

export interface RefusedTrailer {
  trailer: string;
  givenIn: string;
  sender: string;
  /** The patch or cover letter it was given on. */
  target: string;
}

export interface AmPatchReport {
  index: number;
  messageId: string;
  subject: string;
  added: ReportedTrailer[];
  ignored: ReportedTrailer[];
}

export interface AmResult {
  /** The git-am mbox. */
  mbox: string;
  /** The cover letter, as a message of its own (null without one). */
  cover: string | null;
  patches: AmPatchReport[];
  refused: RefusedTrailer[];
}

interface Given {
  trailer: AmTrailer;
  reply: AmMail;
}

/** A reply, as b4 tells one: "Re:" in the subject, or trailers and a parent but no diff. */
function isReply(m: AmMail): boolean {
  if (parseSubject(m.subject).isReply) return true;
  return m.inReplyTo !== null && !hasDiff(m.body) && replyTrailers(m.body).length > 0;
}

function parentOf(m: AmMail, byId: Map<string, AmMail>): AmMail | undefined {
  if (m.inReplyTo) return byId.get(m.inReplyTo);
  for (const r of m.references) {
    const p = byId.get(r);
    if (p && r !== m.messageId) return p;
  }
  return undefined;
}

/** Trailers each reply gives, attached to the nearest mail up its thread that is not a reply. */
function collect(all: AmMail[], sloppy: boolean): { given: Map<string, Given[]>; refused: RefusedTrailer[] } {
  const byId = new Map<string, AmMail>();
  for (const m of all) if (!byId.has(m.messageId)) byId.set(m.messageId, m);
  const given = new Map<string, Given[]>();
  const refused: RefusedTrailer[] = [];
  for (const reply of all) {
    if (!isReply(reply)) continue;
    const trailers = replyTrailers(reply.body);
    if (trailers.length === 0) continue;
    let target = parentOf(reply, byId);
    const seen = new Set([reply.messageId]);
    // b4 also takes the trailers of each reply it passes on the way up, as they stand: the
    // author answering "will add Reported-by: X" to a review is heard when X replies again
    const passed: Given[] = [];
    while (target && isReply(target) && !seen.has(target.messageId)) {
      seen.add(target.messageId);
      for (const t of replyTrailers(target.body)) passed.push({ trailer: t, reply: target });
      target = parentOf(target, byId);
    }
    if (!target || isReply(target)) continue;
    const list = given.get(target.messageId) ?? [];
    for (const t of trailers) {
      if (!sloppy && !namesSender(t, reply.fromName, reply.fromEmail)) {
        refused.push({ trailer: `${t.name}: ${t.value}`, givenIn: reply.messageId, sender: reply.fromName ? `${reply.fromName} <${reply.fromEmail}>` : reply.fromEmail, target: target.messageId });
        continue;
      }
      list.push({ trailer: t, reply });
    }
    list.push(...passed);
    given.set(target.messageId, list);
  }
  // what a later reply carried in is not refused after all
  const taken = (r: RefusedTrailer) => (given.get(r.target) ?? []).some((g) => g.reply.messageId === r.givenIn && `${g.trailer.name}: ${g.trailer.value}` === r.trailer);
  return { given, refused: refused.filter((r) => !taken(r)) };
}

function identityTrailer(identity: string | null): AmTrailer | null {
  if (!identity) return null;
  const t = makeTrailer('Signed-off-by', identity.trim());
  return t.person ? t : null;
}

/** b4's "[PATCH RFC v3 2/5] title" for the commit (git am drops the bracket). */
function amSubject(m: AmMail, version: string, total: number, index: number): string {
  const s = parseSubject(m.subject);
  const parts = ['PATCH'];
  if (s.rfc) parts.push('RFC');
  if (version !== '1' || s.version !== null) parts.push(`v${version.split('.')[0]}`);
  if (s.index !== null) parts.push(`${index}/${total}`);
  return `[${parts.join(' ')}] ${s.normalizedSubject}`;
}

// RFC 2047 for header values that are not ASCII (a name, a subject).
function encodeHeader(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return `=?utf-8?b?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function formatAddress(name: string, email: string): string {
  if (!name) return email;
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x20-\x7e]*$/.test(name);
  const quoted = ascii && /[()<>@,:;.\\"[\]]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : encodeHeader(name);
  return `${quoted} <${email}>`;
}

/** One message of a git-am mbox (git am reads mboxo: bodies are not ">From "-quoted, as b4 writes them). */
function amMessage(subject: string, m: AmMail, body: string): string {
  // eslint-disable-next-line no-control-regex
  const cte = /^[\x00-\x7f]*$/.test(body) ? '7bit' : '8bit';
  const head = [
    'From git@z Thu Jan  1 00:00:00 1970',
    `Subject: ${encodeHeader(subject)}`,
    `From: ${formatAddress(m.fromName, m.fromEmail)}`,
    `Date: ${m.dateHeader}`,
    `Message-Id: <${m.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    `Content-Transfer-Encoding: ${cte}`,
  ];
  return head.join('\n') + '\n\n' + body.replace(/[\r\n]+$/, '') + '\n\n';
}

function linkTrailer(mask: string, messageId: string): AmTrailer {
  const colon = mask.indexOf(':');
  const name = colon > 0 ? mask.slice(0, colon).trim() : 'Link';
  const value = (colon > 0 ? mask.slice(colon + 1) : mask).trim().replace('%s', messageId);
  return makeTrailer(name, value);
}

export function buildAm(input: AmInput, opts: AmOptions = DEFAULT_AM_OPTIONS): AmResult {
  const all = [...input.patches.map((p) => p.mail), ...(input.cover ? [input.cover] : []), ...input.others];
  const { given, refused } = collect(all, opts.sloppy);
  const inSeries = new Set(input.patches.map((p) => p.mail.messageId));
  // patches of other versions, by patch-id: what their reviewers said carries over to an unchanged patch
  const byPatchId = new Map<string, AmMail[]>();
  for (const m of input.others) {
    if (inSeries.has(m.messageId) || isReply(m) || !given.has(m.messageId)) continue;
    const id = patchId(m.body);
    if (!id) continue;
    byPatchId.set(id, [...(byPatchId.get(id) ?? []), m]);
  }
  const coverGiven = input.cover ? (given.get(input.cover.messageId) ?? []) : [];
  const me = identityTrailer(opts.identity);
  const fold: FoldOptions = { me, addMySob: opts.addMySob, copyCcs: null, order: opts.trailerOrder, ignoreFrom: opts.ignoreFrom };
  const reports: AmPatchReport[] = [];
  let mbox = '';
  for (const p of [...input.patches].sort((a, b) => a.index - b.index)) {
    const m = p.mail;
    const fresh: (NewTrailer & { source: TrailerSource; via: string | null; givenIn: string | null })[] = [];
    const push = (t: AmTrailer, source: TrailerSource, reply: AmMail | null, via: string | null) => {
      fresh.push({ trailer: t, givenBy: reply?.fromEmail ?? null, source, givenIn: reply?.messageId ?? null, via });
    };
    for (const g of given.get(m.messageId) ?? []) push(g.trailer, 'reply', g.reply, null);
    const id = patchId(m.body);
    for (const older of id ? (byPatchId.get(id) ?? []) : []) {
      for (const g of given.get(older.messageId) ?? []) {
        if (fresh.some((f) => trailerEquals(f.trailer, g.trailer))) continue;
        push(g.trailer, 'earlier-version', g.reply, older.messageId);
      }
    }
    for (const g of coverGiven) push(g.trailer, 'cover', g.reply, null);
    if (opts.addLink) push(linkTrailer(opts.linkMask, m.messageId), 'added', null, null);
    let body = m.body;
    const report: AmPatchReport = { index: p.index, messageId: m.messageId, subject: m.subject, added: [], ignored: [] };
    if (opts.addTrailers) {
      const copyCcs = opts.copyCcs ? [...m.to, ...m.cc] : null;
      const r = foldTrailers(m.body, fresh, { ...fold, copyCcs });
      body = r.body;
      const describe = (n: NewTrailer): ReportedTrailer => {
        const f = fresh.find((x) => x.trailer === n.trailer);
        return { trailer: `${n.trailer.name}: ${n.trailer.value}`, source: f?.source ?? 'added', givenIn: f?.givenIn ?? null, via: f?.via ?? null };
      };
      report.added = r.added.map(describe);
      report.ignored = r.ignored.map(describe);
    }
    reports.push(report);
    mbox += amMessage(amSubject(m, input.version, input.total, p.index), m, body);
  }
  const cover = input.cover ? amMessage(amSubject(input.cover, input.version, input.total, 0), input.cover, input.cover.body) : null;
  return { mbox, cover, patches: reports, refused };
}
