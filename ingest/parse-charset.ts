// Body charset decoding for mailparser. mailparser hands unknown charsets (`y`, `binary`,
// `x-unknown`...) to `Buffer.toString()`, which turns every latin1 byte into U+FFFD and
// silently loses text. We plug in a decoder through its `Iconv` option instead: known
// charsets go through TextDecoder (full ICU), unknown ones become utf-8 when the bytes are
// valid utf-8 and latin1 otherwise (never lossy), and the guess is written to `notes`.
import { EventEmitter } from 'node:events';

/** Labels that name no text encoding at all even if some library accepts them as aliases. */
const BOGUS = new Set(['binary', 'x-unknown', 'unknown', 'unknown-8bit', '8bit', '7bit', 'x-user-defined', 'none', 'default']);

/** What the body decoding needs of a TextDecoder. */
interface Decoder {
  decode(bytes?: Uint8Array, opts?: { stream?: boolean }): string;
}

// windows-1252 at 0x80-0x9F (WHATWG; the five bytes it leaves undefined stay C1 controls).
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * windows-1252, which the WHATWG labels iso-8859-1, latin1 and us-ascii also mean (and
 * mail labelled iso-8859-1 means it: Outlook's curly quotes). Node 20's TextDecoder
 * decodes it as ISO-8859-1, so 0x82 came out as the control U+0082 where mailparser's
 * own iconv-lite gives the quote U+201A. Single bytes: no state between chunks.
 */
const windows1252: Decoder = {
  decode: (bytes) => (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1') : '').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string),
};

function knownDecoder(charset: string): Decoder | null {
  const label = charset.trim().toLowerCase();
  if (BOGUS.has(label)) return null;
  try {
    const d = new TextDecoder(label, { fatal: false });
    return d.encoding === 'windows-1252' ? windows1252 : d;
  } catch {
    return null;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** utf-8 when the bytes are valid utf-8, else latin1: the decoding that loses nothing. */
export function decodeUnknownCharset(bytes: Uint8Array): { text: string; as: 'utf-8' | 'latin1' } {
  try {
    return { text: strictUtf8.decode(bytes), as: 'utf-8' };
  } catch {
    return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), as: 'latin1' };
  }
}

/** The fallback for a charset no decoder knows, with its note (once per message and charset). */
function decodeUnknown(bytes: Uint8Array, charset: string, notes: string[]): string {
  const { text, as } = decodeUnknownCharset(bytes);
  const note = `unknown charset '${charset}', decoded as ${as}`;
  if (!notes.includes(note)) notes.push(note);
  return text;
}

/**
 * A whole body in `charset` -> text, exactly as the CharsetDecoder below streams it to
 * mailparser (TextDecoder is stateless across chunks when streaming), for the fast path.
 */
export function decodeCharset(bytes: Uint8Array, charset: string, notes: string[]): string {
  const decoder = knownDecoder(charset);
  return decoder ? decoder.decode(bytes) : decodeUnknown(bytes, charset, notes);
}

/** The minimal node-iconv surface mailparser's IconvDecoder drives: write/end + data/end events. */
export interface IconvLike extends EventEmitter {
  write(chunk: Buffer): boolean;
  end(): void;
}

export type IconvConstructor = new (from: string, to: string) => IconvLike;

/** A node-iconv look-alike that records fallbacks in `notes` (one class per parsed message). */
export function makeIconv(notes: string[]): IconvConstructor {
  return class CharsetDecoder extends EventEmitter implements IconvLike {
    private readonly charset: string;
    private readonly decoder: Decoder | null;
    private readonly held: Buffer[] = [];

    constructor(from: string, _to: string) {
      super();
      this.charset = from;
      this.decoder = knownDecoder(from);
    }

    write(chunk: Buffer): boolean {
      if (this.decoder) {
        const s = this.decoder.decode(chunk, { stream: true });
        if (s) this.emit('data', Buffer.from(s, 'utf8'));
      } else {
        this.held.push(chunk);
      }
      return true;
    }

    end(): void {
      if (this.decoder) {
        const s = this.decoder.decode();
        if (s) this.emit('data', Buffer.from(s, 'utf8'));
      } else {
        const text = decodeUnknown(Buffer.concat(this.held), this.charset, notes);
        if (text) this.emit('data', Buffer.from(text, 'utf8'));
      }
      this.emit('end');
    }
  };
}
