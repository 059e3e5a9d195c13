// The values that flow through ingest: readers produce RawMessage, the parser turns
// each into a ParsedMessage, the store writes those. Readers know nothing of parsing
// or storage; the parser knows nothing of storage.

/** Where a message came from, precisely enough to find it again. */
export interface SourcePosition {
  /** The archive path as given (file, directory entry or git repository). */
  source: string;
  /** Byte offset of the message in an mbox (after gunzip for .gz), or 0 for a one-message file. */
  offset: number;
  /** Ordinal of the message within its source (0-based). */
  index: number;
  /** For public-inbox git archives: the commit holding the message. */
  commit?: string;
  /** For directories: the file inside the source directory. */
  file?: string;
}

/** One message as read from an archive: its exact bytes, unquoted from mboxrd. */
export interface RawMessage {
  bytes: Buffer;
  position: SourcePosition;
  /** The mbox `From ` separator line, when there was one (without newline). */
  envelope?: string;
  /** Set by the lenient reader for saved messages that are not clean RFC 5322. */
  lenient?: LenientRecovery;
  /** Set when a public-inbox commit deletes a message (blob `d`). */
  deleted?: boolean;
  /**
   * Set when the message was larger than the reader's limit: it is recorded, never parsed,
   * and `bytes` holds only its beginning (its headers, as far as they go).
   */
  oversized?: OversizedMessage;
  /** Why the reader doubts this message is what it looks like (a damaged mbox envelope read as one message, say). */
  suspect?: string;
}

export interface OversizedMessage {
  /** Its whole size in bytes. */
  size: number;
  /** sha256 hex of all its bytes as the archive holds them (mboxrd quoting included). */
  sha256: string;
  /** The limit it broke. */
  limit: number;
}

/** What the lenient reader had to guess, so it can be shown and trusted accordingly. */
export interface LenientRecovery {
  /** e.g. 'headers-run-together', 'no-headers' */
  kind: string;
  /** Header name -> how it was recovered, e.g. { 'in-reply-to': 'attribution line' } */
  guessed: Record<string, string>;
  /** Headers recovered, to be used instead of (or on top of) what mailparser finds. */
  headers: Record<string, string>;
}

/** Callback readers hand each message to; awaited, so the consumer applies back-pressure. */
export type OnMessage = (msg: RawMessage) => void | Promise<void>;

export interface Address {
  name: string;
  address: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
}

/** A message after parsing: what every later stage (threading, analyzers, the API) reads. */
export interface ParsedMessage {
  /** Without angle brackets. */
  messageId: string;
  /** True when the message had no usable Message-ID and one was derived from its content hash. */
  messageIdSynthesized: boolean;
  /** RFC 2047-decoded. '' when absent. */
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  /** Milliseconds since the epoch (UTC), or null when no plausible date was found. */
  date: number | null;
  dateSource: 'date' | 'received' | 'lenient' | 'none';
  /** Without angle brackets. */
  inReplyTo: string | null;
  /** Oldest first, without angle brackets, deduplicated. */
  references: string[];
  listId: string | null;
  /** Decoded plain-text body (the text/plain part, or text derived from HTML). */
  body: string;
  attachments: AttachmentInfo[];
  /** Header name (lower case) -> values in order, for headers later stages look at (x-stable-base, change-id...). */
  headers: Record<string, string[]>;
  /** Things worth knowing about how it was decoded, e.g. "unknown charset 'y', decoded as latin1". */
  notes: string[];
  lenient: LenientRecovery | null;
  /** sha256 hex of the raw bytes: identity of this copy of the message. */
  contentHash: string;
}
