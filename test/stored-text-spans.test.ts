// Where a body lies in the raw bytes decides what a row stores (body_start/body_end), so
// every version of bodySpanIn must find the span the first one found, for every body and
// raw message, including bytes that are not UTF-8. The first one is kept here as the reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyOfSpan, bodySpanIn, headerFieldsOf, type BodySpan } from '../domain/stored-text.ts';

/** bodySpanIn before it compared text read from the bytes (commit 68a6d96). */
function encodedBodySpanIn(raw: Uint8Array, body: string): BodySpan | null {
  if (body.length === 0 || /\p{Cs}/u.test(body)) return null;
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const encoded = Buffer.from(body, 'utf8');
  for (const end of [bytes.length, bytes.length - 1]) {
    const start = end - encoded.length;
    if (start >= 0 && bytes.subarray(start, end).equals(encoded)) return { start, end };
  }
  const at = bytes.lastIndexOf(encoded);
  return at < 0 ? null : { start: at, end: at + encoded.length };
}

// bytes that read back as U+FFFD, or as text that encodes to other bytes: a cut 4-byte
// sequence reads as one U+FFFD, the same length in UTF-8 as the 3 bytes it stands for
const awkward = fc.constantFrom(
  [0xf0, 0x9f, 0x98],
  [0xef, 0xbf, 0xbd],
  [0xff],
  [0xed, 0xa0, 0x80],
  [0xc3],
  [0xc3, 0xa9],
  [0x0a],
  [0x41],
);
const chunk = fc.oneof(fc.string().map((s) => [...Buffer.from(s, 'utf8')]), awkward);

describe('body spans compared as text', () => {
  it('are the spans the bytes compared as bytes give, malformed UTF-8, U+FFFD and lone surrogates included', () => {
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 8 }), fc.array(chunk, { maxLength: 6 }), fc.boolean(), fc.string(), (head, tail, lf, extra) => {
        const raw = Buffer.from([...head.flat(), ...tail.flat(), ...(lf ? [0x0a] : [])]);
        // the body as a parser might give it: the tail read as UTF-8, maybe with more text
        const read = Buffer.from(tail.flat()).toString('utf8');
        for (const body of [read, read + extra, extra, `${read}\ud800`, `\ufffd${read}`]) {
          expect(bodySpanIn(raw, body)).toEqual(encodedBodySpanIn(raw, body));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('do not take bytes for a body that only reads the same: a cut sequence before an A is not U+FFFD A', () => {
    const raw = Buffer.from([0x0a, 0x0a, 0xf0, 0x9f, 0x98, 0x41]);
    expect(raw.toString('utf8', 2)).toBe('\ufffdA');
    expect(bodySpanIn(raw, '\ufffdA')).toBeNull();
    const genuine = Buffer.concat([Buffer.from('\n\n'), Buffer.from('\ufffdA', 'utf8')]);
    expect(bodySpanIn(genuine, '\ufffdA')).toEqual({ start: 2, end: 6 });
    expect(bodyOfSpan(genuine, { start: 2, end: 6 })).toBe('\ufffdA');
  });
});

describe('header blocks read as text', () => {
  it('end at the first empty line, LF or CRLF, wherever it lies', () => {
    const big = `X-Big: ${'y'.repeat(70 * 1024)}`;
    const raw = Buffer.from(`Subject: a\n${big}\nTo: b\n\r\nCc: not a header\n`);
    expect(Object.keys(headerFieldsOf(raw, /^x-big$/))).toEqual(['subject', 'to']);
    expect(headerFieldsOf(Buffer.from('Subject: a\r\n\r\nTo: b\n\nCc: c'), /^$/)).toEqual({ subject: ['a'] });
    expect(headerFieldsOf(Buffer.from('\nSubject: a\n'), /^$/)).toEqual({});
    expect(headerFieldsOf(Buffer.from('Subject: a\n To: b'), /^$/)).toEqual({ subject: ['a To: b'] });
  });
});
