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

/**
 * The first `limit` matches among rows (after, upTo], in row (arrival) order: a run that
 * stops at the limit resumes after the last row it delivered, so what it leaves is
 * exactly what comes later (search pages come newest first, which would skip the oldest).
 */
export function watchMatches(db: Db, query: string, after: number, upTo: number, limit: number, now: number): WatchMatch[] {
  const ast = parseQuery(query, { now });
  checkQueryCost(ast);
  const plan = compileQuery(ast);
  // every match among rows (lo, hi] in row order, or null when there are more than `max`
  const within = (lo: number, hi: number, max: number): WatchMatch[] | null => {
    const withRows = { ...plan, filters: [...plan.filters, { kind: 'rows' as const, after: lo, upTo: hi }] };
    const found: WatchMatch[] = [];
    for (;;) {
      const want = Math.min(MAX_LIMIT, max + 1 - found.length);
      const page = runSearch(db, withRows, { offset: found.length, limit: want, sort: 'date', threads: false });
      for (const r of page.rows) found.push({ rowId: r.rowId, messageId: r.messageId, subject: r.subject, from: r.fromName === null && r.fromAddress === null ? null : { name: r.fromName ?? '', address: r.fromAddress ?? '' }, date: r.date });
      if (found.length > max) return null;
      if (page.rows.length < want) return found.sort((a, b) => a.rowId - b.rowId);
    }
  };
  const out: WatchMatch[] = [];
  let lo = after;
  let span = upTo - after;
  while (lo < upTo && out.length < limit) {
    const hi = Math.min(upTo, lo + span);
    const got = within(lo, hi, limit - out.length);
    if (got === null) {
      // more arrived in this window than the run has room for: the older half first (one row holds one match)
      span = Math.max(1, Math.floor(span / 2));
      continue;
    }
    out.push(...got);
    lo = hi;
  }
  return out;
}
