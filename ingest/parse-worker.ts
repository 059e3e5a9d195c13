// The parse worker: receives chunks of raw messages, answers with processed ones in the
// same order: parsed, analysed (the analyzers' pure half) and turned into the rows the
// writer binds. Compressing the raw bytes (a tenth of the work) goes to whichever thread
// has time: the worker does it while no other chunk waits for it, else leaves it to the
// writer. Which thread is the busier depends on the mail (patches or chat) and on how
// large the database has grown, so a fixed choice is wrong somewhere. With two workers or
// more the writer is the busier (one writer stores what several workers parse): they
// always compress (encodeAlways).
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
  /** Time this chunk took here, for the summary's account of where the time went. */
  busyMs: number;
}

if (parentPort) {
  const port = parentPort;
  const { analyzers: names, encodeAlways } = workerData as { analyzers: string[]; encodeAlways?: boolean };
  const analyzers = ANALYZERS.filter((a) => names.includes(a.name));
  // handled strictly one chunk at a time so answers keep the order of requests
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  port.on('message', (req: WorkerRequest) => {
    queued++;
    chain = chain.then(async () => {
      queued--;
      const started = performance.now();
      const encode = encodeAlways === true || queued === 0;
      const results: Processed[] = [];
      for (const item of req.items) results.push(await processRaw(item, analyzers, { encode }));
      const transfer = new Set<ArrayBuffer>();
      for (const r of results) {
        const bytes = r.ok ? r.stored.data : r.raw;
        if (bytes.buffer instanceof ArrayBuffer && bytes.byteLength === bytes.buffer.byteLength) transfer.add(bytes.buffer);
      }
      const res: WorkerResponse = { seq: req.seq, results, busyMs: performance.now() - started };
      port.postMessage(res, [...transfer]);
    });
  });
  port.postMessage({ ready: true });
}
