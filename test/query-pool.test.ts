// The query pool's bounds, with stand-in query processes whose jobs take as long as the
// query says ("spin 5000" blocks the process's only thread for 5 s, as a runaway SQLite
// statement does): a deadline kills the process and answers TIMEOUT, a full queue is
// BUSY with a retry hint, a client that leaves frees its place, and healthz and static
// files answer while every process is stuck.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { buildApp } from '../server/app.ts';
import type { StorageStats } from '../db/storage.ts';
import { openDb } from '../db/connection.ts';
import { createQueryPool, type QueryPool, type QueryPoolOptions } from '../server/query-pool.ts';
import { inlineSearchRunner, type SearchRunner } from '../server/search-runner.ts';
import type { QueryJob } from '../server/query-jobs.ts';
import { isLoregraphError } from '../domain/errors.ts';

// Answers {total: N} after spinning for the number of ms in the query; 'fail' is an error reply.
const STAND_IN = `
process.on('message', (m) => {
  const ms = Number((m.query ?? '').replace('spin ', '')) || 0;
  const until = Date.now() + ms;
  while (Date.now() < until);
  if (m.query === 'fail') process.send({ id: m.id, error: { code: 'BAD_QUERY', message: 'no good' } });
  else process.send({ id: m.id, result: m.kind === 'feed' ? [] : { total: ms, totalExact: true, hits: [], took_ms: ms } });
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
`;

const started: ChildProcess[] = [];
function standIn(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', STAND_IN], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('error', reject);
  });
}

const pools: { close(): Promise<void> }[] = [];
/** A pool whose process has started (a cold start would eat into the short deadlines below). */
async function pool(opts: Partial<QueryPoolOptions> = {}): Promise<QueryPool> {
  const p = createQueryPool({ size: 1, deadlineMs: 10_000, maxQueue: 4, cancelGraceMs: 50, start: standIn, ...opts });
  pools.push(p);
  await p.ready();
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  started.length = 0;
});

