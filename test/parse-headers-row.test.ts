// The parser's word on where a message's parts lie in its raw bytes (its headers are the
// header block's lines less the noise it drops; its body is the bytes after the block as
// they are) spares messageRow reading them again: with it, the row must be the row reading
// them gives, for any header block (odd line breaks, folding, dropped and unstored keys,
// mbox first lines) and any body (encodings, charsets, CRs, invalid and multi-byte UTF-8).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRawMessage } from '../ingest/parse.ts';
import { messageRow } from '../db/messages.ts';

const NAMES = ['Subject', 'From', 'To', 'Message-ID', 'DKIM-Signature', 'Received', 'received ', 'X-MS-Exchange-Foo', 'ARC-Seal', 'Return-Path', 'List-Unsubscribe', 'Thread-Index', 'X-Foo', 'Content-Type', 'Content-Transfer-Encoding', '', '123', 'Constructor', '__proto__', 'toString'];
const VALUES = [' a <a@x.org>', ' [PATCH] fix the race', ' <1@x>', ' v=1;\r\n\tb=abc', ' text/plain; charset=utf-8', ' text/plain; format=flowed', ' text/plain; charset=iso-8859-1', '', ' caf\u00e9', ' x\r\n y', ' quoted-printable', ' 8bit', ' base64'];
const BREAKS = ['\n', '\r\n', '\r', '\r\r\n', '\n ', '\n\t', '\r\n '];
// bodies as bytes (one latin1 character a byte): UTF-8 é and ✓, an encoded U+FFFD, a byte UTF-8 has not
const BODIES = ['', 'body\n', 'a\r\nb\r\n', 'caf\xc3\xa9 \xe2\x9c\x93\n', '\xef\xbf\xbd as written\n', 'bad \xff byte\n', 'flowed \nline\n', 'a=3D b\n', 'YWJj\n', 'no final break'];
const line = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(':', ': ', ' : ', ''), fc.constantFrom(...VALUES), fc.constantFrom(...BREAKS)).map((p) => p.join(''));
const firstLine = fc.constantFrom('', 'From mboxrd@z Thu Jan  1 00:00:00 1970\n', 'From x\n continued: y\n', 'POST /x HTTP/1.1\n', ' leading: space\n', '\n', '\r\n');
const message = fc
  .tuple(
    firstLine,
    fc.array(fc.oneof({ weight: 6, arbitrary: line }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { minLength: 1, maxLength: 8 }),
    fc.constantFrom('\n', '\r\n', '\n\n', ''),
    fc.array(fc.constantFrom(...BODIES), { maxLength: 3 }),
  )
  .map(([f, ls, end, body]) => Buffer.from(f + ls.join('') + end + body.join(''), 'latin1'));

const position = { source: 't', offset: 0, index: 0 };

describe('the headers a row stores', () => {
  it('keeps a header named __proto__ or constructor as a header', async () => {
    const bytes = Buffer.from('Message-ID: <p@x>\nSubject: s\n__proto__: p1\nConstructor: c1\n\nbody\n');
    const r = await parseRawMessage({ bytes, position }, { now: Date.UTC(2026, 0, 1) });
    // without the raw bytes the row writes its headers out
    expect(JSON.parse(messageRow(r.parsed, []).headersJson)).toMatchObject({ __proto__: ['p1'], constructor: ['c1'], subject: ['s'] });
    expect(messageRow(r.parsed, []).headersJson).toContain('"__proto__":["p1"]');
  });
});

describe("messageRow given the parser's word on the raw bytes", () => {
  it('makes the row reading the raw bytes makes', async () => {
    let headers = 0;
    let bodies = 0;
    await fc.assert(
      fc.asyncProperty(message, async (bytes) => {
        let r: Awaited<ReturnType<typeof parseRawMessage>>;
        try {
          r = await parseRawMessage({ bytes, position }, { now: Date.UTC(2026, 0, 1) });
        } catch {
          return; // a message the parser refuses has no row
        }
        if (r.droppedFromRawLines !== null) headers++;
        if (r.bodySpan !== null) bodies++;
        expect(messageRow(r.parsed, [], bytes, { droppedFromRawLines: r.droppedFromRawLines, bodySpan: r.bodySpan })).toEqual(messageRow(r.parsed, [], bytes));
      }),
      { numRuns: Number(process.env['RUNS'] ?? 3000) },
    );
    expect(headers).toBeGreaterThan(500);
    expect(bodies).toBeGreaterThan(200);
  });

  it('is given for a plain message, and not for one whose first line is an mbox From line', async () => {
    const bytes = Buffer.from('Received: x\nDKIM-Signature: y\n z\nSubject: s\nMessage-ID: <a@b>\n\nbody\n');
    const plain = await parseRawMessage({ bytes, position });
    expect(plain.droppedFromRawLines).toEqual(['received', 'dkim-signature']);
    expect(plain.bodySpan).toEqual({ start: bytes.length - 5, end: bytes.length });
    const mbox = await parseRawMessage({ bytes: Buffer.from('From x\nSubject: s\nMessage-ID: <a@b>\n\nbody\n'), position });
    expect(mbox.droppedFromRawLines).toBeNull();
  });

  it('is not given for a body decoded from quoted-printable', async () => {
    const qp = await parseRawMessage({ bytes: Buffer.from('Subject: s\nContent-Transfer-Encoding: quoted-printable\n\na=3D b\n'), position });
    expect(qp.bodySpan).toBeNull();
  });
});
