// A fast path for the mail nearly all of lore is: one text/plain part, no attachment.
// simpleParser spends most of its time on stream machinery (Transform chains, setImmediate
// per step, event emitters), not on decoding. For the plain case this file computes the
// fields ingest/parse.ts reads from its ParsedMail synchronously, with the very same
// pieces mailparser 3.9.31 runs: mailsplit's MimeNode for the MIME fields, libmime for
// encoded-words, nodemailer's addressparser, and our CharsetDecoder's logic for charsets.
// Where one of them is slow there is an exact copy, checked against it by a property
// test (mailsplit's header-line split, libqp's decode; well-formed base64 is decoded in
// one go), and results that repeat from message to message (address lines, MIME fields)
// are kept.
// Anything it does not reproduce exactly (multipart, message/*, attachments or a filename,
// unknown transfer encodings, punycode or encoded-word addresses...) returns null and
// goes to simpleParser.
import mailsplit from '@zone-eu/mailsplit';
import libmime from 'libmime';
import { decodeFlowed } from './flowed.ts';
import addressparser, { type Address as ParsedAddress } from 'nodemailer/lib/addressparser';
import type { EmailAddress, ParsedMail } from 'mailparser';
import { decodeCharset } from './parse-charset.ts';
import { isUtf8 } from 'node:buffer';
import { INDEXED_BODY_CHARS } from '../domain/search/extract.ts';

/** An address header as parse.ts reads it: ParsedMail's AddressObject without html/text. */
export interface AddressField {
  value: EmailAddress[];
}

/** The part of ParsedMail that parseMessage reads; ParsedMail itself satisfies it. */
export interface MailFields {
  headerLines: ParsedMail['headerLines'];
  subject?: string | undefined;
  from?: AddressField | undefined;
  to?: AddressField | AddressField[] | undefined;
  cc?: AddressField | AddressField[] | undefined;
  text?: string | undefined;
  attachments: ParsedMail['attachments'];
  /** Set when `text` is only the first part of the body (BODY_ANALYSED_BYTES): the whole body's bytes. */
  wholeBody?: { bytes: Buffer; start: number };
  /**
   * Set when `headerLines` are every line of the input's header block, split as
   * domain/stored-text.ts headerFieldsOf splits them: the block neither starts with an empty
   * line nor with an mbox "From " or "POST " line (which headerLinesOf drops, with its folded
   * lines, and headerFieldsOf reads on from).
   */
  headerLinesWhole?: boolean;
  /**
   * Set when `text` is the input's bytes from this offset to the end, read as UTF-8 (a
   * body in 7bit/8bit UTF-8 or ASCII, not flowed, without CR or U+FFFD): where
   * domain/stored-text.ts bodySpanIn would find it, without reading it again.
   */
  bodyAt?: number;
}

/**
 * The most of a body that is decoded into the parsed message, when the body is a run of the
 * raw bytes as they are (no transfer encoding, UTF-8 or ASCII, no CR, not flowed): past it
 * the analyses (patch, knowledge) read only its first part, cut after a whole line. A
 * deliberate cap for messages far larger than any on lore (a few MiB): a 60 MB log held
 * whole as a string beside its raw bytes cost its size again, and its patch analysis more.
 * 8 MiB rather than 16 took another 20 MB off a 60 MB message's peak (bench faults big), and
 * is still twice the search index's part at one byte a character.
 * What is stored is unchanged: the raw bytes whole, the body read back from them, the
 * search index's first INDEXED_BODY_CHARS (which the cut always covers); the diff summary
 * and patch-id are still read over the whole body (ingest/patch-analysis.ts).
 */
export const BODY_ANALYSED_BYTES = 8 * 1024 * 1024;

/** Thrown inside the fast path where mailparser would take a branch we do not copy. */
class NotPlain extends Error {}

// mailsplit fails a header block over 1 MiB and flushes a body line without a line break
// in 64 KiB pieces (which changes how base64 is fed); both are left to simpleParser.
const MAX_HEAD_BYTES = 512 * 1024;
const MAX_TRAILING_LINE = 64 * 1024;

/** Where mailsplit ends the header block: after the first line that is just LF or CRLF, else at the end. */
export function headerEnd(bytes: Buffer): number {
  let pos = 0;
  while (pos < bytes.length) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) return bytes.length;
    if (nl === pos || (nl === pos + 1 && bytes[pos] === 0x0d)) return nl + 1;
    pos = nl + 1;
  }
  return bytes.length;
}

