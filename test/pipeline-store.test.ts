import { describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { rawCopies } from '../db/messages.ts';
import { processRaw } from '../ingest/pipeline-process.ts';
import { storeBatch } from '../ingest/pipeline-store.ts';
import { rawMail } from './fixtures/ingest/mail.ts';

describe('the writer half of ingest', () => {
  it('stores the same bytes whichever thread compressed them', async () => {
    const a = rawMail({ id: 'a@x', subject: 'folio lock order', body: 'compressed in the worker\n'.repeat(40) });
    const b = rawMail({ id: 'b@x', subject: 'Re: folio lock order', inReplyTo: 'a@x', body: 'left to the writer\n'.repeat(40) });
    const inWorker = await processRaw(a, [], { encode: true });
    const onWriter = await processRaw(b, [], { encode: false });
    expect(inWorker.ok && inWorker.stored.codec).toBe('brotli');
    expect(onWriter.ok && onWriter.stored.codec).toBe(null);
    const db = openDb(':memory:');
    expect(storeBatch(db, null, [inWorker, onWriter]).stored).toBe(2);
    const copies = rawCopies(db, ['a@x', 'b@x']);
    expect(copies.map((c) => Buffer.compare(c.bytes, Buffer.from(c.messageId === 'a@x' ? a.bytes : b.bytes)))).toEqual([0, 0]);
    closeDb(db);
  });
});
