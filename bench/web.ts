// The web UI's server side: what a message page and a scenario page cost beyond the
// message itself, and how the fix <-> scenario matching scales with the number of
// scenarios (every page reads them all). Figures are ratios to GET /api/messages/:mid
// measured in the same run, through inject (no sockets), plus the page's weight.
// Then the first answers of `loregraph serve` started on a real archive: how long after
// the command starts, and after it says it listens, /, /api/stats, a search and the first
// screen of the archive's biggest thread are answered, and the slowest /api/healthz in
// the seconds after (the event loop held by start-up work shows there).
// Run alone: node --import tsx bench/web.ts
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { closeDb, openDb } from '../db/connection.ts';
import { ensureSeeded } from '../ingest/seed.ts';
import { SCENARIO_DIR } from '../sim/index.ts';
import { buildApp } from '../server/app.ts';
import { LUNR_URL, webFiles } from '../server/routes/web.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';

const ROUNDS = 300;
const MID = encodeURIComponent('20240904-filemap-recheck-v1-1-ines@example.org');
const REPLY = encodeURIComponent('race-tested-5@example.org');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function perRequestMs(app: FastifyInstance, url: string): Promise<number> {
  const first = await app.inject({ url });
  if (first.statusCode !== 200) throw new Error(`${url}: HTTP ${first.statusCode} ${first.body.slice(0, 200)}`);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await app.inject({ url });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** `copies` renamed copies of every scenario file, so the store holds many. */
function scenarioDir(dir: string, copies: number): string {
  const out = join(dir, `scenarios-${copies}`);
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(SCENARIO_DIR).filter((n) => n.endsWith('.yaml'))) {
    const text = readFileSync(join(SCENARIO_DIR, f), 'utf8');
    for (let i = 0; i < copies; i++) {
      const id = `${f.replace(/\.yaml$/, '')}-c${i}`;
      writeFileSync(join(out, `${id}.yaml`), text.replace(/^id:.*$/m, `id: ${id}`));
    }
  }
  return out;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const LOREGRAPH = join(ROOT, 'bin', 'loregraph.js');
const START_RUNS = 3;
/** How long after listening /api/healthz is polled for the slowest answer. */
const WATCH_MS = 6_000;

/** The real archive the first answers are measured on, ingested once into bench/out (again when it no longer opens). */
function realArchive(): string {
  const path = join(OUT, 'web-real.db');
  if (existsSync(path)) {
    try {
      closeDb(openDb(path, { readonly: true }));
      return path;
    } catch {
      for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    }
  }
  mkdirSync(OUT, { recursive: true });
  const sources = [
    ['lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'],
    ['lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'],
    ['race-samples', 'linux-erofs.race-sample.mbox.gz'],
    ['race-samples', 'linux-f2fs-devel.race-sample.mbox.gz'],
  ].map(([dir, file]) => sharedPath('corpus', dir as string, file as string));
  const r = spawnSync(process.execPath, [LOREGRAPH, 'ingest', '--db', path, ...sources], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`ingest of the real archive failed (${r.status})`);
  return path;
}

interface FirstAnswers {
  listening: number;
  /** [what, ms after spawn] */
  answers: [string, number][];
  worstHealthz: number;
}

async function fetchOk(url: string): Promise<unknown> {
  const r = await fetch(url);
  const body = await r.text();
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${body.slice(0, 200)}`);
  return r.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(body) : body;
}

/** What the thread page asks before its first screen shows: the tree, then the first cards' messages and structures, 4 in flight as web/views/conversation.js does. */
async function threadFirstScreen(base: string, root: string): Promise<void> {
  const t = (await fetchOk(`${base}api/threads/${encodeURIComponent(root)}`)) as { root: { messageId: string; ghost: boolean; children: unknown[] } };
  const ids: string[] = [];
  const stack = [t.root] as { messageId: string; ghost: boolean; children: unknown[] }[];
  while (stack.length > 0 && ids.length < 8) {
    const n = stack.shift() as { messageId: string; ghost: boolean; children: { messageId: string; ghost: boolean; children: unknown[] }[] };
    if (!n.ghost) ids.push(n.messageId);
    stack.unshift(...n.children);
  }
  for (let i = 0; i < ids.length; i += 4) {
    await Promise.all(
      ids.slice(i, i + 4).flatMap((id) => [fetchOk(`${base}api/messages/${encodeURIComponent(id)}`), fetchOk(`${base}api/messages/${encodeURIComponent(id)}/structure`)]),
    );
  }
}

async function startAndAsk(db: string, thread: string): Promise<FirstAnswers> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [LOREGRAPH, 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = / at (http:\/\/\S+\/) /.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening`)));
    });
    const listening = performance.now() - t0;
    const timed = async (what: string, ask: () => Promise<unknown>): Promise<[string, number]> => {
      await ask();
      return [what, performance.now() - t0];
    };
    const answers = await Promise.all([
      timed('GET / (the page)', () => fetchOk(base)),
      timed('GET /api/stats (the home page)', () => fetchOk(`${base}api/stats`)),
      timed('GET /api/search?q=s:lock', () => fetchOk(`${base}api/search?q=${encodeURIComponent('s:lock')}`)),
      timed(`thread of ${thread.split('|')[1]} messages, first screen`, () => threadFirstScreen(base, thread.split('|')[0] as string)),
    ]);
    let worstHealthz = 0;
    const until = performance.now() + WATCH_MS;
    while (performance.now() < until) {
      const a = performance.now();
      await fetchOk(`${base}api/healthz`);
      worstHealthz = Math.max(worstHealthz, performance.now() - a);
      await new Promise((r) => setTimeout(r, 25));
    }
    return { listening, answers, worstHealthz };
  } finally {
    child.kill();
  }
}

