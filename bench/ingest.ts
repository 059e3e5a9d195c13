// Ingest throughput on the generated archive (INGEST_BENCH_MESSAGES, default 100,000) and on
// the real lore archives of ../shared/corpus, each against two baselines measured in the same
// run on the same files: the readers' raw read+split, and mailparser alone on one thread.
// End-to-end runs in a child process so its peak RSS is its own, and the mailparser baseline
// runs in one too, so both start cold (see benchArchives). INGEST_BENCH_ROUNDS
// (default 3) alternating rounds; the fastest of each is reported, and every round's ratio.
// Each round ingests with 1 and with 2 parse workers (--jobs), and appends the same archives
// to a database already holding as much other mail; then one run per worker count up to
// the cores shows how throughput grows with them. CPU seconds are printed beside wall time:
// on a shared machine they are the steadier figure.
//   node --import tsx bench/ingest.ts
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { parseMessage } from '../ingest/parse.ts';
import { defaultWorkers } from '../ingest/pipeline-processor.ts';
import type { IngestSummary } from '../ingest/pipeline.ts';
import { readArchive, splitOnly } from '../ingest/read/index.ts';
import type { RawMessage } from '../domain/message.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';
import { BENCH_OUT, generateArchive } from './generate-archive.ts';
import { median } from './median.ts';

const MB = 1024 * 1024;
const ROUNDS = Number(process.env.INGEST_BENCH_ROUNDS ?? 3);

/** The lore list archives of the shared corpus, as [folder, file]. */
const LORE_ARCHIVES = [
  ['lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'],
  ['lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'],
  ['lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'],
  ['race-samples', 'linux-erofs.race-sample.mbox.gz'],
  ['race-samples', 'linux-f2fs-devel.race-sample.mbox.gz'],
] as const;

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

/** One thread reading the archives and parsing every message with `parse`. */
async function timeParse(label: string, paths: readonly string[], parse: (m: RawMessage) => Promise<unknown>): Promise<Figures> {
  let messages = 0;
  let bytes = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const path of paths) {
    await readArchive(path, async (m) => {
      await parse(m);
      messages++;
      bytes += m.bytes.length;
    });
  }
  return { label, messages, bytes, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
}

interface ChildJob {
  db: string;
  paths: string[];
  /** Parse workers (--jobs). */
  workers: number;
  /** Ingested first, untimed: the database the timed ingest appends to. */
  populate: string[];
}

/** Runs in a child: one ingest (after populating the database, for an append), figures as JSON on stdout. */
async function child(job: ChildJob): Promise<void> {
  const { openDb, closeDb } = await import('../db/connection.ts');
  const { ingestPaths } = await import('../ingest/pipeline.ts');
  // as `loregraph ingest` runs
  (await import('../ingest/heap-growth.ts')).tightenHeapGrowth();
  const db = openDb(job.db);
  if (job.populate.length > 0) await ingestPaths(db, job.populate, { workers: job.workers });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const s = await ingestPaths(db, job.paths, { workers: job.workers });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(c0));
  closeDb(db);
  process.stdout.write(JSON.stringify({ messages: s.seen, stored: s.stored, bytes: s.bytes, seconds, cpu, rssMB: process.resourceUsage().maxRSS / 1024, phases: s.phases }));
}

/** Runs in a child: mailparser alone over the archives, in a process as fresh as the ingest's. */
async function mailparserChild(paths: string[]): Promise<void> {
  const f = await timeParse('mailparser alone (1 thread)', paths, parseWithMailparser);
  process.stdout.write(JSON.stringify(f));
}

