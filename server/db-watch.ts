// A served database watched from a worker thread (server/db-watch-worker.ts), so that the
// thread answering HTTP makes no SQLite call per request: the search cache's freshness
// check (db/data-version.ts) and healthz read what the watcher last saw, from shared
// memory. Under bench/faults load a read on the request thread waited on the concurrent
// ingest's WAL locks, holding every route behind it. The price: a commit is seen up to a
// poll interval late, as if the request had come that much earlier.
import type { Worker } from 'node:worker_threads';
import type { Db } from '../db/connection.ts';
import type { DatabaseWatch } from '../db/data-version.ts';
import { LoregraphError } from '../domain/errors.ts';
import { startTsWorker } from './worker-bootstrap.ts';
import type { DbWatchData } from './db-watch-worker.ts';

export interface DbWatchOptions {
  /** How often data_version is read. */
  pollMs: number;
  /** Past this since the last good read, the database counts as unreadable. */
  staleMs: number;
}

export const DEFAULT_DB_WATCH: DbWatchOptions = { pollMs: 20, staleMs: 5_000 };

export interface DbWatch extends DatabaseWatch {
  close(): Promise<void>;
}

export async function watchDatabase(db: Db, opts: DbWatchOptions = DEFAULT_DB_WATCH): Promise<DbWatch> {
  const shared = new SharedArrayBuffer(16);
  const ints = new Int32Array(shared, 0, 2);
  const okAt = new Float64Array(shared, 8, 1);
  const data: DbWatchData = { path: db.path, pollMs: opts.pollMs, shared };
  const worker: Worker = await startTsWorker(new URL('./db-watch-worker.ts', import.meta.url), { workerData: data });
  let failed: Error | null = null;
  worker.on('error', (e) => (failed = e));
  const check = (): void => {
    const age = Date.now() - (okAt[0] ?? 0);
    if (failed) throw new LoregraphError('INTERNAL', `the database watch stopped: ${failed.message}`);
    if (age > opts.staleMs) throw new LoregraphError('INTERNAL', `the database has not been readable for ${(age / 1000).toFixed(1)} s`);
  };
  // Not watched any more: every call is a new version, so no cached answer is trusted.
  let unwatched = 0;
  return {
    dataVersion: () => {
      if (failed || Date.now() - (okAt[0] ?? 0) > opts.staleMs) return `u${++unwatched}`;
      return `w${Atomics.load(ints, 0)}`;
    },
    schemaVersion: () => {
      check();
      return Atomics.load(ints, 1);
    },
    close: async () => {
      await worker.terminate();
    },
  };
}
