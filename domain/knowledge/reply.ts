// The structure of a reply: the sender's own paragraphs apart from the quoted text, each
// quoted block with its depth and whom it quotes (from the attribution line that
// introduces it), which own paragraph answers which quoted one, and code, inline diffs
// and signatures recognised as such. Stances are aimed through it ("the paragraph that
// says NAK answers the quoted paragraph proposing X"), and the UI folds quotes with it.
// Pure and total: any string in, a structure out, never a throw.

export type BlockKind = 'own' | 'quote' | 'attribution' | 'code' | 'diff' | 'signature';

export interface Block {
  kind: BlockKind;
  /** Quote depth: 0 for the sender's own text (own, attribution, code, diff, signature at depth 0). */
  depth: number;
  /** First and last line (0-based, inclusive) in the structure's `lines`. */
  start: number;
  end: number;
  /** Whom a quote (or an attribution line) quotes, when an attribution line named them. */
  author: string | null;
  /** For an own paragraph: the index of the quoted block it answers (the nearest quote above it). */
  answers: number | null;
}

export interface ReplyStructure {
  /** The body's lines; for a body whose line breaks were lost (a saved page run together), the lines restored. */
  lines: string[];
  blocks: Block[];
  /** True when line breaks had to be restored from the quote markers. */
  restored: boolean;
  /**
   * `lines` without their quote markers, as parseReply found them: every block's text is
   * read from them again. Kept on the structure itself: a WeakMap from structures to them
   * cost a third of the parse in the collector (one ephemeron per message).
   */
  unquoted: string[];
}

// Bodies larger than this are read only up to it: a 10,000-line quoted reply costs a
// bounded amount, and nothing a stance needs sits after a megabyte of quotes.
const MAX_CHARS = 512 * 1024;
const MAX_LINE = 4000;

/**
 * Attribution lines as real mail writes them:
 *   On Tue, Jun 30, 2026 at 07:31:07PM +0100, Pedro Falcato wrote:
 *   On 2024/4/15 20:34, Jan Kara wrote:
 *   On 1 Apr 2026, at 15:15, David Hildenbrand (Arm) wrote:
 *   On Mon 05-06-23 15:55:35, Jan Kara wrote:
 *   Quoting X (2024-01-02 10:00:00)
 *   X <x@y> writes:   /   X wrote:   /   Le lun. 3 juin 2024, X a écrit :
 *   X <x@y> 于2024年6月25日周二 22:29写道：   (Gmail in Chinese; 於 … 寫道 in traditional)
 */
const ATTRIBUTION: RegExp[] = [
  /^On\b.{0,160},\s*([^,]{1,120}?)\s+(?:wrote|writes|said|schrieb|a écrit|escribió)\s*:?\s*$/i,
  /^Quoting\s+(.{1,120}?)\s*\((\d{4}-\d{2}-\d{2}[^)]*)\)\s*:?\s*$/i,
  /^(?:Le|Am|El)\s.{0,80}?,\s*(.{1,120}?)\s+(?:a écrit|schrieb|escribió)\s*:?\s*$/i,
  /^(.{1,120}?)\s+(?:wrote|writes)\s*:\s*$/i,
  /^-{3,}\s*Original Message\s*-{3,}\s*$/i,
  /^(.{1,120}?)\s*[于於]\s*.{0,60}?[写寫]道\s*[:：]?\s*$/,
];

/** The person an attribution line names, or null when the line is no attribution. */
// Every line is asked; almost none is an attribution: a cheap look first.
const ATTRIBUTION_WORD = /wrote|writes|said|Quoting|crit|schrieb|escribi|Original Message|[写寫]道/;

export function attributionAuthor(line: string): string | null {
  const t = line.trim();
  if (t.length === 0 || t.length > 260 || !ATTRIBUTION_WORD.test(t)) return null;
  for (const re of ATTRIBUTION) {
    const m = re.exec(t);
    if (!m) continue;
    if (m[1] === undefined) return '';
    return cleanName(m[1]);
  }
  return null;
}

