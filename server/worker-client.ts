// One long-lived worker thread asked questions by id: the scenario loader, the knowledge
// builder and the explorer each keep one. The worker starts on the first request (a server
// that never needs it never pays for it), and one that fails or exits fails every request
// it was answering with an error saying so; the next request starts a new one.
import type { Worker } from 'node:worker_threads';
import { LoregraphError } from '../domain/errors.ts';
import { startTsWorker } from './worker-bootstrap.ts';

/** A message without its `id`, which the client assigns (distributes over a union's members). */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface RequestOptions {
  /** Past this with no reply the worker is taken as stuck: it is replaced and the request rejected. */
  timeoutMs?: number;
  /** What a request that timed out is rejected with. */
  timeoutError?: () => Error;
}

export interface WorkerClient<Req extends { id: number }, Reply extends { id: number }> {
  /** Posts `req` with a fresh id; resolves with the worker's reply carrying that id. */
  request(req: WithoutId<Req>, opts?: RequestOptions): Promise<Reply>;
  /** Ends the worker; requests still waiting are rejected. The next request would start a new one. */
  close(): Promise<void>;
}

export interface WorkerClientOptions {
  /** Names the worker in errors ("scenario worker: ..."). */
  name: string;
  /** Starts the worker, resolving once it is ready (default startTsWorker). */
  start?: (entry: URL) => Promise<Worker>;
}

interface Waiting<Reply> {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

export function workerClient<Req extends { id: number }, Reply extends { id: number }>(
  entry: URL,
  opts: WorkerClientOptions,
): WorkerClient<Req, Reply> {
  const start = opts.start ?? startTsWorker;
  let ready: Promise<Worker> | null = null;
  let current: Worker | null = null;
  let seq = 0;
  const waiting = new Map<number, Waiting<Reply>>();

  // Why the last worker stopped: a request that was waiting for it to start is told the same.
  let stopped: Error | null = null;
  const failAll = (e: Error): void => {
    stopped = e;
    for (const w of waiting.values()) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(e);
    }
    waiting.clear();
  };

  /** Forgets worker `w` (only if still the current one) so the next request starts a new one. */
  const retire = (w: Worker, e: Error): void => {
    if (current !== w) return;
    current = null;
    ready = null;
    failAll(e);
    void w.terminate();
  };

  const started = (): Promise<Worker> => {
    if (ready) return ready;
    const starting: Promise<Worker> = start(entry).then(
      (w) => {
        // closed while starting: close() ends it, and its events must not touch a newer worker
        if (ready !== starting) return w;
        current = w;
        w.on('message', (m: Reply) => {
          const p = waiting.get(m.id);
          if (!p) return;
          waiting.delete(m.id);
          if (p.timer) clearTimeout(p.timer);
          p.resolve(m);
        });
        w.on('error', (e) => retire(w, new LoregraphError('INTERNAL', `${opts.name} worker failed: ${e.message}`)));
        // An exit with no error (process.exit in the worker, or terminated) would leave its requests unanswered.
        w.on('exit', (code) => retire(w, new LoregraphError('INTERNAL', `${opts.name} worker exited (code ${code})`)));
        return w;
      },
      (e: unknown) => {
        if (ready === starting) ready = null; // the next request tries again
        throw new LoregraphError('INTERNAL', `${opts.name} worker: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    ready = starting;
    return starting;
  };

  return {
    async request(req, ropts = {}) {
      const w = await started();
      // it failed or was closed while this request waited for it: a message posted now would never be answered
      if (current !== w) throw stopped ?? new LoregraphError('INTERNAL', `${opts.name} worker stopped before the request was sent`);
      const id = ++seq;
      return new Promise<Reply>((resolve, reject) => {
        const timer =
          ropts.timeoutMs === undefined
            ? null
            : setTimeout(() => {
                waiting.delete(id);
                reject(ropts.timeoutError?.() ?? new LoregraphError('INTERNAL', `${opts.name} worker: no reply in ${ropts.timeoutMs} ms`));
                retire(w, new LoregraphError('INTERNAL', `${opts.name} worker replaced: a request overran its time`));
              }, ropts.timeoutMs);
        waiting.set(id, { resolve, reject, timer });
        w.postMessage({ ...req, id });
      });
    },
    async close() {
      const r = ready;
      ready = null;
      current = null;
      failAll(new LoregraphError('INTERNAL', `${opts.name} worker closed`));
      if (r) await (await r.catch(() => null))?.terminate();
    },
  };
}
