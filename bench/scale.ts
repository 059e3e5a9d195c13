// How loregraph grows with the archive: generated lore-shaped archives of SCALE_SIZES
// messages (default 100000,300000,1000000; SCALE_SIZES=20000,60000 for a quick look), each
// ingested from scratch into its own database, then:
//  - ingest msg/s and peak RSS (a child process each, so RSS is the ingest's own);
//  - bytes per message on disk (database after its WAL is checkpointed);
//  - six reference queries' p50/p99 in-process (one at a time) and over HTTP (a served
//    `loregraph serve`, one request at a time, so latency is service, not queueing): each
//    search run afresh (Cache-Control: no-cache, as a hard reload asks), and the same
//    answered from the server's recent answers, as a repeated page is;
//  - thread view and series view latency, in-process and over HTTP.
// Goals (issue #17 item 4): ingest rate at the largest size >= 0.9x the smallest's, RSS
// flat, query p99 at the largest within 2x of the smallest and under 50 ms. The ratios
// are printed against the smallest size of the same run.
// First the generator's shapes beside the real lore archives' (../shared/corpus): message
// size quantiles, patch and reply share, thread sizes and depths.
//   node --import tsx bench/scale.ts
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import type { IngestSummary } from '../ingest/pipeline.ts';
import { getSeries } from '../db/series.ts';
import { getThreadTree, threadAssignments } from '../db/threads.ts';
import { readArchive } from '../ingest/read/index.ts';
import { searchMessages } from '../server/search.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';
import { BENCH_OUT, generateArchive, type ArchiveShape } from './generate-archive.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The generator's lore shape by default (bench/generate-archive.ts); SCALE_SHAPE=classic for the archive the other benches use. */
const SHAPE: ArchiveShape = process.env.SCALE_SHAPE === 'classic' ? 'classic' : 'lore';
const SIZES = (process.env.SCALE_SIZES ?? '100000,300000,1000000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

// ---- shapes: what the generator writes beside what lore holds ----

interface Shape {
  messages: number;
  sizes: number[];
  patchShare: number;
  replyShare: number;
  threadSizes: number[];
  depths: number[];
}

async function archiveShape(paths: string[], db: Db, sample: number): Promise<Shape> {
  const sizes: number[] = [];
  let patches = 0;
  let replies = 0;
  let seen = 0;
  for (const p of paths) {
    await readArchive(p, async (m) => {
      seen++;
      if (sizes.length >= sample) return;
      sizes.push(m.bytes.length);
      const head = m.bytes.subarray(0, 8192).toString('latin1');
      const end = head.search(/\r?\n\r?\n/);
      const h = end < 0 ? head : head.slice(0, end);
      // a patch mail itself, not a reply to one
      if (/^Subject:\s*\[[^\]]*PATCH/im.test(h)) patches++;
      if (/^In-Reply-To:/im.test(h)) replies++;
    });
    if (sizes.length >= sample) break;
  }
  const nodes = threadAssignments(db);
  const parent = new Map(nodes.map((n) => [n.messageId, n.parent]));
  const perRoot = new Map<string, number>();
  const depths: number[] = [];
  for (const n of nodes) {
    if (n.ghost) continue;
    perRoot.set(n.root, (perRoot.get(n.root) ?? 0) + 1);
    let d = 0;
    for (let p = n.parent; p !== null && d < 1000; p = parent.get(p) ?? null) d++;
    depths.push(d);
  }
  return { messages: seen, sizes, patchShare: patches / sizes.length, replyShare: replies / sizes.length, threadSizes: [...perRoot.values()], depths };
}

function shapeLine(label: string, s: Shape): string {
  const q = (xs: number[]) => `${quantile(xs, 0.5)}/${quantile(xs, 0.9)}/${quantile(xs, 0.99)}`;
  return (
    `  ${label.padEnd(34)} size p50/p90/p99 ${q(s.sizes.map((b) => Math.round(b / 100) / 10)).padEnd(16)} KB  patches ${(s.patchShare * 100).toFixed(0).padStart(2)}%  replies ${(s.replyShare * 100).toFixed(0).padStart(2)}%` +
    `  thread size p50/p90/p99 ${q(s.threadSizes).padEnd(10)}  depth p50/p90/p99 ${q(s.depths)}`
  );
}

// ---- one size ----

interface IngestFigures {
  stored: number;
  seconds: number;
  rssMB: number;
  /**
   * Storing the messages, building held-back indexes, the end-of-run passes (series, stable,
   * knowledge); peakRssMB is absent from the figures of a run before it was recorded (SCALE_REUSE).
   */
  phases: { loadS: number; indexS: number; finishS: number; peakRssMB?: IngestSummary['phases']['peakRssMB'] };
}

/** Runs in a child: one clean ingest, figures as JSON on stdout. */
async function child(dbPath: string, paths: string[]): Promise<void> {
  const { ingestPaths } = await import('../ingest/pipeline.ts');
  const { optimizeSearchIndex } = await import('../db/search.ts');
  // as `loregraph ingest` runs
  (await import('../ingest/heap-growth.ts')).tightenHeapGrowth();
  const db = openDb(dbPath);
  const t0 = performance.now();
  const s = await ingestPaths(db, paths, { batchSize: 2000 });
  const seconds = (performance.now() - t0) / 1000;
  // As bench/search.ts serves it: one index segment after a bulk load (timed apart, not in the rate).
  optimizeSearchIndex(db);
  closeDb(db);
  const phases = { loadS: s.phases.loadMs / 1000, indexS: s.phases.indexMs / 1000, finishS: s.phases.finishMs / 1000, peakRssMB: s.phases.peakRssMB };
  process.stdout.write(JSON.stringify({ stored: s.stored, seconds, rssMB: process.resourceUsage().maxRSS / 1024, phases } satisfies IngestFigures));
}

/**
 * SCALE_REUSE=1: a database this bench ingested before (its figures beside it) is queried
 * again without ingesting it anew, to measure a change on the query side in minutes rather
 * than the quarter hour a million messages take to ingest.
 */
const REUSE = process.env.SCALE_REUSE === '1';

function ingestInChild(dbPath: string, paths: string[]): IngestFigures {
  const figures = `${dbPath}.ingest.json`;
  if (REUSE && existsSync(dbPath) && existsSync(figures)) {
    console.log(`  (SCALE_REUSE: the database and ingest figures of an earlier run, ${statSync(figures).mtime.toISOString()})`);
    return JSON.parse(readFileSync(figures, 'utf8')) as IngestFigures;
  }
  for (const s of ['', '-wal', '-shm', '.ingest.json']) rmSync(dbPath + s, { force: true });
  const res = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dbPath, ...paths], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (res.status !== 0) throw new Error(`scale ingest child failed (${res.status})`);
  writeFileSync(figures, res.stdout);
  return JSON.parse(res.stdout) as IngestFigures;
}

