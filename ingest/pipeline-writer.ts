// The ordered writer between the readers and the database. Messages go to the parse
// processor in chunks; results are written strictly in submission order, in batches of
// one source each; what ends a source (its last batch, its completion mark, its recorded
// read failure) is queued behind its messages with `afterWrites`, so reading and parsing
// the next source overlap the writing of the one before. With the pipeline drained at
// every boundary, each source started with the writer waiting on the worker and ended
// with the worker waiting on the writer.
import type { RawMessage } from '../domain/message.ts';
import type { Processed, WireRaw } from './pipeline-process.ts';
import type { Processor } from './pipeline-processor.ts';
import { isOwned } from './read/owned-bytes.ts';

const CHUNK = 32;
/**
 * Messages (and their bytes) read but not yet written, per parse worker and one more for the
 * writer's own queue: with N workers, N + 1 times these (1,024 messages and 32 MiB with one).
 * Answers are written in submission order, so a worker ahead of a slow chunk keeps its
 * results until that chunk is written; this cap is what bounds them.
 */
const IN_FLIGHT_PER_WORKER = 512;
const IN_FLIGHT_BYTES_PER_WORKER = 16 * 1024 * 1024;

/** How much may be in flight with `workers` parse workers (bounded memory, proportional to them). */
export function inFlightLimits(workers: number): { messages: number; bytes: number } {
  const n = Math.max(1, workers) + 1;
  return { messages: IN_FLIGHT_PER_WORKER * n, bytes: IN_FLIGHT_BYTES_PER_WORKER * n };
}

export interface OrderedWriter {
  /** Queues one message of `sourceId`; waits while too much is in flight (back-pressure). */
  push(sourceId: number, msg: RawMessage): Promise<void>;
  /** Sends what is queued of `sourceId` to the processor (a source's end). */
  dispatch(sourceId: number): void;
  /** Runs `write` once everything submitted so far is written, the last part batch included. */
  afterWrites(write: () => void): void;
  /** Everything submitted so far, written; rethrows the first failure. */
  drain(): Promise<void>;
  /** The first failure of a parse or a write, which aborts the run. */
  failure(): unknown;
}

/**
 * A private copy in its own ArrayBuffer: transferable, and never drags a reader's whole
 * chunk along. Bytes a reader gave up with their buffer (a large message) go as they are.
 */
function toWire(msg: RawMessage): WireRaw {
  let bytes: Uint8Array = msg.bytes;
  if (!isOwned(bytes)) {
    bytes = new Uint8Array(msg.bytes.byteLength);
    bytes.set(msg.bytes);
  }
  return {
    bytes,
    position: msg.position,
    ...(msg.envelope !== undefined ? { envelope: msg.envelope } : {}),
    ...(msg.lenient !== undefined ? { lenient: msg.lenient } : {}),
    ...(msg.oversized !== undefined ? { oversized: msg.oversized } : {}),
    ...(msg.suspect !== undefined ? { suspect: msg.suspect } : {}),
  };
}

/**
 * `writeBatch` stores one source's batch (one transaction); `onWritten` follows each.
 * `workers`: how many parse workers the processor runs, which sets the in-flight cap.
 */
export function orderedWriter(
  processor: Processor,
  batchSize: number,
  writeBatch: (sourceId: number, batch: Processed[]) => void,
  onWritten: () => void,
  workers = 1,
): OrderedWriter {
  const limit = inFlightLimits(workers);
  let pending: Processed[] = [];
  let pendingSource = -1;
  let inFlight = 0;
  let inFlightBytes = 0;
  let chunk: WireRaw[] = [];
  let failure: unknown = null;
  let release: (() => void) | null = null;
  let tail: Promise<void> = Promise.resolve();

  const flush = (): void => {
    if (pending.length === 0) return;
    writeBatch(pendingSource, pending);
    pending = [];
    onWritten();
  };
  const afterWrites = (write: () => void): void => {
    tail = tail.then(() => {
      if (failure) return;
      try {
        flush();
        write();
      } catch (e) {
        failure ??= e;
      }
    });
  };
  const dispatch = (sourceId: number): void => {
    if (chunk.length === 0) return;
    const items = chunk;
    const size = items.reduce((n, it) => n + it.bytes.byteLength, 0);
    chunk = [];
    const done = processor.submit(items);
    // handled below, in order; this only keeps an early rejection from being "unhandled"
    done.catch(() => {});
    tail = tail.then(async () => {
      try {
        const results = await done;
        if (failure) return;
        // A batch is one source's (its resume point is that source's): each source's end,
        // queued before the next source's first chunk, writes its last batch.
        pendingSource = sourceId;
        for (const r of results) {
          pending.push(r);
          if (pending.length >= batchSize) flush();
        }
      } catch (e) {
        failure ??= e;
      } finally {
        // always, or a reader waiting for room would wait forever after a failure
        inFlight -= items.length;
        inFlightBytes -= size;
        release?.();
      }
    });
  };
  const push = async (sourceId: number, msg: RawMessage): Promise<void> => {
    chunk.push(toWire(msg));
    inFlight++;
    inFlightBytes += msg.bytes.length;
    if (chunk.length >= CHUNK) dispatch(sourceId);
    while (inFlight >= limit.messages || inFlightBytes >= limit.bytes) {
      dispatch(sourceId);
      await new Promise<void>((r) => (release = r));
      release = null;
      if (failure) throw failure;
    }
  };
  const drain = async (): Promise<void> => {
    afterWrites(() => {});
    await tail;
    if (failure) throw failure;
  };
  return { push, dispatch, afterWrites, drain, failure: () => failure };
}
