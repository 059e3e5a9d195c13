// Without quotes, flowed.ts decodes as libmime does. This file imports no parser, so
// libmime's own decoder is still in place to compare with (parse.ts replaces it).
import fc from 'fast-check';
import libmime from 'libmime';
import { describe, expect, it } from 'vitest';
import { decodeFlowed } from '../ingest/flowed.ts';

describe('format=flowed without quotes', () => {
  it('decodes exactly as libmime does (property)', () => {
    const original = (s: string, delSp: boolean): string => libmime.decodeFlowed(s, delSp);
    // the comparison is with libmime's own code, not with ours installed on it
    expect(libmime.decodeFlowed('> a \r\nb')).toBe('> a b');
    // found by the property: a last paragraph that was one space, deleted with delsp=yes, is no line
    expect(decodeFlowed('\r\n \r\n', true)).toBe(original('\r\n \r\n', true));
    expect(decodeFlowed('\r\n \r\n', true)).toBe('');
    // and a paragraph that reads "-- " once its pieces are joined is a signature separator
    expect(decodeFlowed('- \r\n- \r\n', true)).toBe(original('- \r\n- \r\n', true));
    expect(decodeFlowed('- \r\n- \r\n', true)).toBe('-- ');
    const line = fc.stringMatching(/^[a-z -]{0,12}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), (ls, delSp) => {
        const text = ls.join('\r\n');
        expect(decodeFlowed(text, delSp)).toBe(original(text, delSp));
      }),
    );
  });
});
