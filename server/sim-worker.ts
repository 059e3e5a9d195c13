// The explorer's thread: scenario runs are CPU-bound for up to their time bound, so the
// server runs them here and keeps answering other requests meanwhile.
import { parentPort } from 'node:worker_threads';
import { isSimError, runScenario, type RunResult, type Scenario, type SimErrorCode } from '../sim/index.ts';

// The messages between server/sim-runner.ts and this thread.
export interface SimRunOptions {
  variant: string;
  config: string;
  maxStates: number;
  maxMs: number;
}

export interface SimJob {
  id: number;
  /**
   * The scenario as the server's store holds it (loaded by the scenario worker): parsing
   * the file again here cost 130-850 ms of CPU per file, cloning it about 0.3 ms.
   */
  scenario: Scenario;
  opts: SimRunOptions;
}

export type SimReply =
  | { id: number; result: RunResult; error?: undefined }
  | { id: number; result?: undefined; error: { message: string; simCode: SimErrorCode | null } };

const port = parentPort;
if (!port) throw new Error('sim-worker.ts runs as a worker thread');

port.on('message', (job: SimJob) => {
  let reply: SimReply;
  try {
    reply = { id: job.id, result: runScenario(job.scenario, job.opts) };
  } catch (e) {
    reply = {
      id: job.id,
      error: { message: e instanceof Error ? e.message : String(e), simCode: isSimError(e) ? e.code : null },
    };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
