// RawMessage -> ParsedMessage. mailparser does the MIME work (RFC 2047 words, base64/QP,
// charsets, multipart); the identity fields that threading depends on (Message-ID,
// In-Reply-To, References, Date) are read from the raw header lines by our own small
// functions, because mailparser replaces a missing Date with "now" and mangles some
// malformed id lists, and both would make threading depend on when and how we ingested.
// Plain single-part messages (nearly all kernel mail) skip simpleParser's stream machinery
// through parse-fast.ts, which yields the same fields; everything else goes to mailparser
// (parse-mailparser.ts: simpleParser without keeping attachment contents nobody reads).
import { hash as digestOf } from 'node:crypto';
import type { EmailAddress, MailParserOptions, ParsedMail } from 'mailparser';
import type { Address, AttachmentInfo, ParsedMessage, RawMessage, SourcePosition } from '../domain/message.ts';
import type { BodySpan } from '../domain/stored-text.ts';
import { threadIndexAncestry } from '../domain/thread-index.ts';
import { decodeUnknownCharset, makeIconv } from './parse-charset.ts';
import { parsePlain, type AddressField, type MailFields } from './parse-fast.ts';
import { markBodyCut } from './parse-body-cut.ts';
import { parseMail, type AttachmentHead } from './parse-mailparser.ts';
import { parseInputFor } from './read/lenient.ts';
import { MAX_KEPT_FIELD, truncatedInput } from './parse-truncated.ts';
import { useQuoteAwareFlowedDecoding } from './flowed.ts';

// mailparser's flowed decoding too keeps a reply apart from the quote above it (flowed.ts)
useQuoteAwareFlowedDecoding();

/** A message no amount of leniency can make sense of; ingest records it and goes on. */
export class MessageParseError extends Error {
  readonly reason: string;
  readonly position: SourcePosition;
  constructor(reason: string, position: SourcePosition) {
    super(`${position.source}#${position.index}: ${reason}`);
    this.name = 'MessageParseError';
    this.reason = reason;
    this.position = position;
  }
}

export interface ParseOptions {
  /** Clock for the "date in the future" check; tests pin it. */
  now?: number;
  /** Always use simpleParser, never the fast path (the differential tests compare the two). */
  forceMailparser?: boolean;
}

const DAY_MS = 86_400_000;
const EARLIEST_PLAUSIBLE = Date.UTC(1990, 0, 1);
export const SYNTHETIC_ID_DOMAIN = 'loregraph.invalid';

/** Transport and signature noise nobody downstream reads; kept out of `headers` to keep messages small. */
const DROPPED_HEADER = /^(received|x-received|dkim-signature|arc-.*|authentication-results|received-spf|x-google-.*|x-gm-.*|x-ms-.*|x-microsoft-.*|x-forefront-.*|x-face|face|x-proofpoint-.*|x-ironport-.*)$/;

export function contentHash(bytes: Uint8Array): string {
  // one-shot: half the cost of a Hash object for a message-sized input
  return digestOf('sha256', bytes, 'hex');
}

export function syntheticMessageId(hash: string): string {
  return `${hash.slice(0, 32)}@${SYNTHETIC_ID_DOMAIN}`;
}

/** Header value with folding undone. */
function unfold(v: string): string {
  // most header lines are not folded: skip the two scans then
  if (!v.includes('\n') && !v.includes('\r')) return v.trim();
  return v.replace(/\r?\n[ \t]+/g, ' ').replace(/[\r\n]+/g, ' ').trim();
}

/** The value without RFC 5322 comments outside angle brackets: "<a@b> (reply to <c@d>)" names a@b only. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let inAngle = false;
  for (const ch of value) {
    if (!inAngle && ch === '(') depth++;
    else if (!inAngle && ch === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (ch === '<') inAngle = true;
      else if (ch === '>') inAngle = false;
      out += ch;
    }
  }
  return out;
}

/**
 * What is between the brackets, made an id: "<id@host # final submission>" (a comment
 * inside) is id@host, and an id a mailer broke with spaces ("<1234.5678@ host>") is joined
 * again, the same way wherever it is written, so the reply still finds its parent.
 */
