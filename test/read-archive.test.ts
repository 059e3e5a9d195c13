import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoregraphError } from '../domain/errors.ts';
import { detectArchiveKind, readArchive, toMboxrd, type ReadSummary } from '../ingest/read/index.ts';
import { readFileSource } from '../ingest/read/file.ts';
import { MessageSink } from '../ingest/read/sink.ts';
import type { RawMessage } from '../domain/message.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lg-read-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mail = (n: number, body = `body ${n}\n`): Buffer =>
  Buffer.from(`From: Ann <ann@example.org>\nSubject: message ${n}\nMessage-ID: <m${n}@example.org>\n\n${body}`);

async function readAll(path: string): Promise<{ messages: RawMessage[]; summary: ReadSummary }> {
  const messages: RawMessage[] = [];
  const summary = await readArchive(path, (m) => void messages.push(m));
  return { messages, summary };
}

function write(path: string, data: Buffer | string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
  return path;
}

describe('readArchive on files', () => {
  const messages = [mail(1, 'From the top\n>From quoted\n'), mail(2), mail(3, 'no final newline')];
  const mbox = Buffer.concat(messages.map((m) => toMboxrd(m)));

  it('reads a gzipped mbox exactly as the plain file, offsets in the decompressed stream', async () => {
    const plain = await readAll(write(join(root, 'gz', 'a.mbox'), mbox));
    const gz = await readAll(write(join(root, 'gz', 't.mbox.gz'), gzipSync(mbox)));
    expect(plain.summary).toMatchObject({ kind: 'mbox', messages: 3, mboxFormat: 'mboxrd' });
    expect(gz.summary).toMatchObject({ kind: 'mbox.gz', messages: 3, mboxFormat: 'mboxrd' });
    expect(gz.messages.map((m) => m.bytes.toString())).toEqual(messages.map((m) => m.toString()));
    expect(gz.messages.map((m) => m.position.offset)).toEqual(plain.messages.map((m) => m.position.offset));
    expect(await detectArchiveKind(join(root, 'gz', 't.mbox.gz'))).toBe('mbox.gz');
  });

  it('reads a gzipped single message and one compressed in several gzip members', async () => {
    const one = await readAll(write(join(root, 'gz', 'one.eml.gz'), gzipSync(mail(7))));
    expect(one.summary.kind).toBe('message.gz');
    expect(one.messages[0]?.bytes.equals(mail(7))).toBe(true);
    const half = Math.floor(mbox.length / 2);
    const multi = await readAll(write(join(root, 'gz', 'multi.mbox.gz'), Buffer.concat([gzipSync(mbox.subarray(0, half)), gzipSync(mbox.subarray(half))])));
    expect(multi.messages.map((m) => m.bytes.toString())).toEqual(messages.map((m) => m.toString()));
  });

  it('reads a CRLF mbox file, keeping CRLF inside messages', async () => {
    const crlf = 'From a@b Mon Jan  1 10:00:00 2024\r\nSubject: x\r\n\r\nFrom-less body\r\n\r\nFrom a@b Mon Jan  1 10:00:01 2024\r\nSubject: y\r\n\r\nz\r\n\r\n';
    const { messages: ms, summary } = await readAll(write(join(root, 'crlf.mbox'), crlf));
    expect(summary).toMatchObject({ kind: 'mbox', mboxFormat: 'mboxo', messages: 2 });
    expect(ms.map((m) => m.bytes.toString())).toEqual(['Subject: x\r\n\r\nFrom-less body\r\n', 'Subject: y\r\n\r\nz\r\n']);
  });

  it('reads an mboxcl2 file whose bodies hold unquoted From lines', async () => {
    const body = 'From the logs:\nFrom a@b Mon Jan  1 09:00:00 2024 looks like an envelope\n';
    const cl2 = `From a@b Mon Jan  1 10:00:00 2024\nSubject: x\nContent-Length: ${body.length}\n\n${body}\nFrom a@b Mon Jan  1 10:00:01 2024\nSubject: y\nContent-Length: 2\n\nok\n`;
    const { messages: ms, summary } = await readAll(write(join(root, 'cl2.mbox'), cl2));
    expect(summary).toMatchObject({ kind: 'mbox', mboxFormat: 'mboxcl2', messages: 2 });
    expect(ms[0]?.bytes.toString()).toBe(`Subject: x\nContent-Length: ${body.length}\n\n${body}`);
    expect(ms[1]?.position.offset).toBe(cl2.lastIndexOf('From a@b'));
  });

  it('reads one message from a file that is not an mbox, byte for byte', async () => {
    const path = write(join(root, 'single', 'x.eml'), mail(4));
    const { messages: ms, summary } = await readAll(path);
    expect(summary).toEqual({ messages: 1, bytes: mail(4).length, kind: 'message', skipped: [] });
    expect(ms[0]?.bytes.equals(mail(4))).toBe(true);
    expect(ms[0]?.position).toEqual({ source: path, offset: 0, index: 0 });
  });

  it('hands over a non-mbox file larger than the message limit as oversized: its head and the hash of all of it', async () => {
    const big = Buffer.concat([mail(1), Buffer.alloc(5000, 0x61)]);
    const path = write(join(root, 'big.eml'), big);
    const got: RawMessage[] = [];
    const sink = new MessageSink((m) => void got.push(m), undefined, 4096);
    await readFileSource(path, sink, { source: path });
    expect(got).toHaveLength(1);
    expect(got[0]!.oversized).toEqual({ size: big.length, sha256: createHash('sha256').update(big).digest('hex'), limit: 4096 });
    expect(got[0]!.bytes.equals(big.subarray(0, got[0]!.bytes.length))).toBe(true);
  });

  it('reports progress up to the file size', async () => {
    const path = write(join(root, 'progress.mbox'), mbox);
    const seen: [number, number | null][] = [];
    await readArchive(path, () => undefined, { onProgress: (r, t) => seen.push([r, t]) });
    expect(seen.at(-1)).toEqual([mbox.length, mbox.length]);
  });

  it('throws SOURCE_UNREADABLE for a path that does not exist', async () => {
    const err = await readArchive(join(root, 'nope.mbox'), () => undefined).catch((e: unknown) => e);
    expect(isLoregraphError(err) && err.code).toBe('SOURCE_UNREADABLE');
    expect(String(err)).toContain('nope.mbox');
  });

  it('throws BAD_INPUT, naming the file, for a corrupt gzip', async () => {
    const bad = gzipSync(mbox).subarray(0, 40);
    const path = write(join(root, 'bad.mbox.gz'), Buffer.concat([bad, Buffer.from('garbage')]));
    const err = await readArchive(path, () => undefined).catch((e: unknown) => e);
    expect(isLoregraphError(err) && err.code).toBe('BAD_INPUT');
    expect(String(err)).toContain('bad.mbox.gz');
  });

  it('passes the consumer’s error through untouched', async () => {
    const path = write(join(root, 'consumer.mbox'), mbox);
    await expect(readArchive(path, () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
  });

  it('waits for the consumer before handing over the next message', async () => {
    const path = write(join(root, 'pressure.mbox'), mbox);
    const events: string[] = [];
    await readArchive(path, async (m) => {
      events.push(`start ${m.position.index}`);
      await new Promise((r) => setTimeout(r, 5));
      events.push(`end ${m.position.index}`);
    });
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });
});

describe('readArchive on directories', () => {
  it('reads maildir cur/ and new/ but not tmp/, recursing in sorted order, and lists what it skipped', async () => {
    const dir = join(root, 'tree');
    write(join(dir, 'b', 'Maildir', 'cur', '1700000002.M2.host:2,S'), mail(3));
    write(join(dir, 'b', 'Maildir', 'new', '1700000003.M3.host'), mail(4));
    write(join(dir, 'b', 'Maildir', 'tmp', '1700000004.M4.host'), mail(99));
    write(join(dir, 'b', 'Maildir', 'cur', '1700000001.M1.host:2,S'), mail(2));
    write(join(dir, 'a.mbox'), Buffer.concat([toMboxrd(mail(0)), toMboxrd(mail(1))]));
    write(join(dir, 'c', 'fix.patch'), 'diff --git a/x b/x\n--- a/x\n+++ b/x\n');
    write(join(dir, 'c', 'README'), 'Notes about this folder.\n');
    write(join(dir, 'c', 'saved'), mail(5));
    write(join(dir, 'd.eml.gz'), gzipSync(mail(6)));
    write(join(dir, '.hidden', 'x.eml'), mail(98));
    write(join(dir, 'e', 'empty.txt'), '');
    const { messages: ms, summary } = await readAll(dir);
    expect(ms.map((m) => [m.position.file, m.bytes.toString().match(/Subject: (.*)/)?.[1] ?? null])).toEqual([
      ['a.mbox', 'message 0'],
      ['a.mbox', 'message 1'],
      ['b/Maildir/cur/1700000001.M1.host:2,S', 'message 2'],
      ['b/Maildir/cur/1700000002.M2.host:2,S', 'message 3'],
      ['b/Maildir/new/1700000003.M3.host', 'message 4'],
      ['c/fix.patch', null],
      ['c/saved', 'message 5'],
      ['d.eml.gz', 'message 6'],
    ]);
    expect(ms.map((m) => m.position.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ms.every((m) => m.position.source === dir)).toBe(true);
    expect(ms[5]?.lenient?.kind).toBe('no-headers');
    expect(summary.skipped).toEqual([
      { file: 'c/README', reason: 'does not look like mail' },
      { file: 'e/empty.txt', reason: 'empty file' },
    ]);
    expect(await detectArchiveKind(dir)).toBe('directory');
  });

  it('follows a symlinked directory once, not round a loop', async () => {
    const dir = join(root, 'loop');
    write(join(dir, 'inner', 'a.eml'), mail(1));
    symlinkSync('..', join(dir, 'inner', 'up'));
    const { messages: ms } = await readAll(dir);
    expect(ms.map((m) => m.position.file)).toEqual(['inner/a.eml']);
  });

  it('reports a corrupt file in a directory and reads the rest', async () => {
    const dir = join(root, 'partly-bad');
    write(join(dir, '1.mbox.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    write(join(dir, '2.eml'), mail(2));
    const { messages: ms, summary } = await readAll(dir);
    expect(ms).toHaveLength(1);
    expect(summary.skipped.map((s) => s.file)).toEqual(['1.mbox.gz']);
    expect(summary.skipped[0]?.reason).toMatch(/not valid gzip/);
  });
});

describe.skipIf(!HAS_SHARED)('the whole shared corpus', () => {
  function files(dir: string): string[] {
    return readdirSync(dir)
      .sort()
      .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
  }

  it('reads every file without throwing, with the counts SOURCES.md gives', async () => {
    const corpus = sharedPath('corpus');
    const counts = new Map<string, number>();
    for (const f of files(corpus)) {
      if (statSync(f).size === 0) continue;
      const { summary } = await readAll(f);
      expect(summary.messages, f).toBeGreaterThanOrEqual(1);
      counts.set(relative(corpus, f), summary.messages);
    }
    const sum = (prefix: string): number => [...counts].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    expect(sum('patchwork/mail/')).toBe(26);
    expect(sum('patchwork/series/')).toBe(100);
    // SOURCES.md counts 19 `From ` lines here; two are fuzzed ("From xl.org, netdev@...,")
    // with no date, which we do not split at: git format-patch mboxes carry unquoted
    // "From ..." paragraphs, and splitting there would cut real patches in two.
    expect(sum('patchwork/fuzz/')).toBe(17);
    expect(sum('b4/')).toBe(70);
    expect(sum('kernel-cve-announce/')).toBe(29);
    expect(sum('mime-fixtures/')).toBe(12);
    expect(sum('public-inbox-tests/')).toBe(30);
    expect(counts.get('git-mailinfo/sample.mbox')).toBe(18);
    expect(counts.get('git-mailinfo/rfc2047-samples.mbox')).toBe(11);
  });

  it('reads the corpus as one directory: all lore messages, nothing lost', async () => {
    const { messages: ms, summary } = await readAll(sharedPath('corpus'));
    const lore = ms.filter((m) => m.position.file?.startsWith('lore-'));
    expect(lore).toHaveLength(1274 + 731 + 1046);
    expect(summary.skipped.map((s) => s.file)).toContain('SOURCES.md');
    const whole = readFileSync(sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'));
    const first = ms.find((m) => m.position.file === 'lore-linux-ppp/linux-ppp.vger.kernel.org.0.mboxrd');
    expect(first && whole.subarray(first.envelope!.length + 1, first.envelope!.length + 1 + first.bytes.length).equals(first.bytes)).toBe(true);
  });
});
