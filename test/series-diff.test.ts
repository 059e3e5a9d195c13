import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchVersions, patchText, type RangePatch } from '../domain/patch/range-diff.ts';
import { interdiff, interdiffs } from '../server/interdiff.ts';
import { versionsOf } from '../server/series-diff.ts';
import type { SeriesView } from '../db/series.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { closeDb, openDb } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';

const diffOf = (file: string, minus: string, plus: string) =>
  `diff --git a/${file} b/${file}\nindex 1111111..2222222 100644\n--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-${minus}\n+${plus}\n`;
const patch = (index: number, subject: string, message: string, diff: string): RangePatch => ({
  index,
  messageId: `${subject.replace(/\W+/g, '-')}-${index}@example.org`,
  subject: `[PATCH ${index}/3] ${subject}`,
  body: `${message}\n\nSigned-off-by: A <a@example.org>\n---\n a | 2 +-\n\n${diff}-- \n2.43.0\n`,
});

describe('range-diff matching', () => {
  const v1 = [patch(1, 'a: one', 'First.', diffOf('a', 'x', 'y')), patch(2, 'b: two', 'Second.', diffOf('b', 'x', 'y')), patch(3, 'c: gone', 'Third.', diffOf('c', 'x', 'y'))];
  const v2 = [patch(1, 'b: two', 'Second, reworded.', diffOf('b', 'x', 'z')), patch(2, 'a: one', 'First.', diffOf('a', 'x', 'y')), patch(3, 'd: new', 'New.', diffOf('d', 'x', 'y'))];

  it('matches by patch-id first (even reordered), then by subject; the rest is added or dropped', () => {
    const pairs = matchVersions(v1, v2);
    expect(pairs.map((p) => [p.from?.index ?? '-', p.status, p.to?.index ?? '-', p.match])).toEqual([
      [2, 'changed', 1, 'subject'],
      [1, 'unchanged', 2, 'patch-id'],
      [3, 'dropped', '-', null],
      ['-', 'added', 3, null],
    ]);
  });

  it('diffs the commit message and the diff, without diffstat, blob ids or signature', async () => {
    const text = patchText(v1[1] as RangePatch);
    expect(text).toBe('b: two\n\nSecond.\n\nSigned-off-by: A <a@example.org>\n---\ndiff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-x\n+y\n');
    const d = await interdiff(text, patchText(v2[0] as RangePatch), ['v1 2', 'v2 1']);
    expect(d).toBe(
      '--- v1 2\n+++ v2 1\n@@ -1,6 +1,6 @@\n b: two\n \n-Second.\n+Second, reworded.\n \n Signed-off-by: A <a@example.org>\n ---\n@@ -9,4 +9,4 @@ diff --git a/b b/b\n +++ b/b\n @@ -1 +1 @@\n -x\n-+y\n++z\n',
    );
    expect(await interdiff(text, text)).toBe('');
  });

  it('gives each pair of a batch its own interdiff from one git run, equal pairs empty', async () => {
    const [a1, b1, c1] = v1.map(patchText) as [string, string, string];
    const [b2, a2, d2] = v2.map(patchText) as [string, string, string];
    const pairs = [
      { older: b1, newer: b2, labels: ['v1 2', 'v2 1'] as [string, string] },
      { older: a1, newer: a2, labels: ['v1 1', 'v2 2'] as [string, string] },
      { older: c1, newer: d2, labels: ['v1 3', 'v2 3'] as [string, string] },
    ];
    const batch = await interdiffs(pairs);
    expect(batch).toEqual([await interdiff(b1, b2, ['v1 2', 'v2 1']), '', await interdiff(c1, d2, ['v1 3', 'v2 3'])]);
    expect(batch[0]).toContain('+Second, reworded.');
    expect(batch[2]?.split('\n').slice(0, 5)).toEqual(['--- v1 3', '+++ v2 3', '@@ -1,12 +1,12 @@', '-c: gone', '+d: new']);
  });
});

describe('the version range of loregraph diff -v', () => {
  const series = { title: 't', requested: '3', versions: ['1', '2', '2.1', '3'].map((version) => ({ version })) } as unknown as SeriesView;
  const pick = (r: string | undefined) => versionsOf(series, r).map((v) => v.version);

  it('takes a partial re-roll (2.1) on either side of A..B, and one version against the one before', () => {
    expect(pick('2.1..3')).toEqual(['2.1', '3']);
    expect(pick('2..2.1')).toEqual(['2', '2.1']);
    expect(pick('v1..v3')).toEqual(['1', '3']);
    expect(pick('3')).toEqual(['2.1', '3']);
    expect(pick(undefined)).toEqual(['2.1', '3']);
    expect(() => pick('1...x')).toThrow("bad version range '1...x'");
  });
});

describe('loregraph diff and GET /api/series/:mid/diff on test/fixtures/am/two-versions.mbox', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-series-diff-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'db.sqlite');
  const w = openDb(dbPath);
  await ingestPaths(w, [join(import.meta.dirname, 'fixtures', 'am', 'two-versions.mbox')], { worker: false });
  closeDb(w);

  it('prints the range-diff in git range-diff notation', async () => {
    const io = captureIO();
    expect(await main(['diff', 'v1-cover@example.org', '--db', dbPath], io)).toBe(0);
    expect(io.stdout()).toBe(
      [
        'range-diff v1..v2: louder lib, longer util',
        '  1: =   1: [PATCH v2 1/2] lib: shout beta (same patch-id) <v2-1@example.org>',
        '  2: <   -: [PATCH 2/2] util: count to three (dropped) <v1-2@example.org>',
        '  -: >   2: [PATCH v2 2/2] util: count to four (added) <v2-2@example.org>',
        '',
      ].join('\n'),
    );
  });

  it('rejects a malformed range with exit 2 and names it', async () => {
    const io = captureIO();
    expect(await main(['diff', 'v1-cover@example.org', '--db', dbPath, '-v', '1...x'], io)).toBe(2);
    expect(io.stderr()).toBe("loregraph: bad version range '1...x' (want A..B, e.g. 1..3)\n");
  });

  it('serves the same pairs as JSON, and 404 for a version that does not exist', async () => {
    const db = openDb(dbPath, { readonly: true });
    const app = buildApp({ db, simRunner: 'inline', knowledgeBuilder: 'inline' });
    try {
      const r = await app.inject({ method: 'GET', url: '/api/series/v2-2@example.org/diff?range=1..2' });
      expect(r.statusCode).toBe(200);
      const body = r.json() as { from: string; to: string; pairs: { status: string; from: { messageId: string } | null; to: { messageId: string } | null }[] };
      expect([body.from, body.to]).toEqual(['1', '2']);
      expect(body.pairs.map((p) => [p.status, p.from?.messageId ?? null, p.to?.messageId ?? null])).toEqual([
        ['unchanged', 'v1-1@example.org', 'v2-1@example.org'],
        ['dropped', 'v1-2@example.org', null],
        ['added', null, 'v2-2@example.org'],
      ]);
      const missing = await app.inject({ method: 'GET', url: '/api/series/v2-2@example.org/diff?range=1..9' });
      expect(missing.statusCode).toBe(404);
      expect((missing.json() as { code: string }).code).toBe('NOT_FOUND');
    } finally {
      await app.close();
      closeDb(db);
    }
  });
});
