// What a parsed query will cost FTS5, bounded before it runs. The term count alone
// (parser.ts's MAX_TERMS) let through the queries that froze a 20,000-message archive:
// one phrase of 1,000 common words (13.6 s: FTS5 walks every word's position list), a
// `dfn:` path of 900 parts (a 900-word phrase once it is past the joined-run index) and
// 64 prefix terms (5 s: without a prefix index each one scans its slice of the term
// dictionary). Each bound here names itself in the 400 it raises, so a user can see
// which part of the query to shorten.
import { LoregraphError } from '../errors.ts';
import type { Query, QueryNode, TermNode } from './ast.ts';
import { MAX_RUN_WORDS, pathWords } from '../search/path-terms.ts';

export interface QueryBounds {
  /** Words in one phrase (a quoted string, or a `dfn:` path too long to be one joined term). */
  maxPhraseWords: number;
  /** Word lookups in the whole query (each word of each term). */
  maxWords: number;
  /** Terms ending in `*`. */
  maxPrefixTerms: number;
  /** Characters a prefix needs before its `*` (a one-letter prefix expands to a twentieth of the dictionary). */
  minPrefixChars: number;
}

/**
 * Measured on the 20,000-message generated archive (bench/faults.ts): a 16-word phrase
 * of the commonest words and 8 two-letter prefixes each stay under a second.
 */
export const DEFAULT_QUERY_BOUNDS: QueryBounds = {
  maxPhraseWords: 16,
  maxWords: 64,
  maxPrefixTerms: 8,
  minPrefixChars: 2,
};

export interface QueryCost {
  /** Word lookups over all terms. */
  words: number;
  /** The longest phrase, in words. */
  longestPhrase: number;
  prefixTerms: number;
}

// Word characters as FTS5's unicode61 tokenizer (tokenchars '_') splits them.
const WORD = /[\p{L}\p{N}\p{Co}_]+/gu;

/** Index lookups one term makes: a `dfn:` path of 2..MAX_RUN_WORDS words is one joined term. */
export function termWords(t: TermNode): number {
  if (t.field === 'dfn') {
    const n = pathWords(t.text).length;
    return n >= 2 && n <= MAX_RUN_WORDS ? 1 : n;
  }
  return t.text.match(WORD)?.length ?? 0;
}

function terms(node: QueryNode, out: TermNode[]): TermNode[] {
  if (node.kind === 'term') out.push(node);
  else if (node.kind === 'and' || node.kind === 'or') for (const c of node.children) terms(c, out);
  else if (node.kind === 'not') terms(node.child, out);
  return out;
}

function over(message: string, column: number, bound: keyof QueryBounds, limit: number): LoregraphError {
  return new LoregraphError('LIMIT', `${message} at column ${column}`, { column, bound, limit });
}

/** Throws LIMIT, naming the bound and the column of the term that broke it, when the query would cost too much. */
export function checkQueryCost(query: Query, bounds: QueryBounds = DEFAULT_QUERY_BOUNDS): QueryCost {
  const cost: QueryCost = { words: 0, longestPhrase: 0, prefixTerms: 0 };
  if (query === null) return cost;
  for (const t of terms(query, [])) {
    const n = termWords(t);
    if (n > bounds.maxPhraseWords) {
      throw over(`a phrase of ${n} words is longer than the bound of ${bounds.maxPhraseWords} words per phrase`, t.column, 'maxPhraseWords', bounds.maxPhraseWords);
    }
    cost.words += n;
    cost.longestPhrase = Math.max(cost.longestPhrase, n);
    if (cost.words > bounds.maxWords) {
      throw over(`the query looks up more than the bound of ${bounds.maxWords} words`, t.column, 'maxWords', bounds.maxWords);
    }
    if (!t.prefix) continue;
    // FTS5 expands the last token; a `dfn:` path of several words is one long joined token.
    const joined = t.field === 'dfn' && pathWords(t.text).length >= 2 && n === 1;
    const last = joined ? null : (t.text.match(WORD)?.at(-1) ?? '');
    if (last !== null && Array.from(last).length < bounds.minPrefixChars) {
      throw over(`a prefix search needs at least ${bounds.minPrefixChars} characters before '*', '${last}*' has ${Array.from(last).length}`, t.column, 'minPrefixChars', bounds.minPrefixChars);
    }
    if (++cost.prefixTerms > bounds.maxPrefixTerms) {
      throw over(`the query has more than the bound of ${bounds.maxPrefixTerms} prefix (*) terms`, t.column, 'maxPrefixTerms', bounds.maxPrefixTerms);
    }
  }
  return cost;
}
