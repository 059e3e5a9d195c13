import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitModuleBundle, startModuleWorker, withoutLoaders } from '../ingest/worker-start.ts';
import { REPO_ROOT as REPO } from './helpers/shared.ts';

// A worker module of our own shape: it imports a sibling, posts ready, and answers each
// message with what the sibling knows (its text and its own import.meta.url).
const ENTRY = `import { parentPort, workerData } from 'node:worker_threads';
import { greeting, where } from './dep.ts';
parentPort!.on('message', () => parentPort!.postMessage({ greeting, where, data: workerData as unknown }));
parentPort!.postMessage({ ready: true });
`;
const dep = (greeting: string): string => `export const greeting: string = ${JSON.stringify(greeting)};\nexport const where = import.meta.url;\n`;

let dir: string;
let cache: string;
const workers: Worker[] = [];

beforeEach(() => {
  // inside the project, whose package.json makes .ts files ES modules (for tsx as for Node)
  const scratch = fileURLToPath(new URL('../.tmp/', import.meta.url));
  mkdirSync(scratch, { recursive: true });
  dir = mkdtempSync(join(scratch, 'worker-start-'));
  cache = join(dir, 'cache');
  writeFileSync(join(dir, 'entry.ts'), ENTRY);
  writeFileSync(join(dir, 'dep.ts'), dep('hello'));
  // written before the build starts, as source files are
  const past = new Date(Date.now() - 60_000);
  for (const f of ['entry.ts', 'dep.ts']) utimesSync(join(dir, f), past, past);
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
  rmSync(dir, { recursive: true, force: true });
});

async function ask(opts: { cacheDir: string; workerData?: unknown }): Promise<{ greeting: string; where: string; data: unknown }> {
  const w = await startModuleWorker(pathToFileURL(join(dir, 'entry.ts')), opts);
  workers.push(w);
  return new Promise((resolve) => {
    w.once('message', resolve);
    w.postMessage('?');
  });
}

const bundlesIn = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.mjs'));

describe('startModuleWorker', () => {
  it('starts a worker from a cached bundle in which each module keeps its own import.meta.url', async () => {
    const answer = await ask({ cacheDir: cache, workerData: { n: 7 } });
    expect(answer).toEqual({ greeting: 'hello', where: pathToFileURL(join(dir, 'dep.ts')).href, data: { n: 7 } });
    expect(bundlesIn(cache)).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(cache, readdirSync(cache).find((f) => f.endsWith('.json'))!), 'utf8')) as { bundle: string; inputs: [string, number, number][] };
    expect(manifest.bundle).toBe(bundlesIn(cache)[0]);
    expect(manifest.inputs.map(([p]) => p.split('/').at(-1)).sort()).toEqual(['dep.ts', 'entry.ts']);
  });

  it('reuses the bundle while its files are unchanged, and rebuilds it when one changes', async () => {
    await ask({ cacheDir: cache });
    const first = bundlesIn(cache);
    // a rebuild of unchanged files gives the same name (it is the content's hash), but a new file
    const inode = (): number => statSync(join(cache, first[0]!)).ino;
    const before = inode();
    expect((await ask({ cacheDir: cache })).greeting).toBe('hello');
    expect(bundlesIn(cache)).toEqual(first);
    expect(inode()).toBe(before);

    writeFileSync(join(dir, 'dep.ts'), dep('changed'));
    const past = new Date(Date.now() - 30_000);
    utimesSync(join(dir, 'dep.ts'), past, past);
    expect((await ask({ cacheDir: cache })).greeting).toBe('changed');
    // the old bundle stays for a while (another process may be starting it), beside the new one
    expect(bundlesIn(cache)).toHaveLength(2);
  });

  it('starts the worker through tsx when no bundle can be written', async () => {
    writeFileSync(join(dir, 'not-a-directory'), '');
    const answer = await ask({ cacheDir: join(dir, 'not-a-directory', 'cache'), workerData: 'x' });
    expect(answer).toEqual({ greeting: 'hello', where: pathToFileURL(join(dir, 'dep.ts')).href, data: 'x' });
  });

  it('rejects with the reason when the module fails to start', async () => {
    writeFileSync(join(dir, 'entry.ts'), `throw new Error('no such device');\n`);
    await expect(startModuleWorker(pathToFileURL(join(dir, 'entry.ts')), { cacheDir: cache })).rejects.toThrow(/failed to start: .*no such device/);
  });

  it('rejects, not waits forever, when the module exits before it is ready', async () => {
    writeFileSync(join(dir, 'entry.ts'), `process.exit(3);\n`);
    await expect(startModuleWorker(pathToFileURL(join(dir, 'entry.ts')), { cacheDir: cache })).rejects.toThrow(/failed to start: exited \(3\)/);
  });
});

