// Runs the explorer off the request thread: one long-lived worker (started on first use),
// one run at a time, a short queue. A run that overstays its own time bound by far is
// taken as stuck: the worker is replaced and the run reported as an internal error.
import { workerClient, type WithoutId } from './worker-client.ts';
import type { SimJob, SimReply, SimRunOptions } from './sim-worker.ts';

export type { SimRunOptions } from './sim-worker.ts';
import { LoregraphError } from '../domain/errors.ts';
import { SimError, runScenario, type RunResult, type Scenario } from '../sim/index.ts';

export interface SimRunner {
  run(scenario: Scenario, opts: SimRunOptions): Promise<RunResult>;
  close(): Promise<void>;
}

/** Runs on the calling thread: for tests of the route logic and for tools. */
export function inlineSimRunner(): SimRunner {
  return { run: async (sc, opts) => runScenario(sc, opts), close: async () => {} };
}

/** Waiting runs beyond this are refused: each may hold the explorer for its whole time bound. */
export const MAX_QUEUED_RUNS = 4;
/** Grace beyond a run's own maxMs before the worker is considered stuck. */
const STUCK_GRACE_MS = 15_000;

export function workerSimRunner(): SimRunner {
  const worker = workerClient<SimJob, SimReply>(new URL('./sim-worker.ts', import.meta.url), { name: 'explorer' });
  const queue: { job: WithoutId<SimJob>; resolve: (r: RunResult) => void; reject: (e: Error) => void }[] = [];
  let busy = false;

  const pump = async (): Promise<void> => {
    if (busy) return;
    const next = queue.shift();
    if (!next) return;
    busy = true;
    try {
      const { maxMs } = next.job.opts;
      const reply = await worker.request(next.job, {
        timeoutMs: maxMs + STUCK_GRACE_MS,
        timeoutError: () => new LoregraphError('INTERNAL', `explorer run exceeded ${maxMs} ms by more than ${STUCK_GRACE_MS} ms`),
      });
      if (reply.error) {
        next.reject(reply.error.simCode ? new SimError(reply.error.simCode, reply.error.message) : new Error(reply.error.message));
      } else next.resolve(reply.result);
    } catch (e) {
      next.reject(e instanceof Error ? e : new Error(String(e)));
    } finally {
      busy = false;
      void pump();
    }
  };

  return {
    run(scenario, opts) {
      if (queue.length >= MAX_QUEUED_RUNS) {
        return Promise.reject(new LoregraphError('BUSY', `the explorer is busy (${queue.length} runs waiting): try again shortly`));
      }
      return new Promise<RunResult>((resolve, reject) => {
        queue.push({ job: { scenario, opts }, resolve, reject });
        void pump();
      });
    },
    close: () => worker.close(),
  };
}
