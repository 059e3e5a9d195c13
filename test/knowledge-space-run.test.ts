import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasSpaceRun } from '../domain/knowledge/reply.ts';

describe('a run of whitespace to collapse', () => {
  const text = fc
    .array(fc.oneof(fc.constantFrom(' ', '  ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', 'a', '.', 'x y'), fc.string({ maxLength: 3 })), { maxLength: 30 })
    .map((ps) => ps.join(''));

  it('is found exactly where collapsing whitespace to one space changes the text', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(hasSpaceRun(t)).toBe(t.replace(/\s+/g, ' ') !== t);
      }),
      { numRuns: 3000 },
    );
  });

  it('is two spaces after a full stop or a tab, not the single spaces of most prose', () => {
    expect(hasSpaceRun('Take the folio lock first. Then check the size')).toBe(false);
    expect(hasSpaceRun('Take the folio lock first.  Then check the size')).toBe(true);
    expect(hasSpaceRun('spin_lock(&sbi->stat_lock);\tcount++')).toBe(true);
    expect(hasSpaceRun('a\u00a0b')).toBe(true);
  });
});
