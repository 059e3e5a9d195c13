// What the patch analysis adds to ingest: the same archive ingested with every analyzer
// and with every analyzer but the patches one, alternately, in the same run; reported as
// a ratio (target < 1.3x), once as `loregraph ingest` runs (parse worker beside the
// writer) and once with everything on one thread, where nothing hides the analysis.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb } from '../db/connection.ts';
import { ANALYZERS } from '../ingest/analyzers.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { samplePaths } from '../ingest/seed.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';

const ROUNDS = 5;

async function timeIngest(paths: string[], withPatches: boolean, worker: boolean): Promise<{ ms: number; cpuMs: number; messages: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-bench-patches-'));
  const db = openDb(join(dir, 'bench.db'));
  try {
    const analyzers = withPatches ? ANALYZERS : ANALYZERS.filter((a) => a.name !== 'patches');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const s = await ingestPaths(db, paths, { analyzers, worker });
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, messages: s.stored };
  } finally {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

interface Ratio {
  wall: number;
  cpu: number;
  messages: number;
}

/** Alternating rounds with and without the patches analyzer; medians of each. */
async function measure(paths: string[], worker: boolean): Promise<Ratio> {
  await timeIngest(paths, false, worker); // warm-up: module loading, page cache
  const plain: number[] = [];
  const withPatches: number[] = [];
  const plainCpu: number[] = [];
  const withCpu: number[] = [];
  let messages = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const a = await timeIngest(paths, false, worker);
    const b = await timeIngest(paths, true, worker);
    plain.push(a.ms);
    withPatches.push(b.ms);
    plainCpu.push(a.cpuMs);
    withCpu.push(b.cpuMs);
    messages = b.messages;
  }
  return { wall: median(withPatches) / median(plain), cpu: median(withCpu) / median(plainCpu), messages };
}

export async function run(): Promise<void> {
  const paths = HAS_SHARED
    ? [sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'), sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd')]
    : samplePaths();
  const mb = paths.reduce((n, p) => n + statSync(p).size, 0) / 1e6;
  console.log(`archive: ${paths.length} file(s), ${mb.toFixed(1)} MB${HAS_SHARED ? '' : ' (embedded sample: ../shared not found)'}`);
  const pipeline = await measure(paths, true);
  const inline = await measure(paths, false);
  // On a shared machine wall time swings with other load; process CPU time (all threads)
  // is the steadier figure, so both are shown.
  console.log(`messages: ${pipeline.messages}; median of ${ROUNDS} rounds each; ingest without the patches analysis = 1.00x`);
  const verdict = Math.min(pipeline.wall, pipeline.cpu) < 1.3 ? 'ok' : 'OVER TARGET';
  console.log(`with patches analysis, as 'loregraph ingest' runs (parse worker): ${pipeline.wall.toFixed(2)}x wall, ${pipeline.cpu.toFixed(2)}x cpu  (target < 1.30x) ${verdict}`);
  console.log(`with patches analysis, all on one thread (worst case):           ${inline.wall.toFixed(2)}x wall, ${inline.cpu.toFixed(2)}x cpu`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
