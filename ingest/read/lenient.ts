// Saved messages that are not clean RFC 5322: copied out of a web page or a mail
// client, they arrive with the whole header block run together on one line (angle
// brackets, and with them most addresses, eaten as HTML tags), or as a bare body.
// We recover what a thread needs (Message-ID, Subject, From, Date, In-Reply-To,
// References) and record how each value was found, so it can be trusted accordingly.
// The message's bytes are never changed (byte-exact export gives what was read);
// `rebuildLenientMessage` makes a clean RFC 5322 copy for the parser. Pure.
import type { LenientRecovery } from '../../domain/message.ts';
import { findAttributions } from './attribution.ts';

/** RFC 5322 field name, then a colon. */
const HEADER_LINE = /^[!-9;-~]+:/;

const KNOWN =
  'return-path|received|date|from|to|cc|bcc|subject|message-id|in-reply-to|references|reply-to|sender|' +
  'mime-version|content-type|content-transfer-encoding|content-disposition|content-language|content-id|' +
  'user-agent|precedence|list-id|list-subscribe|list-unsubscribe|list-archive|list-post|list-help|list-owner|' +
  'authentication-results|arc-seal|arc-message-signature|arc-authentication-results|dkim-signature|' +
  'delivered-to|organization|mail-followup-to|thread-topic|thread-index|accept-language|importance|' +
  'x-[a-z0-9][a-z0-9-]*';