function bracketedId(inner: string): string | null {
  const id = inner.trim();
  if (isUsableId(id)) return id;
  const uncommented = id.replace(/\s+#.*$/, '').replace(/\s*\([^()]*\)\s*/g, ' ').trim();
  if (isUsableId(uncommented)) return uncommented;
  const joined = uncommented.replace(/\s+/g, '');
  return joined.includes('@') && isUsableId(joined) ? joined : null;
}

/** Message-ids in a header value, in order: `<...>` tokens, or bare `x@y` words when there are no brackets. */
export function extractIds(value: string): string[] {
  const out: string[] = [];
  const text = value.includes('(') ? withoutComments(value) : value;
  for (const m of text.matchAll(/<([^<>]*)>/g)) {
    const id = bracketedId(m[1] ?? '');
    if (id !== null) out.push(id);
  }
  if (out.length === 0 && !text.includes('<')) {
    for (const w of text.split(/[\s,]+/)) if (w.includes('@') && isUsableId(w)) out.push(w);
  }
  return out;
}

/** Long enough to mean something, no spaces or control characters, fits in an SMTP line. */
export function isUsableId(id: string): boolean {
  // eslint-disable-next-line no-control-regex
  return id.length > 0 && id.length <= 900 && !/[\s<>\x00-\x1f\x7f]/.test(id);
}

/** RFC 5322 date -> UTC ms, or null; comments such as "(CEST)" are dropped first. */
export function parseDateValue(value: string): number | null {
  const cleaned = value.replace(/\([^()]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  if (!cleaned) return null;
  let t = Date.parse(cleaned);
  if (Number.isNaN(t)) {
    // "Tue, 6 Dec 2011 9:37:00 +0100 xyz": keep the part Date.parse understands.
    const m = /(\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[+-]\d{4}|\s*[A-Z]{1,5})?)/.exec(cleaned);
    if (m?.[1]) t = Date.parse(m[1]);
  }
  return Number.isNaN(t) ? null : t;
}

export function isPlausibleDate(t: number | null, now: number): t is number {
  return t !== null && t >= EARLIEST_PLAUSIBLE && t <= now + DAY_MS;
}

/** `Received:` dates are stamped by relays; the newest plausible one is closest to delivery. */
export function newestReceivedDate(received: string[], now: number): number | null {
  let best: number | null = null;
  for (const r of received) {
    const semi = r.lastIndexOf(';');
    if (semi < 0) continue;
    const t = parseDateValue(r.slice(semi + 1));
    if (isPlausibleDate(t, now) && (best === null || t > best)) best = t;
  }
  return best;
}

function parseLooseAddress(value: string): Address | null {
  const m = /^\s*"?([^"<]*?)"?\s*<([^<>]+)>/.exec(value);
  if (m) return { name: (m[1] ?? '').trim(), address: (m[2] ?? '').trim() };
  const bare = value.trim();
  return bare ? { name: '', address: bare } : null;
}

function walkAddresses(list: EmailAddress[], out: Address[]): void {
  for (const a of list) {
    if (a.group) walkAddresses(a.group, out);
    else if (a.address || a.name) out.push({ name: a.name ?? '', address: a.address ?? '' });
  }
}

function flattenAddresses(obj: AddressField | AddressField[] | undefined): Address[] {
  if (!obj) return [];
  const out: Address[] = [];
  for (const o of Array.isArray(obj) ? obj : [obj]) walkAddresses(o.value, out);
  return out;
}

/** Text parts mailparser files as attachments (patches sent as text/x-patch) belong to the readable body. */
function isInlineText(a: AttachmentHead): boolean {
  if (/^text\/(plain|x-patch|x-diff|x-log|diff|patch)$/i.test(a.contentType)) return true;
  return a.contentType === 'application/octet-stream' && /\.(patch|diff)$/i.test(a.filename ?? '');
}

/** The headers parseMessage itself reads (Received only when the Date is unusable). */
const READ_HEADERS = new Set(['message-id', 'references', 'in-reply-to', 'date', 'list-id']);

interface HeaderMap {
  /** Unfolded values of READ_HEADERS. */
  all: Map<string, string[]>;
  /** Received values as written (folded): unfolded only when they are needed. */
  received: string[];
  /** Unfolded values of every header not DROPPED_HEADER, in order: ParsedMessage.headers. */
  kept: Record<string, string[]>;
  /** The keys of the lines DROPPED_HEADER left out, each once. */
  dropped: string[];
}

/** A header line's value, as written (folded). */
function afterColon(line: string): string {
  const colon = line.indexOf(':');
  return colon >= 0 ? line.slice(colon + 1) : '';
}

/** What headerMap does with a header: its key lower-cased, whether it is kept, whether parseMessage reads it. */
interface KeyRole {
  k: string;
  keep: boolean;
  read: boolean;
}

// The same few dozen keys come back in every message, and DROPPED_HEADER was tried on each
// line of each (a lore header block is 20 to 60 lines): the verdict is kept per key as written.
const keyRoles = new Map<string, KeyRole>();
const KEY_ROLES_MAX = 4096;

function keyRole(key: string): KeyRole {
  let role = keyRoles.get(key);
  if (role === undefined) {
    const k = key.toLowerCase();
    role = { k, keep: !DROPPED_HEADER.test(k), read: READ_HEADERS.has(k) };
    if (keyRoles.size >= KEY_ROLES_MAX) keyRoles.clear();
    keyRoles.set(key, role);
  }
  return role;
}

