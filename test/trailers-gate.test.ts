// parseTrailers' first gate, hasTrailerWord, must answer exactly as the regex it replaced,
// including for case variants and for non-ASCII letters that case-fold to ASCII ones.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasTrailerWord } from '../domain/patch/trailers.ts';

const REFERENCE = /-by:|fixes:|link:|closes:|cc:|stable-dep-of:/i;

// Pieces that make near-misses likely: the words in odd case, partial words, colons,
// and Unicode letters whose case mapping is ASCII (Kelvin sign, long s, dotted I).
const PIECES = ['-by', '-BY', 'By', 'fixes', 'FiXeS', 'fixe', 'link', 'LINK', 'lin\u212a', 'closes', 'Clo\u017fes', 'cc', 'CC', 'c', 'stable-dep-of', 'Stable-Dep-Of', 'stable-dep', '\u0130', ':', ': ', '\n', ' ', '-', 'x', '>'];
const text = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 40 }).map((a) => a.join(''));

describe('hasTrailerWord', () => {
  it('answers as /-by:|fixes:|link:|closes:|cc:|stable-dep-of:/i for any text', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(hasTrailerWord(t)).toBe(REFERENCE.test(t));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['Reviewed-by: A <a@x>', true],
    ['CC: stable@vger.kernel.org', true],
    ['see the link: below', true],
    ['lin\u212a: the Kelvin sign is no k to the regex', false],
    ['Clo\u017fes: the long s is no s either', false],
    [': at the start, then nothing', false],
    ['fixes without a colon', false],
  ])('%s -> %s', (t, want) => {
    expect(hasTrailerWord(t)).toBe(want);
    expect(REFERENCE.test(t)).toBe(want);
  });
});
