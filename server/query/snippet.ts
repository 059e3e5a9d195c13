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
  return w.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

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

interface Tok {
  start: number;
  end: number;
  word: string;
}

const MAX_SCAN = 64 * 1024;

/**
 * The window of about `width` words of `text` holding the most hits, as segments; the
 * start of the text when nothing matches. Whitespace runs are shown as one space.
 */
export function makeSnippet(text: string, terms: HighlightTerm[], width = 32): SnippetSegment[] {
  const scanned = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const toks: Tok[] = Array.from(scanned.matchAll(WORD), (m) => ({
    start: m.index,
    end: m.index + m[0].length,
    word: foldWord(m[0]),
  }));
  if (toks.length === 0) return scanned.trim() === '' ? [] : [{ text: squash(scanned.slice(0, 200)), hit: false }];

  const hit = new Uint8Array(toks.length);
  for (const t of terms) {
    const n = t.words.length;
    for (let i = 0; i + n <= toks.length; i++) {
      let ok = true;
      for (let k = 0; k < n && ok; k++) {
        const w = (toks[i + k] as Tok).word;
        const want = t.words[k] as string;
        ok = k === n - 1 && t.prefix ? w.startsWith(want) : w === want;
      }
      if (ok) hit.fill(1, i, i + n);
    }
  }

  // Slide a window of `width` tokens; keep the one with the most hits (earliest on ties).
  let best = 0;
  let bestCount = -1;
  let count = 0;
  for (let i = 0; i < toks.length; i++) {
    count += hit[i] as number;
    if (i >= width) count -= hit[i - width] as number;
    const startIdx = Math.max(0, i - width + 1);
    if (count > bestCount) {
      bestCount = count;
      best = startIdx;
    }
  }
  // Start a few words before the first hit so it has some context.
  if (bestCount > 0) {
    let first = best;
    while (first < toks.length && !hit[first]) first++;
    best = Math.max(0, Math.min(best, first - 4));
  }
  const last = Math.min(toks.length, best + width) - 1;
  const from = best === 0 ? 0 : (toks[best] as Tok).start;
  const to = last === toks.length - 1 && scanned === text ? text.length : (toks[last] as Tok).end;

  const segs: SnippetSegment[] = [];
  const push = (s: string, isHit: boolean): void => {
    if (s === '') return;
    const prev = segs.at(-1);
    if (prev && prev.hit === isHit) prev.text += s;
    else segs.push({ text: s, hit: isHit });
  };
  if (from > 0) push('… ', false);
  let pos = from;
  for (let i = best; i <= last; i++) {
    const t = toks[i] as Tok;
    if (!hit[i]) continue;
    push(squash(text.slice(pos, t.start)), false);
    push(text.slice(t.start, t.end), true);
    pos = t.end;
  }
  push(squash(text.slice(pos, to)), false);
  if (to < text.length) push(' …', false);
  const head = segs[0];
  if (head && !head.hit) head.text = head.text.replace(/^\s+/, '');
  const tail = segs.at(-1);
  if (tail && !tail.hit) tail.text = tail.text.replace(/\s+$/, '');
  return segs.filter((s) => s.text !== '');
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ');
}
