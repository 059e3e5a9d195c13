// One file of any of the kinds a file can be: mbox, one message, or either gzipped.
// Content decides, not the name: gzip magic, then a first line `From ` = mbox.
import { LoregraphError } from '../../domain/errors.ts';
import { CHUNK_SIZE, collectBounded, copiedChunks, fileChunks, peek } from './chunks.ts';
import { gunzipChunks, isGzip } from './gzip.ts';
import { damagedFirstEnvelope, startsWithEnvelope } from './envelope.ts';
import { OVERSIZED_HEAD, type MboxFormat } from './mbox-splitter.ts';
import { splitMboxChunks } from './mbox.ts';
import type { MessageSink, PositionWithoutIndex } from './sink.ts';
import { looksLikeMail, messageFromBytes } from './single.ts';

/** Bytes we look at to tell an mbox from one message. */
const SNIFF = 4096;

export type FileOutcome =
  | { kind: 'mbox'; gzip: boolean; mboxFormat: MboxFormat }
  | { kind: 'message'; gzip: boolean }
  | { kind: 'skipped'; gzip: boolean; reason: string };

export interface FileReadOptions {
  mboxFormat?: MboxFormat | 'auto';
  /** Skip (rather than read as a header-less message) files that do not look like mail. */
  requireMail?: boolean;
  onRead?: (n: number) => void;
}

/** The reader's doubt about a file it reads as one message (RawMessage.suspect). */
function suspicion(bytes: Buffer): { suspect?: string } {
  const why = damagedFirstEnvelope(bytes);
  return why === null ? {} : { suspect: `not read as an mbox: ${why}` };
}

export async function readFileSource(
  path: string,
  sink: MessageSink,
  position: Omit<PositionWithoutIndex, 'offset'>,
  opts: FileReadOptions = {},
): Promise<FileOutcome> {
  // Every chunk is read into one buffer: the mbox splitter copies what it keeps before the
  // next read, and a fresh megabyte per read was garbage the collector freed late (reading
  // a 60 MB message left some 60 MB of chunks on the reading thread while a worker parsed
  // it). What holds on to chunks (gunzip's pipe, a file collected as one message) gets copies.
  let source: AsyncIterable<Buffer> = fileChunks(path, opts.onRead, CHUNK_SIZE, true);
  let { head, rest } = await peek(source, 2);
  const gzip = isGzip(head);
  if (gzip) {
    source = gunzipChunks(copiedChunks(rest), path);
    ({ head, rest } = await peek(source, SNIFF));
  } else {
    ({ head, rest } = await peek(rest, SNIFF));
  }
  if (startsWithEnvelope(head)) {
    const mboxFormat = await splitMboxChunks(rest, sink, position, opts.mboxFormat);
    return { kind: 'mbox', gzip, mboxFormat };
  }
  // A file that is not an mbox is one message: held whole up to the sink's limit, past it
  // only its head is kept and the rest hashed as it streams by.
  const limit = sink.maxMessageBytes;
  const got = await collectBounded(gzip ? rest : copiedChunks(rest), limit, OVERSIZED_HEAD);
  if ('head' in got) {
    if (opts.requireMail && !looksLikeMail(got.head)) return { kind: 'skipped', gzip, reason: 'does not look like mail' };
    await sink.emit({ bytes: got.head, oversized: { size: got.size, sha256: got.sha256, limit }, ...suspicion(got.head) }, { ...position, offset: 0 });
    return { kind: 'message', gzip };
  }
  const bytes = got.bytes;
  if (bytes.length === 0) {
    if (opts.requireMail) return { kind: 'skipped', gzip, reason: 'empty file' };
    throw new LoregraphError('BAD_INPUT', `${path} is empty: no message to read`, { path });
  }
  if (opts.requireMail && !looksLikeMail(bytes)) return { kind: 'skipped', gzip, reason: 'does not look like mail' };
  await sink.emit({ ...messageFromBytes(bytes), ...suspicion(bytes) }, { ...position, offset: 0 });
  return { kind: 'message', gzip };
}
