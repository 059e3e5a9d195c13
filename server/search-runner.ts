// Where the API's read jobs (searches, feeds, thread downloads, stats: server/query-jobs.ts)
// run. better-sqlite3 is synchronous: on the request thread one slow search stalls every
// route, health checks and static files included. So a served file database gets a pool
// of query processes (server/query-pool.ts) with a queue bound, a deadline and
// cancellation; inline (on the request thread) serves in-memory databases and tests of
// the route logic.
import type { ChildProcess } from 'node:child_process';
import type { Db } from '../db/connection.ts';
import { startModuleProcess } from '../ingest/worker-start.ts';
import { runQueryJob, type QueryJob, type ResultOf } from './query-jobs.ts';
import { createQueryPool, type QueryPoolOptions, type QueryPoolStats } from './query-pool.ts';

export interface SearchRunner {
  run<J extends QueryJob>(job: J, signal?: AbortSignal): Promise<ResultOf<J>>;
  /** Null inline, where there is no queue. */
  stats(): QueryPoolStats | null;
  close(): Promise<void>;
}

export function inlineSearchRunner(db: Db): SearchRunner {
  return { run: async (job) => runQueryJob(db, job), stats: () => null, close: async () => {} };
}

/** A query process's heap bound: a job that would need more fails alone instead of swapping the machine. */
const PROCESS_HEAP_MB = 512;

export function startQueryProcess(dbPath: string): Promise<ChildProcess> {
  return startModuleProcess(new URL('./query-process.ts', import.meta.url), [dbPath], { execArgv: [`--max-old-space-size=${PROCESS_HEAP_MB}`] });
}

/** `size` query processes on `dbPath`, started now so the first requests do not wait for them. */
export function processSearchRunner(dbPath: string, opts: Omit<QueryPoolOptions, 'start'> & Partial<Pick<QueryPoolOptions, 'start'>>): SearchRunner {
  return createQueryPool({ start: () => startQueryProcess(dbPath), ...opts });
}
