// Search throughput and latency through the HTTP API: autocannon at concurrency 10 on
// 127.0.0.1 against /api/search with typical queries (one to three terms, a prefix, a
// date range, a file name), on the shared lore corpus and on a generated
// 200,000-message archive; plus Atom feed and thread mbox streaming in messages/s.
// Baseline: /api/healthz in the same run, so figures read as a fraction of what the
// framework alone serves on this machine. Run alone: node --import tsx bench/search.ts
// (SEARCH_BENCH_MESSAGES=20000 for a quicker look, SEARCH_BENCH_SHARED_ONLY=1 for the real corpus only,
// SEARCH_BENCH_GENERATED_ONLY=1 for the generated archive only, SEARCH_BENCH_WORKERS=N for serve --search-workers N,
// SEARCH_BENCH_SECONDS=N per load run).
// First, issue #17 item 5: the one-term search (20 hits with snippets, 10 connections) on
// the real archives (linux-cifs, the race samples, linux-ppp) against the path before it
// (LOREGRAPH_SEARCH_PATH=objects), alternating servers in the same run, each beside its
// own healthz; SEARCH_BENCH_ONE_TERM_ONLY=1 for that part alone, SEARCH_BENCH_DB=FILE for another database.
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
interface CannonRequest {
  setupRequest: (req: { path?: string }) => { path?: string };
}
type Cannon = (opts: { url: string; connections: number; duration: number; requests?: CannonRequest[] }) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

