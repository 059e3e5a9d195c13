// What every route module is handed: the read-only database and the settings the app
// was built with. Routes never open or close anything themselves.
import type { Db } from '../db/connection.ts';
import type { Limits } from './limits.ts';
import type { KnowledgeSource } from './knowledge-sources.ts';
import type { SearchRunner } from './search-runner.ts';

export interface AppDeps {
  /** Opened read-only by server/main.ts; tests may pass a writable one. */
  db: Db;
  limits?: Partial<Limits>;
  /** Log requests (pino, to stdout). Off in tests. */
  logger?: boolean;
  /** The clock, for relative date ranges and feed timestamps. */
  now?: () => number;
  /** Readers of knowledge entities; defaults to server/knowledge-sources.ts. */
  knowledgeSources?: KnowledgeSource[];
  /** Where race scenarios are read from (default sim/scenarios). */
  scenarioDir?: string;
  /** Load scenario files in a worker thread (default) or on the request thread. */
  scenarioLoader?: 'worker' | 'inline';
  /** Run the explorer in a worker thread (default) or on the request thread. */
  simRunner?: 'worker' | 'inline';
  /** Build and search the knowledge index in a worker thread (default) or on the request thread. */
  knowledgeBuilder?: 'worker' | 'inline';
  /**
   * Query processes that run searches, feeds, thread downloads and /api/stats, each with
   * its own read-only connection to db.path (server/search-runner.ts); 0 (default) runs
   * them on the request thread.
   */
  searchWorkers?: number;
  /**
   * The server's public root URL (ending in '/'), for the absolute links of the Atom feed.
   * Never taken from the Host header, which any client sets; by default the address the
   * server listens on.
   */
  baseUrl?: string;
  /** Runs the query jobs (server/query-jobs.ts) instead of the runner searchWorkers implies (tests). */
  searchRunner?: SearchRunner;
}

export interface RouteContext {
  db: Db;
  limits: Limits;
  now: () => number;
  /** The root URL for absolute links (AppDeps.baseUrl, else where the server listens). */
  baseUrl: () => string;
}

/** Error responses every route may give, referenced by id so OpenAPI lists them once. */
export const ERROR_RESPONSES = {
  400: { $ref: 'ErrorBody#' },
  404: { $ref: 'ErrorBody#' },
  500: { $ref: 'ErrorBody#' },
} as const;
