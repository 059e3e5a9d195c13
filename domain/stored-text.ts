// What of a parsed message can be read back from its raw bytes instead of being stored a
// second time. Most lore mail is one plain part in 7bit/8bit UTF-8: its decoded body is
// a run of the raw bytes, and its kept headers are the raw header lines, unfolded. The
// writer checks each derivation against the parser's answer and stores the text itself
// only where they differ (quoted-printable, base64, multipart, other charsets), so a
// derived field always reads back exactly what the parser produced.

/** Byte offsets into the raw message: the body is raw[start, end) read as UTF-8. */
export interface BodySpan {
  start: number;
  end: number;
}

/**
 * Whether the text holds a UTF-16 unit no pair completes: it does not survive UTF-8 (its
 * bytes read back as U+FFFD). String#isWellFormed (V8 11, not in the ES2022 lib types)
 * answers at once for a one-byte string, where /\p{Cs}/u scanned every body.
 */
function hasLoneSurrogate(text: string): boolean {
  return !(text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Where the body lies in the raw bytes, or null when it is not a run of them. Tries the
 * usual places first (everything after the header block, or that less its last line
 * break, as mailparser drops it), then the last occurrence anywhere. The usual places are
 * compared `window` UTF-16 units at a time, so a body of tens of MB is not copied whole
 * (as UTF-8, and back again) to find it where it nearly always is.
 */
export function bodySpanIn(raw: Uint8Array, body: string, window = 1 << 20): BodySpan | null {
  if (body.length === 0) return null;
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = Buffer.byteLength(body, 'utf8');
  // The usual places, read as UTF-8 and compared as text: no copy of the body is encoded.
  // Reading back the same text proves the bytes are its encoding unless the text holds
  // U+FFFD (what a malformed sequence reads as) or a lone surrogate (which no read gives):
  // the former is compared as bytes below, the latter never matches.
  const decodable = body.length <= window && !body.includes('\uFFFD');
  if (decodable) {
    for (const end of [bytes.length, bytes.length - 1]) {
      const start = end - n;
      if (start >= 0 && bytes.toString('utf8', start, end) === body) return { start, end };
    }
  }
  if (hasLoneSurrogate(body)) return null;
  if (!decodable) {
    for (const end of [bytes.length, bytes.length - 1]) {
      const start = end - n;
      if (start >= 0 && encodedAt(bytes, start, body, window)) return { start, end };
    }
  }
  const at = bytes.lastIndexOf(Buffer.from(body, 'utf8'));
  return at < 0 ? null : { start: at, end: at + n };
}

/** Whether `text` in UTF-8 is what `bytes` hold from `start` on. */
function encodedAt(bytes: Buffer, start: number, text: string, window: number): boolean {
  let pos = start;
  for (let i = 0; i < text.length; ) {
    let j = Math.min(text.length, i + Math.max(2, window));
    // a surrogate pair stays in one window
    const last = text.charCodeAt(j - 1);
    if (j < text.length && last >= 0xd800 && last <= 0xdbff) j++;
    const part = Buffer.from(text.slice(i, j), 'utf8');
    if (pos + part.length > bytes.length || !bytes.subarray(pos, pos + part.length).equals(part)) return false;
    pos += part.length;
    i = j;
  }
  return true;
}

export function bodyOfSpan(raw: Uint8Array, span: BodySpan): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8', span.start, span.end);
}

/**
 * The header lines of the raw message's header block as the parser reads them (mailsplit's
 * rule: the block ends at the first empty line, read as a binary string, split at LF with
 * a CR before it dropped, folded lines joined), each value unfolded and trimmed, keys lower
 * case, in order, without the keys `drop` matches. An mbox "From " line is not a header.
 * The block is read as one latin1 string (a byte per char), not a byte at a time.
 */
export function headerFieldsOf(raw: Uint8Array, drop: RegExp): Record<string, string[]> {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const s = bytes.toString('latin1', 0, headerBlockEnd(bytes));
  const keys = keyCacheFor(drop);
  // no prototype: a header named constructor or __proto__ is a key like any other
  const out = Object.create(null) as Record<string, string[]>;
  let current: string | null = null;
  // the key of `current` when its first line has a colon, and that colon's index in it;
  // without one the key is read after folding, as mailsplit does
  let currentKey: string | null = null;
  let currentColon = -1;
  // a dropped header (DKIM, ARC, Received: most of a lore header block) is recognised by its
  // key and its folded lines are skipped unread, not joined to be thrown away
  let skipping = false;
  const flush = (): void => {
    if (current === null) return;
    if (currentKey !== null) (out[currentKey] ??= []).push(unfold(current.slice(currentColon + 1)));
    else {
      const colon = current.indexOf(':');
      const key = (colon < 0 ? '' : current.slice(0, colon)).toLowerCase().trim();
      if (!drop.test(key)) (out[key] ??= []).push(unfold(colon < 0 ? '' : current.slice(colon + 1)));
    }
    current = null;
  };
  let pos = 0;
  let first = true;
  while (pos < s.length) {
    let nl = s.indexOf('\n', pos);
    if (nl < 0) nl = s.length;
    let lineEnd = nl;
    if (lineEnd > pos && s.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
    if (lineEnd === pos) break;
    const c = s.charCodeAt(pos);
    const folded = (c === 0x20 || c === 0x09) && (current !== null || skipping);
    if (folded) {
      if (!skipping) current += '\r\n' + s.slice(pos, lineEnd);
    } else if (first && /^(From |POST )/i.test(s.slice(pos, Math.min(lineEnd, pos + 5)))) {
      // not a header; a line folded under it starts one (as rows written so far were checked against)
      skipping = false;
    } else {
      flush();
      const colon = s.indexOf(':', pos);
      const key = colon >= 0 && colon < lineEnd ? keptKey(s.slice(pos, colon), drop, keys) : undefined;
      skipping = key === null;
      if (!skipping) {
        current = s.slice(pos, lineEnd);
        currentKey = key ?? null;
        currentColon = colon - pos;
      }
    }
    pos = nl + 1;
    first = false;
  }
  flush();
  return out;
}

/** Past a header block this long, its end is looked for in the whole message. */
const HEAD_WINDOW = 64 * 1024;

/** Where the header block ends: the start of its first empty line after the first, else the end. */
function headerBlockEnd(bytes: Buffer): number {
  const head = bytes.length > HEAD_WINDOW ? bytes.subarray(0, HEAD_WINDOW) : bytes;
  let end = blankLineAfterFirst(head);
  if (end < 0 && head !== bytes) end = blankLineAfterFirst(bytes);
  return end < 0 ? bytes.length : end;
}

// needles as bytes: given as strings, each search would first encode them
const LF_LF = Buffer.from('\n\n');
const LF_CRLF = Buffer.from('\n\r\n');

function blankLineAfterFirst(b: Buffer): number {
  const lf = b.indexOf(LF_LF);
  const crlf = (lf < 0 ? b : b.subarray(0, lf + 2)).indexOf(LF_CRLF);
  const at = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  return at < 0 ? -1 : at + 1;
}

/**
 * A key as written (before its colon) -> its lower-cased, trimmed form, or null when `drop`
 * matches that: the same few dozen keys come back in every message of an archive.
 */
const keyCaches = new WeakMap<RegExp, Map<string, string | null>>();
const KEY_CACHE_MAX = 4096;

function keyCacheFor(drop: RegExp): Map<string, string | null> {
  let m = keyCaches.get(drop);
  if (!m) keyCaches.set(drop, (m = new Map()));
  return m;
}

function keptKey(written: string, drop: RegExp, cache: Map<string, string | null>): string | null {
  let key = cache.get(written);
  if (key === undefined) {
    const k = written.toLowerCase().trim();
    key = drop.test(k) ? null : k;
    if (cache.size >= KEY_CACHE_MAX) cache.clear();
    cache.set(written, key);
  }
  return key;
}

function unfold(v: string): string {
  if (!v.includes('\n') && !v.includes('\r')) return v.trim();
  return v.replace(/\r?\n[ \t]+/g, ' ').replace(/[\r\n]+/g, ' ').trim();
}