/** mailparser's decodeAddresses for the cases it handles without re-parsing or punycode. */
function decodeAddresses(list: ParsedAddress[]): void {
  for (const a of list) {
    a.name = (a.name || '').toString().trim();
    if (!a.address && /^(=\?([^?]+)\?[Bb]\?[^?]*\?=)(\s*=\?([^?]+)\?[Bb]\?[^?]*\?=)*$/.test(a.name)) throw new NotPlain('base64 word as a whole address');
    if (a.name) {
      try {
        a.name = decodeWords(a.name);
      } catch {
        // mailparser keeps the name as is
      }
    }
    if (a.address && /[=]\?[^?]+\?[BbQq]\?[^?]*\?[=]/.test(a.address)) throw new NotPlain('encoded-word in an address');
    if (a.address && /@xn--/.test(a.address)) throw new NotPlain('punycode domain');
    if (a.group) decodeAddresses(a.group);
  }
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** mailparser's header value: unfolded, trimmed, its bytes read as UTF-8. */
export function headerValue(line: string): string {
  const value = (libmime.decodeHeader(line).value || '').toString().trim();
  // ASCII reads the same as UTF-8: no round trip through a Buffer then
  return NON_ASCII.test(value) ? Buffer.from(value, 'binary').toString() : value;
}

/**
 * libmime.decodeWords, which is the identity on text that has neither an encoded word
 * nor the join marker it removes; most subjects have neither, and it runs five regexes.
 */
export function decodeWords(text: string): string {
  return text.includes('=?') || text.includes('__\x00JOIN\x00__') ? libmime.decodeWords(text) : text;
}

function deepFreeze(list: EmailAddress[]): void {
  for (const a of list) {
    if (a.group) deepFreeze(a.group);
    Object.freeze(a);
  }
  Object.freeze(list);
}

// The same From/To/Cc lines come back all through a mailing list archive (in lore's
// cifs and ppp lists 81% and 66% of address lines were seen before), and parsing one
// (addressparser, then encoded-words) is the fast path's largest cost. Results are a
// function of the raw line, so they are kept (frozen: shared between messages), as is
// the NotPlain verdict. Cleared when full to bound memory.
const ADDRESS_CACHE_MAX = 4096;
const addressCache = new Map<string, AddressField | NotPlain>();

function addressField(line: string): AddressField {
  let field = addressCache.get(line);
  if (field === undefined) {
    try {
      const list = addressparser(headerValue(line));
      decodeAddresses(list);
      deepFreeze(list as EmailAddress[]);
      field = Object.freeze({ value: list as EmailAddress[] });
    } catch (e) {
      if (!(e instanceof NotPlain)) throw e;
      field = e;
    }
    if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.clear();
    addressCache.set(line, field);
  }
  if (field instanceof NotPlain) throw field;
  return field;
}

/** mailparser's processHeaders, for the four keys parse.ts reads: last Subject/From wins, To/Cc accumulate. */
function readHeaders(lines: ParsedMail['headerLines'], mail: MailFields): void {
  const to: AddressField[] = [];
  const cc: AddressField[] = [];
  for (const { key, line } of lines) {
    if (key === 'subject') {
      const value = headerValue(line);
      let subject = value;
      try {
        subject = decodeWords(value);
      } catch {
        // mailparser keeps the subject as is
      }
      if (subject) mail.subject = subject;
    } else if (key === 'from') mail.from = addressField(line);
    else if (key === 'to' || key === 'cc') (key === 'to' ? to : cc).push(addressField(line));
  }
  if (to.length) mail.to = to.length === 1 ? to[0] : to;
  if (cc.length) mail.cc = cc.length === 1 ? cc[0] : cc;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * libqp's decode (what mailsplit runs), with its per-character loop replaced by copying
 * the runs between "=XX" escapes: same two clean-ups, same bytes out, about a third of
 * the time (test/parse-fast-qp.test.ts compares the two).
 */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const s = body
    .toString('binary')
    .replace(/[\t ]+$/gm, '')
    .replace(/=(?:\r?\n|$)/g, '');
  const out = Buffer.allocUnsafe(s.length);
  let len = 0;
  let from = 0;
  for (let eq = s.indexOf('='); eq >= 0; ) {
    if (eq + 2 < s.length && isHexDigit(s.charCodeAt(eq + 1)) && isHexDigit(s.charCodeAt(eq + 2))) {
      len += out.write(s.slice(from, eq), len, 'latin1');
      out[len++] = parseInt(s.slice(eq + 1, eq + 3), 16);
      from = eq + 3;
      eq = s.indexOf('=', from);
    } else eq = s.indexOf('=', eq + 1);
  }
  len += out.write(s.slice(from), len, 'latin1');
  return out.subarray(0, len);
}

const WELL_FORMED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The body bytes after the transfer decoding mailsplit's decoder does for the node. */
function transferDecode(encoding: string, body: Buffer): Buffer {
  if (encoding === 'quoted-printable') return body.length ? decodeQuotedPrintable(body) : body;
  if (encoding === 'base64') {
    // Padding or stray characters inside the data: libbase64's streaming decoder then gives
    // a result that depends on how mailsplit chunks the stream (seen in property tests), so
    // simpleParser decides. Well-formed data decodes the same however it is chunked: at once.
    const data = body.toString('latin1').replace(/[\r\n\t ]+/g, '');
    if (!WELL_FORMED_BASE64.test(data)) throw new NotPlain('malformed base64');
    return Buffer.from(data, 'base64');
  }
  return body;
}

const PASSTHROUGH_ENCODINGS = new Set(['', '7bit', '8bit', 'binary']);

type HeaderLines = ParsedMail['headerLines'];

function folds(line: string): boolean {
  return line[0] === ' ' || line[0] === '\t';
}

/** mailsplit's key: what precedes the first colon ('' without one), lower case, trimmed. */
function headerKey(line: string): string {
  const colon = line.indexOf(':');
  return (colon < 0 ? '' : line.slice(0, colon)).toLowerCase().trim();
}

/**
 * mailsplit's Headers#_parseHeaders, what MimeNode's headers.getList() returns: the
 * block read as a binary string, trailing line breaks dropped, split at LF (a CR before
 * it dropped), folded lines joined with CRLF, keys lower-cased and trimmed; a first
 * line that is an mbox "From " or HTTP "POST " line is no header. Same steps, without
 * the regexes mailsplit runs over the whole block (test/parse-fast-headers.test.ts).
 */
export function headerLinesOf(head: Buffer): HeaderLines {
  const text = head.toString('binary');
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 0x0a || text.charCodeAt(end - 1) === 0x0d)) end--;
  const raw = text.slice(0, end).split('\n');
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i] as string;
    if (l.charCodeAt(l.length - 1) === 0x0d) raw[i] = l.slice(0, -1);
  }
  let i = 1;
  let first = raw[0] as string;
  while (i < raw.length && folds(raw[i] as string)) first += '\r\n' + raw[i++];
  const lines: { key: string; line: string }[] = [];
  if (!/^From /i.test(first) && !/^POST /i.test(first)) lines.push({ key: headerKey(first), line: first });
  for (; i < raw.length; i++) {
    const l = raw[i] as string;
    const last = lines[lines.length - 1];
    if (folds(l) && last) {
      last.line += '\r\n' + l;
      if (!last.key) last.key = headerKey(last.line);
    } else lines.push({ key: headerKey(l), line: l });
  }
  return lines;
}

