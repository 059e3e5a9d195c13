// The thread of server/db-watch.ts: its own read-only connection, polled for data_version
// (every pollMs) and the schema version (every second), the readings left in shared
// memory for the request thread to read without a message or a wait.
import { parentPort, workerData } from 'node:worker_threads';
import { closeDb, openDb, schemaVersion, type Db } from '../db/connection.ts';
import { dataVersion } from '../db/data-version.ts';

export interface DbWatchData {
  path: string;
  pollMs: number;
  /** Int32 [0] the changes seen, [1] the schema version; Float64 at byte 8: Date.now() of the last good read. */
  shared: SharedArrayBuffer;
}

const port = parentPort;
if (!port) throw new Error('db-watch-worker.ts runs as a worker thread');
const { path, pollMs, shared } = workerData as DbWatchData;
const ints = new Int32Array(shared, 0, 2);
const okAt = new Float64Array(shared, 8, 1);

const SCHEMA_EVERY_MS = 1_000;
let db: Db | null = null;
let last: string | null = null;
let schemaAt = -Infinity;

function poll(): void {
  try {
    db ??= openDb(path, { readonly: true });
    const v = dataVersion(db);
    if (last !== null && v !== last) Atomics.add(ints, 0, 1);
    last = v;
    const now = performance.now();
    if (now - schemaAt >= SCHEMA_EVERY_MS) {
      Atomics.store(ints, 1, schemaVersion(db));
      schemaAt = now;
    }
    okAt[0] = Date.now();
  } catch {
    // Unreadable now (the file went away, a lock that will not clear): the request thread
    // sees the last good read age. The next poll opens a new connection; whatever changed
    // meanwhile is counted as a change.
    if (db) closeDb(db);
    db = null;
    if (last !== null) Atomics.add(ints, 0, 1);
    last = null;
  }
}

poll();
setInterval(poll, pollMs);
port.postMessage({ ready: true });
