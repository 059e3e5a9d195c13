// A query process of server/query-pool.ts: its own read-only connection to the database
// named by its first argument, one job at a time, each answer (or the error's registry
// code) sent back over IPC. A process, not a worker thread, so that the pool can stop a
// statement that overruns its deadline: better-sqlite3 cannot interrupt one, and a
// worker's terminate() waits for it to return.
import { setPriority } from 'node:os';
import { openDb, type Db } from '../db/connection.ts';
import { isLoregraphError, type ErrorCode } from '../domain/errors.ts';
import { runQueryJob, type QueryJob } from './query-jobs.ts';

/** A job as it crosses the process boundary. */
export type QueryRequest = QueryJob & { id: number };

export type QueryReply =
  | { id: number; result: unknown; error?: undefined }
  | { id: number; result?: undefined; error: { code: ErrorCode | null; message: string; details?: Record<string, unknown> } };

const send = process.send?.bind(process);
if (!send) throw new Error('query-process.ts runs as a child process with an IPC channel');

/**
 * Searches yield to the thread that serves HTTP (health checks, the page, JSON) when the
 * cores are short; a concurrent `loregraph ingest` yields to both (cli/commands/ingest.ts).
 */
const QUERY_NICE = 5;
try {
  setPriority(QUERY_NICE);
} catch {
  // a platform that will not lower it: the deadline still bounds every search
}

let db: Db;
try {
  db = openDb(process.argv[2] ?? '', { readonly: true });
} catch (e) {
  send({ fatal: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}

process.on('message', (m: QueryRequest) => {
  let reply: QueryReply;
  try {
    reply = { id: m.id, result: runQueryJob(db, m) };
  } catch (e) {
    reply = {
      id: m.id,
      error: isLoregraphError(e)
        ? { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) }
        : { code: null, message: e instanceof Error ? e.message : String(e) },
    };
  }
  send(reply);
});
// The pool's end (or its process's death) ends this process too: nothing else would.
process.on('disconnect', () => process.exit(0));
send({ ready: true });
