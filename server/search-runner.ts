// Where /api/search queries run. better-sqlite3 is synchronous, so on the request thread
// ten concurrent searches queue behind each other and p99 latency is ten service times.
// A small pool of worker threads, each with its own read-only connection to the same
// file, runs them on every core while the request thread only speaks HTTP. Inline
// (on the request thread) serves in-memory databases and tests of the route logic.
import type { Worker } from 'node:worker_threads';
import type { Db } from '../db/connection.ts';
import { LoregraphError, type ErrorCode } from '../domain/errors.ts';
import { searchMessages, type SearchOptions, type SearchResult } from './search.ts';
import { startTsWorker } from './worker-bootstrap.ts';
import type { SearchJob, SearchReply, SearchWorkerInit } from './search-worker.ts';

export interface SearchRunner {
  search(query: string, opts: SearchOptions): Promise<SearchResult>;
  close(): Promise<void>;
}

export function inlineSearchRunner(db: Db): SearchRunner {
  return { search: async (query, opts) => searchMessages(db, query, opts), close: async () => {} };
}

interface Slot {
  worker: Promise<Worker>;
  pending: Map<number, { resolve: (r: SearchResult) => void; reject: (e: Error) => void }>;
}

/**
 * `size` workers on `dbPath`, started now so the first requests do not wait for them.
 * `start` makes each worker (a test hands in one that keeps them, to stop one).
 */
export function workerSearchRunner(dbPath: string, size: number, start: (entry: URL) => Promise<Worker> = startTsWorker): SearchRunner {
  let seq = 0;
  let closed = false;

  const fail = (slot: Slot, e: unknown): void => {
    const err = new LoregraphError('INTERNAL', `search worker: ${e instanceof Error ? e.message : String(e)}`);
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };

  const startSlot = (): Slot => {
    const slot: Slot = { worker: null as unknown as Promise<Worker>, pending: new Map() };
    slot.worker = start(new URL('./search-worker.ts', import.meta.url)).then((w) => {
      w.postMessage({ dbPath } satisfies SearchWorkerInit);
      w.on('message', (m: SearchReply) => {
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        if (!m.error) p.resolve(m.result);
        else if (m.error.code) p.reject(new LoregraphError(m.error.code, m.error.message, m.error.details));
        else p.reject(new Error(m.error.message));
      });
      // A worker that dies takes its in-flight searches with it; a fresh one takes its place.
      w.once('error', (e) => fail(slot, e));
      w.once('exit', () => {
        fail(slot, new Error('exited'));
        if (!closed) slots[slots.indexOf(slot)] = startSlot();
      });
      return w;
    });
    // A failed start is reported by the searches sent to it.
    slot.worker.catch(() => {});
    return slot;
  };

  const slots: Slot[] = Array.from({ length: Math.max(1, size) }, startSlot);

  return {
    search(query, opts) {
      // The least busy worker: searches differ in cost, so strict turns would queue behind a slow one.
      let slot = slots[0] as Slot;
      for (const s of slots) if (s.pending.size < slot.pending.size) slot = s;
      const id = ++seq;
      return new Promise<SearchResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.then(
          (w) => w.postMessage({ id, query, opts } satisfies SearchJob),
          (e: unknown) => {
            slot.pending.delete(id);
            reject(new LoregraphError('INTERNAL', `search worker: ${e instanceof Error ? e.message : String(e)}`));
          },
        );
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.then((w) => w.terminate(), () => undefined)));
    },
  };
}
