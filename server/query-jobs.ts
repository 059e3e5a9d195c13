// The read work the API sends off the request thread, as values: a search, a feed's
// search, a saved search's undelivered matches, the message ids of a thread download,
// and /api/stats's counters and overview (two of which scan every message row: 160 ms
// on 7,000 real messages, growing with the archive). The same function answers them in a
// query process (server/query-process.ts) and inline (tests, in-memory databases), so
// the two cannot drift.
import { schemaVersion, type Db } from '../db/connection.ts';
import { archiveOverview, type ArchiveOverview } from '../db/overview.ts';
import { collectStats } from '../db/stats.ts';
import { storageStats, type StorageStats } from '../db/storage.ts';
import { getThreadTree } from '../db/threads.ts';
import { messageIdsByDate } from './mbox-stream.ts';
import type { CachedSearch } from './search-cache.ts';
import { feedMessages, searchMessages, searchResponseParts, type FeedEntry, type SearchOptions, type SearchResult } from './search.ts';
import { watchMatches, type WatchMatch } from './watch-search.ts';

export interface ThreadIds {
  /** The thread's root Message-ID. */
  rootId: string;
  /** Stored (non-ghost) messages of the thread, oldest first. */
  ids: string[];
}

/** What /api/stats reads from the database. */
export interface ArchiveStats {
  schemaVersion: number;
  counts: Record<string, unknown>;
  overview: ArchiveOverview;
  /** Bytes per table, when asked for (dbstat reads every page's header: ~0.1 s per 100 MB). */
  storage?: StorageStats;
}

export type QueryJob =
  | { kind: 'search'; query: string; opts: SearchOptions }
  /** The same search as /api/search's JSON body (searchResponseParts). */
  | { kind: 'search-json'; query: string; opts: SearchOptions }
  | { kind: 'feed'; query: string; limit: number; now: number }
  | { kind: 'thread-ids'; messageId: string }
  /** A saved search's undelivered matches (server/watch-search.ts). */
  | { kind: 'watch-new'; query: string; after: number; upTo: number; limit: number; now: number }
  | { kind: 'stats'; storage?: boolean };

/** What each kind of job answers. */
export interface QueryResults {
  search: SearchResult;
  'search-json': CachedSearch;
  feed: FeedEntry[];
  'thread-ids': ThreadIds | null;
  'watch-new': WatchMatch[];
  stats: ArchiveStats;
}

export type ResultOf<J extends QueryJob> = QueryResults[J['kind']];

export function runQueryJob<J extends QueryJob>(db: Db, job: J): ResultOf<J>;
export function runQueryJob(db: Db, job: QueryJob): QueryResults[QueryJob['kind']] {
  switch (job.kind) {
    case 'search':
      return searchMessages(db, job.query, job.opts);
    case 'search-json':
      return searchResponseParts(searchMessages(db, job.query, job.opts), job.opts.offset ?? 0, job.opts.limit ?? 20);
    case 'feed':
      return feedMessages(db, job.query, job.limit, job.now);
    case 'thread-ids': {
      const root = getThreadTree(db, job.messageId);
      return root === null ? null : { rootId: root.messageId, ids: messageIdsByDate(root) };
    }
    case 'watch-new':
      return watchMatches(db, job.query, job.after, job.upTo, job.limit, job.now);
    case 'stats':
      return {
        schemaVersion: schemaVersion(db),
        counts: collectStats(db),
        overview: archiveOverview(db),
        ...(job.storage === true ? { storage: storageStats(db) } : {}),
      };
  }
}
