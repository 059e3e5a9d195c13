import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startModuleWorker, withoutLoaders } from '../ingest/worker-start.ts';

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
