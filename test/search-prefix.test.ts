import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { searchIndexStale } from '../db/search.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { rebuildSearchIndex } from '../ingest/search-index-rebuild.ts';
import { searchMessages } from '../server/search.ts';
import { ingestAtSchema } from './helpers/old-schema.ts';

let dir: string;
let mbox: string;

const mail = (id: string, subject: string, body: string): string =>
  `From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Dev <dev@example.org>\nSubject: ${subject}\nMessage-ID: <${id}>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n${body}\n\n`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-prefix-'));
  mbox = join(dir, 'a.mbox');
  writeFileSync(
    mbox,
    mail('fo@example.org', 'folio: fix the refcount', 'Found while testing.') +
      mail('fa@example.org', 'fault: retry on a locked page', 'fs: the fault path.') +
      mail('ra@example.org', 'readahead: clamp the window', 'readahead_control gets a field.'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = (r: { hits: { messageId: string }[] }): string[] => r.hits.map((h) => h.messageId).sort();

describe('prefix queries without FTS5 prefix indexes', () => {
  it('find two-letter, three-letter and long prefixes, per field and anywhere', async () => {
    const db = openDb(join(dir, 'new.db'));
    await ingestPaths(db, [mbox], { worker: false });
    expect(ids(searchMessages(db, 's:fo*'))).toEqual(['fo@example.org']);
    expect(ids(searchMessages(db, 'fo*'))).toEqual(['fo@example.org']);
    expect(ids(searchMessages(db, 're*'))).toEqual(['fa@example.org', 'fo@example.org', 'ra@example.org']);
    expect(ids(searchMessages(db, 's:fa*'))).toEqual(['fa@example.org']);
    expect(ids(searchMessages(db, 'fau*'))).toEqual(['fa@example.org']);
    expect(ids(searchMessages(db, 's:readah*'))).toEqual(['ra@example.org']);
    expect(ids(searchMessages(db, 'b:readahead_c*'))).toEqual(['ra@example.org']);
    closeDb(db);
  });

  it('marks a database indexed with them for reindex, which restores every hit', async () => {
    const path = join(dir, 'schema4.db');
    await ingestAtSchema(path, 4, [mbox]);

    const db = openDb(path);
    expect(searchIndexStale(db)).toMatch(/without prefix indexes/);
    expect(searchMessages(db, 's:fo*').hits).toEqual([]);
    expect(rebuildSearchIndex(db).indexed).toBe(3);
    expect(searchIndexStale(db)).toBeNull();
    expect(ids(searchMessages(db, 're*'))).toEqual(['fa@example.org', 'fo@example.org', 'ra@example.org']);
    closeDb(db);
  });
});
