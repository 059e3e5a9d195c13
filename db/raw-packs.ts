// The writer's side of raw packs (db/migrations/013_raw_packs.sql): the raw bytes of
// consecutive stored messages of one batch, concatenated and compressed together. Packs are
// cut by stored messages only (a duplicate the INSERT ignores adds nothing), within one
// batch, so a database is the same whatever the number of parse workers: batches are the
// same runs of the archive whatever N is (ingest/pipeline-writer.ts).
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';
import { decodeRaw, encodePack, PACK_CODEC, PACKED_RAW } from './raw-codec.ts';

/**
 * Messages a pack holds: 8. A message page decodes its pack up to its own end. bench/storage.ts
 * on lore linux-cifs / linux-ppp / the race samples, against the same rows compressed one at a
 * time: the file 0.85x / 0.86x / 0.79x with packs of 8, 0.81x / 0.82x / 0.75x with 16, and the
 * first message page read from a pack 1.67x / 1.94x / 1.63x with 8 against 1.82x / 3.17x /
 * 2.20x with 16 (a thread's mbox 1.77x / 1.36x / 1.07x against 2.30x / 1.34x / 1.14x). Sixteen
 * buy 4% of the file for a message page past twice the cost.
 */
export const PACK_MESSAGES = 8;
/**
 * A pack is closed before a message would take it past this many bytes (unless it is the
 * pack's first): a message page never decodes a neighbour's 20 MB log to show a 5 KB reply.
 */
export const PACK_BYTES = 512 * 1024;

/** Where a row's raw bytes go: the pack that is being filled and the offset in it. */
export interface PackPlace {
  pack: number;
  offset: number;
}

export interface RawPacker {
  /** Where the next stored message, of `size` bytes, will lie. */
  place(size: number): PackPlace;
  /** The message given the last place was stored: its bytes join the pack. */
  add(bytes: Uint8Array): void;
  /** Writes the pack being filled, if any. Call before the transaction ends. */
  finish(): void;
}

const inserts = new WeakMap<Db, { insert: Statement; next: Statement }>();

/** A packer for one transaction's messages; the next pack id is read now, so call inside it. */
export function rawPacker(db: Db, packMessages = PACK_MESSAGES): RawPacker {
  let s = inserts.get(db);
  if (!s) {
    s = {
      insert: db.sql.prepare('INSERT INTO raw_packs (id, codec, size, data) VALUES (?, ?, ?, ?)'),
      next: db.sql.prepare('SELECT COALESCE(MAX(id), 0) + 1 FROM raw_packs').pluck(),
    };
    inserts.set(db, s);
  }
  const st = s;
  let id = st.next.get() as number;
  let parts: Uint8Array[] = [];
  let size = 0;
  const finish = (): void => {
    if (parts.length === 0) return;
    // a pack of one message (a large one closes its pack) is not copied: 60 MB more otherwise
    const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
    st.insert.run(id, PACK_CODEC, bytes.byteLength, encodePack(bytes));
    id++;
    parts = [];
    size = 0;
  };
  return {
    place(next) {
      if (parts.length > 0 && size + next > PACK_BYTES) finish();
      return { pack: id, offset: size };
    },
    add(bytes) {
      parts.push(bytes);
      size += bytes.byteLength;
      if (parts.length >= packMessages) finish();
    },
    finish,
  };
}

export interface PackProgress {
  /** The last row looked at: the next call starts after it. */
  lastRowId: number;
  rows: number;
  packs: number;
}

/**
 * Rows that keep their own compressed raw bytes (stored before migration 013) put into packs
 * (`loregraph compact`): up to `limit` of them after `afterRowId`, in row order, in one
 * transaction, cut as the writer cuts a batch. Give a multiple of PACK_MESSAGES, or the
 * call's last pack is a short one.
 */
export function packStoredRaw(db: Db, afterRowId: number, limit: number, packMessages = PACK_MESSAGES): PackProgress {
  const rows = db.sql
    .prepare('SELECT id, raw, raw_codec FROM messages WHERE id > ? AND raw_pack IS NULL ORDER BY id LIMIT ?')
    .all(afterRowId, limit) as { id: number; raw: Uint8Array; raw_codec: string }[];
  const update = db.sql.prepare(`UPDATE messages SET raw = x'', raw_codec = '${PACKED_RAW}', raw_pack = ?, raw_pack_offset = ? WHERE id = ?`);
  const out: PackProgress = { lastRowId: rows.at(-1)?.id ?? afterRowId, rows: rows.length, packs: 0 };
  db.sql.transaction(() => {
    const packer = rawPacker(db, packMessages);
    const first = packer.place(0).pack;
    for (const r of rows) {
      const bytes = decodeRaw(r.raw, r.raw_codec);
      const place = packer.place(bytes.byteLength);
      update.run(place.pack, place.offset, r.id);
      packer.add(bytes);
    }
    packer.finish();
    out.packs = rows.length === 0 ? 0 : packer.place(0).pack - first;
  })();
  return out;
}
