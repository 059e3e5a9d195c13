// The server's scenario loader (server/scenario-store.ts): files are loaded in a worker
// thread started on first use, so the request that first needs the scenarios waits for
// them and every other request is answered meanwhile.
import { SimError } from '../sim/index.ts';
import type { ScenarioLoader } from './scenario-store.ts';
import type { ScenarioLoadReply, ScenarioLoadRequest } from './scenario-worker.ts';
import { workerClient } from './worker-client.ts';

export interface WorkerScenarioLoader {
  load: ScenarioLoader;
  close(): Promise<void>;
}

export function workerScenarioLoader(): WorkerScenarioLoader {
  const worker = workerClient<ScenarioLoadRequest, ScenarioLoadReply>(new URL('./scenario-worker.ts', import.meta.url), { name: 'scenario' });
  return {
    async load(file) {
      const reply = await worker.request({ file });
      if (reply.error === undefined) return reply.scenario;
      throw reply.error.simCode ? new SimError(reply.error.simCode, reply.error.message) : new Error(reply.error.message);
    },
    close: () => worker.close(),
  };
}
