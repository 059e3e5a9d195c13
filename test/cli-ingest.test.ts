// The command-line contract of ingest, stats, thread and export (others script against it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';
import { SAMPLE_DIR } from '../ingest/seed.ts';
import { toMboxrd } from '../ingest/read/index.ts';
import { mailText } from './fixtures/ingest/mail.ts';
import { formatProgress, peakMemory } from '../cli/commands/ingest.ts';
import { formatTree, MAX_INDENT_DEPTH, treeToJson } from '../cli/commands/thread.ts';
import type { ThreadTreeNode } from '../db/threads.ts';
import type { StorageStats } from '../db/storage.ts';


async function cli(...argv: string[]) {
  const c = captureIO();
  const code = await main(argv, c);
  return { code, out: c.stdout(), err: c.stderr(), bytes: c.bytes() };
}

describe('loregraph ingest / stats / thread / export', () => {
  let dir: string;
  let db: string;
  const mm = join(SAMPLE_DIR, 'linux-mm.mboxrd');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-cli-'));
    db = join(dir, 'cli.db');
    const orphan = join(dir, 'orphan.mboxrd');
    writeFileSync(orphan, toMboxrd(Buffer.from(mailText({ id: 'orphan@x', subject: 'Re: lost', inReplyTo: 'never-archived@x', references: ['never-archived@x'] }))));
    const r = await cli('ingest', mm, orphan, '--db', db);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ingested 24 messages from 2 sources: 24 new, 0 duplicate, 0 malformed, 0 lenient; 0\.0 MB in \d+\.\d s, \d+ msg\/s, \d+\.\d MB\/s\ntime: start \d+\.\d s, read \d+\.\d s, waiting for \d+ parse workers? \d+\.\d s \(they parsed for \d+\.\d s\), write \d+\.\d s, index \d+\.\d s, end-of-run passes \d+\.\d s\npeak memory: \d+ MB, reached (?:by the end of the load|in the index build \(\d+ MB by the end of the load\)|in the end-of-run passes \(\d+ MB by the end of the load(?:, \d+ MB by the end of the index build)?\))\n$/);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports stats as JSON with the documented keys', async () => {
    const r = await cli('stats', '--db', db, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ messages: 24, threads: 6, ghosts: 1, malformed: 0, lenient: 0, sources: 2 });
  });

  it('reports where the file bytes go: each table with its indexes and shadow tables, adding up to the file', async () => {
    const r = await cli('stats', '--db', db, '--json');
    const s = JSON.parse(r.out).storage as StorageStats;
    expect(s.fileBytes).toBe(statSync(db).size);
    expect(s.pageSize).toBe(16384);
    expect(s.tables.reduce((n, t) => n + t.bytes, 0) + s.freeBytes).toBe(s.fileBytes);
    for (const t of s.tables) expect(t.parts.reduce((n, p) => n + p.bytes, 0)).toBe(t.bytes);
    const table = (name: string) => s.tables.find((t) => t.table === name);
    expect(table('messages')?.parts.map((p) => `${p.kind} ${p.name}`)).toEqual(
      expect.arrayContaining(['table messages', 'index messages_date', 'index messages_message_id', 'index sqlite_autoindex_messages_1']),
    );
    expect(table('search_fts')?.parts.map((p) => `${p.kind} ${p.name}`).sort()).toEqual(
      ['shadow search_fts_config', 'shadow search_fts_data', 'shadow search_fts_docsize', 'shadow search_fts_idx'],
    );
    expect(s.tables.some((t) => t.table.startsWith('search_fts_') || t.table.startsWith('sqlite_autoindex'))).toBe(false);
    const text = (await cli('stats', '--db', db)).out;
    expect(text).toMatch(/\nstorage: file: \d+\.\d\d MiB \(16384-byte pages, 0\.00 MiB free\)\n  messages: \d+\.\d\d MiB \(\d+\.\d%\); messages_/);
  });

  it('prints a thread as JSON, with or without angle brackets, ghosts marked', async () => {
    const a = await cli('thread', '<race-fix-4@example.org>', '--db', db, '--json');
    const b = await cli('thread', 'race-report-1@example.org', '--db', db, '--json');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const tree = JSON.parse(a.out);
    expect(tree).toMatchObject({ messageId: 'race-report-1@example.org', ghost: false, from: { name: 'Mira Kowalczyk', address: 'mira.kowalczyk@example.org' }, date: '2024-09-02T08:00:00.000Z' });
    expect(tree.children[0].messageId).toBe('race-objection-2@example.org');
    const ghost = JSON.parse((await cli('thread', 'orphan@x', '--db', db, '--json')).out);
    expect(ghost).toEqual({
      messageId: 'never-archived@x',
      subject: '',
      from: null,
      date: null,
      ghost: true,
      copies: 0,
      children: [expect.objectContaining({ messageId: 'orphan@x', subject: 'Re: lost', ghost: false, children: [] })],
    });
  });

  it('prints a thread as an indented text tree', async () => {
    const r = await cli('thread', 'latin1-question@example.org', '--db', db);
    expect(r.out).toBe(
      'Question about folio_put() à la Jörg — Tomas Lindqvist, 2024-09-16 12:00 <latin1-question@example.org>\n' +
        '  Re: Question about folio_put() à la Jörg — Ines Okafor, 2024-09-16 17:00 <base64-answer@example.org>\n',
    );
    const g = await cli('thread', 'orphan@x', '--db', db);
    expect(g.out).toMatch(/^\[not in archive\] <never-archived@x>\n {2}Re: lost — Ada Example, 2024-01-02 10:00 <orphan@x>\n$/);
  });

  it('exports the exact mboxrd entry of a message, and of a whole thread', async () => {
    const file = readFileSync(mm);
    const r = await cli('export', '<race-report-1@example.org>', '--db', db);
    expect(r.code).toBe(0);
    // the sample starts with this message: its entry is the first bytes of the file
    expect(file.subarray(0, r.bytes.length).equals(r.bytes)).toBe(true);
    expect(file[r.bytes.length - 1]).toBe(10);
    const t = await cli('export', 'race-hugo-6@example.org', '--thread', '--db', db);
    expect(t.bytes.toString('latin1').match(/^From mboxrd@z /gm)).toHaveLength(6);
  });

  it('fails with one line and exit 1 for an unknown message, 2 for bad usage', async () => {
    const nf = await cli('thread', 'nobody@x', '--db', db);
    expect([nf.code, nf.err]).toEqual([1, `loregraph: no message <nobody@x> in ${db}\n`]);
    const ex = await cli('export', 'nobody@x', '--db', db);
    expect(ex.code).toBe(1);
    const usage = await cli('thread', '--db', db);
    expect([usage.code, usage.err]).toEqual([2, 'loregraph: thread needs exactly one message-id\n']);
    expect((await cli('ingest', '--db', db)).code).toBe(2);
    expect((await cli('ingest', mm, '--batch-size', 'lots', '--db', db)).code).toBe(2);
    expect((await cli('stats', '--db', db, '--bogus')).code).toBe(2);
  });

  it('fails with exit 1 and loses nothing when a source cannot be read', async () => {
    const missing = await cli('ingest', join(dir, 'no-such.mbox'), '--db', db);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^loregraph: cannot read .*no-such\.mbox/);
    const empty = join(dir, 'empty.mbox');
    writeFileSync(empty, '');
    const r = await cli('ingest', empty, mm, '--db', db);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/23 already stored/);
    expect(r.err).toMatch(/empty\.mbox: .*empty/);
    expect(JSON.parse((await cli('stats', '--db', db, '--json')).out)).toMatchObject({ messages: 24, malformed: 1 });
  });

  it('threads by subject only with --subject-threading', async () => {
    const f = join(dir, 'subjects.mboxrd');
    writeFileSync(
      f,
      Buffer.concat([
        toMboxrd(Buffer.from(mailText({ id: 'orig-s@x', subject: 'swap: a question', date: 'Tue, 2 Jan 2024 10:00:00 +0000' }))),
        toMboxrd(Buffer.from(mailText({ id: 'reply-s@x', subject: 'Re: swap: a question', date: 'Tue, 2 Jan 2024 12:00:00 +0000' }))),
      ]),
    );
    const off = join(dir, 'off.db');
    const on = join(dir, 'on.db');
    expect((await cli('ingest', f, '--db', off)).code).toBe(0);
    expect((await cli('ingest', f, '--db', on, '--subject-threading')).code).toBe(0);
    expect(JSON.parse((await cli('thread', 'reply-s@x', '--db', off, '--json')).out).messageId).toBe('reply-s@x');
    expect(JSON.parse((await cli('thread', 'reply-s@x', '--db', on, '--json')).out).children[0].messageId).toBe('reply-s@x');
  });
});

