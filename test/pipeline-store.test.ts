import { describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { rawCopies } from '../db/messages.ts';
import { processRaw } from '../ingest/pipeline-process.ts';
import { storeBatch } from '../ingest/pipeline-store.ts';
import { rawMail } from './fixtures/ingest/mail.ts';

describe('the writer half of ingest', () => {
  it('gets the raw bytes as read from the parse step and stores them byte-exact', async () => {
    const a = rawMail({ id: 'a@x', subject: 'folio lock order', body: 'the first message\n'.repeat(40) });
    const b = rawMail({ id: 'b@x', subject: 'Re: folio lock order', inReplyTo: 'a@x', body: 'a reply to it\n'.repeat(40) });
    const processed = [await processRaw(a, []), await processRaw(b, [])];
    expect(processed.map((p) => p.ok && Buffer.compare(Buffer.from(p.stored.data), Buffer.from(p === processed[0] ? a.bytes : b.bytes)))).toEqual([0, 0]);
    const db = openDb(':memory:');
    expect(storeBatch(db, null, processed).stored).toBe(2);
    const copies = rawCopies(db, ['a@x', 'b@x']);
    expect(copies.map((c) => Buffer.compare(c.bytes, Buffer.from(c.messageId === 'a@x' ? a.bytes : b.bytes)))).toEqual([0, 0]);
    closeDb(db);
  });
});
