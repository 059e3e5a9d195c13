// What a saved search has not delivered yet: its query (lore's language, as /api/search
// runs it) over the rows stored since the last `watch up`, oldest first so a mailbox
// receives them in the order they came.
import type { Db } from '../db/connection.ts';
import { runSearch } from '../db/search.ts';
import { compileQuery } from '../domain/query/compile.ts';
import { checkQueryCost } from '../domain/query/cost.ts';
import { parseQuery } from '../domain/query/parser.ts';
import { MAX_LIMIT } from './search.ts';

export interface WatchMatch {
  rowId: number;
  messageId: string;
  subject: string;
  from: { name: string; address: string } | null;
  /** ms since the epoch. */
  date: number | null;
}

/** Throws BAD_QUERY or LIMIT as /api/search does. */
export function checkWatchQuery(query: string, now: number): void {
  checkQueryCost(parseQuery(query, { now }));
}

/** Matches among rows (after, upTo], at most `limit`, in row (arrival) order. */
export function watchMatches(db: Db, query: string, after: number, upTo: number, limit: number, now: number): WatchMatch[] {
  const ast = parseQuery(query, { now });
  checkQueryCost(ast);
  const plan = compileQuery(ast);
  const withRows = { ...plan, filters: [...plan.filters, { kind: 'rows' as const, after, upTo }] };
  const out: WatchMatch[] = [];
  while (out.length < limit) {
    const page = runSearch(db, withRows, { offset: out.length, limit: Math.min(MAX_LIMIT, limit - out.length), sort: 'date', threads: false });
    for (const r of page.rows) out.push({ rowId: r.rowId, messageId: r.messageId, subject: r.subject, from: r.fromName === null && r.fromAddress === null ? null : { name: r.fromName ?? '', address: r.fromAddress ?? '' }, date: r.date });
    if (page.rows.length === 0) break;
  }
  return out.sort((a, b) => a.rowId - b.rowId);
}
