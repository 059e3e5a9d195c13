import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { closeDb, loadMigrations, openDb, type Db } from '../db/connection.ts';
import { PATH_JOIN, MAX_RUN_WORDS, dfnColumn, dfnQueryText, pathRuns, pathWords } from '../domain/search/path-terms.ts';
import { searchIndexStale } from '../db/search.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { rebuildSearchIndex } from '../ingest/search-index-rebuild.ts';
import { searchMessages } from '../server/search.ts';
import { startServer } from '../server/main.ts';
import { isLoregraphError } from '../domain/errors.ts';
import { ingestAtSchema } from './helpers/old-schema.ts';

/** A patch mail touching `paths`, each with a one-line hunk. */
function patch(id: string, paths: string[]): string {
  const diffs = paths.map((p) => `diff --git a/${p} b/${p}\n--- a/${p}\n+++ b/${p}\n@@ -1 +1 @@\n-old\n+new\n`).join('');
  return `From: Dev <dev@example.org>\nSubject: [PATCH] change ${id}\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <${id}@example.org>\n\nA change.\n---\n${diffs}`;
}

const MAILS: Record<string, string[]> = {
  filemap: ['mm/filemap.c', 'mm/readahead.c'],
  // A file named mm, then a top-level filemap.c: "mm filemap c" as a phrase would run across the two.
  adjacent: ['arch/um/mm', 'filemap.c'],
  ext4: ['fs/ext4/inode.c'],
};

/** The mails as one mbox in a temporary directory, read by the real readers. */
let mbox: string;
let dir: string;
let db: Db;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-dfn-'));
  mbox = join(dir, 'mails.mbox');
  writeFileSync(mbox, Object.entries(MAILS).map(([id, paths]) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${patch(id, paths)}\n`).join(''));
  db = openDb(':memory:');
  expect((await ingestPaths(db, [mbox], { worker: false })).stored).toBe(3);
});
afterAll(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

function found(q: string): string[] {
  return searchMessages(db, q, { limit: 50 })
    .hits.map((h) => h.messageId.replace('@example.org', ''))
    .sort();
}

describe('dfn: matches file paths by their words, within one path', () => {
  it('finds a full path, a path suffix, a directory prefix and a bare file name', () => {
    expect(found('dfn:mm/filemap.c')).toEqual(['filemap']);
    expect(found('dfn:ext4/inode.c')).toEqual(['ext4']);
    expect(found('dfn:fs/ext4')).toEqual(['ext4']);
    expect(found('dfn:filemap.c')).toEqual(['adjacent', 'filemap']);
    expect(found('dfn:mm')).toEqual(['adjacent', 'filemap']);
    expect(found('dfn:MM/FileMap.C')).toEqual(['filemap']);
    expect(found('dfn:"mm/readahead.c"')).toEqual(['filemap']);
  });

  it('expands a trailing star on the last word of a path', () => {
    expect(found('dfn:mm/filem*')).toEqual(['filemap']);
    expect(found('dfn:mm/read*')).toEqual(['filemap']);
    expect(found('dfn:fs/ext*')).toEqual(['ext4']);
    expect(found('dfn:filem*')).toEqual(['adjacent', 'filemap']);
    expect(found('dfn:ext4/x*')).toEqual([]);
  });

  it('never matches words that run from one path into the next', () => {
    expect(found('dfn:um/mm/filemap.c')).toEqual([]);
    expect(found('dfn:c/mm')).toEqual([]);
    expect(found('dfn:mm/filemap.c/mm')).toEqual([]);
    // Each path alone is found.
    expect(found('dfn:arch/um/mm')).toEqual(['adjacent']);
  });

  it('keeps the joined runs out of other prefixes and bare words', () => {
    expect(found(`s:mm${PATH_JOIN}filemap`)).toEqual([]);
    expect(found('mm_filemap')).toEqual([]);
    expect(found('dfn:mm_filemap')).toEqual([]);
  });
});

describe('path runs', () => {
  it('index every contiguous run of two or more words of one path', () => {
    const J = PATH_JOIN;
    expect(pathRuns('mm/filemap.c')).toEqual([`mm${J}filemap`, `mm${J}filemap${J}c`, `filemap${J}c`]);
    expect(pathRuns('Makefile')).toEqual([]);
    expect(pathRuns('drivers/net/wireless/ath/ath9k_htc.h')).toHaveLength(15);
    expect(dfnColumn(['a/b', 'c.h'])).toBe(`a/b a${J}b\nc.h c${J}h`);
  });

  it('make any run of a path one term a dfn: query looks up (property)', () => {
    const word = fc.stringMatching(/^[a-z0-9_]{1,6}$/);
    const path = fc.array(word, { minLength: 2, maxLength: MAX_RUN_WORDS + 4 });
    fc.assert(
      fc.property(path, fc.nat(), fc.nat(), (words, a, b) => {
        const i = a % words.length;
        const j = i + 1 + (b % (words.length - i));
        const sub = words.slice(i, j);
        const q = dfnQueryText(sub.join('/'));
        if (sub.length === 1 || sub.length > MAX_RUN_WORDS) return q === sub.join('/');
        return pathRuns(words.join('/')).includes(q);
      }),
    );
  });

  it('split like unicode61: letters, digits and _ are words, accents kept for FTS5 to fold', () => {
    expect(pathWords('drivers/gpu/drm/i915/gt/intel_rps.c')).toEqual(['drivers', 'gpu', 'drm', 'i915', 'gt', 'intel_rps', 'c']);
    expect(pathWords('Documentation/fr-FR/bonjour-été.rst')).toEqual(['Documentation', 'fr', 'FR', 'bonjour', 'été', 'rst']);
  });
});

describe('a database indexed before path runs', () => {
  it('is refused by serve until reindex rebuilds its index, which then finds paths', async () => {
    const path = join(dir, 'old.db');
    await ingestAtSchema(path, 3, [mbox]);

    const migrated = openDb(path);
    expect(searchIndexStale(migrated)).toMatch(/joined path runs/);
    closeDb(migrated);
    const refusal = await startServer({ dbPath: path, port: 0, host: '127.0.0.1', seed: false }).then(
      (s) => s.close().then(() => null),
      (e: unknown) => e,
    );
    expect(isLoregraphError(refusal) && refusal.code).toBe('DB_OPEN');
    expect(String(refusal)).toContain(`run 'loregraph reindex --db ${path}'`);

    const rw = openDb(path);
    expect(rebuildSearchIndex(rw).indexed).toBe(3);
    expect(searchIndexStale(rw)).toBeNull();
    expect(searchMessages(rw, 'dfn:mm/filemap.c').hits.map((h) => h.messageId)).toEqual(['filemap@example.org']);
    closeDb(rw);
    const server = await startServer({ dbPath: path, port: 0, host: '127.0.0.1', seed: false });
    await server.close();
  });

  it('is not flagged when it holds no messages yet', () => {
    const path = join(dir, 'empty.db');
    closeDb(openDb(path, { migrations: loadMigrations().filter((m) => m.version <= 3) }));
    const db = openDb(path);
    expect(searchIndexStale(db)).toBeNull();
    closeDb(db);
  });
});
