// The parse worker: receives chunks of raw messages, answers with processed ones in the
// same order: parsed, analysed (the analyzers' pure half) and turned into the rows the
// writer binds. The raw bytes go back by transfer, not copy; the writer compresses them.
import { parentPort, workerData } from 'node:worker_threads';
import { ANALYZERS } from './analyzers.ts';
import { processRaw, type Processed, type WireRaw } from './pipeline-process.ts';

export interface WorkerRequest {
  seq: number;
  items: WireRaw[];
}
export interface WorkerResponse {
  seq: number;
  results: Processed[];
}

if (parentPort) {
  const port = parentPort;
  const names = (workerData as { analyzers: string[] }).analyzers;
  const analyzers = ANALYZERS.filter((a) => names.includes(a.name));
  // handled strictly one chunk at a time so answers keep the order of requests
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(async () => {
      const results: Processed[] = [];
      for (const item of req.items) results.push(await processRaw(item, analyzers));
      const transfer = new Set<ArrayBuffer>();
      for (const r of results) if (r.raw.buffer instanceof ArrayBuffer && r.raw.byteLength === r.raw.buffer.byteLength) transfer.add(r.raw.buffer);
      const res: WorkerResponse = { seq: req.seq, results };
      port.postMessage(res, [...transfer]);
    });
  });
  port.postMessage({ ready: true });
}