function headerMap(lines: ParsedMail['headerLines']): HeaderMap {
  const all = new Map<string, string[]>();
  const received: string[] = [];
  // no prototype: a header named constructor, __proto__ or toString is a key like any other
  const kept = Object.create(null) as Record<string, string[]>;
  const dropped: string[] = [];
  for (const { key, line } of lines) {
    const { k, keep, read } = keyRole(key);
    if (!keep && !dropped.includes(k)) dropped.push(k);
    if (k === 'received') {
      received.push(afterColon(line));
      continue;
    }
    // Real mail carries kilobytes of folded DKIM/ARC/relay headers nobody reads: they are
    // neither kept nor read, so not even unfolded.
    if (!keep && !read) continue;
    const value = unfold(afterColon(line));
    if (read) {
      const list = all.get(k);
      if (list) list.push(value);
      else all.set(k, [value]);
    }
    if (keep) (kept[k] ??= []).push(value);
  }
  return { all, received, kept, dropped };
}

/** A header's first value, else what the lenient reader recovered for it. */
function firstValue(all: Map<string, string[]>, recovered: Record<string, string>, k: string): string | undefined {
  return all.get(k)?.[0] ?? recovered[k];
}

/** mailsplit refused the message for one of its size limits (1 MiB of headers, 1,000 parts). */
class OverMailsplitLimit extends Error {}

async function mailparse(input: Buffer, notes: string[], position: SourcePosition): Promise<MailFields> {
  try {
    return await parseMail(
      input,
      {
        skipTextToHtml: true,
        skipImageLinks: true,
        skipTextLinks: true,
        // typed as node-iconv's class; ours implements the part mailparser uses
        Iconv: makeIconv(notes) as unknown as NonNullable<MailParserOptions['Iconv']>,
      },
      // only a text part that joins the body is read for its content; the rest only for its size
      isInlineText,
    );
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EMAXLEN') throw new OverMailsplitLimit(e instanceof Error ? e.message : String(e));
    throw new MessageParseError(`mailparser failed: ${e instanceof Error ? e.message : String(e)}`, position);
  }
}

/**
 * A message over mailsplit's limits still keeps its headers and its thread entry: parsed
 * again from its header block cut down (truncatedInput), marked in its notes. When the
 * headers were the problem the body is tried with them; when that fails too, or the parts
 * were, only the headers are kept.
 */
async function parseOverLimit(input: Buffer, why: string, notes: string[], position: SourcePosition): Promise<MailFields> {
  try {
    const mail = await mailparse(truncatedInput(input, true), notes, position);
    notes.push(`truncated: ${why}; kept the essential headers, each cut to ${MAX_KEPT_FIELD} bytes`);
    return mail;
  } catch (e) {
    if (!(e instanceof OverMailsplitLimit)) throw e;
    notes.push(`truncated: ${why}; kept the essential headers only, the body was not parsed`);
    return mailparse(truncatedInput(input, false), notes, position);
  }
}

export async function parseMessage(raw: RawMessage, opts: ParseOptions = {}): Promise<ParsedMessage> {
  return (await parseRawMessage(raw, opts)).parsed;
}

export interface ParseResult {
  parsed: ParsedMessage;
  /**
   * When `parsed.headers` are every line of the raw bytes' header block but those of these
   * keys (DROPPED_HEADER's; parse-fast.ts headerLinesWhole), the keys: then the row need not
   * read the block again to know whether its headers read back from the raw bytes
   * (db/messages.ts messageRow). Else null.
   */
  droppedFromRawLines: string[] | null;
  /** Where `parsed.body` lies in the raw bytes when the fast path read it from there as it is (parse-fast.ts bodyAt), else null. */
  bodySpan: BodySpan | null;
}

