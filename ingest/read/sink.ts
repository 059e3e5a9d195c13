// What every reader shares: options, the summary, and the sink that numbers messages,
// counts them, honours the abort signal and awaits the consumer (back-pressure).
import { createHash } from 'node:crypto';
import type { OnMessage, RawMessage, SourcePosition } from '../../domain/message.ts';
import { DEFAULT_MAX_MESSAGE_BYTES, OVERSIZED_HEAD, type MboxFormat } from './mbox-splitter.ts';

export type ArchiveKind = 'public-inbox' | 'directory' | 'mbox' | 'mbox.gz' | 'message' | 'message.gz';

export interface ReadOptions {
  signal?: AbortSignal;
  /** Bytes read from the source so far (compressed bytes for .gz) and the total when known. */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  /** Force an mbox dialect instead of detecting it. */
  mboxFormat?: MboxFormat | 'auto';
  /** Messages larger than this are recorded as oversized, never parsed (default 64 MiB). */
  maxMessageBytes?: number;
}

export interface SkippedEntry {
  /** Path relative to the source directory. */
  file: string;
  reason: string;
}

export interface ReadSummary {
  messages: number;
  /** Sum of the handed-over messages' byte lengths. */
  bytes: number;
  kind: ArchiveKind;
  /** For mbox sources: the dialect used (for a directory, of its first mbox). */
  mboxFormat?: MboxFormat;
  /** Directory entries that were not read as mail, and why. */
  skipped: SkippedEntry[];
}

export type PositionWithoutIndex = Omit<SourcePosition, 'index'>;

export class MessageSink {
  messages = 0;
  bytes = 0;
  /** Set when the consumer threw: such errors are never mistaken for bad input. */
  consumerFailed = false;

  constructor(
    private readonly onMessage: OnMessage,
    private readonly signal?: AbortSignal,
    /** The readers that stream (mbox, single files) stop assembling a message past this; the sink catches the rest. */
    readonly maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
  ) {}

  checkAborted(): void {
    this.signal?.throwIfAborted();
  }

  async emit(msg: Omit<RawMessage, 'position'>, position: PositionWithoutIndex): Promise<void> {
    this.checkAborted();
    const index = this.messages++;
    // A reader that had to hold the message whole (a git blob) still must not hand it to the parser.
    if (!msg.oversized && msg.bytes.length > this.maxMessageBytes) msg = oversizedMessage(msg, this.maxMessageBytes);
    this.bytes += msg.oversized?.size ?? msg.bytes.length;
    try {
      await this.onMessage({ ...msg, position: { ...position, index } });
    } catch (e) {
      this.consumerFailed = true;
      throw e;
    }
  }
}

/** Calls onProgress at most every `every` bytes (and always at the end). */
export class ProgressMeter {
  private read = 0;
  private lastReported = -Infinity;

  constructor(
    private readonly onProgress: ReadOptions['onProgress'],
    private readonly total: number | null,
    private readonly every = 1 << 20,
  ) {}

  add(n: number): void {
    this.read += n;
    if (this.onProgress && this.read - this.lastReported >= this.every) {
      this.lastReported = this.read;
      this.onProgress(this.read, this.total);
    }
  }

  done(): void {
    if (this.onProgress && this.lastReported !== this.read) {
      this.lastReported = this.read;
      this.onProgress(this.read, this.total);
    }
  }
}

/** The message as an oversized one: its head and the hash of all of it. */
function oversizedMessage(msg: Omit<RawMessage, 'position'>, limit: number): Omit<RawMessage, 'position'> {
  const { bytes, lenient: _lenient, ...rest } = msg;
  return {
    ...rest,
    bytes: Buffer.from(bytes.subarray(0, OVERSIZED_HEAD)),
    oversized: { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), limit },
  };
}
