// The ingest pipeline: reader -> parse worker (parse, analyze, build rows) -> writer.
//
// The main thread reads and writes; the worker parses, so on two cores the two halves
// overlap. Results come back in order and are written in batches, one transaction each:
// messages, addresses, ancestry chains, threading, every analyzer's `store`, and the
// source's resume point commit together. A kill therefore loses at most the batch in
// flight, and a rerun skips (without parsing) every message up to the resume point, then
// deduplicates by content hash, ending with exactly what one clean run stores.
// Bounded in-flight work keeps memory flat however large the archive.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Db } from '../db/connection.ts';
import { markSourceCompleted, resetSourceProgress, upsertSource } from '../db/ingest-sources.ts';
import { recordIngestError } from '../db/ingest-errors.ts';
import { deferIndexesForBulkLoad, endUnsyncedWrites, restoreDeferredIndexes } from '../db/bulk-load.ts';
import { LoregraphError } from '../domain/errors.ts';
import type { Analyzer } from './analyzer.ts';
import { ANALYZERS } from './analyzers.ts';
import { contentHash } from './parse.ts';
import { readArchive } from './read/index.ts';
import { processRaw, type Processed, type WireRaw } from './pipeline-process.ts';
import type { WorkerRequest, WorkerResponse } from './parse-worker.ts';
import { finishAnalyzers, storeBatch } from './pipeline-store.ts';
import { startModuleWorker } from './worker-start.ts';
import type { OnMessage, RawMessage } from '../domain/message.ts';

/** The readers' entry point (ingest/read/): calls onMessage for every message, in order. */
export type ReadArchive = (
  path: string,
  onMessage: OnMessage,
  opts?: { onProgress?: (bytesRead: number, totalBytes: number | null) => void; signal?: AbortSignal },
) => Promise<unknown>;

export interface IngestProgress {
  source: string;
  /** Messages handed over by the reader so far in this run (all sources). */
  seen: number;
  stored: number;
  duplicate: number;
  malformed: number;
  lenient: number;
  /** Skipped without parsing: already stored by an earlier (interrupted) run. */
  skipped: number;
  /** Bytes of raw messages handled so far in this run. */
  bytes: number;
  /** Sum of the sizes of all sources as stored (compressed, for .gz), as far as known (0 when none is). */
  totalBytes: number;
  /** How far the readers are through those sources, in the same bytes: what a progress bar shows. */
  readBytes: number;
  elapsedMs: number;
}

export interface IngestSummary extends IngestProgress {
  sources: number;
  deleted: number;
  /** Sources the reader gave up on (also recorded in ingest_errors); the rest were ingested. */
  failedSources: { path: string; reason: string }[];
  /** Where the time went: storing the messages, building the indexes a bulk load held back, the end-of-run passes. */
  phases: { loadMs: number; indexMs: number; finishMs: number };
}

export interface IngestOptions {
  subjectThreading?: boolean;
  /** Messages per transaction. */
  batchSize?: number;
  /** Parse in a worker thread (default) or inline on this thread. */
  worker?: boolean;
  /** Parse workers (default: one per core beyond the writer's, at least 1, at most 4). */
  workers?: number;
  analyzers?: readonly Analyzer[];
  onProgress?: (p: IngestProgress) => void;
  /** Defaults to the readers in ingest/read/. */
  read?: ReadArchive;
}

const CHUNK = 32;
const MAX_IN_FLIGHT = 1024;
const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;

/** Parses in order, either in the worker or inline. */
interface Processor {
  submit(items: WireRaw[]): Promise<Processed[]>;
  close(): Promise<void>;
}

function inlineProcessor(analyzers: readonly Analyzer[]): Processor {
  return {
    submit: async (items) => {
      const out: Processed[] = [];
      for (const it of items) out.push(await processRaw(it, analyzers));
      return out;
    },
    close: async () => {},
  };
}

