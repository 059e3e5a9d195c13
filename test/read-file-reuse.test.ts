// readArchive reads a file's chunks into one reused buffer (ingest/read/file.ts): what holds
// on to chunks (gunzip's pipe, a file collected as one message, the sniffing peek) must get
// copies, or a later read overwrites bytes it still holds. Each kind of file, several
// chunks long, comes out byte for byte.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readArchive, toMboxrd } from '../ingest/read/index.ts';

const MiB = 1024 * 1024;
const ENVELOPE = 'From a@b Mon Jan  1 10:00:00 2024';
const dir = mkdtempSync(join(tmpdir(), 'lg-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A message of about `size` bytes whose every line differs (hashes: gzip cannot shrink them much), so a chunk read over another shows. */
function message(id: number, size: number): Buffer {
  const lines = [`From: x@y\nSubject: m${id}\nMessage-ID: <m${id}@y>\n\n`];
  let n = lines[0]?.length ?? 0;
  for (let i = 0; n < size; i++) {
    const line = `[${id}:${i}] ${createHash('sha256').update(`${id}:${i}`).digest('base64')}\n`;
    lines.push(line);
    n += line.length;
  }
  return Buffer.from(lines.join(''), 'latin1');
}

async function read(path: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  await readArchive(path, (m) => {
    out.push(Buffer.from(m.bytes));
  });
  return out;
}

describe('reading a file several chunks long', () => {
  const messages = [message(1, 2.5 * MiB), message(2, 300), message(3, 1.5 * MiB)];
  const mbox = Buffer.concat(messages.map((m) => toMboxrd(m, ENVELOPE)));

  it('an mbox gives every message byte for byte', async () => {
    const path = join(dir, 'a.mbox');
    writeFileSync(path, mbox);
    const got = await read(path);
    expect(got.map((m) => m.length)).toEqual(messages.map((m) => m.length));
    got.forEach((m, i) => expect(m.equals(messages[i] as Buffer)).toBe(true));
  });

  it('a gzipped mbox, its compressed bytes over several chunks, gives every message byte for byte', async () => {
    const path = join(dir, 'a.mbox.gz');
    const gz = gzipSync(mbox, { level: 1 });
    expect(gz.length).toBeGreaterThan(2 * MiB);
    writeFileSync(path, gz);
    const got = await read(path);
    expect(got.map((m) => m.length)).toEqual(messages.map((m) => m.length));
    got.forEach((m, i) => expect(m.equals(messages[i] as Buffer)).toBe(true));
  });

  it('a file of one message gives it byte for byte', async () => {
    const path = join(dir, 'one.eml');
    const one = message(4, 3.2 * MiB);
    writeFileSync(path, one);
    const got = await read(path);
    expect(got).toHaveLength(1);
    expect(got[0]?.equals(one)).toBe(true);
  });
});
