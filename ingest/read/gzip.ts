// gzip: lore's t.mbox.gz thread downloads and a .gz of anything else we read.
// Decompression streams (zlib), so a large .mbox.gz never sits in memory; offsets in
// positions are offsets in the decompressed stream.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LoregraphError } from '../../errors.ts';
import type { OnMessage } from '../types.ts';
import { readFileSource } from './file.ts';
import { MessageSink, ProgressMeter, type ReadOptions, type ReadSummary } from './sink.ts';
import { statSync } from 'node:fs';

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Decompresses a gzip chunk stream (concatenated members included). */
export async function* gunzipChunks(source: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (e) {
    if (e instanceof LoregraphError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new LoregraphError('BAD_INPUT', `${label} is not valid gzip: ${why}`, { path: label });
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

/** Reads a gzipped mbox or message. Progress counts compressed bytes. */
export async function readGzip(path: string, onMessage: OnMessage, opts: ReadOptions = {}): Promise<ReadSummary> {
  const sink = new MessageSink(onMessage, opts.signal);
  let total: number | null = null;
  try {
    total = statSync(path).size;
  } catch {
    // fileChunks reports the unreadable path
  }
  const meter = new ProgressMeter(opts.onProgress, total);
  const fileOpts = { onRead: (n: number) => meter.add(n), ...(opts.mboxFormat ? { mboxFormat: opts.mboxFormat } : {}) };
  const out = await readFileSource(path, sink, { source: path }, fileOpts);
  meter.done();
  if (!out.gzip) throw new LoregraphError('BAD_INPUT', `${path} is not gzip-compressed`, { path });
  const summary: ReadSummary = { messages: sink.messages, bytes: sink.bytes, kind: out.kind === 'mbox' ? 'mbox.gz' : 'message.gz', skipped: [] };
  if (out.kind === 'mbox') summary.mboxFormat = out.mboxFormat;
  return summary;
}
