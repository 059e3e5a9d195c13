// searchMessages: the whole search path for the API and the CLI. Parse (400 with a
// column on bad syntax), compile to one FTS5 expression plus predicates, run it, and
// cut snippets as data.
import type { Db } from '../db/connection.ts';
import { runSearch, type SearchRow, type SearchSort } from '../db/search.ts';
import { LoregraphError } from '../domain/errors.ts';
import { compileQuery } from '../domain/query/compile.ts';
import { checkQueryCost } from '../domain/query/cost.ts';
import { parseQuery } from '../domain/query/parser.ts';
import { highlightTerms, makeSnippet, type HighlightTerm, type SnippetSegment } from '../domain/query/snippet.ts';
import type { CachedSearch } from './search-cache.ts';

export type { SnippetSegment } from '../domain/query/snippet.ts';
export type { SearchSort } from '../db/search.ts';

export interface SearchOptions {
  offset?: number;
  limit?: number;
  sort?: SearchSort;
  /** Collapse to one hit (the best) per thread; totals then count threads. */
  threads?: boolean;
  /** Clock for relative dates (`d:2.weeks.ago..`). */
  now?: number;
}

export interface SearchHit {
  messageId: string;
  subject: string;
  from: { name: string; address: string } | null;
  /** ISO 8601 UTC, or null when the message has no usable date. */
  date: string | null;
  /** The thread's root Message-ID (ghosts included). */
  threadId: string;
  snippet: SnippetSegment[];
}

export interface SearchResult {
  /** Number of matching messages (threads with `threads`), capped at TOTAL_CAP. */
  total: number;
  /** False when there are more than `total` matches. */
  totalExact: boolean;
  hits: SearchHit[];
  took_ms: number;
}

export const MAX_LIMIT = 200;

function checkPaging(offset: number, limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new LoregraphError('LIMIT', `limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > 100_000) {
    throw new LoregraphError('LIMIT', `offset must be an integer from 0 to 100000, got ${offset}`);
  }
}

function toHit(row: SearchRow, terms: HighlightTerm[]): SearchHit {
  return {
    messageId: row.messageId,
    subject: row.subject,
    from: row.fromName === null && row.fromAddress === null ? null : { name: row.fromName ?? '', address: row.fromAddress ?? '' },
    date: row.date === null ? null : new Date(row.date).toISOString(),
    threadId: row.threadId,
    snippet: makeSnippet(row.body, terms),
  };
}

/** Throws LoregraphError BAD_QUERY ('unbalanced quote at column 12', {column}) or LIMIT (paging, or a bound of domain/query/cost.ts). */
export function searchMessages(db: Db, query: string, opts: SearchOptions = {}): SearchResult {
  const t0 = performance.now();
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? 20;
  checkPaging(offset, limit);
  const ast = parseQuery(query, { now: opts.now ?? Date.now() });
  // Bounded before it runs: a query past a cost bound is a 400 naming it, not a stalled worker.
  checkQueryCost(ast);
  const plan = compileQuery(ast);
  const found = runSearch(db, plan, { offset, limit, sort: opts.sort ?? 'relevance', threads: opts.threads ?? false });
  const terms = highlightTerms(ast);
  const hits = found.rows.map((r) => toHit(r, terms));
  return { total: found.total, totalExact: found.totalExact, hits, took_ms: Math.round((performance.now() - t0) * 100) / 100 };
}

/**
 * /api/search's body for a result, as text made where the search ran: a query process
 * hands the server one string instead of a tree of hits and snippet segments to copy over
 * IPC and serialize again (a third of a one-term search's cost, by --cpu-prof). Split
 * before the hits so a cached answer can say it is one (server/search-cache.ts). Fields
 * in the order of the route's response schema.
 */
export function searchResponseParts(r: SearchResult, offset: number, limit: number): CachedSearch {
  return {
    head: `{"total":${r.total},"totalExact":${r.totalExact},"offset":${offset},"limit":${limit},"took_ms":${r.took_ms}`,
    tail: `,"hits":${JSON.stringify(r.hits)}}`,
  };
}

export interface FeedEntry extends SearchHit {
  /** messages.id, for fetching the raw message when streaming an mbox. */
  rowId: number;
}

/** Newest first, for the Atom feed and mbox downloads of a search. */
export function feedMessages(db: Db, query: string, limit: number, now?: number): FeedEntry[] {
  checkPaging(0, limit);
  const ast = parseQuery(query, { now: now ?? Date.now() });
  checkQueryCost(ast);
  const found = runSearch(db, compileQuery(ast), { offset: 0, limit, sort: 'date', threads: false });
  const terms = highlightTerms(ast);
  return found.rows.map((r) => ({ ...toHit(r, terms), rowId: r.rowId }));
}
