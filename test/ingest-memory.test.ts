// Ingest's memory stays bounded however large the archive: the writer lets only so many
// messages and bytes be in flight between reader, parse workers and store, and a stored
// batch's raw bytes are freed at once, not at the writer thread's next major collection, and
// a parse worker's heap has a bound of its own.
import { describe, expect, it } from 'vitest';
import type { RawMessage } from '../domain/message.ts';
import type { Processed, WireRaw } from '../ingest/pipeline-process.ts';
import { PARSE_WORKER_LIMITS, type Processor } from '../ingest/pipeline-processor.ts';
import { startModuleWorker } from '../ingest/worker-start.ts';
import { inFlightLimits, orderedWriter } from '../ingest/pipeline-writer.ts';
import { rawBytesReleaser } from '../ingest/pipeline.ts';

const MiB = 1024 * 1024;

function raw(index: number, size: number): RawMessage {
  return { bytes: Buffer.alloc(size, 0x61), position: { source: 'a.mbox', offset: index * size, index } };
}

function failed(bytes: Uint8Array, index: number): Processed {
  return { ok: false, reason: 'test', raw: bytes, hash: String(index), position: { source: 'a.mbox', offset: 0, index } };
}

/** A processor that answers each chunk a few milliseconds later and counts what it holds. */
function slowProcessor(): Processor & { peakBytes: number; peakMessages: number } {
  let bytes = 0;
  let messages = 0;
  const p = {
    peakBytes: 0,
    peakMessages: 0,
    inline: false,
    busyMs: () => 0,
    close: async () => {},
    submit: async (items: WireRaw[]): Promise<Processed[]> => {
      const size = items.reduce((n, it) => n + it.bytes.byteLength, 0);
      bytes += size;
      messages += items.length;
      p.peakBytes = Math.max(p.peakBytes, bytes);
      p.peakMessages = Math.max(p.peakMessages, messages);
      await new Promise((r) => setTimeout(r, 2));
      bytes -= size;
      messages -= items.length;
      return items.map((it) => failed(it.bytes, it.position.index));
    },
  };
  return p;
}

describe('ingest memory bounds', () => {
  it('keeps no more than the in-flight cap of large messages at the parse workers, however many are read', async () => {
    const processor = slowProcessor();
    let written = 0;
    const writer = orderedWriter(processor, 500, (_source, batch) => void (written += batch.length), () => {}, 1);
    // 400 messages of 1 MiB: 400 MiB read, more than ten times the cap
    for (let i = 0; i < 400; i++) await writer.push(1, raw(i, MiB));
    writer.dispatch(1);
    await writer.drain();
    const cap = inFlightLimits(1);
    expect(cap.bytes).toBe(32 * MiB);
    expect(written).toBe(400);
    // the reader stops once the cap is reached: one message past it at most
    expect(processor.peakBytes).toBeLessThanOrEqual(cap.bytes + MiB);
    expect(processor.peakBytes).toBeGreaterThanOrEqual(16 * MiB);
  });

  it('keeps no more than the in-flight cap of small messages, counted by messages', async () => {
    const processor = slowProcessor();
    const writer = orderedWriter(processor, 500, () => {}, () => {}, 2);
    for (let i = 0; i < 5000; i++) await writer.push(1, raw(i, 100));
    writer.dispatch(1);
    await writer.drain();
    expect(processor.peakMessages).toBeLessThanOrEqual(inFlightLimits(2).messages);
    expect(inFlightLimits(2).messages).toBe(1536);
  });

  it("frees a stored batch's raw bytes at once, and leaves a slice of a shared buffer alone", () => {
    const released = rawBytesReleaser();
    try {
      const own = new Uint8Array(64 * 1024).fill(7);
      const shared = Buffer.alloc(8192, 1);
      const slice = shared.subarray(100, 600);
      const stored: Processed = {
        ok: true,
        message: {} as Extract<Processed, { ok: true }>['message'],
        analysis: {},
        stored: { data: own, size: own.byteLength },
        envelope: null,
        position: { source: 'a.mbox', offset: 0, index: 0 },
      };
      const bad = new Uint8Array(3000).fill(2);
      released.release([stored, failed(bad, 1), failed(slice, 2)]);
      expect(own.byteLength).toBe(0);
      expect(bad.byteLength).toBe(0);
      // the slice's buffer holds other bytes too: still there, as they were
      expect(slice.byteLength).toBe(500);
      expect(shared[0]).toBe(1);
      expect(shared.byteLength).toBe(8192);
    } finally {
      released.close();
    }
  });

  it('starts a parse worker with its heap bounded at 1.5 GB', async () => {
    const w = await startModuleWorker(new URL('../ingest/parse-worker.ts', import.meta.url), { workerData: { analyzers: [] }, resourceLimits: PARSE_WORKER_LIMITS });
    try {
      expect(w.resourceLimits?.maxOldGenerationSizeMb).toBe(1536);
    } finally {
      await w.terminate();
    }
  });
});
