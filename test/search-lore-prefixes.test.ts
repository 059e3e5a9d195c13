import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { searchMessages } from '../server/search.ts';
import { buildApp } from '../server/app.ts';
import { readMeta, writeMeta } from '../db/meta.ts';
import { BLOB_TERMS_KEY } from '../db/search.ts';
import { rebuildSearchIndex } from '../ingest/search-index-rebuild.ts';

// lore's prefixes beyond the common ones, and a pasted Message-ID, against a real store.
describe('lore prefixes on a store (test/fixtures/am/two-versions.mbox, test/fixtures/search/attachment.eml)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-lore-prefixes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'db.sqlite');
  const w = openDb(dbPath);
  await ingestPaths(w, [join(import.meta.dirname, 'fixtures', 'am', 'two-versions.mbox'), join(import.meta.dirname, 'fixtures', 'search', 'attachment.eml')], { worker: false });
  closeDb(w);
  const db = openDb(dbPath, { readonly: true });
  afterAll(() => closeDb(db));
  const ids = (q: string) => searchMessages(db, q, { limit: 50, sort: 'date' }).hits.map((h) => h.messageId).sort();

  it('m: is the Message-ID, with or without brackets; a pasted one alone finds it', () => {
    expect(ids('m:r1@example.org')).toEqual(['r1@example.org']);
    expect(ids('m:<r1@example.org>')).toEqual(['r1@example.org']);
    expect(ids('<v2-1@example.org>')).toEqual(['v2-1@example.org']);
    expect(ids('v2-1@example.org')).toEqual(['v2-1@example.org']);
  });

  it('rt: and dt: are time ranges, dt: to the second', () => {
    expect(ids('rt:20261103..20261103')).toEqual(['r1@example.org', 'r2@example.org']);
    expect(ids('dt:20261109100001..20261109100001')).toEqual(['v2-1@example.org']);
  });

  it('n: matches an attachment file name; dfpre:/dfpost:/dfblob: a diff blob id', () => {
    expect(ids('n:trace')).toEqual(['oops-trace@example.org']);
    expect(ids('n:%')).toEqual([]);
    // lib.c goes 85c3040 -> e50310a in both versions of "lib: shout beta"
    expect(ids('dfpre:85c3040')).toEqual(['v1-1@example.org', 'v2-1@example.org']);
    expect(ids('dfpost:e50310a')).toEqual(['v1-1@example.org', 'v2-1@example.org']);
    expect(ids('dfblob:e50310a')).toEqual(['v1-1@example.org', 'v2-1@example.org']);
    expect(ids('dfpost:85c3040')).toEqual([]);
  });

  it('answers dfpre:/dfpost:/dfblob: alike from blob terms, from bodies for rows indexed before them, and after a reindex', () => {
    const queries = ['dfpre:85c3040', 'dfpost:e50310a', 'dfblob:e50310a', 'dfblob:85c3', 'dfpost:85c3040', 'beta dfpre:85c3040', 'dfpre:85c3040 OR n:trace', '-dfblob:e50310a'];
    const answers = () => queries.map((q) => ids(q));
    const fromTerms = answers();
    expect(fromTerms[0]).toEqual(['v1-1@example.org', 'v2-1@example.org']);
    const rw = openDb(dbPath);
    try {
      expect(readMeta(rw, BLOB_TERMS_KEY)).toBe('0');
      const top = rw.sql.prepare('SELECT max(id) FROM messages').pluck().get() as number;
      // As if a version without blob terms had indexed every row, then half of them.
      for (const after of [top, Math.floor(top / 2)]) {
        writeMeta(rw, BLOB_TERMS_KEY, String(after));
        expect(answers()).toEqual(fromTerms);
      }
      rebuildSearchIndex(rw);
      expect(readMeta(rw, BLOB_TERMS_KEY)).toBe('0');
      expect(answers()).toEqual(fromTerms);
    } finally {
      closeDb(rw);
    }
  });

  it('answers an unknown prefix with a 400 that names it, never an empty result', async () => {
    const app = buildApp({ db, simRunner: 'inline', knowledgeBuilder: 'inline' });
    try {
      const r = await app.inject({ method: 'GET', url: `/api/search?q=${encodeURIComponent('beta zz:foo')}` });
      expect(r.statusCode).toBe(400);
      const body = r.json() as { code: string; message: string };
      expect(body.code).toBe('BAD_QUERY');
      expect(body.message).toMatch(/^unknown prefix 'zz:' \(known: .*\) at column 6$/);
    } finally {
      await app.close();
    }
  });
});
