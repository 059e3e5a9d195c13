// Binding the app to a port: open the database read-only (the server never writes, and
// a concurrent `loregraph ingest` into the same WAL file is seen by the next request),
// optionally seeding it from the embedded sample first.
import type { FastifyInstance } from 'fastify';
import { availableParallelism } from 'node:os';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { searchIndexStale } from '../db/search.ts';
import { useDatabaseWatch } from '../db/data-version.ts';
import { LoregraphError } from '../domain/errors.ts';
import { watchDatabase, type DbWatch } from './db-watch.ts';
import { DEFAULT_LIMITS, queryPoolLimits } from './limits.ts';
import { processSearchRunner, type SearchRunner } from './search-runner.ts';

export interface ServeOptions {
  dbPath: string;
  port: number;
  host: string;
  /** Ingest ingest/sample/ into dbPath first if it holds no messages yet. */
  seed: boolean;
  logger?: boolean;
  /** Query processes for searches, feeds and thread downloads (server/search-runner.ts), default defaultSearchWorkers(); 0 runs them on the request thread (tests). */
  searchWorkers?: number;
  /** Public root URL for the Atom feed's links (normalizeBaseUrl); default where the server listens. */
  baseUrl?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * One core stays with the request thread (HTTP, JSON), the others run searches, at least
 * one and at most 4. On two cores under autocannon at concurrency 10 (200k messages,
 * paired runs), one worker cut p99 of the heavier queries by a third to a half against
 * searching on the request thread; two workers oversubscribed the cores and did not.
 */
export function defaultSearchWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  if (opts.seed) {
    // Loaded only when seeding: it pulls in the whole ingest pipeline.
    const { ensureSeeded } = await import('../ingest/seed.ts');
    await ensureSeeded(opts.dbPath);
  }
  // The query processes start first, and the app's code (Fastify, the routes) loads while
  // they do: a query process is a node of its own that takes a few hundred ms to open the
  // database, and started by buildApp, after that code had loaded, it made /api/stats and
  // the first search answer about 0.4 s after the server listened. They are given to the
  // app as buildApp would make them (DEFAULT_LIMITS: the server passes no other limits).
  const workers = opts.searchWorkers ?? defaultSearchWorkers();
  const searchRunner: SearchRunner | null =
    workers > 0
      ? processSearchRunner(opts.dbPath, { size: workers, ...queryPoolLimits(DEFAULT_LIMITS) })
      : null;
  const appModule = import('./app.ts');
  // awaited below; a failure to load is thrown there, not left unhandled if the database fails first
  appModule.catch(() => {});
  let db: Db | undefined;
  let watch: DbWatch;
  try {
    db = openDb(opts.dbPath, { readonly: true });
    const stale = searchIndexStale(db);
    if (stale !== null) throw new LoregraphError('DB_OPEN', `the search index of ${opts.dbPath} must be rebuilt (${stale}): run 'loregraph reindex --db ${opts.dbPath}'`);
    // healthz and the search cache's freshness check read the database through a thread of
    // its own, not on the one answering HTTP.
    watch = await watchDatabase(db);
  } catch (e) {
    if (db) closeDb(db);
    await searchRunner?.close();
    throw e;
  }
  useDatabaseWatch(db, watch);
  const { buildApp } = await appModule;
  const app = buildApp({
    db,
    logger: opts.logger ?? false,
    searchWorkers: workers,
    ...(searchRunner ? { searchRunner } : {}),
    ...(opts.baseUrl !== undefined ? { baseUrl: opts.baseUrl } : {}),
  });
  app.addHook('onClose', async () => {
    useDatabaseWatch(db, null);
    await watch.close();
    closeDb(db);
  });
  try {
    await app.listen({ port: opts.port, host: opts.host });
  } catch (e) {
    await app.close();
    throw e;
  }
  // The knowledge index is built once listening (it took 4 s of a 5 s start on a 2,000-
  // message archive, 18 s on 20,000): the server answers at once, and only a request for
  // the index itself waits for the build. Its worker reads the database's entities through
  // a connection of its own and builds the index, at a lower thread priority; the scenarios'
  // entities come from the scenario worker's one load of the files (about 1 ms here).
  void app.knowledge.json().catch((e: unknown) => app.log.error({ err: e }, 'knowledge index build failed'));
  const addr = app.server.address();
  const port = addr && typeof addr === 'object' ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { app, url: `http://${host}:${port}/`, close: () => app.close() };
}
