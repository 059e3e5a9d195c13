// Ingest and serve at once under load: `loregraph serve` on a copy of the 20,000-message
// archive, autocannon holding 50 connections of searches for 30 s, twice on the same warm
// server: first alone (the baseline), then while `loregraph ingest` writes 20,000 more
// messages into the same file. healthz is probed meanwhile as a monitor would, 50 times a
// second from a process of its own (bench/faults/healthz-monitor.ts): its latency under
// the load, not its own throughput, is the figure. Bounds, in both rounds: no 5xx, healthz
// p99 under 50 ms. Prints the figures, the machine's load average, and whether the ingest
// was still running at the end (it must overlap the whole load).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { generateArchive } from '../generate-archive.ts';
import { servedArchive } from './hostile.ts';
import { OUT, REPO, serve, spawnCli, untilWarm, type Served } from './common.ts';

const DURATION_S = 30;
const SEARCH_CONNECTIONS = 50;
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
  return `load: ${name}: ${r.requests.total} requests (${(r.requests.total / DURATION_S).toFixed(0)}/s), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, statuses ${JSON.stringify(codes)}, ${r.errors} errors, ${r.timeouts} timeouts`;
}

/** healthz from its own process for `seconds`. */
function monitor(url: string): Promise<CannonResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'faults', 'healthz-monitor.ts'), url, String(DURATION_S), String(HEALTH_RATE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as CannonResult) : reject(new Error(`the healthz monitor exited ${code}`)))),
  );
}

/**
 * What the served process's main thread (its request thread: Linux gives it the process id
 * as thread id) has run and has waited runnable for a core, in ms (/proc schedstat); null
 * off Linux. Unlike latencies on a shared two-core machine, the CPU each request costs
 * that thread hardly depends on what else runs, and the wait says how much of a latency
 * was the machine's run queue rather than the server.
 */
function requestThreadSched(pid: number | undefined): { ranMs: number; waitedMs: number } | null {
  try {
    const [ran, waited] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return ran === undefined || waited === undefined ? null : { ranMs: ran / 1e6, waitedMs: waited / 1e6 };
  } catch {
    return null;
  }
}

/** One round of the load; `ingest` runs beside it when given. Returns whether its bounds held. */
async function round(name: string, s: Served, ingestArgs: string[] | null): Promise<boolean> {
  const ingest = ingestArgs ? spawnCli(ingestArgs) : null;
  let ingestEnd: number | null = null;
  const ingestDone = ingest
    ? new Promise<number | null>((resolve) =>
        ingest.once('exit', (code) => {
          ingestEnd = performance.now();
          resolve(code);
        }),
      )
    : null;
  const t0 = performance.now();
  const sched0 = requestThreadSched(s.child.pid);
  try {
    const [searches, health] = await Promise.all([autocannon({ url: s.url, connections: SEARCH_CONNECTIONS, duration: DURATION_S, requests: SEARCHES }), monitor(`${s.url}api/healthz`)]);
    const overlapped = ingest === null ? '' : ingestEnd === null ? ' while an ingest of 20,000 messages ran (it overlapped the whole load)' : ` while an ingest of 20,000 messages ran (it overlapped ${((ingestEnd - t0) / 1000).toFixed(1)} s of it)`;
    console.log(`load: ${name}: ${SEARCH_CONNECTIONS} connections of searches for ${DURATION_S} s${overlapped}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
    console.log(line(`${name}: search (${SEARCH_CONNECTIONS} connections)`, searches));
    console.log(line(`${name}: healthz (probed ${HEALTH_RATE}/s from its own process)`, health));
    const sched1 = requestThreadSched(s.child.pid);
    if (sched0 !== null && sched1 !== null) {
      const ran = sched1.ranMs - sched0.ranMs;
      const requests = searches.requests.total + health.requests.total;
      console.log(
        `load: ${name}: the request thread ran ${(ran / 1000).toFixed(1)} s and waited ${((sched1.waitedMs - sched0.waitedMs) / 1000).toFixed(1)} s runnable for a core in ${DURATION_S} s: ${((ran * 1000) / requests).toFixed(0)} us of CPU a request`,
      );
    }
    const errors5xx = fiveXX(searches) + fiveXX(health);
    const ok = errors5xx === 0 && health.latency.p99 < HEALTH_P99_BOUND_MS;
    console.log(`load: ${name}: ${errors5xx} 5xx, healthz p99 ${health.latency.p99} ms (bound ${HEALTH_P99_BOUND_MS} ms): ${ok ? 'ok' : 'FAIL'}`);
    return ok;
  } finally {
    if (ingest && ingestEnd === null) ingest.kill('SIGKILL');
    await ingestDone;
  }
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
  try {
    await untilWarm(s, 'load');
    // LOAD_ROUNDS=alone or =ingest runs one of the two.
    const rounds = (process.env.LOAD_ROUNDS ?? 'alone,ingest').split(',');
    let ok = true;
    if (rounds.includes('alone')) ok = (await round('alone', s, null)) && ok;
    if (rounds.includes('ingest')) ok = (await round('with ingest', s, ['ingest', more, '--db', db])) && ok;
    if (!ok) process.exitCode = 1;
  } finally {
    await s.stop();
  }
}