/** A first line headerLinesOf takes for no header (mailsplit's rule). */
const FIRST_LINE_DROPPED = /^(?:From |POST )/i;
/** How a header block may end for headerLinesOf, which drops every CR and LF at its end, to keep what headerFieldsOf reads. */
const PLAIN_ENDS = new Set(['', '\n', '\r\n', '\n\n', '\r\n\n', '\n\r\n', '\r\n\r\n']);

/** Whether headerLinesOf reads every line of the block bytes[0, end) (MailFields.headerLinesWhole). */
function readAsWhole(bytes: Buffer, end: number): boolean {
  const c = bytes[0];
  if (c === 0x0a || (c === 0x0d && bytes[1] === 0x0a) || FIRST_LINE_DROPPED.test(bytes.toString('latin1', 0, 5))) return false;
  let from = end;
  while (from > 0 && end - from <= 4 && (bytes[from - 1] === 0x0a || bytes[from - 1] === 0x0d)) from--;
  return PLAIN_ENDS.has(bytes.toString('latin1', from, end));
}

/** The MimeNode fields plain() decides by; they depend on the first Content-Type, -Disposition and -Transfer-Encoding lines only. */
interface MimeFields {
  contentType: string | false;
  charset: string | false;
  encoding: string | false;
  disposition: string | false;
  filename: string | false;
  flowed: boolean;
  delSp: boolean;
  multipart: string | false;
}

// Nearly every message has one of a handful of Content-Type/-Transfer-Encoding pairs,
// and MimeNode#parseHeaders (which also re-parses the whole header block) was the fast
// path's largest cost after the addresses: its answer is kept per distinct triple of lines.
const MIME_CACHE_MAX = 1024;
const mimeCache = new Map<string, MimeFields>();
const MIME_KEYS = ['content-type', 'content-disposition', 'content-transfer-encoding'];

