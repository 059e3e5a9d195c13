// The parser's word that a message's headers are its raw header block's lines (less the
// noise it drops) spares messageRow reading the block again: with it, the row must say
// whether its headers read back from the raw bytes exactly as reading them would, for any
// header block, odd line breaks, folding, dropped and unstored keys and mbox first lines included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRawMessage } from '../ingest/parse.ts';
import { messageRow } from '../db/messages.ts';

const NAMES = ['Subject', 'From', 'To', 'Message-ID', 'DKIM-Signature', 'Received', 'received ', 'X-MS-Exchange-Foo', 'ARC-Seal', 'Return-Path', 'List-Unsubscribe', 'Thread-Index', 'X-Foo', 'Content-Type', '', '123'];
const VALUES = [' a <a@x.org>', ' [PATCH] fix the race', ' <1@x>', ' v=1;\r\n\tb=abc', ' text/plain; charset=utf-8', '', ' caf\u00e9', ' x\r\n y', ' quoted-printable'];
const BREAKS = ['\n', '\r\n', '\r', '\r\r\n', '\n ', '\n\t', '\r\n '];
const line = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(':', ': ', ' : ', ''), fc.constantFrom(...VALUES), fc.constantFrom(...BREAKS)).map((p) => p.join(''));
const firstLine = fc.constantFrom('', 'From mboxrd@z Thu Jan  1 00:00:00 1970\n', 'From x\n continued: y\n', 'POST /x HTTP/1.1\n', ' leading: space\n', '\n', '\r\n');
const message = fc
  .tuple(firstLine, fc.array(fc.oneof({ weight: 6, arbitrary: line }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\n\n', ''), fc.constantFrom('', 'body\n', 'a\r\nb\r\n'))
  .map(([f, ls, end, body]) => Buffer.from(f + ls.join('') + end + body, 'latin1'));

describe("messageRow given the parser's word on the header lines", () => {
  it('says whether the headers read back from the raw bytes as reading the block says', async () => {
    let vouched = 0;
    await fc.assert(
      fc.asyncProperty(message, async (bytes) => {
        let r: Awaited<ReturnType<typeof parseRawMessage>>;
        try {
          r = await parseRawMessage({ bytes, position: { source: 't', offset: 0, index: 0 } }, { now: Date.UTC(2026, 0, 1) });
        } catch {
          return; // a message the parser refuses has no row
        }
        if (r.droppedFromRawLines === null) return;
        vouched++;
        const read = messageRow(r.parsed, [], bytes);
        const told = messageRow(r.parsed, [], bytes, r.droppedFromRawLines);
        expect(told.headersFromRaw).toBe(read.headersFromRaw);
        expect(told.headersJson).toBe(read.headersJson);
      }),
      { numRuns: Number(process.env["RUNS"] ?? 3000) },
    );
    expect(vouched).toBeGreaterThan(500);
  });

  it('is given for a plain message, and not for one whose first line is an mbox From line', async () => {
    const position = { source: 't', offset: 0, index: 0 };
    const plain = await parseRawMessage({ bytes: Buffer.from('Received: x\nDKIM-Signature: y\n z\nSubject: s\nMessage-ID: <a@b>\n\nbody\n'), position });
    expect(plain.droppedFromRawLines).toEqual(['received', 'dkim-signature']);
    const mbox = await parseRawMessage({ bytes: Buffer.from('From x\nSubject: s\nMessage-ID: <a@b>\n\nbody\n'), position });
    expect(mbox.droppedFromRawLines).toBeNull();
  });
});
