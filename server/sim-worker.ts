// The explorer's thread: scenario runs are CPU-bound for up to their time bound, so the
// server runs them here and keeps answering other requests meanwhile.
import { parentPort } from 'node:worker_threads';
import { statSync } from 'node:fs';
import { isSimError, loadScenarioFile, runScenario, type RunResult, type Scenario, type SimErrorCode } from '../sim/index.ts';

// The messages between server/sim-runner.ts and this thread.
export interface SimRunOptions {
  variant: string;
  config: string;
  maxStates: number;
  maxMs: number;
}

export interface SimJob {
  id: number;
  file: string;
  opts: SimRunOptions;
}

export type SimReply =
  | { id: number; result: RunResult; error?: undefined }
  | { id: number; result?: undefined; error: { message: string; simCode: SimErrorCode | null } };

const port = parentPort;
if (!port) throw new Error('sim-worker.ts runs as a worker thread');

const loaded = new Map<string, { key: string; scenario: Scenario }>();

function scenarioAt(file: string): Scenario {
  const st = statSync(file);
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = loaded.get(file);
  if (hit && hit.key === key) return hit.scenario;
  const scenario = loadScenarioFile(file);
  loaded.set(file, { key, scenario });
  return scenario;
}

port.on('message', (job: SimJob) => {
  let reply: SimReply;
  try {
    reply = { id: job.id, result: runScenario(scenarioAt(job.file), job.opts) };
  } catch (e) {
    reply = {
      id: job.id,
      error: { message: e instanceof Error ? e.message : String(e), simCode: isSimError(e) ? e.code : null },
    };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
