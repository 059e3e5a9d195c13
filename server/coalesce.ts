// Streams of many small pieces (one mbox entry, one Atom entry) are joined into chunks
// of about 64 KiB before they reach the socket: one write per message made plain mbox
// downloads three times slower than gzipped ones, which zlib batches anyway.

export function* coalesce(chunks: Iterable<Buffer | string>, size = 64 * 1024): Generator<Buffer> {
  let parts: Buffer[] = [];
  let bytes = 0;
  for (const c of chunks) {
    const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
    parts.push(b);
    bytes += b.length;
    if (bytes >= size) {
      yield parts.length === 1 ? b : Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
    }
  }
  if (bytes > 0) yield Buffer.concat(parts, bytes);
}
