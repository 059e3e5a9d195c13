// Streaming mbox reader (mboxrd, mboxo, mboxcl2, CRLF): file chunks through the pure
// MboxSplitter, each message awaited by the consumer before the next chunk is read.
import type { OnMessage } from '../../domain/message.ts';
import { CHUNK_SIZE, fileChunks } from './chunks.ts';
import { MboxSplitter, type MboxFormat } from './mbox-splitter.ts';
import { isEnvelopeLine, isFirstEnvelope } from './envelope.ts';
import { MessageSink, ProgressMeter, type PositionWithoutIndex, type ReadOptions, type ReadSummary } from './sink.ts';
import { messageFromBytes } from './single.ts';
import { statSync } from 'node:fs';

/** Splits a chunk stream that starts with an envelope; returns the dialect used. */
export async function splitMboxChunks(
  chunks: AsyncIterable<Buffer>,
  sink: MessageSink,
  position: Omit<PositionWithoutIndex, 'offset'>,
  format: MboxFormat | 'auto' = 'auto',
): Promise<MboxFormat> {
  const splitter = new MboxSplitter({ format, label: position.file ?? position.source, maxMessageBytes: sink.maxMessageBytes });
  const emit = async (batch: ReturnType<MboxSplitter['push']>): Promise<void> => {
    for (const m of batch) {
      // an oversized message is recorded, not read: no lenient recovery for its head
      const fields = m.oversized ? { bytes: m.bytes, oversized: m.oversized } : messageFromBytes(m.bytes);
      await sink.emit({ ...fields, envelope: m.envelope }, { ...position, offset: m.offset });
    }
  };
  for await (const chunk of chunks) {
    sink.checkAborted();
    await emit(splitter.push(chunk));
  }
  await emit(splitter.end());
  const f = splitter.detectedFormat;
  return f === 'auto' ? 'mboxo' : f;
}

/** Reads one (uncompressed) mbox file. */
export async function readMbox(path: string, onMessage: OnMessage, opts: ReadOptions = {}): Promise<ReadSummary> {
  const sink = new MessageSink(onMessage, opts.signal, opts.maxMessageBytes);
  const meter = new ProgressMeter(opts.onProgress, fileSize(path));
  // the splitter copies every chunk it is pushed: one read buffer serves them all
  const mboxFormat = await splitMboxChunks(fileChunks(path, (n) => meter.add(n), CHUNK_SIZE, true), sink, { source: path }, opts.mboxFormat);
  meter.done();
  return { messages: sink.messages, bytes: sink.bytes, kind: 'mbox', mboxFormat, skipped: [] };
}

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

const SEP = Buffer.from('\nFrom ');

/**
 * The benchmark baseline, "the physical limit": read the file and find the message
 * boundaries (same envelope rule as the reader), without copying, unquoting or
 * handing anything over. Counts messages and bytes read.
 */
export async function splitOnly(path: string): Promise<{ messages: number; bytes: number }> {
  let messages = 0;
  let bytes = 0;
  let carry = Buffer.alloc(0);
  let first = true;
  for await (const chunk of fileChunks(path)) {
    bytes += chunk.length;
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let pos = 0;
    if (first) {
      first = false;
      const nl = buf.indexOf(10);
      if (isFirstEnvelope(buf.toString('latin1', 0, nl < 0 ? Math.min(buf.length, 1000) : Math.min(nl, 1000)))) messages++;
    }
    for (;;) {
      const i = buf.indexOf(SEP, pos);
      if (i < 0) break;
      const nl = buf.indexOf(10, i + 1);
      if (nl < 0) {
        pos = i;
        break;
      }
      if (isEnvelopeLine(buf.toString('latin1', i + 1, Math.min(nl, i + 1001)))) messages++;
      pos = nl;
    }
    // Keep the tail that may hold a separator cut by the chunk boundary.
    const keepFrom = Math.max(pos, buf.length - 1100);
    // (nothing before `pos` is kept, so no separator is counted twice)
    carry = Buffer.from(buf.subarray(keepFrom));
  }
  if (carry.length > 0) {
    // A final envelope line without newline.
    const i = carry.lastIndexOf(SEP);
    if (i >= 0 && carry.indexOf(10, i + 1) < 0 && isEnvelopeLine(carry.toString('latin1', i + 1))) messages++;
  }
  return { messages, bytes };
}
