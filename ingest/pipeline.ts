// The ingest pipeline: reader -> parse worker (parse, analyze, build rows) -> writer.
//
// The main thread reads and writes; the worker parses, so on two cores the two halves
// overlap. Results come back in order and are written in batches, one transaction each:
// messages, addresses, ancestry chains, threading, every analyzer's `store`, and the
// source's resume point commit together. A kill therefore loses at most the batch in
// flight, and a rerun skips (without parsing) every message up to the resume point, then
// deduplicates by content hash, ending with exactly what one clean run stores.
// Bounded in-flight work keeps memory flat however large the archive.
//
// ingestPaths reads as its steps: plan the sources, start the parse processor and the
// ordered writer, feed each source through them (ingestSource), then build the indexes a
// bulk load held back and run the analyzers' end-of-run passes.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Db } from '../db/connection.ts';
import { getSource, markSourceCompleted, resetSourceProgress, upsertSource } from '../db/ingest-sources.ts';
import { recordIngestError } from '../db/ingest-errors.ts';
import { deferIndexesForBulkLoad, endUnsyncedWrites, restoreDeferredIndexes } from '../db/bulk-load.ts';
import { LoregraphError } from '../domain/errors.ts';
import type { OnMessage } from '../domain/message.ts';
import type { Analyzer } from './analyzer.ts';
import { ANALYZERS } from './analyzers.ts';
import { contentHash } from './parse.ts';
import { readArchive } from './read/index.ts';
import type { Processed } from './pipeline-process.ts';
import { defaultWorkers, inlineProcessor, workerPool, type Processor } from './pipeline-processor.ts';
import { orderedWriter, type OrderedWriter } from './pipeline-writer.ts';
import { finishAnalyzers, storeBatch } from './pipeline-store.ts';
import { PASS_CACHE_MIB, withPageCache, withTempInMemory } from '../db/ingest-tx.ts';

/** The readers' entry point (ingest/read/): calls onMessage for every message, in order. */
export type ReadArchive = (
  path: string,
  onMessage: OnMessage,
  opts?: { onProgress?: (bytesRead: number, totalBytes: number | null) => void; signal?: AbortSignal; maxMessageBytes?: number },
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
  /** Messages the readers doubt are what they look like (RawMessage.suspect), e.g. an mbox with a damaged first envelope read as one message. */
  suspicious: number;
  /** Why, for the first MAX_WARNINGS of them. */
  warnings: string[];
  /** Where the time went (IngestPhases). */
  phases: IngestPhases;
  /** Messages handed over by the readers, and megabytes of raw mail, per second of the whole run. */
  rates: { messagesPerSec: number; mbPerSec: number };
}

/**
 * Where the time of a run went, in wall milliseconds. The main thread reads and writes while
 * the parse workers parse, so the load is told from its side: startMs + readMs + parseMs +
 * writeMs = loadMs, and loadMs + indexMs + finishMs is the whole run. The workers' own time
 * is parseBusyMs, summed over them (it overlaps the rest, and exceeds the wall time when
 * several work at once).
 */
export interface IngestPhases {
  /** Starting the parse workers. */
  startMs: number;
  /** Reading and splitting the archives, handing messages over (main thread). */
  readMs: number;
  /** The main thread waiting for the parse workers (or parsing, when it parses inline). */
  parseMs: number;
  /** Storing batches: rows, threading, full-text and analyzer rows, commits (main thread). */
  writeMs: number;
  /** The load as a whole: the four above. */
  loadMs: number;
  /** Building the indexes a bulk load held back. */
  indexMs: number;
  /** The end-of-run passes (knowledge). */
  finishMs: number;
  /** Time the parse workers spent parsing, summed over them. */
  parseBusyMs: number;
  /** Parse workers used (0: parsed inline). */
  workers: number;
  /**
   * The process's peak resident memory (MB) by the end of the load, of the index build and of
   * the end-of-run passes: a peak that rises only in the last phase was set by the passes. A
   * peak the process had reached before this run (an ingest before it) shows in all three.
   */
  peakRssMB: { load: number; index: number; finish: number };
}