/** parseMessage, with what the row can know from how the message was parsed. */
export async function parseRawMessage(raw: RawMessage, opts: ParseOptions = {}): Promise<ParseResult> {
  const now = opts.now ?? Date.now();
  if (raw.bytes.length === 0) throw new MessageParseError('empty message', raw.position);
  const hash = contentHash(raw.bytes);
  const notes: string[] = [];
  // A saved page's headers are run together or missing: mailparser would take its first
  // line for headers and lose the body, so it reads the reader's rebuilt clean copy.
  const input = raw.lenient ? parseInputFor(raw.bytes) : raw.bytes;
  let mail: MailFields;
  try {
    mail = (opts.forceMailparser ? null : parsePlain(input, notes)) ?? (await mailparse(input, notes, raw.position));
  } catch (e) {
    if (!(e instanceof OverMailsplitLimit)) throw e;
    mail = await parseOverLimit(input, `mailsplit refused the message (${e.message})`, notes, raw.position);
  }
  const lenient = raw.lenient ?? null;
  const recovered = lenient?.headers ?? {};
  const { all, received, kept, dropped } = headerMap(mail.headerLines);
  if (mail.headerLines.length === 0 && !lenient) throw new MessageParseError('no header lines', raw.position);

  const idCandidates = extractIds(firstValue(all, recovered, 'message-id') ?? '');
  const messageIdSynthesized = idCandidates.length === 0;
  const messageId = idCandidates[0] ?? syntheticMessageId(hash);
  if (messageIdSynthesized) notes.push(all.has('message-id') ? 'unusable Message-ID, synthesized from content hash' : 'no Message-ID, synthesized from content hash');

  const references: string[] = [];
  const seen = new Set<string>();
  for (const v of all.get('references') ?? (recovered['references'] ? [recovered['references']] : [])) {
    for (const id of extractIds(v)) {
      if (!seen.has(id)) {
        seen.add(id);
        references.push(id);
      }
    }
  }
  const inReplyTo = extractIds(firstValue(all, recovered, 'in-reply-to') ?? '')[0] ?? null;
  // Outlook: no In-Reply-To or References, but a Thread-Index (domain/thread-index.ts)
  const threadIndex = kept['thread-index']?.[0];
  if (inReplyTo === null && references.length === 0 && threadIndex !== undefined) {
    references.push(...threadIndexAncestry(threadIndex));
    if (references.length > 0) notes.push('no In-Reply-To or References: ancestry taken from Thread-Index');
  }

  let date: number | null = null;
  let dateSource: ParsedMessage['dateSource'] = 'none';
  const headerDate = all.get('date')?.[0];
  const fromHeader = headerDate === undefined ? null : parseDateValue(headerDate);
  const fromLenient = recovered['date'] === undefined ? null : parseDateValue(recovered['date']);
  if (isPlausibleDate(fromHeader, now)) {
    date = fromHeader;
    dateSource = 'date';
  } else if (isPlausibleDate(fromLenient, now)) {
    date = fromLenient;
    dateSource = 'lenient';
  } else {
    const rec = newestReceivedDate(received.map(unfold), now);
    if (rec !== null) {
      date = rec;
      dateSource = 'received';
    }
    if (headerDate !== undefined) notes.push(`implausible Date '${headerDate.slice(0, 80)}', ${rec === null ? 'no date' : 'used newest Received date'}`);
  }

  const listIdRaw = firstValue(all, recovered, 'list-id');
  const listId = listIdRaw ? (/<([^<>]+)>/.exec(listIdRaw)?.[1] ?? listIdRaw).trim() || null : null;

  let from = flattenAddresses(mail.from)[0] ?? null;
  if (!from && recovered['from']) from = parseLooseAddress(recovered['from']);

  const whole = mail.wholeBody;
  // a lenient message is parsed from a rebuilt copy: its body is no run of the raw bytes
  if (whole && input !== raw.bytes) mail.text = whole.bytes.toString('utf8');
  const cut = whole && input === raw.bytes ? whole : undefined;
  if (cut) notes.push(`body of ${cut.bytes.length} bytes: analysed its first ${Buffer.byteLength(mail.text ?? '')} bytes (whole lines); stored whole`);
  let body = mail.text ?? '';
  const attachments: AttachmentInfo[] = [];
  for (const a of mail.attachments) {
    attachments.push({ filename: a.filename ?? null, contentType: a.contentType, size: a.size });
    if (isInlineText(a)) {
      const { text, as } = decodeUnknownCharset(a.content);
      body += (body && !body.endsWith('\n') ? '\n' : '') + text;
      notes.push(`text attachment ${a.filename ?? a.contentType} appended to body${as === 'latin1' ? ' (latin1)' : ''}`);
    }
  }

  const parsed: ParsedMessage = {
    messageId,
    messageIdSynthesized,
    subject: mail.subject ?? (recovered['subject'] ? unfold(recovered['subject']) : ''),
    from,
    to: flattenAddresses(mail.to),
    cc: flattenAddresses(mail.cc),
    date,
    dateSource,
    inReplyTo,
    references,
    listId,
    body,
    attachments,
    headers: kept,
    notes,
    lenient,
    contentHash: hash,
  };
  if (cut) markBodyCut(parsed, { bytes: cut.bytes, span: { start: cut.start, end: cut.start + cut.bytes.length } });
  const bodySpan = input === raw.bytes && mail.bodyAt !== undefined && body === mail.text ? { start: mail.bodyAt, end: raw.bytes.length } : null;
  return { parsed, droppedFromRawLines: input === raw.bytes && mail.headerLinesWhole === true ? dropped : null, bodySpan };
}
