// The API's own costs, beside bench/search.ts (which loads /api/search with autocannon):
//  - the knowledge index: build time and JSON size on the shared corpus, and on a
//    synthetic 20,000-entity set to see how it scales;
//  - streaming downloads: thread mboxes (plain and gzip) and Atom feeds, in messages/s
//    through a real listening server, against the same messages read in-process.
// Run alone: node --import tsx bench/api.ts
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { threadAssignments } from '../db/threads.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { samplePaths } from '../ingest/seed.ts';
import { buildKnowledgeIndex, type KnowledgeEntity } from '../server/knowledge.ts';
import { fixEntities, seriesEntities } from '../server/knowledge-sources.ts';
import { scenarioEntity } from '../server/scenario-json.ts';
import { loadScenarioFile, SCENARIO_DIR } from '../sim/index.ts';
import { mboxrdEntries } from '../server/mbox-stream.ts';
import { startServer } from '../server/main.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function timeIt(f: () => void, runs = 3): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function ensureDb(): Promise<{ path: string; label: string }> {
  mkdirSync(OUT, { recursive: true });
  const paths = HAS_SHARED
    ? [
        sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'),
        sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'),
        sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'),
      ]
    : samplePaths();
  const label = HAS_SHARED ? 'shared lore corpus (linux-cifs + linux-ppp)' : 'embedded sample (../shared absent)';
  const path = join(OUT, HAS_SHARED ? 'api-shared.db' : 'api-sample.db');
  if (!existsSync(`${path}.done`)) {
    const db = openDb(path);
    const t0 = performance.now();
    const s = await ingestPaths(db, paths);
    closeDb(db);
    writeFileSync(`${path}.done`, String(s.stored));
    console.log(`ingested ${s.stored} messages for the bench in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { path, label };
}

function syntheticEntities(n: number): KnowledgeEntity[] {
  const words = 'folio writeback truncate reclaim lock mapping inode swap readahead collapse khugepaged shmem dirty fault'.split(' ');
  const files = ['mm/filemap.c', 'mm/truncate.c', 'mm/swap_state.c', 'mm/khugepaged.c', 'fs/ext4/inode.c', 'fs/smb/client/file.c'];
  const out: KnowledgeEntity[] = [];
  for (let i = 0; i < n; i++) {
    const w = (k: number) => words[(i * 7 + k * 13) % words.length] ?? '';
    out.push({
      id: `series:synthetic-${i}@bench`,
      kind: i % 3 === 0 ? 'stable-fix' : 'series',
      title: `mm/${w(1)}: ${w(2)} ${w(3)} before ${w(4)} (${i})`,
      paths: [files[i % files.length] ?? '', `${files[(i + 1) % files.length]}:${w(5)}_${w(6)}`],
      body: `v${1 + (i % 4)} ${w(7)} ${w(8)} ${w(9)} ${w(10)} author${i % 500}@example.org`,
      url: `/api/series/synthetic-${i}%40bench`,
    });
  }
  return out;
}

function knowledgeBench(db: Db): void {
  // The scenario files, loaded on this thread as the store's inline loader does (the store itself answers asynchronously).
  const scenarioFiles = readdirSync(SCENARIO_DIR).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(SCENARIO_DIR, f));
  let entities: KnowledgeEntity[] = [];
  const gatherMs = timeIt(() => {
    entities = [...seriesEntities(db), ...fixEntities(db), ...scenarioFiles.map((f) => scenarioEntity(loadScenarioFile(f)))];
  });
  const report = (label: string, ents: KnowledgeEntity[], baseMs: number) => {
    let json = '';
    const buildMs = timeIt(() => {
      json = JSON.stringify(buildKnowledgeIndex(ents, 'bench').serialized);
    });
    const gz = gzipSync(json).length;
    console.log(
      `  ${label}: ${ents.length} entities, build+serialize ${buildMs.toFixed(1)} ms ` +
        `(${(buildMs / Math.max(baseMs, 0.001)).toFixed(1)}x reading them), JSON ${(json.length / 1024).toFixed(0)} KiB, ` +
        `gzip ${(gz / 1024).toFixed(0)} KiB (${(json.length / Math.max(ents.length, 1)).toFixed(0)} B/entity)`,
    );
  };
  console.log('knowledge index (baseline: reading the entities from the database)');
  console.log(`  reading ${entities.length} entities: ${gatherMs.toFixed(1)} ms`);
  report('from the database', entities, gatherMs);
  const synth = syntheticEntities(5_000);
  const copyMs = timeIt(() => void JSON.parse(JSON.stringify(synth)));
  report('synthetic (baseline: a JSON copy of them)', synth, copyMs);
}

/** GETs a URL and reads the whole body; returns its byte length. */
function fetchAll(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${url}: ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function streamingBench(dbPath: string): Promise<void> {
  const db = openDb(dbPath, { readonly: true });
  const sizes = new Map<string, number>();
  for (const n of threadAssignments(db)) if (!n.ghost) sizes.set(n.root, (sizes.get(n.root) ?? 0) + 1);
  const threads = [...sizes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 100);
  const messages = threads.reduce((s, [, n]) => s + n, 0);
  // The largest threads carry most of the messages; their ids in date order come from the API itself.
  const server = await startServer({ dbPath, port: 0, host: '127.0.0.1', seed: false });
  try {
    const base = server.url;
    // Baseline: the same mboxrd bytes produced in-process, without HTTP.
    const ids: string[][] = [];
    for (const [root] of threads) {
      const body = await new Promise<string>((resolve, reject) => {
        request(`${base}api/threads/${encodeURIComponent(root)}`, (res) => {
          let s = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (s += c));
          res.on('end', () => resolve(s));
        })
          .on('error', reject)
          .end();
      });
      const t = JSON.parse(body) as { root: { messageId: string; ghost: boolean; children: unknown[] } };
      const out: string[] = [];
      const stack = [t.root];
      while (stack.length) {
        const n = stack.pop() as typeof t.root;
        if (!n.ghost) out.push(n.messageId);
        stack.push(...(n.children as (typeof t.root)[]));
      }
      ids.push(out);
    }
    // Best of three passes after a warm-up pass: the first pass pays for JIT and cold pages.
    let inBytes = 0;
    const inPass = () => {
      inBytes = 0;
      for (const list of ids) for (const b of mboxrdEntries(db, list)) inBytes += b.length;
    };
    inPass();
    const inMs = Math.min(...[0, 1, 2].map(() => timeIt(inPass, 1)));
    const inRate = messages / (inMs / 1000);

    const run = async (label: string, headers: Record<string, string>, suffix = '') => {
      const pass = async () => {
        const t = performance.now();
        let bytes = 0;
        for (const [root] of threads) bytes += await fetchAll(`${base}api/threads/${encodeURIComponent(root)}/mbox${suffix}`, headers);
        return { ms: performance.now() - t, bytes };
      };
      await pass();
      const passes = [await pass(), await pass(), await pass()];
      const best = passes.reduce((a, b) => (b.ms < a.ms ? b : a));
      const rate = messages / (best.ms / 1000);
      console.log(
        `  ${label}: ${rate.toFixed(0)} messages/s, ${(best.bytes / 1e6 / (best.ms / 1000)).toFixed(1)} MB/s sent (${(rate / inRate).toFixed(2)}x in-process) ${rate >= 2000 ? 'ok' : 'BELOW 2,000 target'}`,
      );
    };
    console.log(`thread mbox downloads: the ${threads.length} largest threads, ${messages} messages, one request at a time`);
    console.log(`  baseline, mboxrd in-process: ${inRate.toFixed(0)} messages/s (${(inBytes / 1e6).toFixed(1)} MB); figures are the best of 3 passes after a warm-up`);
    await run('plain', {});
    await run('Accept-Encoding: gzip', { 'accept-encoding': 'gzip' });
    await run('?gz=1', {}, '?gz=1');

    for (let i = 0; i < 100; i++) await fetchAll(`${base}api/healthz`);
    const hz0 = performance.now();
    for (let i = 0; i < 200; i++) await fetchAll(`${base}api/healthz`);
    const hzRate = 200 / ((performance.now() - hz0) / 1000);
    console.log(`Atom feed, 200 entries a request, one request at a time (baseline: /api/healthz at ${hzRate.toFixed(0)} req/s)`);
    for (const q of ['s:re', 'patch', 'd:20240101..']) {
      const url = `${base}api/feed.atom?q=${encodeURIComponent(q)}&limit=200`;
      for (let i = 0; i < 3; i++) await fetchAll(url);
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await fetchAll(url);
        times.push(performance.now() - t);
      }
      const ms = median(times);
      const rate = 200 / (ms / 1000);
      console.log(`  q=${q}: ${ms.toFixed(1)} ms a feed, ${rate.toFixed(0)} messages/s (${(1000 / ms / hzRate).toFixed(2)}x healthz req/s) ${rate >= 2000 ? 'ok' : 'BELOW 2,000 target'}`);
    }
  } finally {
    await server.close();
    closeDb(db);
  }
}

export async function run(): Promise<void> {
  const { path, label } = await ensureDb();
  // These machines are shared: the load says how much to trust the absolute figures.
  console.log(`data: ${label}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  const db = openDb(path, { readonly: true });
  try {
    knowledgeBench(db);
  } finally {
    closeDb(db);
  }
  await streamingBench(path);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
