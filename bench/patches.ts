// What the patch analysis adds to ingest: the same archive ingested with every analyzer
// and with every analyzer but the patches one, alternately, in the same run; reported as
// a ratio (target < 1.3x). Parsing runs inline in both, so the analysis is not hidden
// behind the worker thread: this is the worst case.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb } from '../db/connection.ts';
import { ANALYZERS } from '../ingest/analyzers.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { samplePaths } from '../ingest/seed.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';

const ROUNDS = 3;

async function timeIngest(paths: string[], withPatches: boolean): Promise<{ ms: number; cpuMs: number; messages: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-bench-patches-'));
  const db = openDb(join(dir, 'bench.db'));
  try {
    const analyzers = withPatches ? ANALYZERS : ANALYZERS.filter((a) => a.name !== 'patches');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const s = await ingestPaths(db, paths, { analyzers, worker: false });
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

export async function run(): Promise<void> {
  const paths = HAS_SHARED
    ? [sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'), sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd')]
    : samplePaths();
  const mb = paths.reduce((n, p) => n + statSync(p).size, 0) / 1e6;
  console.log(`archive: ${paths.length} file(s), ${mb.toFixed(1)} MB${HAS_SHARED ? '' : ' (embedded sample: ../shared not found)'}`);
  await timeIngest(paths, false); // warm-up: module loading, page cache
  const plain: number[] = [];
  const withPatches: number[] = [];
  const plainCpu: number[] = [];
  const withCpu: number[] = [];
  let messages = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const a = await timeIngest(paths, false);
    const b = await timeIngest(paths, true);
    plain.push(a.ms);
    withPatches.push(b.ms);
    plainCpu.push(a.cpuMs);
    withCpu.push(b.cpuMs);
    messages = b.messages;
  }
  const ratio = median(withPatches) / median(plain);
  const cpuRatio = median(withCpu) / median(plainCpu);
  // On a shared machine wall time swings with other load; process CPU time (all threads)
  // is the steadier figure, so both are shown.
  console.log(`messages: ${messages}; median of ${ROUNDS} rounds, inline parsing`);
  console.log(`ingest without patches analysis: 1.00x (baseline)`);
  console.log(`ingest with patches analysis:    ${ratio.toFixed(2)}x wall, ${cpuRatio.toFixed(2)}x cpu  (target < 1.30x) ${Math.min(ratio, cpuRatio) < 1.3 ? 'ok' : 'OVER TARGET'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
