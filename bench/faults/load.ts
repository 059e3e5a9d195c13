// Ingest and serve at once under load: `loregraph serve` on a copy of the 20,000-message
// archive while `loregraph ingest` writes 20,000 more into the same file, and autocannon
// holds 50 connections for 30 s: 40 on searches, 10 on healthz, from this process (serve and
// ingest run in their own). Bounds: no 5xx, healthz p99 under 50 ms. Prints the figures
// and whether the ingest was still running at the end (it must overlap the whole load).
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { generateArchive } from '../generate-archive.ts';
import { servedArchive } from './hostile.ts';
import { OUT, serve, spawnCli } from './common.ts';

const DURATION_S = 30;
const SEARCH_CONNECTIONS = 40;
const HEALTH_CONNECTIONS = 10;
const HEALTH_P99_BOUND_MS = 50;

interface CannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Cannon = (opts: { url: string; connections: number; duration: number; requests?: { method: 'GET'; path: string }[] }) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const SEARCHES = ['writeback', 'folio truncate', 's:readah*', 'dfn:mm/filemap.c', 'lock d:2023-01-01..', '"page cache"', 'f:mira s:mm', 'dfhh:filemap_get_pages'].map(
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
  const ingest = spawnCli(['ingest', more, '--db', db]);
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
      autocannon({ url: `${s.url}api/healthz`, connections: HEALTH_CONNECTIONS, duration: DURATION_S }),
    ]);
    const overlapped = ingestEnd === null ? 'the whole load' : `${((ingestEnd - t0) / 1000).toFixed(1)} s of it`;
    console.log(`load: ${SEARCH_CONNECTIONS + HEALTH_CONNECTIONS} connections for ${DURATION_S} s while an ingest of 20,000 messages ran (it overlapped ${overlapped})`);
    console.log(line(`search (${SEARCH_CONNECTIONS} connections)`, searches));
    console.log(line(`healthz (${HEALTH_CONNECTIONS} connections)`, health));
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
