// The one entry point ingest calls: read whatever `path` is and hand each message
// over. Kind by content: a public-inbox (v2 inbox with git/N.git, or a bare
// repository), a directory, a gzip stream (decompressed, then as below), an mbox
// (first line `From `), or one message (lenient when its header block is not clean).
import { open, stat } from 'node:fs/promises';
import { LoregraphError } from '../../domain/errors.ts';
import type { OnMessage } from '../../domain/message.ts';
import { unreadable } from './chunks.ts';
import { readDirectory } from './directory.ts';
import { startsWithEnvelope } from './envelope.ts';
import { readFileSource } from './file.ts';
import { gunzipChunks, isGzip } from './gzip.ts';
import { isPublicInbox, readPublicInbox } from './public-inbox.ts';
import { MessageSink, ProgressMeter, type ArchiveKind, type ReadOptions, type ReadSummary } from './sink.ts';

export type { ArchiveKind, ReadOptions, ReadSummary, SkippedEntry } from './sink.ts';
export type { MboxFormat } from './mbox-splitter.ts';
export { toMboxrd } from './mboxrd-write.ts';
export { readMbox, splitOnly } from './mbox.ts';
export { readGzip } from './gzip-file.ts';
export { readDirectory } from './directory.ts';
export { readPublicInbox } from './public-inbox.ts';
export { DEFAULT_ENVELOPE } from './envelope.ts';
export { parseInputFor, rebuildLenientMessage, recoverLenient } from './lenient.ts';

async function statOrThrow(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    throw unreadable(path, e);
  }
}

async function head(path: string, n: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    throw unreadable(path, e);
  } finally {
    await fh?.close();
  }
}

async function gunzippedHead(path: string, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  async function* compressed(): AsyncGenerator<Buffer> {
    yield await head(path, 64 * 1024);
  }
  try {
    for await (const chunk of gunzipChunks(compressed(), path)) {
      parts.push(chunk);
      have += chunk.length;
      if (have >= n) break;
    }
  } catch (e) {
    // A truncated first 64 KiB is expected; what decompressed so far is enough to sniff.
    if (parts.length === 0) throw e;
  }
  return Buffer.concat(parts);
}

export async function detectArchiveKind(path: string): Promise<ArchiveKind> {
  const st = await statOrThrow(path);
  if (st.isDirectory()) return isPublicInbox(path) ? 'public-inbox' : 'directory';
  if (!st.isFile()) throw new LoregraphError('SOURCE_UNREADABLE', `${path} is neither a file nor a directory`, { path });
  const first = await head(path, 4096);
  if (isGzip(first)) return startsWithEnvelope(await gunzippedHead(path, 4096)) ? 'mbox.gz' : 'message.gz';
  return startsWithEnvelope(first) ? 'mbox' : 'message';
}

export async function readArchive(path: string, onMessage: OnMessage, opts: ReadOptions = {}): Promise<ReadSummary> {
  const st = await statOrThrow(path);
  if (st.isDirectory()) {
    if (isPublicInbox(path)) return readPublicInbox(path, onMessage, opts);
    return readDirectory(path, onMessage, opts);
  }
  if (!st.isFile()) throw new LoregraphError('SOURCE_UNREADABLE', `${path} is neither a file nor a directory`, { path });
  const sink = new MessageSink(onMessage, opts.signal, opts.maxMessageBytes);
  const meter = new ProgressMeter(opts.onProgress, st.size);
  const out = await readFileSource(path, sink, { source: path }, {
    onRead: (n) => meter.add(n),
    ...(opts.mboxFormat ? { mboxFormat: opts.mboxFormat } : {}),
  });
  meter.done();
  const base = out.kind === 'mbox' ? 'mbox' : 'message';
  const summary: ReadSummary = { messages: sink.messages, bytes: sink.bytes, kind: out.gzip ? `${base}.gz` : base, skipped: [] };
  if (out.kind === 'mbox') summary.mboxFormat = out.mboxFormat;
  return summary;
}