function parseWithMailparser(m: RawMessage): Promise<unknown> {
  return simpleParser(m.bytes, { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
}

/** Runs this file in a child process with `args`, and returns what it printed as JSON. */
function inChild<T>(args: string[]): T {
  const res = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (res.status !== 0) throw new Error(`bench child ${args[0]} failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

type EndToEnd = Figures & { stored: number; rssMB: number; phases: IngestSummary['phases'] };

const fastest = <T extends Figures>(xs: T[]): T => xs.reduce((best, x) => (x.seconds < best.seconds ? x : best));
const s1 = (ms: number): string => (ms / 1000).toFixed(1);

function phasesLine(label: string, e: EndToEnd): string {
  const p = e.phases;
  return (
    `${label}: start ${s1(p.startMs)} s, read ${s1(p.readMs)} s, waiting for parse ${s1(p.parseMs)} s, write ${s1(p.writeMs)} s, ` +
    `held-back indexes ${s1(p.indexMs)} s, end-of-run passes ${s1(p.finishMs)} s; the ${p.workers} worker(s) parsed for ${s1(p.parseBusyMs)} s`
  );
}

/**
 * The baselines and the end-to-end ingests of the same archives, in this order, in this run.
 * `populate`: other mail of about the same size, for the append.
 */
async function benchArchives(paths: readonly string[], populate: readonly string[]): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let splitMessages = 0;
  let splitBytes = 0;
  for (const path of paths) {
    const split = await splitOnly(path);
    splitMessages += split.messages;
    splitBytes += split.bytes;
  }
  const splitF: Figures = { label: 'read+split (splitOnly)', messages: splitMessages, bytes: splitBytes, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
  const dbPath = join(BENCH_OUT, 'bench-ingest.db');
  const endToEnd = (label: string, workers: number, pop: readonly string[] = []): EndToEnd => {
    for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
    const job: ChildJob = { db: dbPath, paths: [...paths], workers, populate: [...pop] };
    return { ...inChild<Omit<EndToEnd, 'label'>>(['--child', JSON.stringify(job)]), label };
  };
  // Rounds alternate the measurements; each figure is its fastest round: on a shared
  // machine that is the one least disturbed by other work, for the baseline as for ingest.
  // The baseline is mailparser in a fresh process, as the ingest runs: in this process it
  // would parse with a JIT warmed up by every earlier round (and, for the corpus, by the
  // generated archive), while every ingest starts cold. On the corpus's 3,000 messages
  // that warm-up is worth a fifth of mailparser's time. The warm figure is printed too.
  // The append uses the default worker count, and is compared with that count's load into
  // an empty database in the same round.
  const appendWorkers = defaultWorkers();
  const rounds: { mp: Figures; warm: Figures; fast: Figures; one: EndToEnd; two: EndToEnd; append: EndToEnd }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const mp = inChild<Figures>(['--child-mailparser', ...paths]);
    const warm = await timeParse('  same, warm in this process', paths, parseWithMailparser);
    // ours: the fast path for plain single-part mail, simpleParser for the rest
    const fast = await timeParse('parseMessage (fast path)', paths, (m) => parseMessage(m));
    const one = endToEnd('end-to-end ingest, --jobs 1', 1);
    const two = endToEnd('end-to-end ingest, --jobs 2', 2);
    const append = endToEnd(`append to as much mail, --jobs ${appendWorkers}`, appendWorkers, populate);
    rounds.push({ mp, warm, fast, one, two, append });
  }
  const mp = fastest(rounds.map((r) => r.mp));
  const warm = fastest(rounds.map((r) => r.warm));
  const fast = fastest(rounds.map((r) => r.fast));
  const withRss = (xs: EndToEnd[]): EndToEnd => ({ ...fastest(xs), rssMB: Math.max(...xs.map((x) => x.rssMB)) });
  const one = withRss(rounds.map((r) => r.one));
  const two = withRss(rounds.map((r) => r.two));
  const append = withRss(rounds.map((r) => r.append));

  console.log(line(splitF, mp));
  console.log(line(mp, null));
  console.log(line(warm, mp));
  console.log(line(fast, mp));
  console.log(line(one, mp));
  console.log(line(two, mp));
  console.log(line(append, mp));
  // Each round's ratio pairs measurements taken a minute apart: steadier on a machine whose
  // speed drifts than pairing the fastest of each, which may come from different rounds.
  const perRound = (f: (r: (typeof rounds)[number]) => number): string => {
    const xs = rounds.map(f);
    return `${xs.map((x) => x.toFixed(2)).join(', ')}; median ${median(xs).toFixed(2)}x`;
  };
  console.log(`end-to-end / mailparser alone per round: --jobs 1 ${perRound((r) => r.mp.seconds / r.one.seconds)}; --jobs 2 ${perRound((r) => r.mp.seconds / r.two.seconds)} (goal >= 1.3x)`);
  console.log(`the same in CPU: --jobs 1 spends ${(one.cpu / mp.cpu).toFixed(2)}x, --jobs 2 ${(two.cpu / mp.cpu).toFixed(2)}x the CPU of mailparser alone (parse workers + writer + analyzers)`);
  console.log(`end-to-end against mailparser warmed up in this process: --jobs 1 ${(warm.seconds / one.seconds).toFixed(2)}x, --jobs 2 ${(warm.seconds / two.seconds).toFixed(2)}x`);
  const empty = (r: (typeof rounds)[number]): EndToEnd => (appendWorkers === 1 ? r.one : r.two);
  console.log(
    `append / empty, msg/s per round: ${perRound((r) => r.append.messages / r.append.seconds / (empty(r).messages / empty(r).seconds))} (goal >= 0.9x); ` +
      `CPU per message, append / empty: ${perRound((r) => r.append.cpu / r.append.messages / (empty(r).cpu / empty(r).messages))}`,
  );
  console.log(phasesLine('fastest --jobs 1', one));
  console.log(phasesLine('fastest --jobs 2', two));
  console.log(phasesLine('fastest append', append));
  console.log(`stored ${one.stored} of ${one.messages}; targets: end-to-end >= 1.3x mailparser-alone, append >= 0.9x empty, peak RSS < 400 MB`);
  // Throughput with each worker count up to the cores, one run each after the rounds.
  const scaling: string[] = [];
  for (let n = 1; n <= Math.max(2, availableParallelism()); n++) {
    const e = n === 1 ? one : n === 2 ? two : endToEnd(`--jobs ${n}`, n);
    scaling.push(`${n}: ${(e.messages / e.seconds).toFixed(0)} msg/s (${((e.cpu * 1000) / e.messages).toFixed(2)} cpu-ms/msg)`);
  }
  console.log(`msg/s per worker count (--jobs): ${scaling.join(', ')}; load average now ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`);
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
}

export async function run(): Promise<void> {
  const count = Number(process.env.INGEST_BENCH_MESSAGES ?? 100_000);
  const gen = generateArchive(count);
  // other mail of the same size (another seed): what the append lands on
  const other = generateArchive(count, join(BENCH_OUT, `generated-${count}-s7.mboxrd`), 7);
  console.log(`archive: ${gen.path} (${gen.messages} messages, ${(gen.bytes / MB).toFixed(1)} MB)`);
  await benchArchives([gen.path], [other.path]);
  if (!HAS_SHARED) {
    console.log('../shared/corpus not found: the real-corpus ingest is skipped');
    return;
  }
  const lore = LORE_ARCHIVES.map((f) => sharedPath('corpus', ...f));
  const mb = lore.reduce((n, p) => n + statSync(p).size, 0) / MB;
  console.log(`\nshared corpus: the lore archives of linux-cifs and linux-ppp, and the race samples of erofs and f2fs (${lore.length} files, ${mb.toFixed(1)} MB as stored)`);
  // the append lands on generated mail of about as many messages as the corpus holds
  const populate = generateArchive(9000, join(BENCH_OUT, 'generated-9000-s7.mboxrd'), 7);
  await benchArchives(lore, [populate.path]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3] as string) as ChildJob);
  else if (process.argv[2] === '--child-mailparser') await mailparserChild(process.argv.slice(3));
  else await run();
}
