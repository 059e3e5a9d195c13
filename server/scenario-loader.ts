// The server's scenario loader (server/scenario-store.ts): files are loaded in a worker
// thread started on first use, so the request that first needs the scenarios waits for
// them and every other request is answered meanwhile.
import type { Worker } from 'node:worker_threads';
import { LoregraphError } from '../domain/errors.ts';
import { SimError } from '../sim/index.ts';
import type { ScenarioLoader } from './scenario-store.ts';
import type { ScenarioLoadReply } from './scenario-worker.ts';
import { startTsWorker } from './worker-bootstrap.ts';

export interface WorkerScenarioLoader {
  load: ScenarioLoader;
  close(): Promise<void>;
}

export function workerScenarioLoader(): WorkerScenarioLoader {
  let ready: Promise<Worker> | null = null;
  let seq = 0;
  const waiting = new Map<number, { resolve: (r: ScenarioLoadReply) => void; reject: (e: Error) => void }>();
  const start = (): Promise<Worker> => {
    ready ??= startTsWorker(new URL('./scenario-worker.ts', import.meta.url)).then(
      (w) => {
        w.on('message', (m: ScenarioLoadReply) => {
          const p = waiting.get(m.id);
          waiting.delete(m.id);
          p?.resolve(m);
        });
        w.on('error', (e) => {
          // the next load starts a new worker
          ready = null;
          for (const p of waiting.values()) p.reject(e);
          waiting.clear();
        });
        return w;
      },
      (e: unknown) => {
        ready = null;
        throw new LoregraphError('INTERNAL', `scenario worker: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return ready;
  };
  return {
    async load(file) {
      const w = await start();
      const id = ++seq;
      const reply = await new Promise<ScenarioLoadReply>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.postMessage({ id, file });
      });
      if (reply.error === undefined) return reply.scenario;
      throw reply.error.simCode ? new SimError(reply.error.simCode, reply.error.message) : new Error(reply.error.message);
    },
    async close() {
      const r = ready;
      ready = null;
      if (r) await (await r.catch(() => null))?.terminate();
    },
  };
}
