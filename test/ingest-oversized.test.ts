// Ingest survives any single message (issue #13): one past --max-message-bytes is recorded
// in ingest_errors by position, hash and reason and never assembled whole; the rest of its
// archive and the other archives go on. A message over mailsplit's limits keeps its
// headers and its thread entry, marked truncated. An mbox whose first envelope is damaged
// is read, but reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';
import { closeDb, openDb } from '../db/connection.ts';
import { listIngestErrors } from '../db/ingest-errors.ts';
import { countMessages } from '../db/messages.ts';
import { getStoredMessage, storedMessageRows } from '../db/message-view.ts';
import { threadRootOf } from '../db/threads.ts';
import { MboxSplitter, OVERSIZED_HEAD, type SplitMessage } from '../ingest/read/mbox-splitter.ts';
import { damagedFirstEnvelope } from '../ingest/read/envelope.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { mailText } from './fixtures/ingest/mail.ts';

const ENVELOPE = 'From mboxrd@z Thu Jan  1 00:00:00 1970';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A message whose body is `size` bytes of text lines, a few starting "From " without being envelopes. */
function hugeMail(id: string, size: number): string {
  const line = 'From here on the log repeats: 0123456789abcdef0123456789abcdef\n';
  const body = line.repeat(Math.ceil(size / line.length));
  return mailText({ id, subject: 'a very large log', body });
}

function mbox(messages: string[], eol = '\n'): Buffer {
  return Buffer.from(messages.map((m) => `${ENVELOPE}${eol}${m.replaceAll('\n', eol)}${eol}`).join(''), 'latin1');
}

function splitAll(bytes: Buffer, chunkSizes: number[], maxMessageBytes: number): { out: SplitMessage[]; held: number } {
  const s = new MboxSplitter({ format: 'mboxo', maxMessageBytes });
  const out: SplitMessage[] = [];
  let held = 0;
  let pos = 0;
  for (let i = 0; pos < bytes.length; i++) {
    const n = chunkSizes[i % chunkSizes.length] as number;
    out.push(...s.push(bytes.subarray(pos, pos + n)));
    held = Math.max(held, s.heldBytes);
    pos += n;
  }
  out.push(...s.end());
  return { out, held };
}

describe('the mbox splitter past its message limit', () => {
  it('hands an oversized message over as its head and the hash of all its bytes, the others intact, whatever the chunking', () => {
    const small = [mailText({ id: 'a@x' }), mailText({ id: 'c@x', body: 'after\n' })];
    const big = hugeMail('big@x', 300_000);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }), fc.boolean(), (chunks, crlf) => {
        const eol = crlf ? '\r\n' : '\n';
        const file = mbox([small[0]!, big, small[1]!], eol);
        const whole = splitAll(file, [file.length], 1 << 30).out;
        const { out, held } = splitAll(file, chunks, 100_000);
        expect(out.map((m) => m.offset)).toEqual(whole.map((m) => m.offset));
        expect(out[0]!.bytes.equals(whole[0]!.bytes)).toBe(true);
        expect(out[2]!.bytes.equals(whole[2]!.bytes)).toBe(true);
        const bigBytes = whole[1]!.bytes;
        expect(out[1]!.oversized).toEqual({ size: bigBytes.length, sha256: sha(bigBytes), limit: 100_000 });
        expect(out[1]!.bytes.equals(bigBytes.subarray(0, OVERSIZED_HEAD))).toBe(true);
        // The splitter never held the message whole: its buffer stays within twice the limit plus a chunk.
        expect(held).toBeLessThanOrEqual(2 * (100_000 + Math.max(...chunks)) + 2 * 1024 * 1024);
      }),
      { numRuns: 40 },
    );
  });

  it('holds a few MiB for a 12 MiB message past a 1 MiB limit, where assembling it holds all of it', () => {
    // The property above runs on messages smaller than the splitter's 2 MiB starting buffer,
    // where its memory bound holds whatever the splitter does; here it could not.
    const big = hugeMail('huge@x', 12 * 1024 * 1024);
    const file = mbox([mailText({ id: 'a@x' }), big, mailText({ id: 'c@x' })]);
    const assembled = splitAll(file, [256 * 1024], 1 << 30);
    expect(assembled.held).toBeGreaterThan(12 * 1024 * 1024);
    const skipped = splitAll(file, [256 * 1024], 1024 * 1024);
    expect(skipped.out.map((m) => m.oversized?.size ?? null)).toEqual([null, assembled.out[1]!.bytes.length, null]);
    expect(skipped.held).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('ends an oversized last message at the end of the stream', () => {
    const big = hugeMail('last@x', 200_000);
    const file = mbox([mailText({ id: 'a@x' }), big]);
    const whole = splitAll(file, [file.length], 1 << 30).out;
    const { out } = splitAll(file, [4096], 50_000);
    expect(out).toHaveLength(2);
    expect(out[1]!.oversized?.sha256).toBe(sha(whole[1]!.bytes));
  });
});