/** What MimeNode#parseHeaders sets for a header block with these lines. */
export function mimeFieldsOf(lines: HeaderLines): MimeFields {
  // the first line of each key, as MimeNode's getFirst reads it
  const relevant: (string | undefined)[] = MIME_KEYS.map((k) => lines.find((l) => l.key === k)?.line);
  // lines are binary strings (no character above U+00FF) and never '' for these keys
  const cacheKey = relevant.map((l) => l ?? '').join('\u0100');
  let fields = mimeCache.get(cacheKey);
  if (fields === undefined) {
    // A block of just those lines gives MimeNode the same answer; the lines around them
    // keep a trailing CR of the last one from being taken for the block's line break.
    // Only a block's first line can begin with white space (any later one folds); it stays
    // first here, else it would fold into the line before it and its key be lost.
    const present = relevant.filter((l): l is string => l !== undefined);
    const leading = present.filter(folds);
    const block = [...leading, 'X-Before: 1', ...present.filter((l) => !folds(l)), 'X-After: 1', ''].join('\r\n');
    const node = new mailsplit.MimeNode(false, {});
    node.addHeaderChunk(Buffer.from(block, 'binary'));
    node.parseHeaders();
    const { contentType, charset, encoding, disposition, filename, flowed, delSp, multipart } = node;
    fields = Object.freeze({ contentType, charset, encoding, disposition, filename, flowed, delSp, multipart });
    if (mimeCache.size >= MIME_CACHE_MAX) mimeCache.clear();
    mimeCache.set(cacheKey, fields);
  }
  return fields;
}

/** The first part of a body past BODY_ANALYSED_BYTES that is its raw bytes as they are, else null. */
function cutBody(body: Buffer, encoding: string, flowed: boolean, charset: string): string | null {
  if (body.length <= BODY_ANALYSED_BYTES || !PASSTHROUGH_ENCODINGS.has(encoding) || flowed) return null;
  if (!['ascii', 'usascii', 'utf8'].includes(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))) return null;
  if (body.includes(0x0d) || !isUtf8(body)) return null;
  // after a whole line, so no character is split; the search index's part must lie inside
  const nl = body.lastIndexOf(0x0a, BODY_ANALYSED_BYTES - 1);
  if (nl < 0) return null;
  const text = body.toString('utf8', 0, nl + 1);
  return text.length > INDEXED_BODY_CHARS ? text : null;
}

/**
 * The ParsedMail fields of a plain single-part message, as simpleParser (with our Iconv)
 * would give them, or null when the message needs simpleParser. Pushes charset notes as
 * simpleParser's run would.
 */
export function parsePlain(bytes: Buffer, notes: string[]): MailFields | null {
  const own: string[] = [];
  try {
    const mail = plain(bytes, own);
    if (mail) for (const n of own) if (!notes.includes(n)) notes.push(n);
    return mail;
  } catch {
    // NotPlain, or anything else this copy gets wrong: simpleParser's answer is the reference
    return null;
  }
}

function plain(bytes: Buffer, notes: string[]): MailFields | null {
  const end = headerEnd(bytes);
  if (end > MAX_HEAD_BYTES) return null;
  const body = bytes.subarray(end);
  if (body.length - (body.lastIndexOf(0x0a) + 1) >= MAX_TRAILING_LINE) return null;

  const headerLines = headerLinesOf(bytes.subarray(0, end));
  const node = mimeFieldsOf(headerLines);
  // mailparser files anything but an inline text part as an attachment
  if ((node.disposition && node.disposition !== 'inline') || node.filename || node.multipart) return null;
  if ((node.contentType || 'text/plain') !== 'text/plain') return null;
  const encoding = node.encoding || '';
  if (encoding !== 'quoted-printable' && encoding !== 'base64' && !PASSTHROUGH_ENCODINGS.has(encoding)) return null;

  const mail: MailFields = { headerLines, attachments: [] };
  readHeaders(headerLines, mail);
  if (readAsWhole(bytes, end)) mail.headerLinesWhole = true;

  const cut = cutBody(body, encoding, node.flowed, node.charset || 'utf-8');
  if (cut) {
    mail.text = cut;
    mail.wholeBody = { bytes: body, start: end };
    return mail;
  }
  let decoded = transferDecode(encoding, body);
  // mailsplit's FlowedDecoder: the whole transfer-decoded body, as a binary string, through
  // the flowed decoder it is given (flowed.ts, installed on libmime by parse.ts)
  if (node.flowed && decoded.length) decoded = Buffer.from(decodeFlowed(decoded.toString('binary'), node.delSp), 'binary');
  // mailparser: utf-8 and ascii labels are Buffer#toString, anything else goes through the Iconv option
  let charset = node.charset || 'utf-8';
  let text: string;
  const utf8 = ['ascii', 'usascii', 'utf8'].includes(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''));
  if (utf8) text = decoded.toString();
  else {
    if (charset.toLowerCase() === 'ks_c_5601-1987') charset = 'CP949';
    text = decodeCharset(decoded, charset, notes);
  }
  // mailparser's line-ending normalisation; most lore bodies have no CR to replace
  if (text.includes('\r')) text = text.replace(/\r?\n/g, '\n');
  else if (utf8 && decoded === body && text && !node.flowed && !text.includes('\uFFFD')) mail.bodyAt = end;
  if (text) mail.text = text;
  return mail;
}