async function workerProcessor(analyzerNames: string[]): Promise<Processor> {
  const worker = await startModuleWorker(new URL('./parse-worker.ts', import.meta.url), { workerData: { analyzers: analyzerNames } }).catch((e: Error) => {
    throw new LoregraphError('INTERNAL', e.message);
  });
  const waiting = new Map<number, { resolve: (r: Processed[]) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  let seq = 0;
  const fail = (e: Error): void => {
    failure ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  worker.on('message', (m: WorkerResponse) => {
    const w = waiting.get(m.seq);
    waiting.delete(m.seq);
    w?.resolve(m.results);
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new LoregraphError('INTERNAL', `parse worker exited (${code})`)));
  return {
    submit: (items) =>
      new Promise<Processed[]>((resolve, reject) => {
        if (failure) return reject(failure);
        const id = seq++;
        waiting.set(id, { resolve, reject });
        const req: WorkerRequest = { seq: id, items };
        const transfer = new Set<ArrayBuffer>();
        for (const it of items) if (it.bytes.buffer instanceof ArrayBuffer) transfer.add(it.bytes.buffer);
        worker.postMessage(req, [...transfer]);
      }),
    close: async () => {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** Chunks go round-robin; the consumer awaits answers in submission order, so order holds. */
async function workerPool(n: number, analyzerNames: string[]): Promise<Processor> {
  const workers = await Promise.all(Array.from({ length: Math.max(1, n) }, () => workerProcessor(analyzerNames)));
  let next = 0;
  return {
    submit: (items) => (workers[next++ % workers.length] as Processor).submit(items),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

function sourceKind(path: string): { kind: string; bytes: number } {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { kind: 'directory', bytes: 0 };
    return { kind: /\.gz$/i.test(path) ? 'mbox.gz' : /\.(eml|patch|msg)$/i.test(path) ? 'message' : 'mbox', bytes: st.size };
  } catch (e) {
    throw new LoregraphError('SOURCE_UNREADABLE', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A private copy in its own ArrayBuffer: transferable, and never drags a reader's whole chunk along. */
function toWire(msg: RawMessage): WireRaw {
  const bytes = new Uint8Array(msg.bytes.byteLength);
  bytes.set(msg.bytes);
  return {
    bytes,
    position: msg.position,
    ...(msg.envelope !== undefined ? { envelope: msg.envelope } : {}),
    ...(msg.lenient !== undefined ? { lenient: msg.lenient } : {}),
  };
}

export async function ingestPaths(db: Db, paths: readonly string[], opts: IngestOptions = {}): Promise<IngestSummary> {
  const started = performance.now();
  const batchSize = opts.batchSize ?? 500;
  const analyzers = opts.analyzers ?? ANALYZERS;
  const read = opts.read ?? readArchive;
  const kinds = paths.map((p) => sourceKind(p));
  const totals: Omit<IngestSummary, 'phases'> = {
    source: '',
    seen: 0,
    stored: 0,
    duplicate: 0,
    malformed: 0,
    lenient: 0,
    skipped: 0,
    deleted: 0,
    bytes: 0,
    totalBytes: kinds.reduce((n, k) => n + k.bytes, 0),
    readBytes: 0,
    elapsedMs: 0,
    sources: paths.length,
    failedSources: [],
  };
  const progress = (): void => {
    totals.elapsedMs = performance.now() - started;
    const { failedSources: _f, sources: _s, deleted: _d, ...p } = totals;
    opts.onProgress?.(p);
  };
  // The worker runs its own copies of the built-in analyzers, chosen by name; any other runs inline.
  const useWorker = (opts.worker ?? true) && analyzers.every((a) => ANALYZERS.includes(a));
  const processor = useWorker ? await workerPool(opts.workers ?? defaultWorkers(), analyzers.map((a) => a.name)) : inlineProcessor(analyzers);

  const storeOpts = { subjectThreading: opts.subjectThreading ?? false, analyzers };
  const writeBatch = (sourceId: number, batch: Processed[]): void => {
    const c = storeBatch(db, sourceId, batch, storeOpts);
    totals.stored += c.stored;
    totals.duplicate += c.duplicate;
    totals.malformed += c.malformed;
    totals.lenient += c.lenient;
  };

  const bulk = deferIndexesForBulkLoad(db, { subjectThreading: storeOpts.subjectThreading });
  // One consumer for the whole run. Results are written strictly in submission order, and
  // what ends a source (its last batch, its completion mark) is queued behind its messages,
  // so reading and parsing the next source overlap the writing of the one before: with the
  // pipeline drained at every boundary, each source started with the writer waiting on the
  // worker and ended with the worker waiting on the writer.
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
    progress();
  };
  /** Runs `write` once everything submitted so far is written, the last part batch included. */
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
  /** Everything submitted so far, written. */
  const drain = async (): Promise<void> => {
    afterWrites(() => {});
    await tail;
    if (failure) throw failure;
  };

  try {
    // Progress as the readers report it, in bytes as stored: message bytes would pass a .gz
    // file's size long before its end, and a directory's size is known once its reader
    // has listed it.
    const sourceSizes = kinds.map((k) => k.bytes);
    let readBefore = 0;
    for (const [i, path] of paths.entries()) {
      const { kind, bytes } = kinds[i] as { kind: string; bytes: number };
      const onReadProgress = (read: number, size: number | null): void => {
        // a source of unknown size (a public-inbox repository) counts on neither side
        if (size === null) return;
        if (size !== sourceSizes[i]) {
          sourceSizes[i] = size;
          totals.totalBytes = sourceSizes.reduce((n, b) => n + b, 0);
        }
        totals.readBytes = readBefore + read;
      };
      let source = upsertSource(db, resolve(path), kind, bytes);
      let sourceFailed = false;
      totals.source = path;
      // a second pass happens only when the archive no longer matches the resume point
      for (let pass = 0; pass < 2; pass++) {
        const resumeAt = source.doneIndex;
        const sourceId = source.id;
        let mismatch = false;

        const onMessage: OnMessage = async (msg) => {
          if (failure) throw failure;
          totals.seen++;
          totals.bytes += msg.bytes.length;
          if (msg.deleted) {
            totals.deleted++;
            return;
          }
          if (msg.position.index <= resumeAt) {
            if (msg.position.index === resumeAt && source.doneHash !== null && contentHash(msg.bytes) !== source.doneHash) mismatch = true;
            totals.skipped++;
            if (totals.skipped % 1000 === 0) progress();
            return;
          }
          chunk.push(toWire(msg));
          inFlight++;
          inFlightBytes += msg.bytes.length;
          if (chunk.length >= CHUNK) dispatch(sourceId);
          while (inFlight >= MAX_IN_FLIGHT || inFlightBytes >= MAX_IN_FLIGHT_BYTES) {
            dispatch(sourceId);
            await new Promise<void>((r) => (release = r));
            release = null;
            if (failure) throw failure;
          }
        };

        let readError: unknown = null;
        try {
          await read(path, onMessage, { onProgress: onReadProgress });
        } catch (e) {
          // the writer's own failure comes back through the reader: that one aborts the run
          if (failure === null) readError = e;
        }
        dispatch(sourceId);
        if (failure) throw failure;
        if (readError !== null) {
          // an unreadable or broken archive costs only itself: what was read is kept, the
          // reason is recorded, and the other sources are still ingested
          const reason = readError instanceof Error ? readError.message : String(readError);
          afterWrites(() => recordIngestError(db, sourceId, { source: path, offset: -1, index: -1 }, `source failed: ${reason}`, null));
          totals.failedSources.push({ path, reason });
          sourceFailed = true;
          break;
        }
        if (!mismatch) break;
        // the file changed since the resume point was taken: read it all again; hashes dedupe
        await drain();
        resetSourceProgress(db, sourceId);
        source = upsertSource(db, resolve(path), kind, bytes);
      }
      const sourceId = source.id;
      if (!sourceFailed) afterWrites(() => markSourceCompleted(db, sourceId, true));
      readBefore += sourceSizes[i] as number;
      totals.readBytes = readBefore;
    }
    await drain();
    progress();
  } catch (e) {
    if (bulk) endUnsyncedWrites(db);
    throw e;
  } finally {
    await processor.close();
  }
  const loaded = performance.now();
  // A run that failed leaves them to the next writable open (db/bulk-load.ts).
  if (bulk) restoreDeferredIndexes(db);
  const indexed = performance.now();
  // Once the parse workers are gone: the cross-message pass is the run's memory peak.
  finishAnalyzers(db, analyzers);
  totals.elapsedMs = performance.now() - started;
  return { ...totals, phases: { loadMs: loaded - started, indexMs: indexed - loaded, finishMs: performance.now() - indexed } };
}
