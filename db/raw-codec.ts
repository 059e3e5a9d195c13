// A stored message's raw bytes, byte-exact: compressed on its own in its row (`raw`,
// `raw_codec`), or a run of a pack of consecutive messages compressed together
// (db/migrations/013_raw_packs.sql, db/raw-packs.ts). Reading a pack decodes all of it, so
// the decoded packs last read are kept: a thread view or an export in row order reads
// several messages of one pack.
import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';

export type RawCodec = 'deflate-raw' | 'brotli' | 'none';

/** raw_codec of a row whose bytes lie in raw_packs: its own `raw` is empty. */
export const PACKED_RAW = 'pack';

const BROTLI_FASTEST = { [constants.BROTLI_PARAM_QUALITY]: 0 };

/**
 * One message's raw bytes compressed on their own (rows before migration 013, tests): brotli
 * at quality 0, as they were read only for export and reparsing. On generated kernel mail
 * (2.2 KB a message) it took 25 us of CPU against deflate level 1's 45 us, for 1.99x.
 */
export function encodeRaw(bytes: Uint8Array): { data: Buffer; codec: RawCodec } {
  return { data: brotliCompressSync(bytes, { params: { ...BROTLI_FASTEST, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength } }), codec: 'brotli' };
}

export function decodeRaw(data: Uint8Array, codec: string): Buffer {
  if (codec === 'deflate-raw') return inflateRawSync(data);
  if (codec === 'brotli') return brotliDecompressSync(data);
  // a packed row's `raw` is empty: reading it as bytes would hand out an empty message
  if (codec === PACKED_RAW) throw new Error('a packed row has no bytes of its own: read it with rawBytesOf');
  return Buffer.from(data);
}

/**
 * A pack's codec: brotli at quality 3 in text mode. On lore linux-cifs, packs of 16 came out
 * 4.26x smaller at quality 3 and 4.63x at 5, against 2.19x for one message at quality 0;
 * quality 3 over a pack costs the writer less CPU than quality 0 message by message did
 * (brotli's per-call setup dominates a 9 KB mail), quality 5 three times that. Decoding costs
 * the same at either.
 */
export const PACK_CODEC = 'brotli';
const PACK_QUALITY = 3;

export function encodePack(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: PACK_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength },
  });
}

/**
 * Decoded packs, most recently used last. 32 packs of 16 lore messages are about 5 MB. Keyed
 * by pack id, and a hit must hold the same compressed bytes: pack ids are per database (and a
 * rolled-back pack's id is taken again), while this cache is per process.
 */
const PACK_CACHE_SIZE = 32;
const packCache = new Map<number, { data: Uint8Array; bytes: Buffer }>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b));
}

export function decodedPack(id: number, data: Uint8Array, codec: string): Buffer {
  const hit = packCache.get(id);
  if (hit && sameBytes(hit.data, data)) {
    packCache.delete(id);
    packCache.set(id, hit);
    return hit.bytes;
  }
  const bytes = decodeRaw(data, codec);
  packCache.delete(id);
  packCache.set(id, { data, bytes });
  while (packCache.size > PACK_CACHE_SIZE) packCache.delete(packCache.keys().next().value as number);
  return bytes;
}

/** Drops every decoded pack: for timing a read as the first of its pack (bench/storage.ts). */
export function forgetDecodedPacks(): void {
  packCache.clear();
}

/** The columns rawBytesOf reads, as a SELECT on messages gets them (RAW_COLUMNS). */
export interface RawColumns {
  raw: Uint8Array;
  raw_codec: string;
  raw_size: number;
  raw_pack: number | null;
  raw_pack_offset: number | null;
  /** The pack's compressed bytes and codec, when the row is packed. */
  raw_pack_data: Uint8Array | null;
  raw_pack_codec: string | null;
}

/** RawColumns for a SELECT on messages (`alias`, else the table's own name). */
export function rawColumns(alias = 'messages'): string {
  const a = `${alias}.`;
  return `${a}raw, ${a}raw_codec, ${a}raw_size, ${a}raw_pack, ${a}raw_pack_offset,
    (SELECT p.data FROM raw_packs p WHERE p.id = ${a}raw_pack) AS raw_pack_data,
    (SELECT p.codec FROM raw_packs p WHERE p.id = ${a}raw_pack) AS raw_pack_codec`;
}

/**
 * A row's raw bytes, byte-exact. A packed row's are copied out of the cached pack: a caller
 * may keep or change them without holding on to the whole pack or spoiling the cache.
 */
export function rawBytesOf(r: RawColumns): Buffer {
  if (r.raw_pack === null) return decodeRaw(r.raw, r.raw_codec);
  if (r.raw_pack_data === null || r.raw_pack_codec === null || r.raw_pack_offset === null) throw new Error(`raw pack ${r.raw_pack} is missing`);
  return Buffer.from(packSpan(r.raw_pack, r.raw_pack_data, r.raw_pack_codec, r.raw_pack_offset, r.raw_size));
}

/** A packed message's bytes as a view into the cached pack, for readers that only look (bodies, headers). */
export function packSpan(id: number, data: Uint8Array, codec: string, offset: number, size: number): Buffer {
  return decodedPack(id, data, codec).subarray(offset, offset + size);
}
