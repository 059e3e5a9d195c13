import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MboxSplitter, type SplitMessage } from '../ingest/read/mbox-splitter.ts';
import { toMboxrd } from '../ingest/read/mboxrd-write.ts';

function splitAll(data: Buffer, chunkSize: number): SplitMessage[] {
  const s = new MboxSplitter();
  const out: SplitMessage[] = [];
  for (let i = 0; i < data.length; i += chunkSize) out.push(...s.push(data.subarray(i, i + chunkSize)));
  out.push(...s.end());
  return out;
}

// Lines chosen to hit every quoting case, joined with LF or CRLF, with or without a final newline.
const line = fc.oneof(
  fc.constantFrom('From ', 'From me Thu Jan  1 00:00:00 1970', '>From ', '>>From x', '>>>From 12:00 2024', 'From', '>From', '', ' From x', 'Subject: y', '\r'),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a).toString('latin1').replace(/\n/g, '')),
);
const body = fc
  .tuple(fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([lines, eol, finalNewline]) => Buffer.from(lines.join(eol) + (finalNewline && lines.length > 0 ? eol : ''), 'latin1'));

describe('toMboxrd and the mbox reader', () => {
  it('gives back identical bytes and count for any sequence of messages, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 6 }), fc.integer({ min: 1, max: 64 }), (messages, chunkSize) => {
        const mbox = Buffer.concat(messages.map((m) => toMboxrd(m)));
        const read = splitAll(mbox, chunkSize);
        expect(read.length).toBe(messages.length);
        read.forEach((r, i) => expect(r.bytes.equals(messages[i] ?? Buffer.alloc(0))).toBe(true));
      }),
      { numRuns: 400 },
    );
  });

  it('quotes every line that starts with any number of > then From, and only those', () => {
    const out = toMboxrd(Buffer.from('From a\n>From b\nxFrom c\n>>From d\n From e\n'));
    expect(out.toString()).toBe('From mboxrd@z Thu Jan  1 00:00:00 1970\n>From a\n>>From b\nxFrom c\n>>>From d\n From e\n\n');
  });

  it('adds exactly one newline, so a message without a final newline is followed directly by the next envelope', () => {
    const mbox = Buffer.concat([toMboxrd(Buffer.from('Subject: a\n\nno newline')), toMboxrd(Buffer.from('Subject: b\n\nbody\n'))]);
    expect(mbox.toString()).toBe(
      'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: a\n\nno newline\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: b\n\nbody\n\n',
    );
    expect(splitAll(mbox, 7).map((m) => m.bytes.toString())).toEqual(['Subject: a\n\nno newline', 'Subject: b\n\nbody\n']);
  });

  it('keeps a custom envelope and refuses one the reader would not recognise', () => {
    expect(toMboxrd(Buffer.from('x\n'), 'From a@b Mon Feb  3 10:00:00 2025').toString()).toBe('From a@b Mon Feb  3 10:00:00 2025\nx\n\n');
    expect(() => toMboxrd(Buffer.from('x'), 'From nobody')).toThrow(/envelope/);
    expect(() => toMboxrd(Buffer.from('x'), 'From a Mon Feb  3 10:00:00 2025\nX: y')).toThrow(/envelope/);
  });
});