// Leading words of a date and time: "On", weekdays, months, day numbers, years, times, zones.
const DATE_PREFIX =
  /^(?:(?:On|at|(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?(?=[,.]?\s+\d))|\d{1,4}(?:[-/.]\d{1,2}[-/.]\d{1,4})?(?:st|nd|rd|th)?|\d{1,2}:\d{2}(?::\d{2})?|[AaPp]\.?[Mm]\.?|(?:GMT|UTC)?[+-]\d{4}|\([A-Z]{2,5}\)|(?:GMT|UTC|CES?T|PS?DT|PST|ES?T|EDT|JST|BST|IST)(?=\s+\S))[,.]?\s+)+/;

function cleanName(raw: string): string {
  // "On Sat, Sep 12, 2020 at 5:41 PM Dave Chinner wrote:": the last comma leaves the year and time
  let s = raw.trim().replace(/^(?:\d{4}\s+)?(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[+-]\d{4})?\s*(?:\([A-Z]{2,5}\))?\s*/, '');
  // "On Thu, 27 Jun 2024 15:15:21 +0800 Chao Yu wrote:" (comma only after the weekday, or
  // none): what is left of the date before the name is no part of it (a month or weekday
  // only before a number: "Jan Kara", "May Chen" are names)
  s = s.replace(DATE_PREFIX, '');
  // "On <date> you wrote:" names the recipient, whom this line does not tell
  if (/^(?:you|u|I|me|we)$/i.test(s)) return '';
  // "Jan Kara <jack@suse.cz>" -> "Jan Kara"; "<jack@suse.cz>" -> "jack@suse.cz"
  const angle = /^(.*?)\s*<([^>]+)>\s*$/.exec(s);
  if (angle) s = angle[1]?.trim() || angle[2] || s;
  // "jack@suse.cz (Jan Kara)" -> "Jan Kara"
  const paren = /^\S+@\S+\s*\(([^)]+)\)$/.exec(s);
  if (paren?.[1]) s = paren[1];
  s = s.replace(/^["']|["']$/g, '').trim();
  // "David Hildenbrand (Arm)" keeps its affiliation: it is how the list knows him.
  return s;
}

// Quote markers: ">", "> >", ">>"; "|" is too ambiguous (tables, shell) and left alone.
/** Quote depth of a line and where its text starts after the markers (and one space). */
function quoteMarks(line: string): { depth: number; start: number } {
  let i = 0;
  let depth = 0;
  for (;;) {
    const c = line.charCodeAt(i);
    if (c === 62 /* > */) {
      depth++;
      i++;
    } else if ((c === 32 || c === 9) && line.charCodeAt(i + 1) === 62) i++;
    else break;
  }
  if (depth === 0) return { depth: 0, start: 0 };
  const c = line.charCodeAt(i);
  return { depth, start: c === 32 || c === 9 ? i + 1 : i };
}

/** A line without its quote markers. */
export function unquote(line: string): string {
  return quoteDepth(line).rest;
}

function quoteDepth(line: string): { depth: number; rest: string } {
  const { depth, start } = quoteMarks(line);
  return { depth, rest: depth === 0 ? line : line.slice(start) };
}

/**
 * A body whose line breaks were lost (a web page saved as text runs every line into one)
 * still shows its quote markers: " > > text". Restore one line per marker run. A run of
 * k*d markers where the current depth is d is (k-1) empty quoted lines then a line at
 * depth d, which is how "> >\n> > text" reads once run together.
 */
export function restoreLines(text: string): string[] {
  // split before each marker run, never inside one ("> > x" is one run of two)
  const parts = text.split(/(?<=[^>\s])\s+(?=>(?:\s?>)*(?:\s|$))/);
  const out: string[] = [];
  let depth = 0;
  for (const part of parts) {
    const m = /^((?:>\s?)+)(.*)$/s.exec(part);
    if (!m) {
      out.push(part);
      depth = attributionAuthor(part) !== null ? 1 : 0;
      continue;
    }
    const n = (m[1] ?? '').replace(/\s/g, '').length;
    const rest = (m[2] ?? '').trim();
    let d = n;
    let blanks = 0;
    if (depth > 0 && n > depth) {
      if (n % depth === 0) {
        d = depth;
        blanks = n / depth - 1;
      } else if (n !== depth + 1) {
        // the deepest level below the current one that divides the run
        for (let q = depth - 1; q >= 1; q--) {
          if (n % q === 0) {
            d = q;
            blanks = n / q - 1;
            break;
          }
        }
      }
    }
    for (let i = 0; i < blanks; i++) out.push('>'.repeat(d));
    out.push(`${'> '.repeat(d).trimEnd()} ${rest}`.trimEnd());
    // after an attribution line at depth d, what follows is quoted one level deeper
    depth = attributionAuthor(rest) !== null ? d + 1 : d;
  }
  return out;
}

function looksRunTogether(body: string): boolean {
  if (body.length < 400) return false;
  // more than one line break per 400 characters: an ordinary body (counted without splitting)
  const enough = body.length / 400;
  let newlines = 0;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) if (++newlines > enough) return false;
  return /\s>\s?>?\s?\S/.test(body) && (body.match(/\s>\s/g)?.length ?? 0) >= 4;
}

