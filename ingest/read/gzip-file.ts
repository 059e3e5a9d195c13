// readGzip: a .gz file named on the command line, read through the ordinary file reader
// (which sees the gzip magic and decompresses as it goes).
import { statSync } from 'node:fs';
import { LoregraphError } from '../../domain/errors.ts';
import type { OnMessage } from '../../domain/message.ts';
import { readFileSource } from './file.ts';
import { MessageSink, ProgressMeter, type ReadOptions, type ReadSummary } from './sink.ts';

/** Reads a gzipped mbox or message. Progress counts compressed bytes. */
export async function readGzip(path: string, onMessage: OnMessage, opts: ReadOptions = {}): Promise<ReadSummary> {
  const sink = new MessageSink(onMessage, opts.signal, opts.maxMessageBytes);
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