export interface IngestOptions {
  subjectThreading?: boolean;
  /** Messages per transaction. */
  batchSize?: number;
  /** Parse in a worker thread (default) or inline on this thread. */
  worker?: boolean;
  /**
   * Parse workers (default: one per core beyond the writer's, at least 1, at most 4). The
   * database is the same whatever the number: results are written in archive order.
   */
  workers?: number;
  analyzers?: readonly Analyzer[];
  onProgress?: (p: IngestProgress) => void;
  /** Defaults to the readers in ingest/read/. */
  read?: ReadArchive;
  /** Messages larger than this are recorded in ingest_errors, never parsed (default 64 MiB). */
  maxMessageBytes?: number;
}

/** The process's peak resident set so far, in MB (the parse workers' threads included). */
function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Warnings kept in the summary; the count goes on. */
const MAX_WARNINGS = 20;

function sourceKind(path: string): { kind: string; bytes: number } {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { kind: 'directory', bytes: 0 };
    return { kind: /\.gz$/i.test(path) ? 'mbox.gz' : /\.(eml|patch|msg)$/i.test(path) ? 'message' : 'mbox', bytes: st.size };
  } catch (e) {
    throw new LoregraphError('SOURCE_UNREADABLE', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

type Totals = Omit<IngestSummary, 'phases' | 'rates'>;

interface SourcePlan {
  path: string;
  kind: string;
  /** Size as stored, as far as known before reading (0 for a directory). */
  bytes: number;
}

/** Step 1: what each path is, so a missing one fails the run before anything is written. */
function planSources(paths: readonly string[]): SourcePlan[] {
  return paths.map((path) => ({ path, ...sourceKind(path) }));
}

/** Step 2: the parse processor: worker threads, unless an analyzer only runs inline. */
async function startProcessor(analyzers: readonly Analyzer[], opts: IngestOptions): Promise<{ processor: Processor; workers: number }> {
  // The worker runs its own copies of the built-in analyzers, chosen by name; any other runs inline.
  const useWorker = (opts.worker ?? true) && analyzers.every((a) => ANALYZERS.includes(a));
  if (!useWorker) return { processor: inlineProcessor(analyzers), workers: 0 };
  const workers = Math.max(1, opts.workers ?? defaultWorkers());
  return { processor: await workerPool(workers, analyzers.map((a) => a.name)), workers };
}

/**
 * Raw mail bytes of a source this run will read past its resume point, as far as known
 * before reading (a directory: 0): a rerun over archives already stored brings nothing.
 */
function unreadBytes(db: Db, plan: SourcePlan): number {
  // a .gz of mail holds about four times its size (the corpus's race samples: 4.2x)
  const raw = plan.kind === 'mbox.gz' ? 4 * plan.bytes : plan.bytes;
  const known = getSource(db, plan.path);
  if (!known || known.doneOffset < 0) return raw;
  return Math.max(0, raw - known.doneOffset);
}

/**
 * Where a stored batch's raw bytes go to be freed: a port whose other end is closed. The raw
 * bytes are the bulk of what the writer thread holds, and V8 frees a dead ArrayBuffer only
 * when a collection finds it: the main thread let 60-90 MB of written mail wait for its
 * next major GC, which set the ingest's memory peak. A buffer moved into such a port is
 * detached at once and freed with the dropped message.
 */
export function rawBytesReleaser(): { release(batch: readonly Processed[]): void; close(): void } {
  const { port1, port2 } = new MessageChannel();
  port2.close();
  port1.unref();
  const sink: MessagePort = port1;
  return {
    release(batch) {
      const buffers = new Set<ArrayBuffer>();
      for (const r of batch) {
        const bytes = r.ok ? r.stored.data : r.raw;
        // only a buffer that is this message's alone: never a slice of a shared pool
        if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.byteLength > 0) buffers.add(bytes.buffer);
      }
      if (buffers.size === 0) return;
      try {
        sink.postMessage(null, [...buffers]);
      } catch {
        // one the runtime will not move (marked untransferable): the collector frees them all
      }
    },
    close: () => sink.close(),
  };
}

interface SourceRun {
  db: Db;
  writer: OrderedWriter;
  read: ReadArchive;
  maxMessageBytes: number | undefined;
  totals: Totals;
  progress: () => void;
  /** The reader's progress through this source, in bytes as stored. */
  onReadProgress: (read: number, size: number | null) => void;
}

/**
 * Step 3, once per source: read it into the writer from its resume point on. An
 * unreadable or broken archive costs only itself: what was read is kept, the reason is
 * recorded, and the run goes on with the next source.
 */
async function ingestSource(run: SourceRun, plan: SourcePlan): Promise<void> {
  const { db, writer, totals } = run;
  const { path, kind, bytes } = plan;
  let source = upsertSource(db, resolve(path), kind, bytes);
  totals.source = path;
  // a second pass happens only when the archive no longer matches the resume point
  for (let pass = 0; pass < 2; pass++) {
    const resumeAt = source.doneIndex;
    const sourceId = source.id;
    let mismatch = false;

    const onMessage: OnMessage = async (msg) => {
      const failure = writer.failure();
      if (failure) throw failure;
      totals.seen++;
      totals.bytes += msg.oversized?.size ?? msg.bytes.length;
      if (msg.suspect) {
        totals.suspicious++;
        if (totals.warnings.length < MAX_WARNINGS) totals.warnings.push(`${path}: ${msg.suspect}`);
      }
      if (msg.deleted) {
        totals.deleted++;
        return;
      }
      if (msg.position.index <= resumeAt) {
        const hash = msg.oversized?.sha256 ?? contentHash(msg.bytes);
        if (msg.position.index === resumeAt && source.doneHash !== null && hash !== source.doneHash) mismatch = true;
        totals.skipped++;
        if (totals.skipped % 1000 === 0) run.progress();
        return;
      }
      await writer.push(sourceId, msg);
    };

    let readError: unknown = null;
    try {
      await run.read(path, onMessage, { onProgress: run.onReadProgress, ...(run.maxMessageBytes !== undefined ? { maxMessageBytes: run.maxMessageBytes } : {}) });
    } catch (e) {
      // the writer's own failure comes back through the reader: that one aborts the run
      if (writer.failure() === null) readError = e;
    }
    writer.dispatch(sourceId);
    const failure = writer.failure();
    if (failure) throw failure;
    if (readError !== null) {
      const reason = readError instanceof Error ? readError.message : String(readError);
      writer.afterWrites(() => recordIngestError(db, sourceId, { source: path, offset: -1, index: -1 }, `source failed: ${reason}`, null));
      totals.failedSources.push({ path, reason });
      return;
    }
    if (!mismatch) break;
    // the file changed since the resume point was taken: read it all again; hashes dedupe
    await writer.drain();
    resetSourceProgress(db, sourceId);
    source = upsertSource(db, resolve(path), kind, bytes);
  }
  const sourceId = source.id;
  writer.afterWrites(() => markSourceCompleted(db, sourceId, true));
}

export async function ingestPaths(db: Db, paths: readonly string[], opts: IngestOptions = {}): Promise<IngestSummary> {
  const started = performance.now();
  const analyzers = opts.analyzers ?? ANALYZERS;
  const plans = planSources(paths);
  const totals: Totals = {
    source: '',
    seen: 0,
    stored: 0,
    duplicate: 0,
    malformed: 0,
    lenient: 0,
    skipped: 0,
    deleted: 0,
    bytes: 0,
    totalBytes: plans.reduce((n, p) => n + p.bytes, 0),
    readBytes: 0,
    elapsedMs: 0,
    sources: paths.length,
    failedSources: [],
    suspicious: 0,
    warnings: [],
  };
  const progress = (): void => {
    totals.elapsedMs = performance.now() - started;
    const { failedSources: _f, sources: _s, deleted: _d, suspicious: _u, warnings: _w, ...p } = totals;
    opts.onProgress?.(p);
  };
  const { processor, workers } = await startProcessor(analyzers, opts);
  const processorUp = performance.now();
  // the main thread's busy and idle time over the load: reading and writing, or waiting
  const elu0 = performance.eventLoopUtilization();
  let writeMs = 0;
  const storeOpts = { subjectThreading: opts.subjectThreading ?? false, analyzers };
  const written = rawBytesReleaser();
  const writer = orderedWriter(
    processor,
    opts.batchSize ?? 500,
    (sourceId, batch) => {
      const t0 = performance.now();
      const c = storeBatch(db, sourceId, batch, storeOpts);
      written.release(batch);
      writeMs += performance.now() - t0;
      totals.stored += c.stored;
      totals.duplicate += c.duplicate;
      totals.malformed += c.malformed;
      totals.lenient += c.lenient;
    },
    progress,
    workers,
  );

  const incomingBytes = plans.reduce((n, p) => n + unreadBytes(db, p), 0);
  const bulk = deferIndexesForBulkLoad(db, { subjectThreading: storeOpts.subjectThreading, incomingBytes });
  try {
    // the load's statement journals in memory (db/ingest-tx.ts)
    await withTempInMemory(db, async () => {
      // Progress as the readers report it, in bytes as stored: message bytes would pass a .gz
      // file's size long before its end, and a directory's size is known once its reader
      // has listed it.
      const sourceSizes = plans.map((p) => p.bytes);
      let readBefore = 0;
      for (const [i, plan] of plans.entries()) {
        const onReadProgress = (read: number, size: number | null): void => {
          // a source of unknown size (a public-inbox repository) counts on neither side
          if (size === null) return;
          if (size !== sourceSizes[i]) {
            sourceSizes[i] = size;
            totals.totalBytes = sourceSizes.reduce((n, b) => n + b, 0);
          }
          totals.readBytes = readBefore + read;
        };
        await ingestSource({ db, writer, read: opts.read ?? readArchive, maxMessageBytes: opts.maxMessageBytes, totals, progress, onReadProgress }, plan);
        readBefore += sourceSizes[i] as number;
        totals.readBytes = readBefore;
      }
      await writer.drain();
    });
    progress();
  } catch (e) {
    if (bulk) endUnsyncedWrites(db);
    throw e;
  } finally {
    written.close();
    await processor.close();
  }
  const loaded = performance.now();
  const peakLoad = peakRssMB();
  const elu = performance.eventLoopUtilization(elu0);
  const parseBusyMs = processor.busyMs();
  // Busy time on the main thread not spent writing was reading, or parsing when inline;
  // idle time was waiting for the workers (or for the disk, which the page cache makes rare).
  const inlineParse = processor.inline ? parseBusyMs : 0;
  const readMs = Math.max(0, elu.active - writeMs - inlineParse);
  const parseMs = Math.max(0, loaded - processorUp - writeMs - readMs);
  // Steps 4 and 5 look rows up all over the tables: with a larger page cache (db/ingest-tx.ts)
  const { indexed, peakIndex } = withPageCache(db, PASS_CACHE_MIB, () => {
    // Step 4. A run that failed leaves them to the next writable open (db/bulk-load.ts).
    if (bulk) restoreDeferredIndexes(db, { beforePasses: true });
    const at = { indexed: performance.now(), peakIndex: peakRssMB() };
    // Step 5, once the parse workers are gone: the cross-message pass is the run's memory peak.
    finishAnalyzers(db, analyzers);
    // the indexes only the passes write (a first load's race tables)
    if (bulk) restoreDeferredIndexes(db);
    return at;
  });
  totals.elapsedMs = performance.now() - started;
  const secs = totals.elapsedMs / 1000;
  return {
    ...totals,
    phases: {
      startMs: processorUp - started,
      readMs,
      parseMs,
      writeMs,
      loadMs: loaded - started,
      indexMs: indexed - loaded,
      finishMs: performance.now() - indexed,
      parseBusyMs,
      workers,
      peakRssMB: { load: peakLoad, index: peakIndex, finish: peakRssMB() },
    },
    rates: { messagesPerSec: secs > 0 ? totals.seen / secs : 0, mbPerSec: secs > 0 ? totals.bytes / (1024 * 1024) / secs : 0 },
  };
}
