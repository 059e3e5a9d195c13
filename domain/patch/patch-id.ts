// `git patch-id --stable`, reproduced line for line from git's builtin/patch-id.c so
// that a patch mail and the commit (or backport) it became meet on the same id:
// - everything before the first "diff " line is commit message and is skipped;
// - "index" lines are skipped, other header lines hashed; whitespace is removed from
//   every hashed line;
// - hunk headers are parsed only for their line counts, and a hunk ends when both
//   counts run out, so a trailing "-- \n2.43.0" signature is never hashed;
// - with --stable each file's SHA-1 is summed (bytewise, with carry) into the result,
//   so the id does not depend on file order;
// - a "commit <sha>" / "From <sha>" line starts the next patch (so "commit X upstream."
//   in a stable backport names the commit the following diff belongs to).
import { createHash, hash, type Hash } from 'node:crypto';
import { LineCursor } from './line-cursor.ts';

export interface PatchIdResult {
  /** 40 hex digits, as git prints it. */
  patchId: string;
  /** The commit git would print beside it (from a preceding "commit <sha>"/"From <sha>" line), or all zeros. */
  commit: string;
}

const ZERO = '0'.repeat(40);
const HEX40 = /^[0-9a-fA-F]{40}/;
const NON_SPACE = /[^ \t\n\v\f\r]/;

const WS_ALL = /[ \t\n\v\f\r]/g;
const REPLACEMENT_CHAR = Buffer.from('\ufffd');

// Scratch for the UTF-8 bytes of one file's lines; grown as needed, reused (flush is synchronous).
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * SHA-1 of the text without git's isspace() characters (space, \t, \n, \v, \f, \r), as
 * UTF-8. They are ASCII, so they can be dropped from the UTF-8 bytes: one pass in place,
 * about twice as fast as a global regex replace on the string. Not when the text has a
 * lone surrogate (written as U+FFFD): removing the spaces between two of them would have
 * made a pair, so such text takes the string way.
 */
function sha1WithoutSpaces(text: string): Buffer {
  const n = utf8Into(text);
  if (scratch.subarray(0, n).includes(REPLACEMENT_CHAR)) return hash('sha1', text.replace(WS_ALL, ''), 'buffer');
  return hash('sha1', scratch.subarray(0, withoutSpaces(n)), 'buffer');
}

/** The text as UTF-8 into scratch; its length there. */
function utf8Into(text: string): number {
  if (scratch.length < text.length * 3) scratch = Buffer.allocUnsafe(text.length * 3);
  return scratch.write(text, 0, 'utf8');
}

