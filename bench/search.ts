// Search throughput and latency through the HTTP API: autocannon at concurrency 10 on
// 127.0.0.1 against /api/search with typical queries (one to three terms, a prefix, a
// date range, a file name), on the shared lore corpus and on a generated
// 200,000-message archive; plus Atom feed and thread mbox streaming in messages/s.
// Baseline: /api/healthz in the same run, so figures read as a fraction of what the
// framework alone serves on this machine. Run alone: node --import tsx bench/search.ts
// (SEARCH_BENCH_MESSAGES=20000 for a quicker look, SEARCH_BENCH_SHARED_ONLY=1 for the real corpus only,
// SEARCH_BENCH_GENERATED_ONLY=1 for the generated archive only, SEARCH_BENCH_WORKERS=N for serve --search-workers N,
// SEARCH_BENCH_SECONDS=N per load run).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closeDb, openDb } from '../db/connection.ts';
import { countMessages } from '../db/messages.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { rebuildSearchIndex } from '../ingest/search-index-rebuild.ts';
import { searchIndexStale } from '../db/search.ts';
import { searchMessages } from '../server/search.ts';
import { sharedPath, HAS_SHARED } from '../test/helpers/shared.ts';
import { generateArchive } from './generate-archive.ts';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, 'out');
const MESSAGES = Number(process.env.SEARCH_BENCH_MESSAGES ?? 200_000);
const DURATION_S = Number(process.env.SEARCH_BENCH_SECONDS ?? 5);

// ---- databases, cached in bench/out/ ----

async function ensureDb(dbPath: string, sources: string[], expectAtLeast: number): Promise<{ messages: number; ingestS: number | null }> {
  if (existsSync(dbPath)) {
    const db = openDb(dbPath);
    const n = countMessages(db);
    if (n >= expectAtLeast && searchIndexStale(db) !== null) {
      // A migration changed what the index holds: rebuild it from the stored messages.
      const r = rebuildSearchIndex(db);
      console.log(`  ${dbPath}: search index rebuilt, ${r.indexed} messages in ${(r.elapsedMs / 1000).toFixed(0)} s`);
    }
    closeDb(db);
    if (n >= expectAtLeast) return { messages: n, ingestS: null };
  }
  const db = openDb(dbPath);
  const t0 = performance.now();
  try {
    let last = 0;
    await ingestPaths(db, sources, {
      batchSize: 2000,
      onProgress: (p) => {
        if (p.stored - last >= 20_000) {
          last = p.stored;
          console.log(`  ingest ${dbPath}: ${p.stored} messages, ${(p.elapsedMs / 1000).toFixed(0)} s`);
        }
      },
    });
    const { optimizeSearchIndex } = await import('../db/search.ts');
    optimizeSearchIndex(db);
    return { messages: countMessages(db), ingestS: (performance.now() - t0) / 1000 };
  } finally {
    closeDb(db);
  }
}

// ---- load ----

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Cannon = (opts: { url: string; connections: number; duration: number }) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

