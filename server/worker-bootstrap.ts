// Starting one of our TypeScript modules as a worker thread: tsx's loader is not
// inherited by workers (bin/loregraph.js and vitest register it in-process only), so the
// worker registers it itself before importing the entry (as ingest/pipeline.ts does).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Starts `entry` (a file URL) in a worker; resolves once it posts { ready: true }. */
export function startTsWorker(entry: URL): Promise<Worker> {
  const req = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(join(dirname(req.resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })
    .catch((e) => { require('node:worker_threads').parentPort.postMessage({ fatal: String((e && e.stack) || e) }); });`;
  return new Promise<Worker>((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.unref();
    const first = (m: { ready?: boolean; fatal?: string }) => {
      w.off('message', first);
      if (m.ready) resolve(w);
      else {
        void w.terminate();
        reject(new Error(`worker ${entry.pathname} failed to start: ${m.fatal ?? 'unknown'}`));
      }
    };
    w.on('message', first);
    w.once('error', reject);
  });
}