const DIFF_START = /^(?:diff --git |--- (?:a\/|\S+\s)|Index: \S|@@ -\d)/;
const DIFF_LINE = /^(?:[ +\-@\\]|diff |index |--- |\+\+\+ |new file|deleted file|similarity|rename |old mode|new mode|$)/;

/**
 * DIFF_LINE.test(line): a diff's lines nearly all start with a space, + or -, which say yes
 * by themselves; the pattern is asked only of the others (every line of a patch passes here).
 */
function isDiffLine(line: string): boolean {
  const c = line.charCodeAt(0);
  return c === 32 || c === 43 || c === 45 || c === 64 || c === 92 || line.length === 0 || DIFF_LINE.test(line);
}
// Every code line holds one of these: a cheap first look before CODE_LINE (a literal in the loop would be a new RegExp per line).
const CODE_PUNCTUATION = /[;{}()]/;
const CODE_LINE = /^(?:\t| {4,}|\s*[{}]\s*$|\s*(?:if|for|while|return|static|struct|int|void|unsigned|spin_lock|mutex_lock)\b.*[;{(]\s*$)/;

/**
 * Whether a line starting with this character can be a CODE_LINE: white space (\s is at most
 * U+0020 or at least U+00A0), a brace, or the first letter of one of its words. Most of a
 * reply's own lines start otherwise, and are spared both patterns.
 */
function mayBeCode(c: number): boolean {
  return c <= 32 || c >= 160 || c === 123 || c === 125 || c === 105 || c === 102 || c === 119 || c === 114 || c === 115 || c === 117 || c === 118 || c === 109;
}

function isSignatureStart(line: string): boolean {
  return line === '-- ' || line === '--';
}

/** Mailman's footer ("____" then "Linux-f2fs-devel mailing list"): the list's words, set apart as a signature is. */
function isListFooterStart(line: string, next: string | undefined): boolean {
  return line.charCodeAt(0) === 95 /* _ */ && /^_{20,}\s*$/.test(line) && next !== undefined && /\bmailing list\s*$/i.test(next);
}

const ATTRIBUTION_WORDS = new RegExp(ATTRIBUTION_WORD.source, 'g');

/** The numbers of the lines (split at \n) that hold an attribution word. */
function attributionLines(text: string): Set<number> {
  const out = new Set<number>();
  let line = 0;
  let at = 0;
  for (const m of text.matchAll(ATTRIBUTION_WORDS)) {
    for (let nl = text.indexOf('\n', at); nl >= 0 && nl < m.index; nl = text.indexOf('\n', nl + 1)) {
      line++;
      at = nl + 1;
    }
    out.add(line);
  }
  return out;
}

/** `/\S/.test(s)`, answered by the first character for almost every line. */
function hasNonSpace(s: string): boolean {
  const c = s.charCodeAt(0);
  if (s.length > 0 && c > 32 && c < 127) return true;
  return /\S/.test(s);
}

/** `\s` of a regex without the u flag, as one UTF-16 code unit. */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 160 && (c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279));
}