const search = (query: string) => ({ kind: 'search', query, opts: {} }) as const;

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('query pool', () => {
  it('answers jobs and passes a job error on with its code', async () => {
    const p = await pool();
    expect((await p.run(search('spin 1'))).total).toBe(1);
    const e = await failure(p.run(search('fail')));
    expect(isLoregraphError(e) && e.code).toBe('BAD_QUERY');
  });

  it('answers a waiting job with why no process starts, not at its deadline', async () => {
    const p = createQueryPool({ size: 1, deadlineMs: 60_000, maxQueue: 4, cancelGraceMs: 50, start: () => Promise.reject(new Error('unable to open database file')) });
    pools.push(p);
    await p.ready();
    const t0 = Date.now();
    const e = await failure(p.run(search('spin 1')));
    expect(isLoregraphError(e) && e.code).toBe('INTERNAL');
    expect(e.message).toBe('no query process could start: unable to open database file');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('kills a process whose job overruns the deadline, answers TIMEOUT, and serves the next job from a fresh process', async () => {
    const p = await pool({ deadlineMs: 300 });
    const e = await failure(p.run(search('spin 60000')));
    expect(isLoregraphError(e) && e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/longer than the 300 ms/);
    // The successor's start is not the job's to wait for: on a loaded machine it alone
    // can take longer than this pool's 300 ms deadline.
    await vi.waitFor(() => expect(started).toHaveLength(2), { timeout: 10_000 });
    await p.ready();
    expect((await p.run(search('spin 2'))).total).toBe(2);
    expect(started).toHaveLength(2);
    expect(started[0]!.signalCode).toBe('SIGKILL');
    expect(p.stats()).toMatchObject({ killed: 1, timedOut: 1 });
  });

  it('refuses a job beyond the queue bound as BUSY with a retry hint, and one that waited past its deadline too', async () => {
    const p = await pool({ maxQueue: 2, deadlineMs: 400 });
    const running = failure(p.run(search('spin 1500')));
    await new Promise((r) => setTimeout(r, 50));
    const waiting = [failure(p.run(search('spin 1'))), failure(p.run(search('spin 1')))];
    const refused = await failure(p.run(search('spin 1')));
    expect(isLoregraphError(refused) && refused.code).toBe('BUSY');
    expect(isLoregraphError(refused) && refused.details?.['retryAfterSeconds']).toBeGreaterThanOrEqual(1);
    // The two waiting never start within their 400 ms: BUSY, not a wait of unknown length.
    for (const w of waiting) {
      const e = await w;
      expect(isLoregraphError(e) && e.code).toBe('BUSY');
    }
    const e = await running;
    expect(isLoregraphError(e) && e.code).toBe('TIMEOUT');
  });

  it('drops a waiting job whose client left, and kills the process of a running one after the grace', async () => {
    const p = await pool({ cancelGraceMs: 100 });
    const gone = new AbortController();
    const running = failure(p.run(search('spin 60000'), gone.signal));
    const queuedGone = new AbortController();
    const queued = failure(p.run(search('spin 1'), queuedGone.signal));
    await new Promise((r) => setTimeout(r, 100));
    queuedGone.abort();
    expect((await queued).message).toMatch(/client left/);
    expect(p.stats().queued).toBe(0);
    const t0 = Date.now();
    gone.abort();
    expect((await running).message).toMatch(/client left/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // The pool goes on with a new process.
    expect((await p.run(search('spin 3'))).total).toBe(3);
    expect(p.stats()).toMatchObject({ killed: 1, cancelled: 2 });
  });

  it('lets a job whose client left finish when it is done within the grace: the process is kept', async () => {
    const p = await pool({ cancelGraceMs: 2_000 });
    const gone = new AbortController();
    const job = p.run(search('spin 200'), gone.signal);
    gone.abort();
    // It runs to its answer (the swallowed either-way outcome here before could not fail).
    expect((await job).total).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await p.run(search('spin 1'))).total).toBe(1);
    expect(started).toHaveLength(1);
    expect(p.stats()).toMatchObject({ killed: 0, cancelled: 1 });
  });
});

describe('the API while every query process is stuck', () => {
  it('answers healthz and static files, and gives the stuck feed and search 504 and 503 with Retry-After', async () => {
    const db = openDb(':memory:');
    const p = await pool({ deadlineMs: 1_500, maxQueue: 1 });
    const runner: SearchRunner = { run: (job, signal) => p.run(job, signal), stats: () => p.stats(), close: async () => {} };
    const app = buildApp({ db, searchRunner: runner });
    try {
      await app.ready();
      const feed = app.inject({ url: '/api/feed.atom?q=spin%2060000' });
      const queued = app.inject({ url: '/api/search?q=spin%201' });
      await new Promise((r) => setTimeout(r, 100));
      const full = await app.inject({ url: '/api/search?q=spin%201' });
      expect(full.statusCode).toBe(503);
      expect(full.json().code).toBe('BUSY');
      expect(Number(full.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(full.headers['x-content-type-options']).toBe('nosniff');
      let feedDone = false;
      void feed.then(() => (feedDone = true));
      const health = await app.inject({ url: '/api/healthz' });
      const page = await app.inject({ url: '/' });
      expect(health.statusCode).toBe(200);
      expect(page.statusCode).toBe(200);
      // Both answered while the feed's search was still stuck in its process.
      expect(feedDone).toBe(false);
      const stuck = await feed;
      expect(stuck.statusCode).toBe(504);
      expect(stuck.json()).toMatchObject({ code: 'TIMEOUT', statusCode: 504 });
      expect(stuck.json().message).toMatch(/feed took longer than the 1500 ms/);
      expect((await queued).statusCode).toBe(503);
    } finally {
      await app.close();
    }
  });
});

describe('/api/stats', () => {
  it('reads its counters and overview through the query runner, not on the request thread', async () => {
    const db = openDb(':memory:');
    const inline = inlineSearchRunner(db);
    const kinds: QueryJob['kind'][] = [];
    const runner: SearchRunner = { ...inline, run: (job, signal) => (kinds.push(job.kind), inline.run(job, signal)) };
    const app = buildApp({ db, searchRunner: runner });
    try {
      const res = await app.inject({ url: '/api/stats' });
      expect(res.statusCode).toBe(200);
      expect(kinds).toEqual(['stats']);
      expect(res.json()).toMatchObject({ counts: { messages: 0 }, overview: { lists: [], firstDate: null } });
      expect(res.json()).not.toHaveProperty('storage');
    } finally {
      await app.close();
    }
  });

  it('adds the bytes of each table with ?storage=1, read through the runner too, adding up to the file', async () => {
    const db = openDb(':memory:');
    const app = buildApp({ db, searchRunner: inlineSearchRunner(db) });
    try {
      const res = await app.inject({ url: '/api/stats?storage=1' });
      expect(res.statusCode).toBe(200);
      const s = res.json().storage as StorageStats;
      expect(s.tables.reduce((n, t) => n + t.bytes, 0) + s.freeBytes).toBe(s.fileBytes);
      expect(s.tables.find((t) => t.table === 'search_fts')?.parts.map((p) => p.kind)).toEqual(['shadow', 'shadow', 'shadow', 'shadow']);
      expect(s.tables.find((t) => t.table === 'messages')?.parts).toContainEqual({ name: 'messages_date', kind: 'index', bytes: s.pageSize });
      expect((await app.inject({ url: '/api/stats?storage=maybe' })).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
