import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { legacyRaceId, raceId, raceIdPrefix } from '../domain/knowledge/race-id.ts';

describe('race ids', () => {
  it('keeps the whole 52-bit hash, so ids run from 8 to 11 base-36 digits', () => {
    expect(raceId('m65@x')).toBe('r-c8s6mypv');
    expect(raceId('m31@x')).toBe('r-iwjrzw95k');
    expect(raceId('m0@x')).toBe('r-vuixyelf5b');
    expect(raceId('m3@x')).toBe('r-101z85feixj');
  });

  it('pads a hash of fewer than 8 digits to 8, as the cut ids did, so that race keeps its old id', () => {
    expect(raceId('m43772@x')).toBe('r-09rr8sx5');
    expect(legacyRaceId('m43772@x')).toBe('r-09rr8sx5');
  });

  it('makes every old 8-digit id a prefix of the new id of the same first message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.emailAddress()), (s) => {
        const old = legacyRaceId(s);
        const now = raceId(s);
        expect(old).toHaveLength(10);
        expect(now.length).toBeGreaterThanOrEqual(10);
        expect(now.length).toBeLessThanOrEqual(13);
        expect(now.startsWith(old)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes as a lookup an id or a prefix of at least r- and 8 digits, in any case, and nothing shorter', () => {
    expect(raceIdPrefix('r-vuixyelf')).toBe('r-vuixyelf');
    expect(raceIdPrefix(' R-VUIXYELF5B ')).toBe('r-vuixyelf5b');
    expect(raceIdPrefix('r-vuixyel')).toBeNull();
    expect(raceIdPrefix('r-')).toBeNull();
    expect(raceIdPrefix('r-vuixy%lf')).toBeNull();
    expect(raceIdPrefix('vuixyelf5b')).toBeNull();
  });
});
