// Ingest throughput on the generated archive, against two baselines measured in the same
// run on the same file: the readers' raw read+split, and mailparser alone on one thread.
// End-to-end runs in a child process so its peak RSS is its own.
//   node --import tsx bench/ingest.ts [count]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { parseMessage } from '../ingest/parse.ts';
import { readArchive, splitOnly } from '../ingest/read/index.ts';
import { BENCH_OUT, generateArchive } from './generate-archive.ts';

const MB = 1024 * 1024;

interface Figures {
  label: string;
  messages: number;
  bytes: number;
  seconds: number;
  /** CPU seconds, all threads: unlike wall time, meaningful on a shared, loaded machine. */
  cpu: number;
  rssMB?: number;
}

function line(f: Figures, base: Figures | null): string {
  const mps = f.messages / f.seconds;
  const mbs = f.bytes / MB / f.seconds;
  const ratio = base ? `  ${(mps / (base.messages / base.seconds)).toFixed(2)}x mailparser-alone` : '';
  const rss = f.rssMB !== undefined ? `  peak RSS ${f.rssMB.toFixed(0)} MB` : '';
  const cpu = `${((f.cpu * 1000) / f.messages).toFixed(3)} cpu-ms/msg`;
  return `${f.label.padEnd(28)} ${mps.toFixed(0).padStart(7)} msg/s ${mbs.toFixed(1).padStart(6)} MB/s ${f.seconds.toFixed(1).padStart(6)} s  ${cpu}${ratio}${rss}`;
}

function cpuSeconds(c: NodeJS.CpuUsage): number {
  return (c.user + c.system) / 1e6;
}

async function mailparserAlone(path: string): Promise<Figures> {
  let messages = 0;
  let bytes = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await readArchive(path, async (m) => {
    await simpleParser(m.bytes, { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
    messages++;
    bytes += m.bytes.length;
  });
  return { label: 'mailparser alone (1 thread)', messages, bytes, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
}

/** Our whole parseMessage (fast path for plain single-part mail, simpleParser for the rest), one thread. */
async function parseMessageFast(path: string): Promise<Figures> {
  let messages = 0;
  let bytes = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await readArchive(path, async (m) => {
    await parseMessage(m);
    messages++;
    bytes += m.bytes.length;
  });
  return { label: 'parseMessage (fast path)', messages, bytes, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
}

/** Runs in the child: one clean ingest, figures as JSON on stdout. */
async function child(path: string, dbPath: string): Promise<void> {
  const { openDb, closeDb } = await import('../db/connection.ts');
  const { ingestPaths } = await import('../ingest/pipeline.ts');
  const db = openDb(dbPath);
  const t0 = performance.now();
  const s = await ingestPaths(db, [path]);
  const seconds = (performance.now() - t0) / 1000;
  closeDb(db);
  process.stdout.write(JSON.stringify({ messages: s.seen, stored: s.stored, bytes: s.bytes, seconds, cpu: cpuSeconds(process.cpuUsage()), rssMB: process.resourceUsage().maxRSS / 1024 }));
}

export async function run(): Promise<void> {
  const count = Number(process.env.INGEST_BENCH_MESSAGES ?? 100_000);
  const gen = generateArchive(count);
  console.log(`archive: ${gen.path} (${gen.messages} messages, ${(gen.bytes / MB).toFixed(1)} MB)`);

  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const split = await splitOnly(gen.path);
  const splitF: Figures = { label: 'read+split (splitOnly)', messages: split.messages, bytes: split.bytes, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
  const mp = await mailparserAlone(gen.path);
  const fast = await parseMessageFast(gen.path);

  const dbPath = join(BENCH_OUT, 'bench-ingest.db');
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
  const self = fileURLToPath(import.meta.url);
  const res = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', gen.path, dbPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (res.status !== 0) throw new Error(`ingest child failed: ${res.stderr}`);
  const e2e = JSON.parse(res.stdout) as { messages: number; stored: number; bytes: number; seconds: number; cpu: number; rssMB: number };
  const e2eF: Figures = { label: 'end-to-end ingest', ...e2e };

  console.log(line(splitF, mp));
  console.log(line(mp, null));
  console.log(line(fast, mp));
  console.log(line(e2eF, mp));
  console.log(`stored ${e2e.stored} of ${e2e.messages}; targets: end-to-end >= 0.80x mailparser-alone, peak RSS < 400 MB`);
  console.log(`end-to-end spends ${(e2e.cpu / mp.cpu).toFixed(2)}x the CPU of mailparser alone (parse worker + writer + analyzers); load average now ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`);
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--child') await child(process.argv[3] as string, process.argv[4] as string);
  else await run();
}
