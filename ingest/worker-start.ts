// Starting one of our TypeScript modules as a worker thread.
//
// Through tsx, a worker spends about 0.3 s before its first message: tsx's loader is not
// inherited by workers, so each registers it again, and every module the worker imports
// then goes through tsx's loader thread to be resolved and compiled. For `loregraph
// ingest` of a t.mbox.gz thread download that is most of the run, and a tenth of an ingest
// of the shared corpus. So the entry and our modules under it are bundled into one file
// with esbuild (the compiler tsx itself runs; packages stay external and load as usual),
// cached in node_modules/.cache/loregraph, and rebuilt when any file it was built from has
// changed size or mtime. A bundled parse worker is ready in about 0.15 s. Whatever stops
// the bundle (no esbuild, a read-only tree, a bundle that fails to start) leaves the worker
// to start through tsx, as before, with the same code.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId, Worker, type ResourceLimits } from 'node:worker_threads';
import { fork, type ChildProcess } from 'node:child_process';
import type { Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CACHE = join(ROOT, 'node_modules', '.cache', 'loregraph');
/** Leftovers (bundles no manifest names, unfinished builds) are removed once this old: another process may still be starting one. */
const STALE_MS = 10 * 60 * 1000;

/** A bundle and the files it was built from, as [path relative to ROOT, size, mtimeMs]. */
interface Manifest {
  bundle: string;
  inputs: [string, number, number][];
}

/** 'ingest/parse-worker.ts' -> 'ingest-parse-worker-ts': one manifest per entry. */
function entryKey(entry: string): string {
  return relative(ROOT, entry).replace(/[/\\.]/g, '-');
}

/** The cached bundle of `entry` when every file it was built from is as it was, else null. */
function cachedBundle(entry: string, cache: string): string | null {
  try {
    const m = JSON.parse(readFileSync(join(cache, `${entryKey(entry)}.json`), 'utf8')) as Manifest;
    for (const [path, size, mtimeMs] of m.inputs) {
      const st = statSync(join(ROOT, path));
      if (st.size !== size || st.mtimeMs !== mtimeMs) return null;
    }
    const bundle = join(cache, m.bundle);
    statSync(bundle);
    return bundle;
  } catch {
    return null;
  }
}

/**
 * Each of our modules keeps its own import.meta.url inside the bundle: db/connection.ts finds
 * its migrations and sim/index.ts its scenarios next to themselves, not next to the bundle.
 */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(build) {
    // only our own files: packages are external, so esbuild loads none of theirs
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      return { contents: source.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/** Builds started by this thread, for unique temporary names. */
let builds = 0;

/** The sha256 of some files' names and contents, in hex. */
function hashOf(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(f));
  return h.digest('hex');
}

/**
 * Bundles `entry` into the cache. With `split`, code reached only through a dynamic import
 * goes into chunks loaded when it is imported, beside the entry in a directory of their
 * own: in one file, every package any of it imports would load at the start.
 */
async function buildBundle(entry: string, cache: string, split: boolean): Promise<string> {
  const esbuild = await import('esbuild');
  mkdirSync(cache, { recursive: true });
  const started = Date.now();
  // unique per build: two entries bundled by one thread in the same millisecond (the
  // server starts its query process and its workers together) once shared a name, and one
  // entry's manifest named the other's code
  const tmp = join(cache, `.tmp-${entryKey(entry)}-${process.pid}-${threadId}-${started}-${++builds}`);
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    ...(split ? { outdir: tmp, splitting: true, entryNames: '[name]', chunkNames: 'chunk-[hash]', outExtension: { '.js': '.mjs' } } : { outfile: `${tmp}.mjs` }),
    metafile: true,
    logLevel: 'silent',
    plugins: [keepModuleUrls],
  });
  const inputs = Object.keys(result.metafile.inputs).map((path): [string, number, number] => {
    const st = statSync(join(ROOT, path));
    // edited while being bundled: the bundle may hold the old text, so it must not be cached
    if (st.mtimeMs >= started) throw new Error(`${path} changed while the worker was bundled`);
    return [path, st.size, st.mtimeMs];
  });
  // named by content, so a process that read the previous manifest still finds its bundle
  let name: string;
  if (split) {
    const outputs = Object.keys(result.metafile.outputs).sort();
    const dir = `${entryKey(entry)}-${hashOf(outputs.map((o) => join(ROOT, o))).slice(0, 16)}`;
    try {
      renameSync(tmp, join(cache, dir));
    } catch (e) {
      // the same build, finished first by another process
      if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      rmSync(tmp, { recursive: true, force: true });
    }
    name = `${dir}/${basename(entry).replace(/\.ts$/, '.mjs')}`;
  } else {
    name = `${entryKey(entry)}-${hashOf([`${tmp}.mjs`]).slice(0, 16)}.mjs`;
    renameSync(`${tmp}.mjs`, join(cache, name));
  }
  writeFileSync(`${tmp}.json`, JSON.stringify({ bundle: name, inputs } satisfies Manifest));
  renameSync(`${tmp}.json`, join(cache, `${entryKey(entry)}.json`));
  removeLeftovers(cache);
  return join(cache, name);
}

