// The fast path skips libmime steps that cannot change plain text; the shortcuts must
// answer as the full steps for any header text.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import libmime from 'libmime';
import { decodeWords, headerValue } from '../ingest/parse-fast.ts';

const PIECES = ['=?', '?=', '=?utf-8?q?caf=C3=A9?=', '=?UTF-8?B?w6k=?=', '=?iso-8859-1?q?a?= =?iso-8859-1?q?b?=', '__\x00JOIN\x00__', '__', '\x00', '?', '=', ' ', '\t', '\r\n ', 'Re: [PATCH]', '\u00e9', '\u00c3\u00a9', '\u00ff'];
const text = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 12 }).map((a) => a.join(''));

function fullDecodeWords(t: string): string | Error {
  try {
    return libmime.decodeWords(t);
  } catch (e) {
    return e as Error;
  }
}

describe('fast path header shortcuts', () => {
  it('decodeWords answers as libmime.decodeWords', () => {
    fc.assert(
      fc.property(text, (t) => {
        const want = fullDecodeWords(t);
        if (want instanceof Error) expect(() => decodeWords(t)).toThrow();
        else expect(decodeWords(t)).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('headerValue reads a header line as mailparser does', () => {
    fc.assert(
      fc.property(text, (t) => {
        const line = `Subject: ${t}`;
        expect(headerValue(line)).toBe(Buffer.from((libmime.decodeHeader(line).value || '').toString().trim(), 'binary').toString());
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes encoded words and reads latin1-held UTF-8 bytes', () => {
    expect(decodeWords('=?utf-8?q?caf=C3=A9?= au lait')).toBe('café au lait');
    expect(decodeWords('plain [PATCH] subject')).toBe('plain [PATCH] subject');
    expect(headerValue('Subject: caf\u00c3\u00a9 ')).toBe('café');
  });
});
