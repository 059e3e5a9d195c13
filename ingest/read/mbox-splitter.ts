// The pure core of the mbox reader: bytes go in chunk by chunk, whole messages come
// out. It holds at most the message being assembled plus one chunk, so memory does
// not grow with the archive.
//
// Formats (the family differs only in how a body line that starts `From ` survives):
// - mboxrd (lore, public-inbox, b4, `git format-patch --pretty=mboxrd`): every line
//   matching `^>*From ` was quoted with one more `>`; we remove one `>` again.
// - mboxo (classic spools; `git format-patch` quotes nothing at all): `From ` lines
//   were quoted to `>From `, and a body line that already was `>From ` is
//   indistinguishable, so we unquote nothing: the bytes stay what the file holds (what
//   `git am` without --mboxrd does too).
// - mboxcl2: a valid Content-Length header says exactly where the body ends, so
//   unquoted `From ` lines inside it do not split; nothing is unquoted.
// Detection ('auto'): an envelope that says "mboxrd", or a `>>From ` line early in the
// file, means mboxrd; otherwise mboxo, where any message whose Content-Length points
// exactly at the next separator (or the end) is taken by length (then reported mboxcl2).
//
// The byte contract: a message's bytes are everything between its envelope line and
// the next one, minus exactly one newline (the one public-inbox's mboxrd writer and
// `toMboxrd` append after every message), plus mboxrd unquoting. So re-exporting with
// `toMboxrd` reproduces the file byte for byte, and a message whose bytes lack a final
// newline survives too. In a CRLF file (envelope ends in CR LF) the stripped newline is
// CR LF. Which `From ` lines are envelopes is envelope.ts's rule; whitespace before the
// first envelope belongs to no message (git mailsplit skips it too).
import { createHash, type Hash } from 'node:crypto';
import { LoregraphError } from '../../domain/errors.ts';
import type { OversizedMessage } from '../../domain/message.ts';
import { isEnvelopeLine, isFirstEnvelope, MAX_ENVELOPE_LENGTH } from './envelope.ts';
import { markOwned } from './owned-bytes.ts';

export type MboxFormat = 'mboxrd' | 'mboxo' | 'mboxcl2';

export interface SplitMessage {
  /** Message bytes: unquoted (mboxrd), without envelope line or separating newline. */
  bytes: Buffer;
  /** Byte offset of the message's envelope line in the stream. */
  offset: number;
  /** The envelope line without its line ending. */
  envelope: string;
  /** Past maxMessageBytes: `bytes` is only its first OVERSIZED_HEAD bytes, as the file holds them. */
  oversized?: OversizedMessage;
}

export interface SplitterOptions {
  /** 'auto' (default) detects per file, see above. */
  format?: MboxFormat | 'auto';
  /** Names the input in errors. */
  label?: string;
  /**
   * A message longer than this is not assembled: its bytes are hashed and dropped as they
   * pass, and it comes out with `oversized` set (default DEFAULT_MAX_MESSAGE_BYTES).
   */
  maxMessageBytes?: number;
}

/**
 * 64 MiB: the largest message on lore is a few MiB. Ingesting one of 60 MB peaks at about
 * 3.5 times its size in the whole process (bench faults big: a log, a patch, a base64
 * attachment, 3.3x to 3.9x over runs), 1.2 to 1.5 times above what ingest takes anyway:
 * its raw bytes once, and what parsing and storing them leave behind.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** What is kept of an oversized message for ingest_errors: enough for its headers. */
export const OVERSIZED_HEAD = 64 * 1024;

/** An oversized message being passed over: only its head and a running hash are kept. */
interface Skipping {
  hash: Hash;
  head: Buffer;
  /** Bytes hashed so far. */
  size: number;
  /** Index in buf up to which the message has been hashed (and may be dropped). */
  pos: number;
  offset: number;
  envelope: string;
}

const NL = 10;
const CR = 13;
const SEP = Buffer.from('\nFrom ');
const QUOTED = Buffer.from('>From ');
const DOUBLE_QUOTED = Buffer.from('\n>>From ');
/** How much of the file the format detector looks at before deciding. */
const DETECT_WINDOW = 64 * 1024;
/** Header blocks larger than this are not searched for Content-Length. */
const MAX_HEADER_SCAN = 256 * 1024;
const MAX_LEADING_SPACE = 64 * 1024;
const MIN_BUFFER = 2 * 1024 * 1024;
/** A message at least this large is handed over in the splitter's buffer, not copied out of it. */
const HAND_OVER_BYTES = 4 * 1024 * 1024;
/** What a buffer reserved for one large message may take beyond it: a chunk or two of the stream. */
const RESERVE_SLACK = 4 * 1024 * 1024;
/** A larger --max-message-bytes is not reserved up front (address space is not free everywhere): beyond it buffers double. */
const MAX_RESERVE = 1024 * 1024 * 1024;
/** A Content-Length beyond this is not trusted (it would make us buffer that much). */
const MAX_CONTENT_LENGTH = 64 * 1024 * 1024;

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === NL || b === CR;
}

