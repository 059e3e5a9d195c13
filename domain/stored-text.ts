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

/** A UTF-16 unit no pair completes: it does not survive UTF-8 (its bytes read back as U+FFFD). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Where the body lies in the raw bytes, or null when it is not a run of them. Tries the
 * usual places first (everything after the header block, or that less its last line
 * break, as mailparser drops it), then the last occurrence anywhere. The usual places are
 * compared `window` UTF-16 units at a time, so a body of tens of MB is not copied whole
 * (as UTF-8, and back again) to find it where it nearly always is.
 */
export function bodySpanIn(raw: Uint8Array, body: string, window = 1 << 20): BodySpan | null {
  if (body.length === 0 || LONE_SURROGATE.test(body)) return null;
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = Buffer.byteLength(body, 'utf8');
  for (const end of [bytes.length, bytes.length - 1]) {
    const start = end - n;
    if (start >= 0 && encodedAt(bytes, start, body, window)) return { start, end };
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
 */
export function headerFieldsOf(raw: Uint8Array, drop: RegExp): Record<string, string[]> {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: Record<string, string[]> = {};
  let current: string | null = null;
  // a dropped header (DKIM, ARC, Received: most of a lore header block) is recognised by its
  // key and its folded lines are skipped unread, not joined to be thrown away
  let skipping = false;
  const flush = (): void => {
    if (current === null) return;
    const colon = current.indexOf(':');
    const key = (colon < 0 ? '' : current.slice(0, colon)).toLowerCase().trim();
    if (!drop.test(key)) (out[key] ??= []).push(unfold(colon < 0 ? '' : current.slice(colon + 1)));
    current = null;
  };
  let pos = 0;
  let first = true;
  while (pos < bytes.length) {
    let nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) nl = bytes.length;
    let lineEnd = nl;
    if (lineEnd > pos && bytes[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === pos) break;
    const folded = (bytes[pos] === 0x20 || bytes[pos] === 0x09) && (current !== null || skipping);
    if (folded) {
      if (!skipping) current += '\r\n' + bytes.toString('latin1', pos, lineEnd);
    } else if (first && /^(From |POST )/i.test(bytes.toString('latin1', pos, Math.min(lineEnd, pos + 5)))) {
      // not a header; a line folded under it starts one (as rows written so far were checked against)
      skipping = false;
    } else {
      flush();
      const colon = bytes.indexOf(0x3a, pos);
      // without a colon on its first line the key is read after folding, as mailsplit does
      skipping = colon >= 0 && colon < lineEnd && drop.test(bytes.toString('latin1', pos, colon).toLowerCase().trim());
      if (!skipping) current = bytes.toString('latin1', pos, lineEnd);
    }
    pos = nl + 1;
    first = false;
  }
  flush();
  return out;
}

function unfold(v: string): string {
  if (!v.includes('\n') && !v.includes('\r')) return v.trim();
  return v.replace(/\r?\n[ \t]+/g, ' ').replace(/[\r\n]+/g, ' ').trim();
}
