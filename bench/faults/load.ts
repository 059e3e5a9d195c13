// Ingest and serve at once under load: `loregraph serve` on a copy of the 20,000-message
// archive while `loregraph ingest` writes 20,000 more into the same file, and autocannon
// holds 50 connections of searches for 30 s, from this process (serve and ingest run in
// their own). healthz is probed meanwhile as a monitor would, 50 times a second on 2 more
// connections: its latency under the load, not its own throughput, is the figure. Bounds:
// no 5xx, healthz p99 under 50 ms. Prints the figures, the machine's load average, and
// whether the ingest was still running at the end (it must overlap the whole load).
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { generateArchive } from '../generate-archive.ts';
import { servedArchive } from './hostile.ts';
import { OUT, serve, spawnCli, untilWarm } from './common.ts';

const DURATION_S = 30;
const SEARCH_CONNECTIONS = 50;
const HEALTH_CONNECTIONS = 2;
const HEALTH_RATE = 50;
const HEALTH_P99_BOUND_MS = 50;

interface CannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Cannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  requests?: { method: 'GET'; path: string }[];
  overallRate?: number;
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

// bench/search.ts's typical queries (a common term under a date range that excludes its
// matches costs seconds: bench/faults/hostile.ts has that one).
const SEARCHES = ['writeback', 'folio truncate', 'race truncate readahead', 's:readah*', 'dfn:mm/filemap.c', '"page cache"', 'f:mira s:mm', 'dfhh:filemap_get_pages'].map(
  (q) => ({ method: 'GET' as const, path: `/api/search?q=${encodeURIComponent(q)}` }),
);

function fiveXX(r: CannonResult): number {
  return Object.entries(r.statusCodeStats).reduce((n, [code, s]) => n + (Number(code) >= 500 ? s.count : 0), 0);
}

function line(name: string, r: CannonResult): string {
  const codes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([c, s]) => [c, s.count]));
  return `load: ${name}: ${r.requests.total} requests (${r.requests.average.toFixed(0)}/s), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, statuses ${JSON.stringify(codes)}, ${r.errors} errors, ${r.timeouts} timeouts`;
}

export async function loadWhileIngesting(): Promise<void> {
  const dir = join(OUT, 'load');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const base = await servedArchive();
  const db = join(dir, 'load.db');
  copyFileSync(base, db);
  if (existsSync(`${base}-wal`)) copyFileSync(`${base}-wal`, `${db}-wal`);
  const more = generateArchive(20_000, join(dir, 'more.mboxrd'), 99).path;
  const s = await serve(db);
  await untilWarm(s, 'load');
  // LOAD_WITHOUT_INGEST=1: the same load alone, as a baseline.
  const ingest = spawnCli(process.env.LOAD_WITHOUT_INGEST ? ['stats', '--db', db] : ['ingest', more, '--db', db]);
  let ingestEnd: number | null = null;
  const ingestDone = new Promise<number | null>((resolve) =>
    ingest.once('exit', (code) => {
      ingestEnd = performance.now();
      resolve(code);
    }),
  );
  const t0 = performance.now();
  try {
    const [searches, health] = await Promise.all([
      autocannon({ url: s.url, connections: SEARCH_CONNECTIONS, duration: DURATION_S, requests: SEARCHES }),
      autocannon({ url: `${s.url}api/healthz`, connections: HEALTH_CONNECTIONS, duration: DURATION_S, overallRate: HEALTH_RATE }),
    ]);
    const overlapped = ingestEnd === null ? 'the whole load' : `${((ingestEnd - t0) / 1000).toFixed(1)} s of it`;
    console.log(`load: ${SEARCH_CONNECTIONS} connections of searches for ${DURATION_S} s while an ingest of 20,000 messages ran (it overlapped ${overlapped}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
    console.log(line(`search (${SEARCH_CONNECTIONS} connections)`, searches));
    console.log(line(`healthz (probed ${HEALTH_RATE}/s)`, health));
    const errors5xx = fiveXX(searches) + fiveXX(health);
    const ok = errors5xx === 0 && health.latency.p99 < HEALTH_P99_BOUND_MS;
    console.log(`load: ${errors5xx} 5xx, healthz p99 ${health.latency.p99} ms (bound ${HEALTH_P99_BOUND_MS} ms): ${ok ? 'ok' : 'FAIL'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await s.stop();
    if (ingestEnd === null) ingest.kill('SIGKILL');
    await ingestDone;
  }
}
