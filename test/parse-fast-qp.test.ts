// The fast path's quoted-printable decoder must give libqp's bytes (what mailsplit, and so
// simpleParser, uses) for any input: escapes valid or not, soft breaks, trailing blanks, 8-bit bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode } from 'libqp';
import { decodeQuotedPrintable } from '../ingest/parse-fast.ts';

const PIECES = ['=', '=3D', '=3d', '=C3=A9', '=e9', '=G1', '=4', '=\n', '=\r\n', '= \n', ' ', '\t', ' \n', '\t\r\n', '\r', '\n', 'abc', 'x=', '==41', '\u00ff', '\u0080'];
const qp = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 30 }).map((a) => Buffer.from(a.join(''), 'latin1'));

describe('decodeQuotedPrintable', () => {
  it('gives libqp.decode bytes for any input', () => {
    fc.assert(
      fc.property(qp, (b) => {
        expect(decodeQuotedPrintable(b).equals(decode(b))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes escapes, drops soft breaks and trailing blanks, keeps a broken escape', () => {
    expect(decodeQuotedPrintable(Buffer.from('caf=C3=A9 =\nau lait  \n=ZZ=4')).toString('latin1')).toBe('caf\u00c3\u00a9 au lait\n=ZZ=4');
  });
});