describe('ingest of an archive holding a message past the limit (issue #13, item 3)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lg-oversized-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records it in ingest_errors with position, hash and reason, and stores the rest of it and the next archive', async () => {
    const big = hugeMail('big@x', 3 * 1024 * 1024);
    const before = mailText({ id: 'before@x', subject: 'before the big one' });
    const after = mailText({ id: 'after@x', subject: 'Re: before the big one', inReplyTo: 'before@x', references: ['before@x'] });
    const file = mbox([before, big, after]);
    // As in the report: a small .gz that holds a message far larger than itself.
    const gz = join(dir, 'bomb.mbox.gz');
    writeFileSync(gz, gzipSync(file));
    const other = join(dir, 'other.mbox');
    writeFileSync(other, mbox([mailText({ id: 'other@x' })]));
    const db = join(dir, 'a.db');
    const io = captureIO();
    const code = await main(['ingest', gz, other, '--db', db, '--max-message-bytes', String(1024 * 1024)], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    expect(io.stdout()).toMatch(/^ingested 4 messages from 2 sources: 3 new, 0 duplicate, 1 malformed, 0 lenient;/);
    const h = openDb(db, { readonly: true });
    try {
      expect(countMessages(h)).toBe(3);
      expect(threadRootOf(h, 'after@x')).toBe('before@x');
      const errors = listIngestErrors(h);
      expect(errors).toHaveLength(1);
      const bigStart = Buffer.byteLength(`${ENVELOPE}\n${before}\n`);
      const bigBytes = file.subarray(bigStart + ENVELOPE.length + 1, bigStart + ENVELOPE.length + 1 + Buffer.byteLength(big));
      expect(errors[0]).toMatchObject({ source: gz, index: 1, offset: bigStart, rawHash: sha(bigBytes), rawSize: OVERSIZED_HEAD });
      expect(errors[0]!.reason).toBe(
        `message of ${bigBytes.length} bytes is over the limit of 1048576 bytes (--max-message-bytes): recorded, not parsed; raw holds its first ${OVERSIZED_HEAD} bytes`,
      );
    } finally {
      closeDb(h);
    }
    // A rerun adds nothing and fails nothing.
    const again = captureIO();
    expect(await main(['ingest', gz, other, '--db', db, '--max-message-bytes', String(1024 * 1024)], again)).toBe(0);
    expect(again.stdout()).toMatch(/0 new/);
  });

  it('records a saved message past the limit, plain or gzipped, by the hash of all its bytes and its head', async () => {
    const big = Buffer.from(hugeMail('saved-big@x', 3 * 1024 * 1024));
    const plain = join(dir, 'big.eml');
    const gz = join(dir, 'big.eml.gz');
    writeFileSync(plain, big);
    writeFileSync(gz, gzipSync(big));
    const db = openDb(join(dir, 'saved.db'));
    try {
      const s = await ingestPaths(db, [plain, gz], { maxMessageBytes: 1024 * 1024, worker: false });
      expect(s).toMatchObject({ stored: 0, malformed: 1 });
      const errors = listIngestErrors(db);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ source: plain, rawHash: sha(big), rawSize: OVERSIZED_HEAD });
      expect(errors[0]!.reason).toMatch(new RegExp(`^message of ${big.length} bytes is over the limit of 1048576 bytes`));
    } finally {
      closeDb(db);
    }
  });

  it('refuses a --max-message-bytes that is not a size', async () => {
    const io = captureIO();
    expect(await main(['ingest', join(dir, 'x'), '--max-message-bytes', '12kb'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--max-message-bytes must be a whole number of bytes/);
  });
});