/** Thrown when a stream handed to the splitter does not start with an envelope line. */
export function notAnMbox(what: string): LoregraphError {
  return new LoregraphError('BAD_INPUT', `${what} is not an mbox: it does not start with a 'From ' envelope line`);
}

export class MboxSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** How far into buf has been written since it was allocated. */
  private written = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private started = false;
  private ended = false;
  private format: MboxFormat | 'auto';
  private usedContentLength = false;
  private crlf = false;
  // The message being assembled (indices into buf).
  private envStart = 0;
  private msgStart = 0;
  private envelope = '';
  private searchPos = 0;
  /** Content-Length decision for the current message: undefined = not looked yet, null = none/invalid. */
  private clEnd: number | null | undefined;

  constructor(opts: SplitterOptions = {}) {
    this.format = opts.format ?? 'auto';
    this.label = opts.label ?? 'the stream';
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  private readonly maxMessageBytes: number;
  private skip: Skipping | null = null;

  private readonly label: string;

  /** The format in use ('auto' until the first envelope has been seen). */
  get detectedFormat(): MboxFormat | 'auto' {
    if (this.format === 'mboxo' && this.usedContentLength) return 'mboxcl2';
    return this.format;
  }

  /**
   * Bytes the splitter holds now: as much of its buffer as has been written since it was
   * allocated, what bounds its memory (a buffer reserved for a large message is larger,
   * but what was never written is address space only).
   */
  get heldBytes(): number {
    return this.written;
  }

  push(chunk: Buffer): SplitMessage[] {
    if (this.ended) throw new Error('MboxSplitter.push after end');
    this.append(chunk);
    return this.drain(false);
  }

  end(): SplitMessage[] {
    if (this.ended) return [];
    this.ended = true;
    const out = this.drain(true);
    this.buf = Buffer.alloc(0);
    this.len = 0;
    this.written = 0;
    return out;
  }

  private append(chunk: Buffer): void {
    // Drop what earlier messages used; the message in progress starts at envStart (or,
    // when it is oversized, what of it is hashed already goes too).
    const keep = !this.started ? 0 : this.skip ? this.skip.pos : this.envStart;
    if (keep > 0) {
      if (this.skip) this.skip.pos -= keep;
      this.buf.copyWithin(0, keep, this.len);
      this.len -= keep;
      this.base += keep;
      this.envStart -= keep;
      this.msgStart -= keep;
      this.searchPos = Math.max(0, this.searchPos - keep);
      if (typeof this.clEnd === 'number') this.clEnd -= keep;
    }
    const need = this.len + chunk.length;
    // Shrink back once a large message has been handed over, so one huge message does not
    // pin its memory for the rest of the archive; never under a message still growing into
    // the buffer reserved for it (grownSize).
    const shrink = need <= MIN_BUFFER && this.buf.length > 4 * MIN_BUFFER;
    if (need > this.buf.length || shrink) {
      const size = shrink ? Math.max(2 * need, MIN_BUFFER) : this.grownSize(need);
      const resized = Buffer.allocUnsafe(size);
      this.buf.copy(resized, 0, 0, this.len);
      this.buf = resized;
      this.written = this.len;
    }
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
    this.written = Math.max(this.written, this.len);
  }

  /**
   * A message past MIN_BUFFER gets a buffer as large as any message can be (the limit, an
   * envelope line and a chunk past it) in one step. Doubling instead left every smaller
   * buffer it outgrew to the garbage collector, which frees them late: splitting a 60 MB
   * message peaked at twice its size. allocUnsafe leaves the pages untouched, so what the
   * message does not fill is address space, not memory.
   */
  private grownSize(need: number): number {
    if (need <= MIN_BUFFER) return MIN_BUFFER;
    const reserve = Math.min(this.maxMessageBytes, MAX_RESERVE) + MAX_ENVELOPE_LENGTH + RESERVE_SLACK;
    if (this.buf.length < reserve && need <= reserve) return reserve;
    return Math.max(this.buf.length * 2, need);
  }

  private drain(eof: boolean): SplitMessage[] {
    const out: SplitMessage[] = [];
    if (this.done) return out;
    if (!this.started && !this.start(eof)) return out;
    for (;;) {
      let b: Boundary | undefined;
      let msg: SplitMessage;
      if (this.skip) {
        b = this.skipToBoundary(eof);
        if (b === undefined) return out;
        msg = this.finishSkip(b.msgEnd, b.cut);
      } else {
        b = this.nextBoundary(eof);
        if (b === undefined) {
          if (this.len - this.msgStart <= this.maxMessageBytes) return out;
          this.startSkip();
          continue;
        }
        msg = this.finish(b.msgEnd, b.cut);
      }
      out.push(msg);
      if (b.next === null) {
        this.done = true;
        return out;
      }
      this.envStart = b.next.envStart;
      this.envelope = b.next.envelope;
      this.msgStart = b.next.lineEnd + 1;
      this.searchPos = b.next.lineEnd;
      this.clEnd = undefined;
    }
  }

  private done = false;

  /** Reads the first envelope and decides the format; false = need more bytes. */
  private start(eof: boolean): boolean {
    // Like git mailsplit, whitespace before the first envelope is not part of any message.
    let w = 0;
    while (w < this.len && isSpace(this.buf[w])) w++;
    if (w === this.len) {
      if (w > MAX_LEADING_SPACE) throw notAnMbox(this.label);
      return false;
    }
    const nl = this.buf.subarray(0, this.len).indexOf(NL, w);
    if (nl < 0 && !eof) {
      if (this.len - w > MAX_ENVELOPE_LENGTH + 2) throw notAnMbox(this.label);
      return false;
    }
    if (this.format === 'auto' && this.len < DETECT_WINDOW && !eof) return false;
    const lineEnd = nl < 0 ? this.len : nl;
    const line = this.lineText(w, lineEnd);
    if (!isFirstEnvelope(line)) throw notAnMbox(this.label);
    this.crlf = line.endsWith('\r');
    this.envelope = this.crlf ? line.slice(0, -1) : line;
    if (this.format === 'auto') this.format = this.detect(line);
    this.started = true;
    this.envStart = w;
    this.msgStart = lineEnd + 1;
    this.searchPos = lineEnd;
    this.clEnd = undefined;
    return true;
  }

  private detect(firstLine: string): MboxFormat {
    if (/mboxrd/i.test(firstLine)) return 'mboxrd';
    const window = this.buf.subarray(0, Math.min(this.len, DETECT_WINDOW));
    if (window.indexOf(DOUBLE_QUOTED) >= 0) return 'mboxrd';
    return 'mboxo';
  }

  private lineText(start: number, end: number): string {
    return this.buf.toString('latin1', start, Math.min(end, start + MAX_ENVELOPE_LENGTH + 2));
  }

  private envelopeAt(lineStart: number, lineEnd: number): string | null {
    const line = this.lineText(lineStart, lineEnd);
    if (!isEnvelopeLine(line)) return null;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  /** Where the current message ends, or undefined when more bytes are needed to tell. */
  private nextBoundary(eof: boolean): Boundary | undefined {
    if (this.format !== 'mboxrd') {
      const byLength = this.contentLengthBoundary(eof);
      if (byLength === undefined) return undefined;
      if (byLength !== null) return byLength;
    }
    this.searchPos = Math.max(this.searchPos, this.msgStart - 1);
    const found = this.scanSeparator(eof);
    if (!('wait' in found)) return found;
    this.searchPos = found.wait === 'partial' ? found.at : Math.max(this.searchPos, this.len - SEP.length + 1, this.msgStart - 1);
    return undefined;
  }

  /**
   * The next envelope line from searchPos on, which ends the current message; else what
   * to wait for: 'none' (no separator in sight) or 'partial' (one at `at` whose line is
   * not complete yet). Separators that are not envelopes are passed over for good.
   */
  private scanSeparator(eof: boolean): Boundary | { wait: 'none' } | { wait: 'partial'; at: number } {
    const view = this.buf.subarray(0, this.len);
    for (;;) {
      const i = view.indexOf(SEP, this.searchPos);
      if (i < 0) return eof ? { msgEnd: this.len, cut: 'eof', next: null } : { wait: 'none' };
      const lineStart = i + 1;
      let lineEnd = view.indexOf(NL, lineStart);
      if (lineEnd < 0) {
        if (!eof && this.len - lineStart <= MAX_ENVELOPE_LENGTH + 1) return { wait: 'partial', at: i };
        lineEnd = this.len;
      }
      const envelope = this.envelopeAt(lineStart, lineEnd);
      if (envelope === null) {
        this.searchPos = lineStart;
        continue;
      }
      return { msgEnd: i, cut: 'separator', next: { envStart: lineStart, lineEnd, envelope } };
    }
  }

  /**
   * mboxcl2: a Content-Length that lands exactly on the next envelope (or the end)
   * decides the split. null = not applicable (fall back to separator search).
   */
  private contentLengthBoundary(eof: boolean): Boundary | null | undefined {
    if (this.clEnd === undefined) {
      const h = this.findHeaderEnd();
      if (h === undefined) {
        if (!eof && this.len - this.msgStart < MAX_HEADER_SCAN) return undefined;
        this.clEnd = null;
        return null;
      }
      const length = this.contentLength(this.msgStart, h.headerEnd);
      this.clEnd = length === null || length > MAX_CONTENT_LENGTH ? null : h.bodyStart + length;
    }
    const end = this.clEnd;
    if (end === null) return null;
    if (end > this.len) {
      if (eof) return (this.clEnd = null);
      return undefined;
    }
    const view = this.buf.subarray(0, this.len);
    if (!eof && view.indexOf(NL, end + 2) < 0 && this.len - end < MAX_ENVELOPE_LENGTH + 3) return undefined;
    let p = end;
    if (this.crlf && this.buf[p] === CR && this.buf[p + 1] === NL) p += 2;
    else if (p < this.len && this.buf[p] === NL) p += 1;
    if (p >= this.len) {
      this.usedContentLength = true;
      return { msgEnd: end, cut: 'exact', next: null };
    }
    let lineEnd = view.indexOf(NL, p);
    if (lineEnd < 0) lineEnd = this.len;
    const envelope = this.envelopeAt(p, lineEnd);
    if (envelope === null) return (this.clEnd = null);
    this.usedContentLength = true;
    return { msgEnd: end, cut: 'exact', next: { envStart: p, lineEnd, envelope } };
  }

  private findHeaderEnd(): { headerEnd: number; bodyStart: number } | undefined {
    const s = this.msgStart;
    if (s < this.len && this.buf[s] === NL) return { headerEnd: s, bodyStart: s + 1 };
    if (s + 1 < this.len && this.buf[s] === CR && this.buf[s + 1] === NL) return { headerEnd: s, bodyStart: s + 2 };
    const view = this.buf.subarray(0, Math.min(this.len, s + MAX_HEADER_SCAN));
    // One search per message, for the file's own line ending: looking for the other one
    // would scan far past every header block.
    if (this.crlf) {
      const crlf = view.indexOf('\r\n\r\n', s);
      return crlf < 0 ? undefined : { headerEnd: crlf + 2, bodyStart: crlf + 4 };
    }
    const lf = view.indexOf('\n\n', s);
    return lf < 0 ? undefined : { headerEnd: lf + 1, bodyStart: lf + 2 };
  }

  private contentLength(start: number, end: number): number | null {
    // Most header blocks have none: a byte search is far cheaper than decoding them.
    const block = this.buf.subarray(start, end);
    if (block.indexOf('ength:') < 0 && block.indexOf('ENGTH:') < 0) return null;
    const header = block.toString('latin1');
    const m = /^content-length:[ \t]*(\d{1,12})[ \t]*\r?$/im.exec(header);
    if (!m || m[1] === undefined) return null;
    return Number(m[1]);
  }

  /** The message in progress is past the limit: keep its head, hash the rest as it passes. */
  private startSkip(): void {
    const head = Buffer.from(this.buf.subarray(this.msgStart, Math.min(this.len, this.msgStart + OVERSIZED_HEAD)));
    this.skip = { hash: createHash('sha256'), head, size: 0, pos: this.msgStart, offset: this.base + this.envStart, envelope: this.envelope };
    this.searchPos = Math.max(this.searchPos, this.msgStart - 1);
  }

  /** Hashes buf[skip.pos, end) into the oversized message. */
  private consume(end: number): void {
    const sk = this.skip as Skipping;
    if (end <= sk.pos) return;
    sk.hash.update(this.buf.subarray(sk.pos, end));
    sk.size += end - sk.pos;
    sk.pos = end;
  }

  /**
   * The separator search of nextBoundary for an oversized message (Content-Length is not
   * trusted that far). What cannot be part of a separator still to come is hashed, so
   * the buffer holds at most a separator, an envelope line and a chunk.
   */
  private skipToBoundary(eof: boolean): Boundary | undefined {
    const found = this.scanSeparator(eof);
    if (!('wait' in found)) return found;
    if (found.wait === 'partial') {
      // the CR of a CRLF separator stays for finishSkip
      this.consume(found.at - 1);
      this.searchPos = found.at;
    } else {
      // a CR and a partial separator may end the buffer: they wait for the next chunk
      this.consume(this.len - SEP.length);
      this.searchPos = Math.max(this.searchPos, this.len - SEP.length);
    }
    return undefined;
  }

  /** The oversized message ends at msgEnd (same newline rules as finish). */
  private finishSkip(msgEnd: number, cut: Boundary['cut']): SplitMessage {
    const sk = this.skip as Skipping;
    let end = Math.max(msgEnd, sk.pos);
    if (cut === 'eof' && end > sk.pos && this.buf[end - 1] === NL) {
      end -= 1;
      if (this.crlf && end > sk.pos && this.buf[end - 1] === CR) end -= 1;
    } else if (cut === 'separator' && this.crlf && end > sk.pos && this.buf[end - 1] === CR) {
      end -= 1;
    }
    this.consume(end);
    this.skip = null;
    return {
      bytes: sk.head,
      offset: sk.offset,
      envelope: sk.envelope,
      oversized: { size: sk.size, sha256: sk.hash.digest('hex'), limit: this.maxMessageBytes },
    };
  }

  /**
   * 'separator': search stopped at the "\n" before `From `, so that newline is already
   * off (in a CRLF file its CR is still on). 'eof': the final newline is still on.
   * 'exact': Content-Length said where the body ends.
   */
  private finish(msgEnd: number, cut: Boundary['cut']): SplitMessage {
    const start = this.msgStart;
    let end = Math.max(msgEnd, start);
    if (cut === 'eof' && end > start && this.buf[end - 1] === NL) {
      end -= 1;
      if (this.crlf && end > start && this.buf[end - 1] === CR) end -= 1;
    } else if (cut === 'separator' && this.crlf && end > start && this.buf[end - 1] === CR) {
      end -= 1;
    }
    const raw = this.buf.subarray(start, end);
    const offset = this.base + this.envStart;
    if (raw.length >= HAND_OVER_BYTES && (this.format !== 'mboxrd' || raw.indexOf(QUOTED) < 0)) {
      this.handOver(end);
      markOwned(raw);
      return { bytes: raw, offset, envelope: this.envelope };
    }
    const bytes = this.format === 'mboxrd' ? unquoteMboxrd(raw) : Buffer.from(raw);
    // a large one has a buffer of its own (small ones may share allocUnsafe's pool)
    if (bytes.length >= HAND_OVER_BYTES) markOwned(bytes);
    return { bytes, offset, envelope: this.envelope };
  }

  /**
   * A large message leaves in the buffer it was assembled in instead of as a copy of
   * itself (a 60 MB message cost 60 MB more until the copy was made and the buffer
   * dropped), and that buffer is the message's alone (markOwned): the pipeline moves it
   * to a parse worker as it is. The splitter goes on in a new buffer holding what followed the message at
   * the same indices: only that tail of it is written, so the rest of its length is
   * address space, not memory, until the next append shrinks it.
   */
  private handOver(end: number): void {
    const fresh = Buffer.allocUnsafe(this.buf.length);
    this.buf.copy(fresh, end, end, this.len);
    this.buf = fresh;
    // the tail lies at the same indices; what is before it was never written
    this.written = this.len;
  }
}

interface Boundary {
  msgEnd: number;
  cut: 'separator' | 'eof' | 'exact';
  /** The envelope that starts the next message, or null at the end of the stream. */
  next: { envStart: number; lineEnd: number; envelope: string } | null;
}

/** Removes one `>` from every line matching `^>+From `. Always returns a fresh buffer. */
export function unquoteMboxrd(src: Buffer): Buffer {
  let hit = src.indexOf(QUOTED);
  if (hit < 0) return Buffer.from(src);
  const cuts: number[] = [];
  while (hit >= 0) {
    let k = hit;
    while (k > 0 && src[k - 1] === 0x3e) k--;
    if (k === 0 || src[k - 1] === NL) cuts.push(k);
    hit = src.indexOf(QUOTED, hit + 1);
  }
  if (cuts.length === 0) return Buffer.from(src);
  const out = Buffer.allocUnsafe(src.length - cuts.length);
  let from = 0;
  let to = 0;
  for (const cut of cuts) {
    to += src.copy(out, to, from, cut);
    from = cut + 1;
  }
  src.copy(out, to, from);
  return out;
}
