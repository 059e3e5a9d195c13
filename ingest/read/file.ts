// One file of any of the kinds a file can be: mbox, one message, or either gzipped.
// Content decides, not the name: gzip magic, then a first line `From ` = mbox.
import { LoregraphError } from '../../domain/errors.ts';
import { collect, fileChunks, peek } from './chunks.ts';
import { gunzipChunks, isGzip } from './gzip.ts';
import { startsWithEnvelope } from './envelope.ts';
import type { MboxFormat } from './mbox-splitter.ts';
import { splitMboxChunks } from './mbox.ts';
import type { MessageSink, PositionWithoutIndex } from './sink.ts';
import { looksLikeMail, messageFromBytes } from './single.ts';

/** Bytes we look at to tell an mbox from one message. */
const SNIFF = 4096;
/** A file that is not an mbox is held whole as one message; beyond this it is not one. */
export const MAX_SINGLE_MESSAGE = 256 * 1024 * 1024;

export type FileOutcome =
  | { kind: 'mbox'; gzip: boolean; mboxFormat: MboxFormat }
  | { kind: 'message'; gzip: boolean }
  | { kind: 'skipped'; gzip: boolean; reason: string };

export interface FileReadOptions {
  mboxFormat?: MboxFormat | 'auto';
  /** Skip (rather than read as a header-less message) files that do not look like mail. */
  requireMail?: boolean;
  onRead?: (n: number) => void;
  /** Defaults to MAX_SINGLE_MESSAGE. */
  maxSingleMessage?: number;
}

export async function readFileSource(
  path: string,
  sink: MessageSink,
  position: Omit<PositionWithoutIndex, 'offset'>,
  opts: FileReadOptions = {},
): Promise<FileOutcome> {
  let source: AsyncIterable<Buffer> = fileChunks(path, opts.onRead);
  let { head, rest } = await peek(source, 2);
  const gzip = isGzip(head);
  if (gzip) {
    source = gunzipChunks(rest, path);
    ({ head, rest } = await peek(source, SNIFF));
  } else {
    ({ head, rest } = await peek(rest, SNIFF));
  }
  if (startsWithEnvelope(head)) {
    const mboxFormat = await splitMboxChunks(rest, sink, position, opts.mboxFormat);
    return { kind: 'mbox', gzip, mboxFormat };
  }
  const limit = opts.maxSingleMessage ?? MAX_SINGLE_MESSAGE;
  const bytes = await collect(rest, limit, () =>
    new LoregraphError('BAD_INPUT', `${path} is over ${limit} bytes and not an mbox: too large to be one message`, { path }),
  );
  if (bytes.length === 0) {
    if (opts.requireMail) return { kind: 'skipped', gzip, reason: 'empty file' };
    throw new LoregraphError('BAD_INPUT', `${path} is empty: no message to read`, { path });
  }
  if (opts.requireMail && !looksLikeMail(bytes)) return { kind: 'skipped', gzip, reason: 'does not look like mail' };
  await sink.emit(messageFromBytes(bytes), { ...position, offset: 0 });
  return { kind: 'message', gzip };
}