/** The reply structure of a plain-text body. */
export function parseReply(body: string): ReplyStructure {
  // a bottom-posted reply under a huge quote says its piece at the end: keep both ends
  let text = body.length > MAX_CHARS ? `${body.slice(0, MAX_CHARS / 2)}\n\n${body.slice(body.length - MAX_CHARS / 2)}` : body;
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  const restored = looksRunTogether(text);
  // Which lines can be attributions: only those holding an attribution word, found in one
  // pass over the text rather than a look per line (a line is a piece of the text; restored
  // lines too, but their numbers are not the text's, so each is asked).
  const mayAttribute = restored ? null : attributionLines(text);
  const lines = restored ? restoreLines(text) : text.split('\n');
  // an overlong line is cut in place: the array is this call's own
  for (let i = 0; i < lines.length; i++) if (lines[i]!.length > MAX_LINE) lines[i] = lines[i]!.slice(0, MAX_LINE);
  const rests: string[] = [];

  const blocks: Block[] = [];
  // whom each depth quotes: depth d is introduced by an attribution line at depth d-1
  const quoted: (string | null)[] = [];
  let lastQuote: number | null = null;
  let inSignature = false;
  let inDiff = false;

  const push = (kind: BlockKind, depth: number, i: number, author: string | null): void => {
    const prev = blocks[blocks.length - 1];
    // consecutive lines of one kind and depth extend the block (paragraphs break at blank lines, below)
    // a diff runs on across its blank lines (they are context); prose breaks at them
    const adjacent = prev !== undefined && (prev.end === i - 1 || kind === 'diff');
    if (prev && adjacent && prev.kind === kind && prev.depth === depth && kind !== 'attribution') {
      prev.end = i;
      return;
    }
    const answers = kind === 'own' ? lastQuote : null;
    blocks.push({ kind, depth, start: i, end: i, author, answers });
    if (kind === 'quote') lastQuote = blocks.length - 1;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const { depth, rest } = quoteDepth(line);
    rests[i] = rest;
    if (depth === 0 && (isSignatureStart(line) || isListFooterStart(line, lines[i + 1]))) inSignature = true;
    if (inSignature && depth === 0) {
      push('signature', 0, i, null);
      continue;
    }
    if (!hasNonSpace(rest)) {
      inDiff = inDiff && depth === 0 && isDiffLine(rest);
      continue; // blank lines end paragraphs: the next line starts a new block
    }
    const author = inDiff || (mayAttribute !== null && !mayAttribute.has(i)) ? null : attributionAuthor(rest);
    if (author !== null && !DIFF_START.test(rest)) {
      quoted[depth + 1] = author === '' ? null : author;
      quoted.length = depth + 2;
      push('attribution', depth, i, author === '' ? null : author);
      continue;
    }
    if (depth > 0) {
      inDiff = false;
      push('quote', depth, i, quoted[depth] ?? null);
      continue;
    }
    const first = rest.charCodeAt(0);
    if ((inDiff && isDiffLine(rest)) || ((first === 100 /* d */ || first === 73 /* I */ || first === 64 /* @ */ || first === 45) /* - */ && DIFF_START.test(rest))) {
      inDiff = true;
      push('diff', 0, i, null);
      continue;
    }
    inDiff = false;
    if (mayBeCode(first) && CODE_PUNCTUATION.test(rest) && CODE_LINE.test(rest)) {
      push('code', 0, i, null);
      continue;
    }
    push('own', 0, i, null);
  }
  return { lines, blocks, restored, unquoted: rests };
}

// Whitespace other than a space: with two spaces in a row, what `\s+ -> ' '` would change.
const OTHER_SPACE = /[^\S ]/;

/**
 * Whether `\s+ -> ' '` would change a text: two spaces in a row, or whitespace that is not a
 * space. A native substring search and a one-class scan; the same question as one regex
 * /\s\s|(?! )\s/ took three times as long, tried at every character.
 */
export function hasSpaceRun(s: string): boolean {
  return s.includes('  ') || OTHER_SPACE.test(s);
}

/** A block's text, its lines joined (quote markers stripped); `keep` picks the lines. */
export function blockText(r: ReplyStructure, b: Block, keep?: (line: string, index: number) => boolean): string {
  const out: string[] = [];
  for (let i = b.start; i <= b.end; i++) {
    const line = r.unquoted[i] ?? '';
    if (!keep || keep(line, i)) out.push(line);
  }
  if (b.kind === 'code' || b.kind === 'diff') return out.join('\n');
  const joined = out.join(' ');
  // most prose has only single spaces: then there is no run of whitespace to collapse
  return (hasSpaceRun(joined) ? joined.replace(/\s+/g, ' ') : joined).trim();
}