/** Drops the spaces from scratch's first n bytes, in place; the length left. */
function withoutSpaces(n: number): number {
  // the buffer in a local (the module's binding may be reassigned, so is read again each
  // time), and most bytes answered by their first test: this loop was a third of a large patch's id
  const b = scratch;
  let w = 0;
  for (let r = 0; r < n; r++) {
    const c = b[r] as number;
    if (c > 32 || (c !== 32 && (c < 9 || c > 13))) b[w++] = c;
  }
  return w;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Length of the run of ASCII digits at `at`. */
function digits(s: string, at: number): number {
  let n = 0;
  while (at + n < s.length && s.charCodeAt(at + n) >= 48 && s.charCodeAt(at + n) <= 57) n++;
  return n;
}

/** git's scan_hunk_header, including its partial updates on a malformed header. */
function scanHunkHeader(line: string, counts: { before: number; after: number }): void {
  let q = 4;
  let n = digits(line, q);
  if (line[q + n] === ',') {
    q += n + 1;
    n = digits(line, q);
    counts.before = Number(line.slice(q, q + n) || '0');
  } else {
    counts.before = 1;
  }
  if (n === 0 || line[q + n] !== ' ' || line[q + n + 1] !== '+') return;
  let r = q + n + 2;
  n = digits(line, r);
  if (line[r + n] === ',') {
    r += n + 1;
    n = digits(line, r);
    counts.after = Number(line.slice(r, r + n) || '0');
  } else {
    counts.after = 1;
  }
}

/** Pending text past which a file's lines are hashed on, rather than held to its end. */
const PENDING_CHARS = 1 << 20;

class Accumulator {
  private sum = new Uint8Array(20);
  // Lines of the current file; whitespace is removed once per run of lines rather than per line.
  private pending: string[] = [];
  private pendingChars = 0;
  /** The current file's hash so far, when its lines came to more than PENDING_CHARS. */
  private partial: Hash | null = null;
  /** Some pending text had a lone surrogate: the rest of the file is hashed as one string (sha1WithoutSpaces). */
  private whole = false;

  update(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length;
    // A file of tens of MB held whole cost it several times over (its lines, their join,
    // three bytes a character of scratch): hashed on in runs of lines, the same digest.
    if (this.pendingChars > PENDING_CHARS && !this.whole) this.hashPending();
  }

  /** Hashes the pending lines into the file's running hash, unless they need the string way. */
  private hashPending(): void {
    const text = this.pending.join('');
    const n = utf8Into(text);
    if (scratch.subarray(0, n).includes(REPLACEMENT_CHAR)) {
      // dropping spaces could pair a surrogate here with one further on: keep it all as text
      this.whole = true;
      return;
    }
    this.partial ??= createHash('sha1');
    this.partial.update(scratch.subarray(0, withoutSpaces(n)));
    this.pending = [];
    this.pendingChars = 0;
  }

  flush(): void {
    const rest = this.pending.join('');
    let digest: Buffer;
    if (this.partial) {
      // no lone surrogate before `rest`: it alone decides which way it is hashed
      const n = utf8Into(rest);
      this.partial.update(scratch.subarray(0, n).includes(REPLACEMENT_CHAR) ? Buffer.from(rest.replace(WS_ALL, ''), 'utf8') : scratch.subarray(0, withoutSpaces(n)));
      digest = this.partial.digest();
    } else {
      digest = sha1WithoutSpaces(rest);
    }
    this.pending = [];
    this.pendingChars = 0;
    this.partial = null;
    this.whole = false;
    let carry = 0;
    for (let i = 0; i < 20; i++) {
      carry += (this.sum[i] ?? 0) + (digest[i] ?? 0);
      this.sum[i] = carry & 0xff;
      carry >>= 8;
    }
  }

  hex(): string {
    return Buffer.from(this.sum).toString('hex');
  }
}

/** Every id `git patch-id --stable` prints for this text, in order. */
export function gitPatchIds(text: string | Buffer): PatchIdResult[] {
  // Without a line starting with "diff " git hashes nothing and prints nothing.
  if (text.indexOf('diff ') !== 0 && !text.includes('\ndiff ')) return [];
  // the way strbuf_getwholeline reads them: each keeps its "\n"
  const lines = new LineCursor(text, { keepNewline: true });
  const results: PatchIdResult[] = [];
  let pos = 0;
  let currentCommit = ZERO;
  while (lines.at(pos) !== undefined) {
    const one = onePatchId(lines, pos);
    pos = one.next;
    if (one.patchlen > 0) results.push({ patchId: one.id, commit: currentCommit });
    currentCommit = one.nextCommit ?? ZERO;
  }
  return results;
}

/** The first patch-id in the text (what a patch mail is known by), or null when git would print none. */
export function patchId(text: string | Buffer): string | null {
  return gitPatchIds(text)[0]?.patchId ?? null;
}

interface OneResult {
  id: string;
  patchlen: number;
  next: number;
  nextCommit: string | null;
}

// Mirrors get_one_patchid(): variable names follow git's so the two can be read side by side.
function onePatchId(lines: LineCursor, start: number): OneResult {
  const acc = new Accumulator();
  let patchlen = 0;
  let before = -1;
  let after = -1;
  let diffIsBinary = false;
  let preOid = '';
  let postOid = '';
  let i = start;
  let nextCommit: string | null = null;
  // Like git, the line that ends a patch is consumed with it.
  let consumed = false;
  for (; lines.at(i) !== undefined; i++) {
    let line = lines.at(i) ?? '';
    let p = line;
    if (line.startsWith('commit ')) p = line.slice(7);
    else if (line.startsWith('From ')) p = line.slice(5);
    else if (line.startsWith('\\ ') && line.length > 12) continue;

    // Cheap pre-check before the regex: this runs on every line of every diff.
    if (p.length >= 40 && isHex(p.charCodeAt(0)) && HEX40.test(p)) {
      nextCommit = p.slice(0, 40).toLowerCase();
      consumed = true;
      break;
    }
    if (patchlen === 0 && !line.startsWith('diff ')) continue;

    if (before === -1) {
      if (line.startsWith('GIT binary patch') || line.startsWith('Binary files')) {
        diffIsBinary = true;
        before = 0;
        acc.update(preOid);
        acc.update(postOid);
        acc.flush();
        continue;
      } else if (line.startsWith('index ')) {
        const dots = line.indexOf('..');
        if (dots >= 0) {
          let end = line.indexOf(' ', dots);
          if (end < 0) end = line.length - 1;
          preOid = line.slice(6, dots).slice(0, 64);
          postOid = line.slice(dots + 2, end).slice(0, 64);
        }
        continue;
      } else if (line.startsWith('--- ')) {
        before = after = 1;
      } else if (!/^[A-Za-z]/.test(line)) {
        consumed = true;
        break;
      }
    }

    if (diffIsBinary) {
      if (line.startsWith('diff ')) {
        diffIsBinary = false;
        before = -1;
      }
      continue;
    }

    if (before === 0 && after === 0) {
      if (line.startsWith('@@ -')) {
        const counts = { before, after };
        scanHunkHeader(line, counts);
        before = counts.before;
        after = counts.after;
        continue;
      }
      if (!line.startsWith('diff ')) {
        consumed = true;
        break;
      }
      acc.flush();
      before = after = -1;
    }

    const c = line[0];
    if (c === '-' || c === ' ') before--;
    if (c === '+' || c === ' ') after--;

    // git hashes a line only up to a NUL (C strings); patchlen only matters as "> 0".
    const nul = line.indexOf('\0');
    if (nul >= 0) line = line.slice(0, nul);
    if (patchlen === 0 && NON_SPACE.test(line)) patchlen = 1;
    acc.update(line);
  }
  acc.flush();
  return { id: acc.hex(), patchlen, next: consumed ? i + 1 : i, nextCommit };
}
