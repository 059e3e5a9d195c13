// The parse half of ingest: raw messages in, processed rows out, in the order given,
// either on worker threads (the default) or inline on the caller's thread.
import { availableParallelism } from 'node:os';
import { LoregraphError } from '../domain/errors.ts';
import type { Analyzer } from './analyzer.ts';
import { processRaw, type Processed, type WireRaw } from './pipeline-process.ts';
import type { WorkerRequest, WorkerResponse } from './parse-worker.ts';
import { startModuleWorker } from './worker-start.ts';

/** Parses in order, either in the worker or inline. */
export interface Processor {
  submit(items: WireRaw[]): Promise<Processed[]>;
  close(): Promise<void>;
  /** Milliseconds spent parsing so far, summed over the threads that parse (can exceed wall time). */
  busyMs(): number;
  /** Whether the parsing runs on the caller's thread (its time is then the caller's too). */
  readonly inline: boolean;
}

export function inlineProcessor(analyzers: readonly Analyzer[]): Processor {
  let busy = 0;
  return {
    submit: async (items) => {
      const out: Processed[] = [];
      for (const it of items) {
        const t0 = performance.now();
        out.push(await processRaw(it, analyzers));
        busy += performance.now() - t0;
      }
      return out;
    },
    close: async () => {},
    busyMs: () => busy,
    inline: true,
  };
}

/**
 * A parse worker's heap bound. Its live heap is small (22-25 MB on the race samples: a heap
 * snapshot at its peak), but with V8's default bound (4 GB here) it let garbage grow to
 * 100-120 MB between major collections. A lower bound makes V8 collect sooner; 1.5 GB
 * still parses a message at the 64 MiB limit. (A young generation of 24 MB instead of 48
 * saved about 30 MB more at the peak, for some 4% more parse CPU.)
 */
export const PARSE_WORKER_LIMITS = { maxOldGenerationSizeMb: 1536 };

async function workerProcessor(analyzerNames: string[]): Promise<Processor> {
  const worker = await startModuleWorker(new URL('./parse-worker.ts', import.meta.url), { workerData: { analyzers: analyzerNames }, resourceLimits: PARSE_WORKER_LIMITS }).catch((e: Error) => {
    throw new LoregraphError('INTERNAL', e.message);
  });
  const waiting = new Map<number, { resolve: (r: Processed[]) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  let seq = 0;
  let busy = 0;
  const fail = (e: Error): void => {
    failure ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('message', (m: WorkerResponse) => {
    const w = waiting.get(m.seq);
    waiting.delete(m.seq);
    busy += m.busyMs;
    w?.resolve(m.results);
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new LoregraphError('INTERNAL', `parse worker exited (${code})`)));
  return {
    submit: (items) =>
      new Promise<Processed[]>((resolve, reject) => {
        if (failure) return reject(failure);
        const id = seq++;
        waiting.set(id, { resolve, reject });
        const req: WorkerRequest = { seq: id, items };
        const transfer = new Set<ArrayBuffer>();
        for (const it of items) if (it.bytes.buffer instanceof ArrayBuffer) transfer.add(it.bytes.buffer);
        worker.postMessage(req, [...transfer]);
      }),
    close: async () => {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
    busyMs: () => busy,
    inline: false,
  };
}

/**
 * One per core beyond the writer's (`loregraph ingest --jobs` defaults to it), at least 1,
 * at most 4: one writer thread stores what about four parse workers make.
 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** Chunks go round-robin; the consumer awaits answers in submission order, so order holds. */
export async function workerPool(n: number, analyzerNames: string[]): Promise<Processor> {
  const workers = await Promise.all(Array.from({ length: Math.max(1, n) }, () => workerProcessor(analyzerNames)));
  let next = 0;
  return {
    submit: (items) => (workers[next++ % workers.length] as Processor).submit(items),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
    busyMs: () => workers.reduce((n, w) => n + w.busyMs(), 0),
    inline: false,
  };
}
