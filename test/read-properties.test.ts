import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAttributions } from '../ingest/read/attribution.ts';
import { recoverLenient } from '../ingest/read/lenient.ts';
import { MboxSplitter, type SplitMessage } from '../ingest/read/mbox-splitter.ts';

function split(data: Buffer, format: 'mboxo' | 'mboxrd' | 'auto', chunkSize: number): SplitMessage[] {
  const s = new MboxSplitter({ format });
  const out: SplitMessage[] = [];
  for (let i = 0; i < data.length; i += chunkSize) out.push(...s.push(data.subarray(i, i + chunkSize)));
  out.push(...s.end());
  return out;
}

const ENVELOPE = 'From a@b Mon Jan  1 10:00:00 2024';
const noisyLine = fc.oneof(
  fc.constantFrom(ENVELOPE, 'From x', '>From y', 'Content-Length: 3', 'Content-Length: 0', '', '\r', 'From a@b Tue Jan  2 10:00:00 2024\r'),
  fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a).toString('latin1').replace(/\n/g, '')),
);

describe('mbox splitter on arbitrary input', () => {
  it('loses no byte in mboxo: each message sits in the input right after its envelope line', () => {
    fc.assert(
      fc.property(fc.array(noisyLine, { maxLength: 25 }), fc.integer({ min: 1, max: 40 }), (lines, chunk) => {
        const input = Buffer.from([ENVELOPE, ...lines].join('\n'), 'latin1');
        const ms = split(input, 'mboxo', chunk);
        expect(ms.length).toBeGreaterThanOrEqual(1);
        let covered = 0;
        for (const m of ms) {
          const envEnd = input.indexOf(10, m.offset);
          const start = envEnd < 0 ? input.length : envEnd + 1;
          expect(m.offset).toBeGreaterThanOrEqual(covered);
          expect(input.subarray(start, start + m.bytes.length).equals(m.bytes)).toBe(true);
          covered = start + m.bytes.length;
        }
        // What is not in a message is envelopes and one separating newline each (two bytes in a CRLF file).
        const envelopeBytes = ms.reduce((n, m) => n + m.envelope.length, 0);
        const slack = input.length - ms.reduce((n, m) => n + m.bytes.length, 0) - envelopeBytes;
        expect(slack).toBeGreaterThanOrEqual(0);
        expect(slack).toBeLessThanOrEqual(ms.length * 4);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same messages whatever the chunking, in every dialect', () => {
    fc.assert(
      fc.property(fc.array(noisyLine, { maxLength: 25 }), fc.constantFrom('mboxo', 'mboxrd', 'auto') as fc.Arbitrary<'mboxo' | 'mboxrd' | 'auto'>, fc.integer({ min: 1, max: 17 }), (lines, format, chunk) => {
        const input = Buffer.from([ENVELOPE, ...lines].join('\n'), 'latin1');
        const whole = split(input, format, input.length + 1);
        const pieces = split(input, format, chunk);
        expect(pieces.map((m) => [m.offset, m.bytes.toString('latin1')])).toEqual(whole.map((m) => [m.offset, m.bytes.toString('latin1')]));
      }),
      { numRuns: 500 },
    );
  });
});

const word = fc.stringMatching(/^[A-Za-z][a-z]{1,8}$/);
const name = fc.tuple(word, word).map(([a, b]) => `${a[0]?.toUpperCase()}${a.slice(1)} ${b[0]?.toUpperCase()}${b.slice(1)}`);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const date = fc.record({ y: fc.integer({ min: 1995, max: 2030 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }), h: fc.integer({ min: 0, max: 23 }), min: fc.integer({ min: 0, max: 59 }) });
const pad = (n: number): string => String(n).padStart(2, '0');

describe('lenient recovery on arbitrary input', () => {
  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (a) => {
        const r = recoverLenient(Buffer.from(a));
        if (r) expect(r.bodyStart).toBeLessThanOrEqual(a.length);
      }),
      { numRuns: 500 },
    );
  });

  it('recovers every field of a generated run-together header block and the attribution after it', () => {
    fc.assert(
      fc.property(name, name, fc.array(word, { minLength: 1, maxLength: 6 }), word, date, date, (from, quoted, subjectWords, idPart, d1, d2) => {
        const subject = subjectWords.join(' ');
        const dateValue = `Mon, ${d1.d} ${MONTHS[d1.m - 1]} ${d1.y} ${pad(d1.h)}:${pad(d1.min)}:00 +0000`;
        const line =
          `Return-Path: X-Mailer: foo Date: ${dateValue} From: ${from} Subject: ${subject} Message-ID: <${idPart}@example.org> ` +
          `MIME-Version: 1.0 On ${d2.d} ${MONTHS[d2.m - 1]} ${d2.y}, at ${pad(d2.h)}:${pad(d2.min)}, ${quoted} wrote: > earlier text reply`;
        const r = recoverLenient(Buffer.from(line));
        expect(r?.recovery.kind).toBe('headers-run-together');
        expect(r?.recovery.headers).toEqual({ date: dateValue, from, subject, 'message-id': `<${idPart}@example.org>`, 'mime-version': '1.0' });
        expect(r?.recovery.guessed['attribution-author']).toBe(quoted);
        expect(r?.recovery.guessed['attribution-date']).toBe(`${d2.y}-${pad(d2.m)}-${pad(d2.d)}T${pad(d2.h)}:${pad(d2.min)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('reads back the author and date of generated mutt and Thunderbird attribution lines', () => {
    fc.assert(
      fc.property(name, date, fc.boolean(), (who, d, mutt) => {
        const text = mutt
          ? `On Mon, ${MONTHS[d.m - 1]} ${pad(d.d)}, ${d.y} at ${pad(d.h % 12 || 12)}:${pad(d.min)}:07${d.h >= 12 ? 'PM' : 'AM'} +0200, ${who} wrote:`
          : `On ${d.m}/${d.d}/${String(d.y).slice(2)} ${d.h}:${pad(d.min)}, ${who} wrote:`;
        const [a] = findAttributions(`> earlier\n${text}\n> quoted`);
        expect(a?.author).toBe(who);
        if (mutt) {
          expect(a?.date).toBe(`${d.y}-${pad(d.m)}-${pad(d.d)}T${pad(d.h)}:${pad(d.min)}:07+02:00`);
        } else if (d.y >= 2000) {
          expect(a?.date).toBe(`${d.y}-${pad(d.m)}-${pad(d.d)}T${pad(d.h)}:${pad(d.min)}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