function removeLeftovers(cache: string): void {
  const files = readdirSync(cache);
  const named = new Set<string>();
  for (const f of files.filter((f) => f.endsWith('.json') && !f.startsWith('.'))) {
    try {
      named.add((JSON.parse(readFileSync(join(cache, f), 'utf8')) as Manifest).bundle.split('/')[0] as string);
    } catch {
      // being replaced by another process: nothing is removed on its account
    }
  }
  for (const f of files) {
    // unfinished builds, and bundles (files or directories of chunks) no manifest names
    if (!f.startsWith('.tmp-') && (f.endsWith('.json') || named.has(f))) continue;
    try {
      if (Date.now() - statSync(join(cache, f)).mtimeMs > STALE_MS) rmSync(join(cache, f), { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}

/** Builds under way, so workers starting together share one; a finished build is found on disk. */
const building = new Map<string, Promise<string | null>>();
/** Bundles that built but would not start: the process leaves them to tsx from then on. */
const broken = new Set<string>();

/**
 * A bundle that would not start is left to tsx for the rest of this process, and its
 * manifest is dropped so that the next process builds it again rather than failing the
 * same way (a cache written before the build names were unique may hold a bundle of
 * another entry under this one's name).
 */
function markBroken(entry: string, cache: string, bundle: string): void {
  broken.add(bundle);
  const manifest = join(cache, `${entryKey(entry)}.json`);
  try {
    if (join(cache, (JSON.parse(readFileSync(manifest, 'utf8')) as Manifest).bundle) === bundle) rmSync(manifest, { force: true });
  } catch {
    // gone or being replaced: the next start reads whatever is there
  }
}

function bundleFor(entry: string, cache: string, split = false): Promise<string | null> {
  const cached = cachedBundle(entry, cache);
  if (cached !== null) return Promise.resolve(broken.has(cached) ? null : cached);
  const key = `${cache}\0${entry}`;
  let b = building.get(key);
  if (!b) {
    b = buildBundle(entry, cache, split)
      .catch(() => null)
      .finally(() => building.delete(key));
    building.set(key, b);
  }
  return b;
}

/**
 * The bundle of `entryUrl` (one of our .ts modules), split into chunks loaded as its
 * dynamic imports run, from the cache or built now: the path of its entry file, or null
 * when none can be built. bin/loregraph.js runs the CLI from it.
 */
export function splitModuleBundle(entryUrl: URL, opts: Pick<StartOptions, 'cacheDir'> = {}): Promise<string | null> {
  return bundleFor(fileURLToPath(entryUrl), opts.cacheDir ?? DEFAULT_CACHE, true);
}

/** The worker source that registers tsx in the worker and then imports `entry`. */
function tsxBootstrap(entry: string): string {
  const req = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(join(dirname(req.resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  return `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(entry).href)}); })
    .catch((e) => { require('node:worker_threads').parentPort.postMessage({ fatal: String((e && e.stack) || e) }); });`;
}

/**
 * A worker inherits the process's flags: `node --import tsx` would load tsx into a worker
 * that runs plain JavaScript (about 0.1 s of its start). The bundle needs no loader.
 */
export function withoutLoaders(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    if (/^--(import|require|loader|experimental-loader)$/.test(a) || a === '-r') i++;
    else if (!/^--(import|require|loader|experimental-loader)=/.test(a)) out.push(a);
  }
  return out;
}

/**
 * Resolves once the worker or process sends { ready: true }; stops it and rejects with why
 * it did not (a fatal message, an error, or an exit first).
 */
function whenReady<T extends Worker | ChildProcess>(unit: T, label: string, stop: (u: T) => void): Promise<T> {
  // Both are emitters of these three events; one set of listeners serves both.
  const events: NodeJS.EventEmitter = unit;
  return new Promise<T>((resolve, reject) => {
    const settle = (why: string | null): void => {
      events.off('message', onMessage);
      events.off('error', onError);
      events.off('exit', onExit);
      if (why === null) return resolve(unit);
      stop(unit);
      reject(new Error(`${label} failed to start: ${why}`));
    };
    const onError = (e: Error): void => settle(e.stack ?? e.message);
    const onMessage = (m: { ready?: boolean; fatal?: string }): void => settle(m.ready ? null : (m.fatal ?? 'unknown'));
    const onExit = (code: number | null, signal?: string | null): void => settle(`exited (${signal ?? code})`);
    events.on('message', onMessage);
    events.on('error', onError);
    events.on('exit', onExit);
  });
}

const whenWorkerReady = (w: Worker, entry: string): Promise<Worker> => whenReady(w, `worker ${relative(ROOT, entry)}`, (u) => void u.terminate());

export interface StartOptions {
  workerData?: unknown;
  /** Where bundles are kept (default node_modules/.cache/loregraph). */
  cacheDir?: string;
  /** The worker's own heap bounds (a parse worker's, say). */
  resourceLimits?: ResourceLimits;
}

/**
 * Starts `entryUrl` (one of our .ts modules, which posts { ready: true } once listening)
 * as a worker thread; resolves with the worker once it is ready.
 */
export async function startModuleWorker(entryUrl: URL, opts: StartOptions = {}): Promise<Worker> {
  const entry = fileURLToPath(entryUrl);
  const cache = opts.cacheDir ?? DEFAULT_CACHE;
  const bundle = await bundleFor(entry, cache);
  const limits = opts.resourceLimits !== undefined ? { resourceLimits: opts.resourceLimits } : {};
  if (bundle !== null) {
    try {
      return await whenWorkerReady(new Worker(pathToFileURL(bundle), { workerData: opts.workerData, execArgv: withoutLoaders(process.execArgv), ...limits }), entry);
    } catch {
      // not worth failing a run over: tsx starts the same code
      markBroken(entry, cache, bundle);
    }
  }
  return whenWorkerReady(new Worker(tsxBootstrap(entry), { eval: true, workerData: opts.workerData, ...limits }), entry);
}

export interface ProcessStartOptions extends Pick<StartOptions, 'cacheDir'> {
  /** Extra flags for the child's node (a heap bound, say). */
  execArgv?: string[];
}

const whenProcessReady = (child: ChildProcess, entry: string): Promise<ChildProcess> =>
  whenReady(child, `process ${relative(ROOT, entry)}`, (u) => u.kill('SIGKILL'));

/**
 * Starts `entryUrl` (one of our .ts modules, which sends { ready: true } over IPC once
 * listening) as a child process, from the same cached bundle a worker uses. A process,
 * unlike a worker thread, can be stopped in the middle of a native call: a worker's
 * terminate() waits until a running SQLite statement returns, however long that takes.
 */
export async function startModuleProcess(entryUrl: URL, args: string[] = [], opts: ProcessStartOptions = {}): Promise<ChildProcess> {
  const entry = fileURLToPath(entryUrl);
  const extra = opts.execArgv ?? [];
  const cache = opts.cacheDir ?? DEFAULT_CACHE;
  const bundle = await bundleFor(entry, cache);
  if (bundle !== null) {
    try {
      return await whenProcessReady(fork(bundle, args, { execArgv: [...withoutLoaders(process.execArgv), ...extra], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), entry);
    } catch {
      markBroken(entry, cache, bundle);
    }
  }
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return whenProcessReady(fork(entry, args, { execArgv: ['--import', tsx, ...extra], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), entry);
}
