// The scenario files' thread: loading one parses it and compiles every (variant, config),
// seconds for sim/scenarios on a loaded machine, so the server loads them here, and only
// here: the knowledge index and the explorer are handed what this thread loaded. The
// Scenario values are plain data (maps, arrays, objects) and arrive on the request thread
// as they were built.
import { parentPort } from 'node:worker_threads';
import { isSimError, loadScenarioFile, type Scenario, type SimErrorCode } from '../sim/index.ts';
import { yieldToRequests } from './background-thread.ts';

// The messages between server/scenario-loader.ts and this thread.
export interface ScenarioLoadRequest {
  id: number;
  file: string;
}

export type ScenarioLoadReply =
  | { id: number; scenario: Scenario; error?: undefined }
  | { id: number; scenario?: undefined; error: { message: string; simCode: SimErrorCode | null } };

const port = parentPort;
if (!port) throw new Error('scenario-worker.ts runs as a worker thread');
yieldToRequests();

port.on('message', (m: ScenarioLoadRequest) => {
  let reply: ScenarioLoadReply;
  try {
    reply = { id: m.id, scenario: loadScenarioFile(m.file) };
  } catch (e) {
    reply = { id: m.id, error: { message: e instanceof Error ? e.message : String(e), simCode: isSimError(e) ? e.code : null } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