describe('withoutLoaders', () => {
  it("drops the process's loader flags and keeps the rest", () => {
    expect(withoutLoaders(['--import', 'tsx', '--max-old-space-size=512', '--require=./x.cjs', '-r', 'y', '--loader', 'z', '--experimental-loader=w', '--cpu-prof'])).toEqual([
      '--max-old-space-size=512',
      '--cpu-prof',
    ]);
  });
});

describe('splitModuleBundle', () => {
  it('bundles an entry into a directory of its own, a dynamic import into a chunk loaded when it runs, each module keeping its import.meta.url', async () => {
    writeFileSync(join(dir, 'entry.ts'), `export const late = async (): Promise<{ greeting: string; where: string }> => import('./dep.ts');\n`);
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'entry.ts'), past, past);
    const bundle = await splitModuleBundle(pathToFileURL(join(dir, 'entry.ts')), { cacheDir: cache });
    expect(bundle).not.toBeNull();
    const files = readdirSync(dirname(bundle!));
    expect(files).toContain('entry.mjs');
    // the sibling is not in the entry's file
    expect(files.length).toBeGreaterThan(1);
    expect(readFileSync(bundle!, 'utf8')).not.toContain('hello');
    const mod = (await import(pathToFileURL(bundle!).href)) as { late: () => Promise<{ greeting: string; where: string }> };
    expect(await mod.late()).toMatchObject({ greeting: 'hello', where: pathToFileURL(join(dir, 'dep.ts')).href });
    // current: the same directory again, not a new build
    expect(await splitModuleBundle(pathToFileURL(join(dir, 'entry.ts')), { cacheDir: cache })).toBe(bundle);
    writeFileSync(join(dir, 'dep.ts'), dep('changed'));
    utimesSync(join(dir, 'dep.ts'), past, past);
    const rebuilt = await splitModuleBundle(pathToFileURL(join(dir, 'entry.ts')), { cacheDir: cache });
    expect(rebuilt).not.toBe(bundle);
    expect(await ((await import(pathToFileURL(rebuilt!).href)) as typeof mod).late()).toMatchObject({ greeting: 'changed' });
  });
});

describe('bundles built together', () => {
  it('gives each entry its own code when one thread bundles several at once', async () => {
    // The server bundles its query process and its workers in the same millisecond; their
    // builds once shared a temporary name, and one entry's manifest named another's code.
    const names = ['a', 'b', 'c', 'd'];
    const past = new Date(Date.now() - 60_000);
    for (const n of names) {
      writeFileSync(join(dir, `${n}.ts`), `import { parentPort } from 'node:worker_threads';\nparentPort!.on('message', () => parentPort!.postMessage(${JSON.stringify(n)}));\nparentPort!.postMessage({ ready: true });\n`);
      utimesSync(join(dir, `${n}.ts`), past, past);
    }
    const started = await Promise.all(names.map((n) => startModuleWorker(pathToFileURL(join(dir, `${n}.ts`)), { cacheDir: cache })));
    workers.push(...started);
    const answers = await Promise.all(started.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage('?'); })));
    expect(answers).toEqual(names);
    for (const n of names) {
      const manifest = `${relative(REPO, join(dir, `${n}.ts`)).replace(/[/\\.]/g, '-')}.json`;
      const m = JSON.parse(readFileSync(join(cache, manifest), 'utf8')) as { bundle: string };
      expect(readFileSync(join(cache, m.bundle), 'utf8')).toContain(`postMessage(${JSON.stringify(n)})`);
    }
  });

  it('builds again, next time, a cached bundle that would not start', async () => {
    await ask({ cacheDir: cache });
    const [first] = bundlesIn(cache);
    writeFileSync(join(cache, first!), `throw new Error('not this entry');\n`);
    // this start falls back to tsx, and drops the manifest
    expect((await ask({ cacheDir: cache })).greeting).toBe('hello');
    expect(readdirSync(cache).filter((f) => f.endsWith('.json'))).toEqual([]);
  });
});
