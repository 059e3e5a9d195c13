// gzip: lore's t.mbox.gz thread downloads and a .gz of anything else we read.
// Decompression streams (zlib), so a large .mbox.gz never sits in memory; offsets in
// positions are offsets in the decompressed stream.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LoregraphError } from '../../domain/errors.ts';

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
