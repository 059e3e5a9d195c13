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
 * A pack's codec: brotli at quality 3 in text mode. On lore linux-cifs, packs of 8 came out
 * 3.89x smaller at quality 3 (1: 3.64x, 2: 3.80x, 4: 3.99x, 5: 4.20x), against 2.19x for one
 * message at quality 0, for 1.30x the CPU a message of that (1: 0.61x, 2: 1.19x, 4: 2.44x;
 * brotli's per-call setup dominates a 9 KB mail). Quality 1 is the knob if the writer's CPU
 * matters more than 7% of the raw bytes.
 */
export const PACK_CODEC = 'brotli';
const PACK_QUALITY = 3;

export function encodePack(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: PACK_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength },
  });
}

/**
 * Decoded packs (or their first part), most recently used last. 64 packs of 8 lore messages
 * are about 5 MB. Keyed by pack id, and a hit must hold the same compressed bytes: pack ids
 * are per database (and a rolled-back pack's id is taken again), while this cache is per
 * process.
 */
const PACK_CACHE_SIZE = 64;
const packCache = new Map<number, { data: Uint8Array; bytes: Buffer }>();

/**
 * Compressed bytes fed beyond a message's proportional share of its pack: brotli's density
 * varies along a pack (a patch after a chat), and too short a prefix costs a second decode.
 */
const PREFIX_MARGIN = 1.2;
const PREFIX_SLACK = 512;

/**
 * The pack's decoded bytes up to at least `end`, from a prefix of its compressed bytes: a
 * brotli stream decodes as far as its input goes when told to flush rather than finish,
 * and what it gives is exactly the start of the whole. A message page then decodes half of
 * its pack on average, not all of it. Null when the prefix would be most of the pack.
 */
function brotliPrefix(data: Uint8Array, end: number, size: number): Buffer | null {
  const cut = Math.ceil((data.byteLength * end * PREFIX_MARGIN) / size) + PREFIX_SLACK;
  if (cut >= data.byteLength * 0.9) return null;
  try {
    const bytes = brotliDecompressSync(data.subarray(0, cut), { finishFlush: constants.BROTLI_OPERATION_FLUSH });
    return bytes.byteLength >= end ? bytes : null;
  } catch {
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || (a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b));
}

/**
 * The decoded pack, or at least its first `end` bytes; `size` is its decoded size. A cached
 * prefix too short for `end` is replaced by the whole pack, not by a longer prefix, so reading
 * a pack in order (an export, a thread view) decodes it at most once and a bit.
 */
function decodedPack(id: number, data: Uint8Array, codec: string, end: number, size: number): Buffer {
  const hit = packCache.get(id);
  const same = hit !== undefined && sameBytes(hit.data, data);
  if (hit && same && hit.bytes.byteLength >= end) {
    packCache.delete(id);
    packCache.set(id, hit);
    return hit.bytes;
  }
  const bytes = (!same && codec === 'brotli' && end < size ? brotliPrefix(data, end, size) : null) ?? decodeRaw(data, codec);
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
  /** The pack's compressed bytes, codec and decoded size, when the row is packed. */
  raw_pack_data: Uint8Array | null;
  raw_pack_codec: string | null;
  raw_pack_size: number | null;
}

/** RawColumns for a SELECT on messages (`alias`, else the table's own name). */
export function rawColumns(alias = 'messages'): string {
  const a = `${alias}.`;
  return `${a}raw, ${a}raw_codec, ${a}raw_size, ${a}raw_pack, ${a}raw_pack_offset,
    (SELECT p.data FROM raw_packs p WHERE p.id = ${a}raw_pack) AS raw_pack_data,
    (SELECT p.codec FROM raw_packs p WHERE p.id = ${a}raw_pack) AS raw_pack_codec,
    (SELECT p.size FROM raw_packs p WHERE p.id = ${a}raw_pack) AS raw_pack_size`;
}

/**
 * A row's raw bytes, byte-exact. A packed row's are copied out of the cached pack: a caller
 * may keep or change them without holding on to the whole pack or spoiling the cache.
 */
export function rawBytesOf(r: RawColumns): Buffer {
  if (r.raw_pack === null) return decodeRaw(r.raw, r.raw_codec);
  return Buffer.from(packSpan(r));
}

/** A packed message's bytes as a view into the cached pack, for readers that only look (bodies, headers). */
export function packSpan(r: RawColumns): Buffer {
  if (r.raw_pack === null || r.raw_pack_data === null || r.raw_pack_codec === null || r.raw_pack_offset === null || r.raw_pack_size === null) {
    throw new Error(`raw pack ${r.raw_pack} is missing`);
  }
  const end = r.raw_pack_offset + r.raw_size;
  return decodedPack(r.raw_pack, r.raw_pack_data, r.raw_pack_codec, end, r.raw_pack_size).subarray(r.raw_pack_offset, end);
}