async function load(url: string, duration = DURATION_S): Promise<CannonResult> {
  const r = await autocannon({ url, connections: 10, duration });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx and ${r.errors} errors under load`);
  return r;
}

/** Typical queries; the date range is the two months around the median message date. */
function queries(middle: number): [string, string][] {
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
  const from = day(middle - 30 * 86_400_000);
  const to = day(middle + 30 * 86_400_000);
  return [
    ['one term', 'writeback'],
    ['two terms', 'folio truncate'],
    ['three terms', 'race truncate readahead'],
    ['prefix', 's:readah*'],
    ['date range', `d:${from}..${to}`],
    ['term + dates', `lock d:${from}..`],
    ['file name', 'dfn:mm/filemap.c'],
    ['hunk function', 'dfhh:filemap_get_pages'],
    ['date sort', 'lock'],
  ];
}

/**
 * `loregraph serve` in its own process, as deployed: autocannon in this process would
 * otherwise share the server's event loop and CPU.
 */
async function spawnServer(dbPath: string): Promise<{ url: string; cpuMs: () => number; stop: () => Promise<void> }> {
  // SEARCH_BENCH_WORKERS=0 measures searches on the request thread (the default is the server's pool).
  const workers = process.env.SEARCH_BENCH_WORKERS === undefined ? [] : ['--search-workers', process.env.SEARCH_BENCH_WORKERS];
  const child = spawn(process.execPath, [join(here, '..', 'bin', 'loregraph.js'), 'serve', '--db', dbPath, '--port', '0', ...workers], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = / at (http:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`loregraph serve exited with ${code} before listening: ${out}`)));
  });
  return {
    url,
    cpuMs: () => processCpuMs(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * CPU time a process has used, all threads, from /proc (Linux; NaN elsewhere): the
 * server's CPU per request holds steadier than latency on a shared machine.
 */
function processCpuMs(pid: number | undefined): number {
  try {
    // Fields 14 and 15 (utime, stime) after the parenthesised command name, in clock ticks (100 Hz).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

async function benchDb(label: string, dbPath: string): Promise<void> {
  const server = await spawnServer(dbPath);
  try {
    const base = server.url;
    await load(`${base}api/healthz`, 1); // warm-up
    const healthz = await load(`${base}api/healthz`);
    console.log(`\n${label}: baseline /api/healthz ${healthz.requests.average.toFixed(0)} req/s, p99 ${healthz.latency.p99} ms`);
  
    const probe = openDb(dbPath, { readonly: true });
    const dated = searchMessages(probe, 'd:1970..2100', { limit: 1 }).total;
    const median = searchMessages(probe, 'd:1970..2100', { sort: 'date', offset: Math.min(100_000, Math.floor(dated / 2)), limit: 1 }).hits[0];
    const middle = Date.parse(median?.date ?? new Date().toISOString());
    // Service time in-process, one request at a time: what a query costs us without HTTP or queueing.
    const service = new Map<string, number>();
    for (const [name, q] of queries(middle)) {
      const sort = name === 'date sort' ? 'date' : 'relevance';
      const times: number[] = [];
      for (let i = 0; i < 21; i++) {
        const t0 = performance.now();
        searchMessages(probe, q, { sort, limit: 20 });
        times.push(performance.now() - t0);
      }
      service.set(name, times.sort((a, b) => a - b)[10] as number);
    }
    closeDb(probe);
    console.log(`  ${'query'.padEnd(40)} ${'req/s'.padStart(6)}  ${'of healthz'.padStart(11)}  ${'p50'.padStart(6)}  ${'p99'.padStart(6)}  ${'service'.padStart(8)}  ${'cpu/req'.padStart(8)}  (ms)`);
    for (const [name, q] of queries(middle)) {
      const sort = name === 'date sort' ? '&sort=date' : '';
      const cpu0 = server.cpuMs();
      const r = await load(`${base}api/search?q=${encodeURIComponent(q)}&limit=20${sort}`);
      const cpuPerReq = (server.cpuMs() - cpu0) / r.requests.total;
      console.log(
        `  ${`${name}: ${q}`.padEnd(40)} ${r.requests.average.toFixed(0).padStart(6)}  ${(r.requests.average / healthz.requests.average).toFixed(3).padStart(11)}  ${String(r.latency.p50).padStart(6)}  ${String(r.latency.p99).padStart(6)}  ${(service.get(name) ?? NaN).toFixed(2).padStart(8)}  ${cpuPerReq.toFixed(2).padStart(8)}`,
      );
    }
    // Streaming: entries per response times responses per second.
    const feed = await load(`${base}api/feed.atom?q=${encodeURIComponent('lock')}&limit=200`);
    console.log(`  Atom feed, 200 entries/response: ${(feed.requests.average * 200).toFixed(0)} messages/s (p99 ${feed.latency.p99} ms)`);
    const db = openDb(dbPath, { readonly: true });
    const { largestThread } = await threadProbe(db);
    closeDb(db);
    if (largestThread) {
      const mbox = await load(`${base}api/threads/${encodeURIComponent(largestThread.root)}/mbox`);
      console.log(
        `  thread mbox, ${largestThread.messages} messages/response: ${(mbox.requests.average * largestThread.messages).toFixed(0)} messages/s (p99 ${mbox.latency.p99} ms)`,
      );
    }
  } finally {
    await server.stop();
  }
}

/** A large thread to download as mbox: the biggest among the threads of recent replies. */
async function threadProbe(db: ReturnType<typeof openDb>): Promise<{ largestThread: { root: string; messages: number } | null }> {
  const { threadMessageIds } = await import('../db/threads.ts');
  let best: { root: string; messages: number } | null = null;
  for (const hit of searchMessages(db, 's:re', { threads: true, limit: 200 }).hits) {
    const n = threadMessageIds(db, hit.threadId).length;
    if (!best || n > best.messages) best = { root: hit.messageId, messages: n };
  }
  return { largestThread: best };
}

export async function run(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  if (HAS_SHARED && !process.env.SEARCH_BENCH_GENERATED_ONLY) {
    const sources = [
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'),
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'),
      sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'),
    ];
    const shared = await ensureDb(join(OUT, 'search-shared.db'), sources, 1);
    console.log(`shared corpus: ${shared.messages} messages${shared.ingestS === null ? ' (cached)' : `, ingested in ${shared.ingestS.toFixed(0)} s`}`);
    await benchDb(`shared corpus (${shared.messages} messages)`, join(OUT, 'search-shared.db'));
  } else {
    console.log(process.env.SEARCH_BENCH_GENERATED_ONLY ? 'shared corpus: skipped (SEARCH_BENCH_GENERATED_ONLY)' : 'shared corpus absent: skipped');
  }

  if (process.env.SEARCH_BENCH_SHARED_ONLY) return;
  // The ingest engineer's generator: deterministic, kernel-like, cached in bench/out/.
  const t0 = performance.now();
  const archive = generateArchive(MESSAGES);
  console.log(`generated archive: ${archive.messages} messages, ${(archive.bytes / 1e6).toFixed(0)} MB (${((performance.now() - t0) / 1000).toFixed(0)} s, cached after the first run)`);
  const mbox = archive.path;
  const dbPath = join(OUT, `search-${MESSAGES}.db`);
  const gen = await ensureDb(dbPath, [mbox], MESSAGES);
  console.log(
    `generated archive: ${gen.messages} messages${gen.ingestS === null ? ' (cached)' : `, ingested in ${gen.ingestS.toFixed(0)} s (${(gen.messages / gen.ingestS).toFixed(0)} messages/s)`}, db ${(statSync(dbPath).size / 1e6).toFixed(0)} MB`,
  );
  await benchDb(`generated archive (${gen.messages} messages)`, dbPath);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