describe("a message over mailsplit's limits (issue #13, item 5)", () => {
  it('keeps its headers and thread entry, marked truncated, for 1 MiB of headers and for 1,001 parts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-mailsplit-'));
    try {
      const root = mailText({ id: 'root@x', subject: 'the thread' });
      const hugeHeader = mailText({
        id: 'headers@x',
        subject: 'Re: the thread',
        inReplyTo: 'root@x',
        references: ['root@x'],
        extraHeaders: [`X-Junk: ${'j'.repeat(1100 * 1024)}`],
        body: 'the body survives\n',
      });
      const parts = Array.from({ length: 1001 }, (_, i) => `--b\nContent-Type: text/plain\n\npart ${i}\n`).join('');
      const manyParts = mailText({
        id: 'parts@x',
        subject: 'Re: the thread',
        inReplyTo: 'root@x',
        references: ['root@x'],
        extraHeaders: ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"'],
        body: `${parts}--b--\n`,
      });
      const path = join(dir, 'limits.mbox');
      writeFileSync(path, mbox([root, hugeHeader, manyParts]));
      const db = openDb(join(dir, 'l.db'));
      try {
        const s = await ingestPaths(db, [path], { worker: false });
        expect(s).toMatchObject({ stored: 3, malformed: 0 });
        for (const [id, body] of [['headers@x', 'the body survives\n'], ['parts@x', '']] as const) {
          expect(threadRootOf(db, id)).toBe('root@x');
          const m = getStoredMessage(db, storedMessageRows(db, id)[0]!)!;
          expect(m.subject).toBe('Re: the thread');
          expect(m.from?.address).toBe('ada@example.org');
          expect(m.body).toBe(body);
          expect(m.notes.some((n) => n.startsWith('truncated: mailsplit refused the message'))).toBe(true);
        }
      } finally {
        closeDb(db);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an mbox whose first envelope line is damaged (issue #13, item 5)', () => {
  it('is read as one message but counted as suspicious and warned about', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-envelope-'));
    try {
      const file = Buffer.concat([
        Buffer.from(`From ${'x'.repeat(1400)} Thu Jan  1 00:00:00 1970\n${mailText({ id: 'one@x' })}\n`),
        mbox([mailText({ id: 'two@x' }), mailText({ id: 'three@x' })]),
      ]);
      const path = join(dir, 'damaged.mbox');
      writeFileSync(path, file);
      expect(damagedFirstEnvelope(file)).toMatch(/is 1430 bytes, over the 998-byte limit; 2 envelope lines follow/);
      const io = captureIO();
      expect(await main(['ingest', path, '--db', join(dir, 'd.db')], io)).toBe(0);
      expect(io.stdout()).toMatch(/1 suspicious/);
      expect(io.stderr()).toBe(`loregraph: warning: ${path}: not read as an mbox: ${damagedFirstEnvelope(file)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a clean saved message and a clean mbox unflagged', () => {
    expect(damagedFirstEnvelope(Buffer.from(mailText({ id: 'plain@x' })))).toBeNull();
    expect(damagedFirstEnvelope(mbox([mailText({ id: 'a@x' }), mailText({ id: 'b@x' })]))).toBeNull();
  });
});