function referenceQueries(newest: number): [string, string][] {
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
  return [
    ['one term', 'writeback'],
    ['two terms', 'folio truncate'],
    ['phrase', '"lock ordering"'],
    ['subject prefix', 's:readah*'],
    ['file name', 'dfn:mm/filemap.c'],
    ['term, last 30 days', `lock d:${day(newest - 30 * 86_400_000)}..`],
  ];
}

interface Lat {
  p50: number;
  p99: number;
}

function latencies(times: number[]): Lat {
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

function timeSync(n: number, f: (i: number) => void): Lat {
  for (let i = 0; i < Math.min(5, n); i++) f(i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f(i);
    times.push(performance.now() - t0);
  }
  return latencies(times);
}

function get(url: string, fresh = false): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, fresh ? { headers: { 'cache-control': 'no-cache' } } : {}, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`${url}: ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

/** `fresh`: every request asks for the search to be run (no answer from the server's cache). */
async function timeHttp(n: number, url: (i: number) => string, fresh = false): Promise<Lat> {
  for (let i = 0; i < Math.min(5, n); i++) await get(url(i), fresh);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await get(url(i), fresh);
    times.push(performance.now() - t0);
  }
  return latencies(times);
}

async function spawnServer(dbPath: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = spawn(process.execPath, [join(here, '..', 'bin', 'loregraph.js'), 'serve', '--db', dbPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = / at (http:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    server.once('exit', (code) => reject(new Error(`loregraph serve exited with ${code}: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}

