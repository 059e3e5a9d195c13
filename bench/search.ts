// Search throughput and latency through the HTTP API: autocannon at concurrency 10 on
// 127.0.0.1 against /api/search with typical queries (one to three terms, a prefix, a
// date range, a file name), on the shared lore corpus and on a generated
// 200,000-message archive; plus Atom feed and thread mbox streaming in messages/s.
// Baseline: /api/healthz in the same run, so figures read as a fraction of what the
// framework alone serves on this machine. Run alone: node --import tsx bench/search.ts
// (SEARCH_BENCH_MESSAGES=20000 for a quicker look).
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closeDb, openDb } from '../db/connection.ts';
import { countMessages } from '../db/messages.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { startServer } from '../server/main.ts';
import { feedMessages } from '../server/query/search.ts';
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
  requests: { average: number };
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

/** Typical queries; the date range is the two months before the newest message. */
function queries(newest: number): [string, string][] {
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
  const from = day(newest - 60 * 86_400_000);
  return [
    ['one term', 'writeback'],
    ['two terms', 'folio truncate'],
    ['three terms', 'race truncate readahead'],
    ['prefix', 's:readah*'],
    ['date range', `d:${from}..${day(newest)}`],
    ['term + dates', `lock d:${from}..`],
    ['file name', 'dfn:mm/filemap.c'],
    ['hunk function', 'dfhh:filemap_get_pages'],
    ['date sort', 'lock'],
  ];
}

async function benchDb(label: string, dbPath: string): Promise<void> {
  const server = await startServer({ dbPath, port: 0, host: '127.0.0.1', seed: false });
  try {
    const base = server.url;
    await load(`${base}api/healthz`, 1); // warm-up
    const healthz = await load(`${base}api/healthz`);
    console.log(`\n${label}: baseline /api/healthz ${healthz.requests.average.toFixed(0)} req/s, p99 ${healthz.latency.p99} ms`);
  
    const probe = openDb(dbPath, { readonly: true });
    const newest = Date.parse(feedMessages(probe, '', 1)[0]?.date ?? new Date().toISOString());
    closeDb(probe);
    for (const [name, q] of queries(newest)) {
      const sort = name === 'date sort' ? '&sort=date' : '';
      const r = await load(`${base}api/search?q=${encodeURIComponent(q)}&limit=20${sort}`);
      console.log(
        `  ${`${name}: ${q}`.padEnd(40)} ${r.requests.average.toFixed(0).padStart(6)}  ${(r.requests.average / healthz.requests.average).toFixed(3).padStart(11)}  ${String(r.latency.p50).padStart(6)}  ${String(r.latency.p99).padStart(6)}`,
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
    await server.close();
  }
}

async function threadProbe(db: ReturnType<typeof openDb>): Promise<{ largestThread: { root: string; messages: number } | null }> {
  const { largestThreads } = (await import('../db/threads.ts')) as { largestThreads?: (db: unknown, n: number) => { root: string; messages: number }[] };
  if (typeof largestThreads === 'function') return { largestThread: largestThreads(db, 1)[0] ?? null };
  // Without a helper for it, take the thread of the newest reply: typically a long one.
  const [hit] = feedMessages(db, 's:re', 1);
  if (!hit) return { largestThread: null };
  const { threadMessageIds } = await import('../db/threads.ts');
  return { largestThread: { root: hit.messageId, messages: threadMessageIds(db, hit.threadId).length } };
}

export async function run(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  if (HAS_SHARED) {
    const sources = [
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'),
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'),
      sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'),
    ];
    const shared = await ensureDb(join(OUT, 'search-shared.db'), sources, 1);
    console.log(`shared corpus: ${shared.messages} messages${shared.ingestS === null ? ' (cached)' : `, ingested in ${shared.ingestS.toFixed(0)} s`}`);
    await benchDb(`shared corpus (${shared.messages} messages)`, join(OUT, 'search-shared.db'));
  } else {
    console.log('shared corpus absent: skipped');
  }

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
