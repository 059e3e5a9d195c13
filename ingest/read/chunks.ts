// Byte sources as async iterables of chunks: a file read in fixed-size pieces, and
// gunzip on top of any chunk source. Streams, so memory stays flat however large.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { LoregraphError } from '../../domain/errors.ts';

export const CHUNK_SIZE = 1 << 20;

export function unreadable(path: string, e: unknown): LoregraphError {
  const why = e instanceof Error ? e.message : String(e);
  return new LoregraphError('SOURCE_UNREADABLE', `cannot read ${path}: ${why}`, { path });
}

/**
 * Chunks of a file; `onRead` sees each chunk's size (for progress). `reuse`: every chunk is
 * read into the same buffer, for a consumer that copies what it keeps before it asks for
 * the next one (the mbox splitter): a fresh megabyte per read is garbage the collector
 * frees late, and reading one large message left tens of them behind.
 */
export async function* fileChunks(path: string, onRead?: (n: number) => void, chunkSize = CHUNK_SIZE, reuse = false): AsyncGenerator<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw unreadable(path, e);
  }
  try {
    let reused: Buffer | null = null;
    for (;;) {
      const buf = reuse ? (reused ??= Buffer.allocUnsafe(chunkSize)) : Buffer.allocUnsafe(chunkSize);
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, 0, chunkSize, null));
      } catch (e) {
        throw unreadable(path, e);
      }
      if (bytesRead === 0) return;
      onRead?.(bytesRead);
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** Each chunk copied, for a consumer that holds chunks from a source that reuses its buffer. */
export async function* copiedChunks(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const c of source) yield Buffer.from(c);
}

/** Reads the first `n` bytes (or fewer at the end) and gives back a source that still yields everything. */
export async function peek(source: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = source[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    // a copy: the source may read its next chunk into the same buffer (fileChunks reuse)
    taken.push(Buffer.from(r.value));
    have += r.value.length;
  }
  const head = taken.length === 1 && taken[0] ? taken[0] : Buffer.concat(taken);
  async function* rest(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      // Stopping early must still close the underlying file.
      if (!done) await it.return?.();
    }
  }
  return { head, rest: rest() };
}

/**
 * All of a source when it is at most `limit` bytes; else its first `headBytes`, its size
 * and the sha256 of all of it, holding no more than `limit` plus a chunk meanwhile.
 */
export async function collectBounded(
  source: AsyncIterable<Buffer>,
  limit: number,
  headBytes: number,
): Promise<{ bytes: Buffer } | { head: Buffer; size: number; sha256: string }> {
  const parts: Buffer[] = [];
  let n = 0;
  let hash: ReturnType<typeof createHash> | null = null;
  let head: Buffer | null = null;
  for await (const c of source) {
    n += c.length;
    if (hash) {
      hash.update(c);
      continue;
    }
    parts.push(c);
    if (n > limit) {
      // Only the head is copied; the parts are hashed where they lie.
      head = Buffer.concat(parts, Math.min(n, headBytes));
      hash = createHash('sha256');
      for (const p of parts) hash.update(p);
      parts.length = 0;
    }
  }
  return hash && head ? { head, size: n, sha256: hash.digest('hex') } : { bytes: Buffer.concat(parts, n) };
}