/** `loregraph serve` from its start to its first answers, on a real archive. */
async function firstAnswers(): Promise<void> {
  if (!HAS_SHARED) {
    console.log('first answers: ../shared/corpus absent, skipped');
    return;
  }
  const db = realArchive();
  const h = openDb(db, { readonly: true });
  const messages = (h.sql.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  // The biggest thread: the one a reviewer is slowest to open.
  const big = h.sql.prepare('SELECT root, count(*) AS n FROM thread_nodes WHERE ghost = 0 GROUP BY root ORDER BY n DESC LIMIT 1').get() as { root: string; n: number };
  closeDb(h);
  const runs: FirstAnswers[] = [];
  for (let i = 0; i < START_RUNS; i++) runs.push(await startAndAsk(db, `${big.root}|${big.n}`));
  console.log(`first answers of 'loregraph serve' on ${messages} real messages (lore-linux-cifs + race-samples), load average ${(loadavg()[0] ?? 0).toFixed(1)} on ${availableParallelism()} cores, ms after the command started (after it said it listens), ${START_RUNS} starts:`);
  const row = (what: string, f: (r: FirstAnswers) => [number, number]): void => {
    console.log(`  ${what.padEnd(44)} ${runs.map((r) => { const [a, b] = f(r); return `${a.toFixed(0).padStart(5)} (${b.toFixed(0).padStart(4)})`; }).join('  ')}`);
  };
  row('listening', (r) => [r.listening, 0]);
  const whats = runs[0]?.answers.map(([what]) => what) ?? [];
  whats.forEach((what, i) => row(what, (r) => [r.answers[i]?.[1] ?? NaN, (r.answers[i]?.[1] ?? NaN) - r.listening]));
  console.log(`  slowest /api/healthz in the ${WATCH_MS / 1000} s after: ${runs.map((r) => `${r.worstHealthz.toFixed(0)} ms`).join(', ')}`);
}

export async function run(): Promise<void> {
  await firstAnswers();
  const dir = mkdtempSync(join(tmpdir(), 'lg-bench-web-'));
  try {
    await ensureSeeded(join(dir, 'db.sqlite'), { worker: false });
    const db = openDb(join(dir, 'db.sqlite'), { readonly: true });
    const rows: [string, number][] = [];
    for (const copies of [1, 10]) {
      const app = buildApp({ db, scenarioDir: copies === 1 ? SCENARIO_DIR : scenarioDir(dir, copies), simRunner: 'inline', knowledgeBuilder: 'inline' });
      await app.ready();
      const n = (await app.inject({ url: '/api/scenarios' })).json().scenarios.length as number;
      const base = await perRequestMs(app, `/api/messages/${MID}`);
      if (copies === 1) rows.push(['GET /api/messages/:mid (baseline)', base]);
      rows.push([`GET /api/messages/:mid/scenarios, patch, ${n} scenarios`, await perRequestMs(app, `/api/messages/${MID}/scenarios`)]);
      rows.push([`GET /api/messages/:mid/scenarios, reply in a 6-message thread, ${n} scenarios`, await perRequestMs(app, `/api/messages/${REPLY}/scenarios`)]);
      rows.push([`GET /api/scenarios/:id/links, ${n} scenarios`, await perRequestMs(app, '/api/scenarios/003-ext4-inline-mkwrite' + (copies === 1 ? '' : '-c0') + '/links')]);
      await app.close();
    }
    closeDb(db);
    const base = rows[0]?.[1] ?? 1;
    console.log(`median of ${ROUNDS} injected requests each, relative to the baseline (${base.toFixed(3)} ms):`);
    for (const [what, ms] of rows) console.log(`  ${(ms / base).toFixed(2).padStart(6)}x  ${what}`);
    let own = 0;
    let lunr = 0;
    for (const [url, file] of webFiles()) {
      if (url === '/') continue;
      if (url === LUNR_URL) lunr += statSync(file).size;
      else own += statSync(file).size;
    }
    console.log(`page weight: our files ${(own / 1024).toFixed(1)} KiB, lunr ${(lunr / 1024).toFixed(1)} KiB (${(lunr / own).toFixed(2)}x ours), uncompressed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