interface SizeFigures {
  size: number;
  ingest: IngestFigures;
  bytesPerMessage: number;
  /** http: the search run for each request; httpCached: answered from recent answers. */
  queries: { name: string; q: string; inProcess: Lat; http: Lat; httpCached: Lat }[];
  thread: { inProcess: Lat; http: Lat };
  series: { inProcess: Lat; http: Lat };
}

const RUNS = Number(process.env.SCALE_RUNS ?? 100);

async function benchSize(size: number): Promise<SizeFigures> {
  const t0 = performance.now();
  const archive = generateArchive(size, undefined, 42, SHAPE);
  console.log(`\n${size} messages: archive ${(archive.bytes / 1e6).toFixed(0)} MB (${((performance.now() - t0) / 1000).toFixed(0)} s to generate or find)`);
  const dbPath = join(BENCH_OUT, `scale-${SHAPE}-${size}.db`);
  const ingest = ingestInChild(dbPath, [archive.path]);
  const disk = statSync(dbPath).size + (existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0);
  console.log(
    `  ingest: ${ingest.stored} stored in ${ingest.seconds.toFixed(0)} s, ${(ingest.stored / ingest.seconds).toFixed(0)} msg/s, peak RSS ${ingest.rssMB.toFixed(0)} MB; ` +
      `on disk ${(disk / 1e6).toFixed(0)} MB, ${(disk / ingest.stored).toFixed(0)} B/message (archive ${(archive.bytes / size).toFixed(0)} B/message)`,
  );
  const ph = ingest.phases;
  console.log(`  ingest phases: storing ${ph.loadS.toFixed(0)} s (${(ingest.stored / ph.loadS).toFixed(0)} msg/s), held-back indexes ${ph.indexS.toFixed(0)} s, end-of-run passes ${ph.finishS.toFixed(0)} s; peak RSS by the end of each ${ph.peakRssMB ? `${ph.peakRssMB.load} / ${ph.peakRssMB.index} / ${ph.peakRssMB.finish} MB` : '(not recorded)'}`);

  const db = openDb(dbPath, { readonly: true });
  const newest = Date.parse(searchMessages(db, 'd:1970..2100', { sort: 'date', limit: 1 }).hits[0]?.date ?? new Date().toISOString());
  // Thread and series probes: the newest patch mails' threads and series (a page a user opens).
  const probes = searchMessages(db, 's:patch', { sort: 'date', limit: 50 }).hits;
  const threadIds = probes.map((h) => h.threadId);
  const seriesIds = probes.filter((h) => {
    try {
      getSeries(db, h.messageId);
      return true;
    } catch {
      return false;
    }
  }).map((h) => h.messageId);
  const queries = referenceQueries(newest).map(([name, q]) => ({ name, q, inProcess: timeSync(RUNS, () => searchMessages(db, q, { limit: 20 })) }));
  const threadIn = timeSync(RUNS, (i) => getThreadTree(db, threadIds[i % threadIds.length] as string));
  const seriesIn = seriesIds.length ? timeSync(RUNS, (i) => getSeries(db, seriesIds[i % seriesIds.length] as string)) : { p50: NaN, p99: NaN };
  closeDb(db);

  const server = await spawnServer(dbPath);
  try {
    // Measured once warm: the knowledge index's build after listening stalls the server for seconds.
    for (let i = 0; ; i++) {
      // on a loaded machine a request may be cut off while the index builds: ask again
      const ok = await get(`${server.url}api/index/knowledge.json`).then(() => true, () => false);
      if (ok || i >= 20) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const withHttp: SizeFigures['queries'] = [];
    for (const q of queries) {
      const url = (): string => `${server.url}api/search?q=${encodeURIComponent(q.q)}&limit=20`;
      withHttp.push({ ...q, http: await timeHttp(RUNS, url, true), httpCached: await timeHttp(RUNS, url) });
    }
    const threadHttp = await timeHttp(RUNS, (i) => `${server.url}api/threads/${encodeURIComponent(threadIds[i % threadIds.length] as string)}`);
    const seriesHttp = seriesIds.length
      ? await timeHttp(RUNS, (i) => `${server.url}api/series/${encodeURIComponent(seriesIds[i % seriesIds.length] as string)}`)
      : { p50: NaN, p99: NaN };
    const f: SizeFigures = { size, ingest, bytesPerMessage: disk / ingest.stored, queries: withHttp, thread: { inProcess: threadIn, http: threadHttp }, series: { inProcess: seriesIn, http: seriesHttp } };
    const ms = (l: Lat) => `${l.p50.toFixed(2).padStart(6)} ${l.p99.toFixed(2).padStart(6)}`;
    console.log(`  ${'p50/p99 ms, one at a time'.padEnd(42)} ${'in-process'.padStart(13)}  ${'HTTP, run'.padStart(13)}  ${'HTTP, cached'.padStart(13)}`);
    for (const q of f.queries) console.log(`  ${`${q.name}: ${q.q}`.padEnd(42)} ${ms(q.inProcess)}  ${ms(q.http)}  ${ms(q.httpCached)}`);
    console.log(`  ${`thread view (${threadIds.length} threads)`.padEnd(42)} ${ms(f.thread.inProcess)}  ${ms(f.thread.http)}`);
    console.log(`  ${`series view (${seriesIds.length} series)`.padEnd(42)} ${ms(f.series.inProcess)}  ${ms(f.series.http)}`);
    return f;
  } finally {
    await server.stop();
  }
}

async function printShapes(smallest: number): Promise<void> {
  const shapeSample = 20_000;
  console.log(`\nshapes (first ${shapeSample} messages of an archive; threads and depths over the whole database)`);
  const genDb = openDb(join(BENCH_OUT, `scale-${SHAPE}-${smallest}.db`), { readonly: true });
  console.log(shapeLine(`generated, ${SHAPE} (${smallest})`, await archiveShape([generateArchive(smallest, undefined, 42, SHAPE).path], genDb, shapeSample)));
  closeDb(genDb);
  const realDb = process.env.SCALE_REAL_DB;
  if (HAS_SHARED && realDb && existsSync(realDb)) {
    const lore = [
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'),
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'),
      sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'),
    ];
    const db = openDb(realDb, { readonly: true });
    console.log(shapeLine('real lore (cifs + ppp; threads: SCALE_REAL_DB)', await archiveShape(lore, db, shapeSample)));
    closeDb(db);
  } else {
    console.log('  real lore: set SCALE_REAL_DB to a database ingested from ../shared/corpus lore archives to compare');
  }
}

function scalingLine(f: SizeFigures, smallest: SizeFigures): string {
  const rate = f.ingest.stored / f.ingest.seconds / (smallest.ingest.stored / smallest.ingest.seconds);
  const worst = f.queries
    .map((q, i) => ({ name: q.name, r: q.inProcess.p99 / (smallest.queries[i]?.inProcess.p99 ?? NaN) }))
    .sort((a, b) => b.r - a.r)[0];
  const maxP99 = Math.max(...f.queries.map((q) => q.inProcess.p99));
  const maxHttpP99 = Math.max(...f.queries.map((q) => q.http.p99));
  return (
    `  ${f.size} against ${smallest.size}: ingest ${rate.toFixed(2)}x msg/s, peak RSS ${(f.ingest.rssMB / smallest.ingest.rssMB).toFixed(2)}x, B/message ${(f.bytesPerMessage / smallest.bytesPerMessage).toFixed(2)}x, ` +
    `worst query p99 ${worst ? `${worst.r.toFixed(2)}x (${worst.name})` : '-'}, slowest p99 ${maxP99.toFixed(1)} ms in-process, ${maxHttpP99.toFixed(1)} ms over HTTP (run), ` +
    `thread p99 ${(f.thread.inProcess.p99 / smallest.thread.inProcess.p99).toFixed(2)}x, series p99 ${(f.series.inProcess.p99 / smallest.series.inProcess.p99).toFixed(2)}x`
  );
}

export async function run(): Promise<void> {
  console.log(`scale: ${SHAPE}-shaped archives of ${SIZES.join(', ')} messages; ${RUNS} runs a query; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  console.log('goals: ingest at each size >= 0.9x the smallest\'s msg/s, RSS flat, query p99 <= 2x the smallest\'s and < 50 ms');
  const all: SizeFigures[] = [];
  for (const size of SIZES) {
    const f = await benchSize(size);
    all.push(f);
    // Printed as each size ends: the largest takes long, and what came before stands on its own.
    if (all.length === 1) await printShapes(size);
    else console.log(scalingLine(f, all[0] as SizeFigures));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--child') await child(process.argv[3] as string, process.argv.slice(4));
  else await run();
}
