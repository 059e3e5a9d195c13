// The web UI's server side: what a message page and a scenario page cost beyond the
// message itself, and how the fix <-> scenario matching scales with the number of
// scenarios (every page reads them all). Figures are ratios to GET /api/messages/:mid
// measured in the same run, through inject (no sockets), plus the page's weight.
// Run alone: node --import tsx bench/web.ts
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { closeDb, openDb } from '../db/connection.ts';
import { ensureSeeded } from '../ingest/seed.ts';
import { SCENARIO_DIR } from '../sim/index.ts';
import { buildApp } from '../server/app.ts';
import { LUNR_URL, webFiles } from '../server/routes/web.ts';

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

export async function run(): Promise<void> {
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