/** A known field name standing alone: after whitespace (or the start), colon, then whitespace (or the end). */
const BOUNDARY = new RegExp(`(?<=^|\\s)(${KNOWN}):(?=\\s|$)`, 'gi');
/** An mbox envelope run into the text: "From mboxrd@z Thu Jan 1 00:00:00 1970 ". */
const RUN_IN_ENVELOPE = /^From \S+ +[A-Z][a-z]{2} +[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \d{4}\s+/;
const REPLY_PREFIXES = /^(?:(?:re|fwd?|aw|sv|antw)\s*:\s*)+$/i;
const MSGID = /<([^<>\s]+@[^<>\s]+)>/g;

/** Fields copied into a rebuilt message when recovered. */
const KEPT = ['from', 'to', 'cc', 'date', 'subject', 'message-id', 'in-reply-to', 'references', 'mime-version', 'content-type'];

export interface LenientResult {
  recovery: LenientRecovery;
  /** Byte offset in the original bytes where the body text starts. */
  bodyStart: number;
}

function firstLine(bytes: Buffer): string {
  const nl = bytes.indexOf(10);
  return bytes.toString('latin1', 0, nl < 0 ? Math.min(bytes.length, 4096) : Math.min(nl, 4096));
}

/** Whether the header block parses as RFC 5322 (so the message needs no lenient treatment). */
export function isCleanMessage(bytes: Buffer): boolean {
  const line = firstLine(bytes).replace(/\r$/, '');
  if (!HEADER_LINE.test(line)) return false;
  // A first line with more fields hiding in it is a run-together header block.
  return countBoundaries(line, true) < 3;
}

/** Known field names standing alone in `text` (counting stops at 3). */
function countBoundaries(text: string, skipFirst = false): number {
  let n = 0;
  for (const m of text.matchAll(BOUNDARY)) {
    if (skipFirst && m.index === 0) continue;
    if (++n >= 3) break;
  }
  return n;
}

interface Field {
  name: string;
  /** Index of the name in the text. */
  at: number;
  valueStart: number;
  valueEnd: number;
}

/** The known fields in a run-together header block, up to `limit`. */
function splitRunTogether(text: string, limit: number): Field[] {
  const fields: Field[] = [];
  for (const m of text.matchAll(BOUNDARY)) {
    const at = m.index ?? 0;
    if (at >= limit) break;
    const name = (m[1] ?? '').toLowerCase();
    const prev = fields.at(-1);
    if (prev) {
      prev.valueEnd = at;
      // "Subject: Re: Subject: [BUG] ..." is one subject that quoted a field name.
      if (name === 'subject' && prev.name === 'subject' && REPLY_PREFIXES.test(text.slice(prev.valueStart, at).trim())) continue;
    }
    fields.push({ name, at, valueStart: at + (m[0]?.length ?? 0), valueEnd: limit });
  }
  return fields;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

function ids(value: string): string[] {
  return [...value.matchAll(MSGID)].map((m) => m[1] ?? '').filter((s) => s !== '');
}

/** Byte offset of character index `charIndex` in the UTF-8 decoding of `bytes`. */
function byteOffset(text: string, charIndex: number): number {
  return Buffer.byteLength(text.slice(0, charIndex), 'utf8');
}

/** Null when the message is clean RFC 5322. */
export function recoverLenient(bytes: Buffer): LenientResult | null {
  if (isCleanMessage(bytes)) return null;
  const text = bytes.toString('utf8');
  // no prototype: a recovered header named __proto__ is a key like any other
  const headers = Object.create(null) as Record<string, string>;
  const guessed = Object.create(null) as Record<string, string>;
  if (text.trim() === '') return { recovery: { kind: 'empty', guessed, headers }, bodyStart: 0 };

  const envelope = RUN_IN_ENVELOPE.exec(text);
  const headerStart = envelope ? envelope[0].length : 0;
  const first = firstLine(bytes);
  const runTogether = HEADER_LINE.test(text.slice(headerStart, headerStart + 200)) && countBoundaries(text.slice(0, first.length + 1)) >= 3;
  const attributions = findAttributions(text);
  const lead = attributions.find((a) => !a.quoted && a.index >= headerStart);

  let bodyStartChar = 0;
  let kind = 'no-headers';
  if (runTogether) {
    kind = 'headers-run-together';
    // The header block ends where the body's first attribution starts; without one,
    // the last field keeps its first word and the rest is body.
    const limit = lead ? lead.index : text.length;
    const fields = splitRunTogether(text, limit);
    const last = fields.at(-1);
    if (lead) {
      bodyStartChar = lead.index;
      guessed['body-start'] = 'attribution line';
    } else if (last) {
      const word = /^\s*\S*/.exec(text.slice(last.valueStart, limit))?.[0] ?? '';
      last.valueEnd = last.valueStart + word.length;
      bodyStartChar = last.valueEnd;
      guessed['body-start'] = `after the first word of ${last.name}`;
    }
    for (const f of fields) {
      if (!KEPT.includes(f.name) || headers[f.name] !== undefined) continue;
      const value = squash(text.slice(f.valueStart, f.valueEnd));
      if (value === '') continue;
      if (f.name === 'message-id' || f.name === 'in-reply-to') {
        const id = ids(value)[0];
        if (id) headers[f.name] = `<${id}>`;
      } else if (f.name === 'references') {
        const refs = ids(value);
        if (refs.length > 0) headers[f.name] = refs.map((r) => `<${r}>`).join(' ');
      } else {
        headers[f.name] = value;
      }
    }
    if (headers.from !== undefined && !/@/.test(headers.from)) guessed.from = 'name only: the address was lost';
    for (const name of ['to', 'cc']) {
      if (headers[name] !== undefined && /(^|\s),|,\s*,/.test(headers[name] ?? '')) guessed[name] = 'some addresses were lost';
    }
    if (headers['in-reply-to'] === undefined && headers.references !== undefined) {
      headers['in-reply-to'] = headers.references.split(' ').at(-1) ?? '';
      guessed['in-reply-to'] = 'last References entry';
    }
  } else {
    const signature = /(?:^|\s)-- \s*([A-Z][\p{L}'.-]+(?: [A-Z][\p{L}'.-]+){1,3})(?:\s+<?([^\s<>@]+@[^\s<>@]+)>?)?\s*$/u.exec(text.trimEnd());
    if (signature?.[1]) {
      // Archives that obfuscate addresses (david@xxxxxxxxxxxxx) leave nothing to keep.
      const address = signature[2] && !/x{4,}/i.test(signature[2]) ? ` <${signature[2]}>` : '';
      headers.from = signature[1] + address;
      guessed.from = 'signature';
    }
  }

  if (lead) {
    guessed.attribution = lead.text;
    guessed['attribution-author'] = lead.address ? `${lead.author} <${lead.address}>` : lead.author;
    if (lead.date) guessed['attribution-date'] = lead.date;
    if (lead.messageId && headers['in-reply-to'] === undefined) {
      headers['in-reply-to'] = `<${lead.messageId}>`;
      guessed['in-reply-to'] = 'attribution line';
    }
  }
  return { recovery: { kind, guessed, headers }, bodyStart: byteOffset(text, bodyStartChar) };
}

function foldHeader(name: string, value: string): string {
  const label = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase()).replace(/^Message-Id$/, 'Message-ID');
  return `${label}: ${value.replace(/[\r\n]+/g, ' ')}\n`;
}

/**
 * A clean RFC 5322 copy of a lenient message for the parser: the recovered headers on
 * their own lines, a blank line, then the body text as found.
 */
export function rebuildLenientMessage(bytes: Buffer, result: LenientResult): Buffer {
  const head = Object.entries(result.recovery.headers)
    .map(([name, value]) => foldHeader(name, value))
    .join('');
  const body = bytes.subarray(result.bodyStart);
  const lead = body.length > 0 && (body[0] === 0x20 || body[0] === 0x09) ? body.subarray(1) : body;
  return Buffer.concat([Buffer.from(head + '\n', 'utf8'), lead]);
}

/**
 * What to hand the MIME parser for a message: its bytes when clean, else the rebuilt
 * clean copy (mailparser would take a run-together header line, or a bare body's first
 * line, for headers and lose the body).
 */
export function parseInputFor(bytes: Buffer): Buffer {
  const result = recoverLenient(bytes);
  return result ? rebuildLenientMessage(bytes, result) : bytes;
}
