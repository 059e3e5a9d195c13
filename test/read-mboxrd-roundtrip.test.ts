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

  it('keeps an envelope that says mboxrd and replaces one a reader would not take for mboxrd', () => {
    expect(toMboxrd(Buffer.from('x\n'), 'From mboxrd@git Mon Feb  3 10:00:00 2025').toString()).toBe('From mboxrd@git Mon Feb  3 10:00:00 2025\nx\n\n');
    for (const other of ['From nobody Mon Sep 17 00:00:00 2001', 'From lib', 'From mboxrd Mon Feb  3 10:00:00 2025\nX: y']) {
      expect(toMboxrd(Buffer.from('x\n'), other).toString()).toBe('From mboxrd@z Thu Jan  1 00:00:00 1970\nx\n\n');
    }
  });

  it('round-trips messages first read from an mboxo file, whose >From lines were kept', () => {
    const mboxo = Buffer.from('From nobody Mon Sep 17 00:00:00 2001\nSubject: a\n\n>From kept\n\nFrom nobody Mon Sep 17 00:00:00 2001\nSubject: b\n\nx\n');
    const first = splitAll(mboxo, 1 << 20);
    expect(first.map((m) => m.bytes.toString())).toEqual(['Subject: a\n\n>From kept\n', 'Subject: b\n\nx']);
    const again = splitAll(Buffer.concat(first.map((m) => toMboxrd(m.bytes, m.envelope))), 5);
    expect(again.map((m) => m.bytes.toString())).toEqual(first.map((m) => m.bytes.toString()));
  });
});
