// Raw packs (db/migrations/013_raw_packs.sql): the writer compresses the raw bytes of
// consecutive stored messages of a batch together, and every reader still gets each
// message's bytes exactly.
import { describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { getStoredMessage } from '../db/message-view.ts';
import { allRawInRowOrder, bodySql, decodeRaw, rawCopies } from '../db/messages.ts';
import { forgetDecodedPacks } from '../db/raw-codec.ts';
import { PACK_BYTES, PACK_MESSAGES } from '../db/raw-packs.ts';
import { processRaw, type Processed } from '../ingest/pipeline-process.ts';
import { storeBatch } from '../ingest/pipeline-store.ts';
import type { RawMessage } from '../domain/message.ts';
import { rawMail } from './fixtures/ingest/mail.ts';

const mails = (n: number, tag: string): RawMessage[] =>
  Array.from({ length: n }, (_, i) =>
    rawMail({ id: `${tag}.${i}@x`, subject: `[PATCH ${i}/${n}] mm: ${tag} folio order`, body: `${tag} message ${i} takes the folio lock first\n`.repeat(10 + i) }),
  );

const processAll = (raws: readonly RawMessage[]): Promise<Processed[]> => Promise.all(raws.map((r) => processRaw(r, [])));

/** Each row's pack and offset, and each pack's decoded size, as stored. */
function layout(db: Db): { rows: { pack: number | null; offset: number | null; codec: string; own: number }[]; packs: { id: number; size: number }[] } {
  return {
    rows: db.sql.prepare('SELECT raw_pack AS pack, raw_pack_offset AS offset, raw_codec AS codec, length(raw) AS own FROM messages ORDER BY id').all() as {
      pack: number | null;
      offset: number | null;
      codec: string;
      own: number;
    }[],
    packs: db.sql.prepare('SELECT id, size FROM raw_packs ORDER BY id').all() as { id: number; size: number }[],
  };
}

describe('raw packs', () => {
  it('puts consecutive stored messages of a batch into packs of PACK_MESSAGES, and gives each message back byte-exact', async () => {
    const raws = mails(PACK_MESSAGES * 2 + 5, 'a');
    const db = openDb(':memory:');
    expect(storeBatch(db, null, await processAll(raws)).stored).toBe(raws.length);
    const l = layout(db);
    expect(l.packs.map((p) => p.id)).toEqual([1, 2, 3]);
    expect(l.rows.map((r) => r.pack)).toEqual([...Array(PACK_MESSAGES).fill(1), ...Array(PACK_MESSAGES).fill(2), ...Array(5).fill(3)]);
    // a packed row keeps no bytes of its own; its offset is where the previous message of its pack ends
    expect(l.rows.every((r) => r.codec === 'pack' && r.own === 0)).toBe(true);
    expect(l.rows.slice(0, 3).map((r) => r.offset)).toEqual([0, raws[0]!.bytes.length, raws[0]!.bytes.length + raws[1]!.bytes.length]);
    expect(l.packs[2]?.size).toBe(raws.slice(2 * PACK_MESSAGES).reduce((n, r) => n + r.bytes.length, 0));
    expect([...allRawInRowOrder(db)].map((c) => Buffer.compare(c.bytes, raws[c.rowId - 1]!.bytes))).toEqual(raws.map(() => 0));
    expect(rawCopies(db, ['a.10@x'])[0]?.bytes.toString('utf8')).toBe(raws[10]!.bytes.toString('utf8'));
    closeDb(db);
  });

  it('leaves no bytes of a duplicate in a pack, and starts a new pack with each batch', async () => {
    const raws = mails(6, 'b');
    const db = openDb(':memory:');
    // the third is the first again: the INSERT ignores it
    expect(storeBatch(db, null, await processAll([raws[0]!, raws[1]!, raws[0]!, raws[2]!])).stored).toBe(3);
    expect(storeBatch(db, null, await processAll(raws.slice(3))).stored).toBe(3);
    const l = layout(db);
    expect(l.rows.map((r) => r.pack)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(l.packs.map((p) => p.size)).toEqual([0, 3].map((i) => raws.slice(i, i + 3).reduce((n, r) => n + r.bytes.length, 0)));
    expect([...allRawInRowOrder(db)].map((c) => c.messageId)).toEqual(raws.map((_, i) => `b.${i}@x`));
    closeDb(db);
  });

  it('closes a pack before a message would take it past PACK_BYTES, so a large message does not weigh on its neighbours', async () => {
    const big = rawMail({ id: 'big@x', subject: 'a log', body: 'kernel: [ 1.000] a line of a boot log\n'.repeat(Math.ceil(PACK_BYTES / 38)) });
    const raws = [...mails(2, 'c'), big, ...mails(2, 'd')];
    const db = openDb(':memory:');
    storeBatch(db, null, await processAll(raws));
    expect(layout(db).rows.map((r) => r.pack)).toEqual([1, 1, 2, 3, 3]);
    expect(rawCopies(db, ['big@x'])[0]?.bytes.equals(big.bytes)).toBe(true);
    closeDb(db);
  });

  it('reads bodies and headers from packs, in JS and in SQL, and never serves one database the pack of another with the same id', async () => {
    const one = openDb(':memory:');
    const two = openDb(':memory:');
    storeBatch(one, null, await processAll(mails(3, 'one')));
    storeBatch(two, null, await processAll(mails(3, 'two')));
    for (let round = 0; round < 2; round++) {
      expect(getStoredMessage(one, 2)?.body).toBe('one message 1 takes the folio lock first\n'.repeat(11));
      expect(getStoredMessage(two, 2)?.body).toBe('two message 1 takes the folio lock first\n'.repeat(11));
      expect(getStoredMessage(two, 3)?.headers['subject']).toEqual(['[PATCH 2/3] mm: two folio order']);
      // what search snippets and the knowledge layer read, in SQL
      expect(one.sql.prepare(`SELECT ${bodySql('m', 13)} FROM messages m WHERE m.id = 2`).pluck().get()).toBe('one message 1');
      expect(two.sql.prepare(`SELECT ${bodySql('m')} FROM messages m WHERE m.id = 1`).pluck().get()).toBe('two message 0 takes the folio lock first\n'.repeat(10));
    }
    closeDb(one);
    closeDb(two);
  });

  it('gives the same bytes whether a pack was first decoded in part (for a message near its start) or whole', async () => {
    const raws = mails(PACK_MESSAGES, 'e');
    const db = openDb(':memory:');
    storeBatch(db, null, await processAll(raws));
    const read = (i: number): string | undefined => rawCopies(db, [`e.${i}@x`])[0]?.bytes.toString('utf8');
    for (const order of [[0, 1, PACK_MESSAGES - 1, 4], [PACK_MESSAGES - 1, 0], [3, PACK_MESSAGES - 2, 2]]) {
      forgetDecodedPacks();
      expect(order.map(read)).toEqual(order.map((i) => raws[i]!.bytes.toString('utf8')));
      forgetDecodedPacks();
      expect(order.map((i) => getStoredMessage(db, i + 1)?.body)).toEqual(order.map((i) => `e message ${i} takes the folio lock first\n`.repeat(10 + i)));
    }
    closeDb(db);
  });

  it('refuses to read a packed row as if its empty raw column were the message', () => {
    expect(() => decodeRaw(new Uint8Array(0), 'pack')).toThrow(/packed row/);
  });
});
