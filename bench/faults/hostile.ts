// Hostile queries against `loregraph serve` on a 20,000-message generated archive: issue
// #13's reproducers, the costliest queries the bounds still allow, and random query text,
// each with a time bound (the query deadline plus a second); then the two pile-ups of the
// report (8 costly queries ahead of a normal one; 6 whose clients left after 1 s) with the
// normal query's latency. healthz is polled throughout. Prints statuses and times.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDb, openDb } from '../../db/connection.ts';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { generateArchive } from '../generate-archive.ts';
import { fmt, OUT, percentile, probe, rng, runCli, serve, untilWarm, type Served } from './common.ts';

const BOUND_MS = DEFAULT_LIMITS.queryDeadlineMs + 1_000;
const COMMON = 'the a lock folio page cache under while holding after before reference count release path error retry truncate mapping'.split(' ');

/** The served archive, ingested once and kept in bench/out/faults. */
export async function servedArchive(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const db = join(OUT, 'generated-20000.db');
  if (!existsSync(`${db}.done`)) {
    const r = runCli(['ingest', generateArchive(20_000).path, '--db', db]);
    if (r.status !== 0) throw new Error(`ingest for the hostile bench failed: ${r.stderr}`);
    writeFileSync(`${db}.done`, r.stdout);
  }
  // Kept from an earlier run: brought to the schema of the code now (a migration added
  // since), as `loregraph serve` opens it read-only and will not migrate it.
  closeDb(openDb(db));
  return db;
}

function hostileQueryList(): { name: string; q: string; path?: 'search' | 'feed.atom' }[] {
  const words = (n: number) => Array.from({ length: n }, (_, i) => COMMON[i % COMMON.length]).join(' ');
  const out: { name: string; q: string; path?: 'search' | 'feed.atom' }[] = [
    { name: 'phrase of 1,000 common words', q: `"${Array.from({ length: 1000 }, () => 'a').join(' ')}"` },
    { name: '"the " x 500', q: `"${'the '.repeat(500)}"` },
    { name: 'dfn: with 900 path parts', q: `dfn:${Array.from({ length: 900 }, (_, i) => `p${i % 10}`).join('/')}` },
    { name: '64 prefix terms', q: Array.from({ length: 64 }, (_, i) => `${COMMON[i % COMMON.length]!.slice(0, 2)}*`).join(' ') },
    { name: '2 KB feed query', q: words(400).slice(0, 2040), path: 'feed.atom' },
    { name: 'at bound: 16-word common phrase', q: `"${words(16)}"` },
    { name: 'at bound: 8 two-letter prefixes', q: ['th', 'lo', 'pa', 're', 'wr', 'er', 'co', 'ca'].map((p) => `${p}*`).join(' ') },
    { name: 'at bound: 64 common words OR', q: Array.from({ length: 64 }, (_, i) => COMMON[i % COMMON.length]).join(' OR ') },
    { name: 'at bound: 4 phrases of 16', q: Array.from({ length: 4 }, () => `"${words(16)}"`).join(' OR ') },
    { name: 'at bound: NOT-heavy', q: `-${COMMON.slice(0, 30).join(' -')}` },
    { name: 'a common term under a date range that excludes its matches', q: 'lock d:2023-01-01..' },
    { name: 'at bound: feed of 8 prefixes', q: ['th', 'lo', 'pa', 're', 'wr', 'er', 'co', 'ca'].map((p) => `${p}*`).join(' OR '), path: 'feed.atom' },
  ];
  const r = rng(13);
  const alphabet = ['a', 'b', ' ', 's:', 'f:', 'dfn:', 'b:', '"', '*', '(', ')', '-', ' OR ', ' AND ', ' NOT ', 'NEAR(', 'd:', '..', 'mid:', 'the', 'folio', '\u0000', '\uE000', '^', '{', '}'];
  for (let i = 0; i < 300; i++) {
    const q = Array.from({ length: 1 + Math.floor(r() * 40) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    if (q.trim()) out.push({ name: 'random', q });
  }
  return out;
}

async function timed(url: string, abortAfterMs?: number): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const signal = AbortSignal.timeout(abortAfterMs ?? BOUND_MS + 5_000);
  try {
    const r = await fetch(url, { signal });
    await r.arrayBuffer();
    return { status: r.status, ms: performance.now() - t0 };
  } catch {
    return { status: 0, ms: performance.now() - t0 };
  }
}

async function pileUps(s: Served): Promise<void> {
  const costly = `${s.url}api/search?q=${encodeURIComponent(`"${COMMON.slice(0, 16).join(' ')}"`)}`;
  const normal = `${s.url}api/search?q=${encodeURIComponent('s:folio')}`;
  const alone = await timed(normal);
  const eight = Array.from({ length: 8 }, () => timed(costly));
  await new Promise((r) => setTimeout(r, 50));
  const behind = await timed(normal);
  const costlyTimes = await Promise.all(eight);
  console.log(
    `hostile: a normal query alone ${fmt(alone.ms)}, behind 8 costly ones ${fmt(behind.ms)} (status ${behind.status}); the costly ones took up to ${fmt(Math.max(...costlyTimes.map((c) => c.ms)))}, statuses ${[...new Set(costlyTimes.map((c) => c.status))].join('/')}`,
  );
  const six = Array.from({ length: 6 }, () => timed(costly, 1_000));
  await Promise.all(six);
  const afterLeft = await timed(normal);
  console.log(`hostile: 6 costly queries whose clients left after 1 s, then a normal query: ${fmt(afterLeft.ms)} (status ${afterLeft.status})`);
}

export async function hostile(): Promise<void> {
  const db = await servedArchive();
  const s = await serve(db);
  // Cold, the first query's time was the start-up stall's (a 400 from the cost bounds in 3.6 s).
  await untilWarm(s, 'hostile');
  const health = probe(`${s.url}api/healthz`);
  try {
    const statuses = new Map<number, number>();
    const overBound: string[] = [];
    const serverErrors: string[] = [];
    let slowest = { name: '', ms: 0 };
    for (const h of hostileQueryList()) {
      const res = await timed(`${s.url}api/${h.path ?? 'search'}?q=${encodeURIComponent(h.q)}`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.ms > BOUND_MS || res.status === 0) overBound.push(`${h.name} (${fmt(res.ms)})`);
      if (res.status >= 500 && res.status !== 503 && res.status !== 504) serverErrors.push(`${h.name}: ${res.status}`);
      if (h.name !== 'random') console.log(`hostile: ${h.name}: ${res.status} in ${fmt(res.ms)}`);
      if (res.ms > slowest.ms) slowest = { name: h.name, ms: res.ms };
    }
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(`hostile: ${total} queries, statuses ${JSON.stringify(Object.fromEntries(statuses))}, slowest ${slowest.name} ${fmt(slowest.ms)}, ${overBound.length} over the ${BOUND_MS} ms bound, ${serverErrors.length} 5xx other than 503/504`);
    for (const o of [...overBound, ...serverErrors]) console.log(`hostile: FAIL ${o}`);
    await pileUps(s);
    const { latencies, failures } = await health.stop();
    console.log(`hostile: healthz meanwhile: ${latencies.length} probes, p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}, max ${fmt(Math.max(...latencies))}, ${failures} failed`);
    if (overBound.length > 0 || serverErrors.length > 0 || failures > 0) process.exitCode = 1;
  } finally {
    await health.stop();
    await s.stop();
  }
}
