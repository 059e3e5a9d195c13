// The server's workers (explorer, knowledge index, scenario files, database watch) start as
// ingest's parse worker does (ingest/worker-start.ts), unref'd: an idle pool must not keep
// the process alive.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker, type StartOptions } from '../ingest/worker-start.ts';

/** Starts `entry` (a file URL) in a worker; resolves once it posts { ready: true }. */
export async function startTsWorker(entry: URL, opts: StartOptions = {}): Promise<Worker> {
  const w = await startModuleWorker(entry, opts);
  w.unref();
  return w;
}
