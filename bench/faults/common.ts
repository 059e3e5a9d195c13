// What the fault benches share: a seeded random source, the loregraph command run as a
// child process (so a crash is an exit status, not a dead bench), a served database, and
// percentile arithmetic. The benches print their counts; none of this is a test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb } from '../../db/connection.ts';
import { contentHashesInOrder, countMessages } from '../../db/messages.ts';
import { threadAssignments } from '../../db/threads.ts';
import { listIngestErrors } from '../../db/ingest-errors.ts';
import { collectStats } from '../../db/stats.ts';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(REPO, 'bin', 'loregraph.js');
export const OUT = join(REPO, 'bench', 'out', 'faults');

export { rng } from '../generate-archive.ts';

export const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set of the child, when /usr/bin/time could tell. */
  maxRssMB: number | null;
}

/** `loregraph <args>` to completion, with its peak memory from GNU time when present. */
export function runCli(args: string[]): CliRun {
  const t0 = performance.now();
  const timed = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const useTime = timed.error === undefined && /MAXRSS \d+/.test(timed.stderr ?? '');
  const r = useTime ? timed : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const rss = /MAXRSS (\d+)/.exec(r.stderr ?? '');
  return {
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '').replace(/MAXRSS \d+\n?/, ''),
    ms: performance.now() - t0,
    maxRssMB: rss ? Number(rss[1]) / 1024 : null,
  };
}

export function spawnCli(args: string[], nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * FAULTS_SERVE_NODE_ARGS: node options for each served process, to find what holds its
 * request thread (node refuses --cpu-prof in NODE_OPTIONS), e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof" (a profile written when it stops) or "--trace-gc".
 */
const SERVE_NODE_ARGS = (process.env.FAULTS_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `loregraph serve` on a free port; resolves with its URL once it listens. */
export function serve(db: string, extra: string[] = []): Promise<Served> {
  const child = spawnCli(['serve', '--db', db, '--port', '0', ...extra], SERVE_NODE_ARGS);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / at (http:\/\/\S+\/)/.exec(out);
      if (m?.[1]) {
        resolve({
          url: m[1],
          child,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err.trim()}`)));
  });
}

/**
 * Waits until the server's knowledge index is built and prints how long that took. The
 * build starts once the server listens and holds its event loop for seconds (its scenarios
 * and entities are read on it), delaying every request and timeout check meanwhile; the
 * parts that measure a bound of their own measure it on a warm server.
 */
export async function untilWarm(s: Served, part: string): Promise<void> {
  const t0 = performance.now();
  await (await fetch(`${s.url}api/index/knowledge.json`)).arrayBuffer();
  console.log(`${part}: the server's knowledge index was warm ${((performance.now() - t0) / 1000).toFixed(1)} s after it started listening`);
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
}

/** What a database holds, as one hash: two runs that store the same end with the same digest. */
export function dbDigest(path: string): { messages: number; digest: string } {
  const db = openDb(path, { readonly: true });
  try {
    const h = createHash('sha256');
    h.update(contentHashesInOrder(db).join('\n'));
    h.update(JSON.stringify(threadAssignments(db)));
    h.update(JSON.stringify(listIngestErrors(db, 1e9).map((e) => [e.index, e.reason, e.rawHash])));
    h.update(JSON.stringify(collectStats(db)));
    return { messages: countMessages(db), digest: h.digest('hex') };
  } finally {
    closeDb(db);
  }
}

/** Polls `url` every `everyMs` until stop() and reports the latencies (ms) and failures. */
export function probe(url: string, everyMs = 50): { stop(): Promise<{ latencies: number[]; failures: number }> } {
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        await r.arrayBuffer();
        if (r.status !== 200) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { latencies, failures };
    },
  };
}

export const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
