// Request limits in one place, so the schemas, the OpenAPI document and the tests agree.
export interface Limits {
  /** Longest search query accepted (characters). */
  maxQueryLength: number;
  /** Longest URL (path + query string) accepted, in bytes. */
  maxUrlLength: number;
  /** Largest `limit` a paged route accepts. */
  maxPageSize: number;
  /** Request body size cap in bytes (the API is read-only; bodies are tiny). */
  bodyLimit: number;
  /** Longest path parameter (message-ids can be long, but not unbounded). */
  maxParamLength: number;
  /** Explorer bounds for scenarios/:id/run. */
  simMaxStates: number;
  simMaxMs: number;
  /** Most entries one Atom feed carries (the search engine pages at 200 at most). */
  maxFeedEntries: number;
  /**
   * Least time between two knowledge index builds. A long ingest commits every few
   * seconds; rebuilding on each would make every knowledge request pay for a build.
   */
  knowledgeRebuildMs: number;
  /** Thread mboxes up to this size go out as one buffer; bigger ones stream. */
  mboxBufferBytes: number;
  /** A search, feed or thread download, from asking to answer: past it the query process is killed (504). */
  queryDeadlineMs: number;
  /** Searches waiting for a query process; one more is a 503 with Retry-After. */
  queryQueue: number;
  /** A running search whose client left may finish within this; after it, its process is killed. */
  queryCancelGraceMs: number;
  /** A request's headers must arrive within this (slowloris). */
  headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this (a stalled body). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way is closed after this (a reader that stopped reading). */
  connectionTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxQueryLength: 2048,
  maxUrlLength: 8192,
  maxPageSize: 200,
  bodyLimit: 64 * 1024,
  maxParamLength: 1000,
  simMaxStates: 200_000,
  simMaxMs: 5_000,
  maxFeedEntries: 200,
  knowledgeRebuildMs: 30_000,
  mboxBufferBytes: 1024 * 1024,
  // Far past what a query within domain/query/cost.ts bounds takes (`npm run bench -- faults` prints the slowest).
  queryDeadlineMs: 10_000,
  // At least the 50 connections a load test holds open: a full queue refuses, it does not slow the rest.
  queryQueue: 64,
  queryCancelGraceMs: 250,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionTimeoutMs: 60_000,
};

/** The query pool's part of the limits, as server/search-runner.ts takes it: one mapping for every caller. */
export function queryPoolLimits(limits: Limits): { deadlineMs: number; maxQueue: number; cancelGraceMs: number } {
  return { deadlineMs: limits.queryDeadlineMs, maxQueue: limits.queryQueue, cancelGraceMs: limits.queryCancelGraceMs };
}
