// The parse worker: receives chunks of raw messages, answers with processed ones in the
// same order: parsed, analysed (the analyzers' pure half) and turned into the rows the
// writer binds. The raw bytes go back as read: the writer compresses them
// (ingest/pipeline-store.ts), as it alone knows which messages are stored and in what order.
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
  const { analyzers: names } = workerData as { analyzers: string[] };
  const analyzers = ANALYZERS.filter((a) => names.includes(a.name));
  // handled strictly one chunk at a time so answers keep the order of requests
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    chain = chain.then(async () => {
      const started = performance.now();
      const results: Processed[] = [];
      for (const item of req.items) results.push(await processRaw(item, analyzers));
      // a request's buffers came here moved and are each one message's, whatever their length
      const received = new Set<ArrayBufferLike>(req.items.map((it) => it.bytes.buffer));
      const transfer = new Set<ArrayBuffer>();
      for (const r of results) {
        const bytes = r.ok ? r.stored.data : r.raw;
        if (bytes.buffer instanceof ArrayBuffer && (bytes.byteLength === bytes.buffer.byteLength || received.has(bytes.buffer))) transfer.add(bytes.buffer);
      }
      const res: WorkerResponse = { seq: req.seq, results, busyMs: performance.now() - started };
      port.postMessage(res, [...transfer]);
    });
  });
  port.postMessage({ ready: true });
}
