// A search thread of server/search-runner.ts: its own read-only connection, one query at
// a time, the result (or the error's registry code) posted back.
import { parentPort } from 'node:worker_threads';
import { openDb, type Db } from '../db/connection.ts';
import { isLoregraphError, type ErrorCode } from '../domain/errors.ts';
import { searchMessages, type SearchOptions, type SearchResult } from './search.ts';

// The messages between server/search-runner.ts and this thread.
export interface SearchJob {
  id: number;
  query: string;
  opts: SearchOptions;
}

export type SearchReply =
  | { id: number; result: SearchResult; error?: undefined }
  | { id: number; result?: undefined; error: { code: ErrorCode | null; message: string; details?: Record<string, unknown> } };

/** First message to a worker: the database it opens read-only. */
export interface SearchWorkerInit {
  dbPath: string;
}

const port = parentPort;
if (!port) throw new Error('search-worker.ts runs as a worker thread');

let db: Db | null = null;
let openError: unknown = null;

port.on('message', (m: SearchWorkerInit | SearchJob) => {
  if ('dbPath' in m) {
    try {
      db = openDb(m.dbPath, { readonly: true });
    } catch (e) {
      openError = e;
    }
    return;
  }
  let reply: SearchReply;
  try {
    if (!db) throw openError ?? new Error('no database opened');
    reply = { id: m.id, result: searchMessages(db, m.query, m.opts) };
  } catch (e) {
    reply = {
      id: m.id,
      error: isLoregraphError(e)
        ? { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) }
        : { code: null, message: e instanceof Error ? e.message : String(e) },
    };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