describe('ingest progress line', () => {
  const MB = 1024 * 1024;
  const at = { source: 'x', seen: 1200, stored: 1200, duplicate: 0, malformed: 0, lenient: 0, skipped: 0, elapsedMs: 5000 };

  it('shows messages, MB/s, percentage and ETA', () => {
    const line = formatProgress({ ...at, bytes: 10 * MB, readBytes: 10 * MB, totalBytes: 40 * MB });
    expect(line).toBe('[######..................]  25% 1200 messages, 2.0 MB/s ETA 15s');
  });

  it('measures percentage and ETA in the bytes of the sources as stored, the rate in mail read (a .gz archive)', () => {
    const line = formatProgress({ ...at, bytes: 30 * MB, readBytes: 5 * MB, totalBytes: 20 * MB });
    expect(line).toBe('[######..................]  25% 1200 messages, 6.0 MB/s ETA 15s');
  });

  it('shows no bar while no source size is known (a public-inbox repository)', () => {
    expect(formatProgress({ ...at, bytes: 10 * MB, readBytes: 0, totalBytes: 0 })).toBe('1200 messages, 2.0 MB/s');
  });
});

describe('thread output for very deep threads', () => {
  const node = (i: number): ThreadTreeNode => ({ messageId: `m${i}@x`, subject: `s${i}`, from: { name: 'A', address: 'a@x' }, date: null, ghost: i === 0, copies: i === 0 ? 0 : 1, children: [] });

  it('writes JSON identical to JSON.stringify for a branching tree', () => {
    const root = node(0);
    const a = node(1);
    const b = node(2);
    a.children.push(node(3), node(4));
    root.children.push(a, b);
    expect(treeToJson(root)).toBe(JSON.stringify(root, null, 2) + '\n');
  });

  it('writes a 50,000-deep reply chain as JSON and as text without overflowing the stack, in linear size', () => {
    const root = node(0);
    let cur = root;
    for (let i = 1; i <= 50_000; i++) {
      const c = node(i);
      cur.children.push(c);
      cur = c;
    }
    const json = treeToJson(root);
    expect(json.startsWith('{\n  "messageId": "m0@x",')).toBe(true);
    expect(json.match(/"messageId"/g)).toHaveLength(50_001);
    expect(json.length).toBeLessThan(50_001 * 1200);
    const parsed = JSON.parse(json) as ThreadTreeNode;
    let depth = 0;
    for (let n = parsed; n.children[0]; n = n.children[0]) depth++;
    expect(depth).toBe(50_000);
    const text = formatTree(root);
    expect(text.split('\n').at(-2)).toBe(`${'  '.repeat(MAX_INDENT_DEPTH)}[depth 50000] s50000 — A, no date <m50000@x>`);
    expect(text.split('\n')[3]).toBe('      s3 — A, no date <m3@x>');
  });
});

describe('the peak memory line', () => {
  it('names the phase that set the peak, and the figures before it only where they differ', () => {
    expect(peakMemory({ load: 323, index: 323, finish: 323 })).toBe('peak memory: 323 MB, reached by the end of the load');
    expect(peakMemory({ load: 270, index: 290, finish: 290 })).toBe('peak memory: 290 MB, reached in the index build (270 MB by the end of the load)');
    expect(peakMemory({ load: 281, index: 281, finish: 325 })).toBe('peak memory: 325 MB, reached in the end-of-run passes (281 MB by the end of the load)');
    expect(peakMemory({ load: 270, index: 290, finish: 331 })).toBe(
      'peak memory: 331 MB, reached in the end-of-run passes (270 MB by the end of the load, 290 MB by the end of the index build)',
    );
  });
});
