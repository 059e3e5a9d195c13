// Finding a large body in its raw bytes (domain/stored-text.ts bodySpanIn) a window at a
// time, so that a message of tens of MB is not copied whole to be found where it nearly
// always is: the same answers as one comparison of the whole, for any window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyOfSpan, bodySpanIn } from '../domain/stored-text.ts';

describe('body spans of large bodies', () => {
  it('find the same span compared a few units at a time as compared whole, surrogate pairs and all', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '\n', 'é', '€', '😀', '\uD800', '\uDC00') });
    fc.assert(
      fc.property(text, text.filter((b) => b.length > 0), text, fc.integer({ min: 1, max: 7 }), (head, body, tail, window) => {
        const raw = Buffer.from(`${head}\n\n${body}${tail}`, 'utf8');
        expect(bodySpanIn(raw, body, window)).toEqual(bodySpanIn(raw, body, 1 << 20));
      }),
    );
  });

  it('find a body of megabytes at the end of the raw bytes, and not one that differs near its end', () => {
    const body = '😀 a line of a long log, café\n'.repeat(150_000);
    const raw = Buffer.from(`Subject: big\n\n${body}`, 'utf8');
    const span = bodySpanIn(raw, body);
    expect(span).toEqual({ start: Buffer.byteLength('Subject: big\n\n'), end: raw.length });
    expect(bodyOfSpan(raw, span ?? { start: 0, end: 0 })).toBe(body);
    expect(bodySpanIn(raw, `${body.slice(0, -3)}X\n`)).toBeNull();
  });
});
