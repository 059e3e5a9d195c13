// The server's workers (search, explorer, knowledge index) start as ingest's parse worker
// does (ingest/worker-start.ts), unref'd: an idle pool must not keep the process alive.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../ingest/worker-start.ts';

/** Starts `entry` (a file URL) in a worker; resolves once it posts { ready: true }. */
export async function startTsWorker(entry: URL): Promise<Worker> {
  const w = await startModuleWorker(entry);
  w.unref();
  return w;
}
