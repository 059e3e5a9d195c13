// The parse worker: receives chunks of raw messages, answers with processed ones in the
// same order. Parses, runs the analyzers' pure half and compresses the raw bytes, so the
// writer thread, the slower half of the pipeline since parsing got its fast path, only writes.
import { parentPort } from 'node:worker_threads';
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
  // handled strictly one chunk at a time so answers keep the order of requests
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(async () => {
      const results: Processed[] = [];
      for (const item of req.items) results.push(await processRaw(item, ANALYZERS));
      const transfer = new Set<ArrayBuffer>();
      for (const r of results) if (r.raw.buffer instanceof ArrayBuffer && r.raw.byteLength === r.raw.buffer.byteLength) transfer.add(r.raw.buffer);
      const res: WorkerResponse = { seq: req.seq, results };
      port.postMessage(res, [...transfer]);
    });
  });
  port.postMessage({ ready: true });
}