async function load(url: string, duration = DURATION_S, paths?: () => string): Promise<CannonResult> {
  const r = await autocannon({ url, connections: 10, duration, ...(paths ? { requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }] } : {}) });
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
async function spawnServer(dbPath: string, env: Record<string, string> = {}): Promise<{ url: string; cpuMs: () => number; stop: () => Promise<void> }> {
  // SEARCH_BENCH_WORKERS=0 measures searches on the request thread (the default is the server's pool).
  const workers = process.env.SEARCH_BENCH_WORKERS === undefined ? [] : ['--search-workers', process.env.SEARCH_BENCH_WORKERS];
  const child = spawn(process.execPath, [join(here, '..', 'bin', 'loregraph.js'), 'serve', '--db', dbPath, '--port', '0', ...workers], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
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

// ---- issue #17 item 5: the one-term search against the path before it ----

/** Words of recent subjects, each a one-term query with hits: a stream of searches no cache has seen. */
function distinctWords(dbPath: string, n: number): string[] {
  const db = openDb(dbPath, { readonly: true });
  try {
    const words = new Set<string>();
    for (let offset = 0; words.size < n && offset < 20_000; offset += 200) {
      const hits = searchMessages(db, 'd:1970..2100', { sort: 'date', offset, limit: 200 }).hits;
      if (hits.length === 0) break;
      for (const h of hits) for (const w of h.subject.toLowerCase().match(/[a-z]{5,}/g) ?? []) words.add(w);
    }
    return [...words].slice(0, n);
  } finally {
    closeDb(db);
  }
}

interface PathFigures {
  healthz: CannonResult;
  repeated: CannonResult;
  distinct: CannonResult;
}

/** Waits for the knowledge index (built once the server listens); on a loaded machine a request may be cut off meanwhile, so it asks again. */
async function untilWarm(base: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await (await fetch(`${base}api/index/knowledge.json`)).arrayBuffer();
      return;
    } catch (e) {
      if (i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function measurePath(dbPath: string, env: Record<string, string>, term: string, words: string[], round: number): Promise<PathFigures> {
  const server = await spawnServer(dbPath, env);
  try {
    const base = server.url;
    const search = (q: string) => `/api/search?q=${encodeURIComponent(q)}&limit=20`;
    // Measured once warm: the knowledge index's build after listening stalls the server for seconds.
    await untilWarm(base);
    await load(`${base}api/healthz`, 1);
    await load(`${base}${search(term).slice(1)}`, 1);
    const before = await load(`${base}api/healthz`);
    const repeated = await load(`${base}${search(term).slice(1)}`);
    // Each round its own slice of the words, so no server has answered them before.
    let i = round * 7919;
    const distinct = await load(`${base}api/healthz`, DURATION_S, () => search(words[i++ % words.length] as string));
    const after = await load(`${base}api/healthz`);
    // healthz before and after, averaged: the machine's load moves during a round.
    const healthz = { ...after, requests: { ...after.requests, average: (before.requests.average + after.requests.average) / 2 } };
    return { healthz, repeated, distinct };
  } finally {
    await server.stop();
  }
}

async function oneTermAgainstOldPath(dbPath: string, label: string): Promise<void> {
  const term = process.env.SEARCH_BENCH_TERM ?? 'writeback';
  const words = distinctWords(dbPath, 20_000);
  const probe = openDb(dbPath, { readonly: true });
  const r = searchMessages(probe, term, { limit: 20 });
  closeDb(probe);
  console.log(
    `\none-term search at 10 connections, ${label}: q=${term} (${r.total}${r.totalExact ? '' : '+'} matches, ${r.hits.length} hits with snippets); ` +
      `distinct: a new subject word each request (${words.length} words), what a cache does not see`,
  );
  const paths: [string, Record<string, string>][] = [
    ['old path (objects over IPC, no cache)', { LOREGRAPH_SEARCH_PATH: 'objects' }],
    ['new path (text over IPC, recent answers)', {}],
  ];
  const rounds = Number(process.env.SEARCH_BENCH_ROUNDS ?? 2);
  const got = new Map<string, PathFigures[]>();
  const fmt = (c: CannonResult) => `${c.requests.average.toFixed(0).padStart(6)} req/s p50 ${String(c.latency.p50).padStart(4)} p99 ${String(c.latency.p99).padStart(4)} ms`;
  for (let round = 0; round < rounds; round++) {
    // Alternating, so drift in the machine's load falls on both paths alike.
    for (const [name, env] of round % 2 === 0 ? paths : [...paths].reverse()) {
      const f = await measurePath(dbPath, env, term, words, round);
      got.set(name, [...(got.get(name) ?? []), f]);
      console.log(
        `  round ${round + 1} ${name.padEnd(42)} healthz ${f.healthz.requests.average.toFixed(0).padStart(6)} req/s | repeated ${fmt(f.repeated)} | distinct ${fmt(f.distinct)}`,
      );
    }
  }
  // Each search rate as a share of its own server's healthz, then new over old: the machine's load cancels out.
  const share = (fs: PathFigures[], k: 'repeated' | 'distinct') => median(fs.map((f) => f[k].requests.average / f.healthz.requests.average));
  const raw = (fs: PathFigures[], k: 'repeated' | 'distinct') => median(fs.map((f) => f[k].requests.average));
  const [oldF, newF] = paths.map(([n]) => got.get(n) ?? []) as [PathFigures[], PathFigures[]];
  for (const k of ['repeated', 'distinct'] as const) {
    console.log(
      `  ${k}: new/old ${(raw(newF, k) / raw(oldF, k)).toFixed(2)}x req/s, ${(share(newF, k) / share(oldF, k)).toFixed(2)}x as a share of healthz ` +
        `(old ${(share(oldF, k) * 100).toFixed(1)}%, new ${(share(newF, k) * 100).toFixed(1)}% of healthz; medians of ${rounds} rounds; goal >= 4x)`,
    );
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function run(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  if (process.env.SEARCH_BENCH_DB || HAS_SHARED) {
    const dbPath = process.env.SEARCH_BENCH_DB ?? join(OUT, 'search-real.db');
    if (!process.env.SEARCH_BENCH_DB) {
      const sources = [
        sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'),
        sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'),
        sharedPath('corpus', 'race-samples', 'linux-erofs.race-sample.mbox.gz'),
        sharedPath('corpus', 'race-samples', 'linux-f2fs-devel.race-sample.mbox.gz'),
        sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'),
      ];
      const real = await ensureDb(dbPath, sources, 1);
      console.log(`real archives: ${real.messages} messages${real.ingestS === null ? ' (cached)' : `, ingested in ${real.ingestS.toFixed(0)} s`}`);
    }
    await oneTermAgainstOldPath(dbPath, process.env.SEARCH_BENCH_DB ? dbPath : 'real archives (linux-cifs, race samples, linux-ppp)');
    if (process.env.SEARCH_BENCH_ONE_TERM_ONLY) return;
  }
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
