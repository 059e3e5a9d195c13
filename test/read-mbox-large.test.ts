import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileChunks } from '../ingest/read/chunks.ts';
import { MboxSplitter, type SplitMessage } from '../ingest/read/mbox-splitter.ts';
import { toMboxrd } from '../ingest/read/mboxrd-write.ts';
import { isOwned } from '../ingest/read/owned-bytes.ts';

const MiB = 1024 * 1024;
const ENVELOPE = 'From a@b Mon Jan  1 10:00:00 2024';

function split(data: Buffer, format: 'mboxo' | 'mboxrd', chunkSize: number): { out: SplitMessage[]; held: number } {
  const s = new MboxSplitter({ format });
  const out: SplitMessage[] = [];
  let held = 0;
  for (let i = 0; i < data.length; i += chunkSize) {
    out.push(...s.push(data.subarray(i, i + chunkSize)));
    held = Math.max(held, s.heldBytes);
  }
  out.push(...s.end());
  return { out, held };
}

/** A message of about `size` bytes whose lines differ, with `From ` lines when `from` (mboxrd quotes them). */
function message(id: number, size: number, from: boolean): Buffer {
  const lines = [`From: x@y\nSubject: m${id}\nMessage-ID: <m${id}@y>\n`];
  let n = lines[0]?.length ?? 0;
  for (let i = 0; n < size; i++) {
    const line = from && i % 5000 === 17 ? `From the log, line ${i}\n` : `[${id}:${i}] kworker blocked for more than 120 seconds\n`;
    lines.push(line);
    n += line.length;
  }
  return Buffer.from(lines.join(''), 'latin1');
}

describe('the mbox splitter with messages past its 2 MiB working buffer', () => {
  it('gives every message byte for byte, large or small, whatever the chunking, in mboxrd and mboxo', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ large: fc.boolean(), extra: fc.integer({ min: 0, max: 3 * MiB }), from: fc.boolean() }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('mboxrd', 'mboxo') as fc.Arbitrary<'mboxrd' | 'mboxo'>,
        fc.integer({ min: 4096, max: 3 * MiB }),
        (shapes, format, chunk) => {
          // mboxo cannot tell a body's `From ` line from an envelope: those bodies have none
          const messages = shapes.map((s, i) => message(i, s.large ? 2 * MiB + s.extra : 200 + (s.extra % 5000), s.from && format === 'mboxrd'));
          const file = Buffer.concat(messages.map((m) => (format === 'mboxrd' ? toMboxrd(m, ENVELOPE) : Buffer.concat([Buffer.from(`${ENVELOPE}\n`), m, Buffer.from('\n')]))));
          const { out, held } = split(file, format, chunk);
          expect(out.map((m) => m.bytes.length)).toEqual(messages.map((m) => m.length));
          out.forEach((m, i) => expect(m.bytes.equals(messages[i] as Buffer)).toBe(true));
          // it holds about the largest message and a chunk, never several copies of it
          expect(held).toBeLessThanOrEqual(Math.max(...messages.map((m) => m.length)) + 2 * chunk + 2 * MiB);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('hands a large message over in a buffer of its own, which later messages do not share', () => {
    const big = message(1, 5 * MiB, false);
    const after = message(2, 300, false);
    const file = Buffer.concat([toMboxrd(big, ENVELOPE), toMboxrd(after, ENVELOPE), toMboxrd(after, ENVELOPE)]);
    const s = new MboxSplitter({ format: 'mboxrd' });
    const out: SplitMessage[] = [];
    for (let i = 0; i < file.length; i += MiB) {
      for (const m of s.push(file.subarray(i, i + MiB))) {
        out.push(m);
        // a consumer may move or overwrite an owned message's buffer at once
        if (isOwned(m.bytes)) new Uint8Array(m.bytes.buffer).fill(0);
      }
    }
    out.push(...s.end());
    expect(out.map((m) => isOwned(m.bytes))).toEqual([true, false, false]);
    expect(out.slice(1).map((m) => m.bytes.equals(after))).toEqual([true, true]);
  });
});

describe('fileChunks with reuse', () => {
  it('reads every chunk into one buffer and still yields the whole file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-chunks-'));
    try {
      const path = join(dir, 'f');
      const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => `line ${i}\n`).join(''));
      writeFileSync(path, data);
      const copies: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const c of fileChunks(path, undefined, 4096, true)) {
        buffers.add(c.buffer);
        copies.push(Buffer.from(c));
      }
      expect(Buffer.concat(copies).equals(data)).toBe(true);
      expect(copies.length).toBe(Math.ceil(data.length / 4096));
      expect(buffers.size).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
