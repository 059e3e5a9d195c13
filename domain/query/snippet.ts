// Snippets as data: a short window of the body cut into segments, those that match a
// query term flagged `hit`. The client decides how to show a hit; nothing here builds
// markup, so a mail's text can never become HTML. Words are split and folded the way
// the index's unicode61 tokenizer does (letters, digits, '_'; case and accents folded),
// so what is highlighted is what matched.
import type { Query, QueryNode, TextField } from './ast.ts';

export interface SnippetSegment {
  text: string;
  hit: boolean;
}

export interface HighlightTerm {
  /** Folded words; more than one for a phrase or a word like foo.bar. */
  words: string[];
  /** The last word is a prefix. */
  prefix: boolean;
  field: TextField;
}

const WORD = /[\p{L}\p{N}\p{Co}_]+/gu;

export function foldWord(w: string): string {
  // Most words are ASCII, which NFKD and the mark strip leave as they are: a fifth of a snippet's time went to them.
  if (ASCII_WORD.test(w)) return w.toLowerCase();
  return w.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const ASCII_WORD = /^[\x00-\x7f]*$/;

export function wordsOf(text: string): string[] {
  return Array.from(text.matchAll(WORD), (m) => foldWord(m[0]));
}

/** Fields whose text is shown in a body snippet. */
const BODY_FIELDS = new Set<TextField>(['any', 'b', 'bs', 'nq', 'q', 'dfn', 'dfa', 'dfb', 'dfhh', 'dfctx']);

/** The positive terms of a query (those under NOT are never highlighted). */
export function highlightTerms(q: Query): HighlightTerm[] {
  const out: HighlightTerm[] = [];
  const walk = (n: QueryNode): void => {
    if (n.kind === 'term') {
      const words = wordsOf(n.text);
      if (words.length > 0 && BODY_FIELDS.has(n.field)) out.push({ words, prefix: n.prefix, field: n.field });
    } else if (n.kind === 'and' || n.kind === 'or') {
      n.children.forEach(walk);
    }
  };
  if (q) walk(q);
  return out;
}

const WORD_CHAR = /[\p{L}\p{N}\p{Co}_]/u;
const WORD_AT = /[\p{L}\p{N}\p{Co}_]+/uy;
const ASCII = /^[\x00-\x7f]*$/;

/** Snippets look at the start of long bodies only: a patch series can be megabytes. */
const MAX_SCAN = 16 * 1024;
/** Most hits collected per term; enough to find the densest window. */
const MAX_HITS_PER_TERM = 64;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

/** The word starting at `pos` (folded) and where it ends, or null when none starts there. */
function wordAt(text: string, pos: number): { word: string; end: number } | null {
  WORD_AT.lastIndex = pos;
  const m = WORD_AT.exec(text);
  return m ? { word: foldWord(m[0]), end: pos + m[0].length } : null;
}

/** Skips separators from `pos` to the next word start (or text end). */
function nextWordStart(text: string, pos: number): number {
  while (pos < text.length && !isWordChar(text[pos])) pos++;
  return pos;
}

/**
 * [start, end) character ranges of `text` where a term matches. Finds candidates with
 * indexOf on the lower-cased text (fast, native) and checks word boundaries and the
 * following words of a phrase only there, instead of folding every word of the body.
 */
export function findHits(text: string, terms: HighlightTerm[]): [number, number][] {
  let folded = text.toLowerCase();
  // Lower-casing that changes the length (a few scripts) would shift offsets: fold word by word.
  const sameLength = folded.length === text.length;
  // Fold accents char by char where that keeps one UTF-16 unit per unit, so offsets still line up.
  if (sameLength && !ASCII.test(folded)) folded = folded.replace(/[^\x00-\x7f]/g, (ch) => {
    const f = foldWord(ch);
    return f.length === 1 ? f : ch;
  });
  const hits: [number, number][] = [];
  for (const t of terms) {
    const first = t.words[0] as string;
    let found = 0;
    const accept = (start: number): void => {
      let pos = start;
      let end = start;
      for (let k = 0; k < t.words.length; k++) {
        const w = wordAt(text, pos);
        const want = t.words[k] as string;
        if (!w) return;
        const last = k === t.words.length - 1;
        if (!(last && t.prefix ? w.word.startsWith(want) : w.word === want)) return;
        end = w.end;
        pos = nextWordStart(text, w.end);
      }
      hits.push([start, end]);
      found++;
    };
    if (sameLength) {
      for (let pos = folded.indexOf(first); pos >= 0 && found < MAX_HITS_PER_TERM; pos = folded.indexOf(first, pos + 1)) {
        if (!isWordChar(text[pos - 1])) accept(pos);
      }
    } else {
      for (const m of text.matchAll(/[\p{L}\p{N}\p{Co}_]+/gu)) {
        if (found >= MAX_HITS_PER_TERM) break;
        if (foldWord(m[0]).startsWith(first)) accept(m.index);
      }
    }
  }
  hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  // Overlapping hits (a word and a phrase containing it) merge into one range.
  const merged: [number, number][] = [];
  for (const h of hits) {
    const prev = merged.at(-1);
    if (prev && h[0] <= prev[1]) prev[1] = Math.max(prev[1], h[1]);
    else merged.push([h[0], h[1]]);
  }
  return merged;
}

/**
 * A window of about `width` characters of `text` holding the most hits, as segments;
 * the start of the text when nothing matches. Whitespace runs are shown as one space.
 */
export function makeSnippet(text: string, terms: HighlightTerm[], width = 240): SnippetSegment[] {
  const scanned = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const hits = findHits(scanned, terms);

  let from = 0;
  if (hits.length > 0) {
    // Two pointers: the run of hits fitting in `width` characters with the most hits.
    let best = 0;
    let bestCount = 0;
    let j = 0;
    for (let i = 0; i < hits.length; i++) {
      while (j < hits.length && (hits[j] as [number, number])[1] - (hits[i] as [number, number])[0] <= width) j++;
      if (j - i > bestCount) {
        bestCount = j - i;
        best = i;
      }
    }
    from = Math.max(0, (hits[best] as [number, number])[0] - 40);
  } else {
    from = scanned.search(/\S/);
    if (from < 0) return [];
  }
  // Start and end on word boundaries.
  while (from > 0 && isWordChar(scanned[from - 1]) && isWordChar(scanned[from])) from--;
  let to = Math.min(scanned.length, from + width);
  while (to < scanned.length && isWordChar(scanned[to - 1]) && isWordChar(scanned[to])) to++;

  const segs: SnippetSegment[] = [];
  const push = (str: string, isHit: boolean): void => {
    if (str === '') return;
    const prev = segs.at(-1);
    if (prev && prev.hit === isHit) prev.text += str;
    else segs.push({ text: str, hit: isHit });
  };
  if (/\S/.test(scanned.slice(0, from))) push('… ', false);
  let pos = from;
  for (const [hs, he] of hits) {
    if (he <= from || hs >= to) continue;
    const s0 = Math.max(hs, from);
    const e0 = Math.min(he, to);
    push(squash(scanned.slice(pos, s0)), false);
    push(scanned.slice(s0, e0), true);
    pos = e0;
  }
  push(squash(scanned.slice(pos, to)), false);
  if (to < text.length) push(' …', false);
  const head = segs[0];
  if (head && !head.hit) head.text = head.text.replace(/^\s+/, '');
  const tail = segs.at(-1);
  if (tail && !tail.hit) tail.text = tail.text.replace(/\s+$/, '');
  return segs.filter((x) => x.text !== '');
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ');
}
