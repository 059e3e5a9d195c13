import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { deferIndexesForBulkLoad, deferredIndexes } from '../db/bulk-load.ts';
import { countMessages } from '../db/messages.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const SAMPLE = ['linux-mm', 'stable', 'stable-releases'].map((n) => join(REPO_ROOT, 'ingest', 'sample', `${n}.mboxrd`));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-bulk-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Index name -> SQL, read with a plain connection (openDb would restore held-back indexes). */
function indexes(path: string): Map<string, string> {
  const raw = new Database(path, { readonly: true });
  const rows = raw.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).all() as { name: string; sql: string }[];
  raw.close();
  return new Map(rows.map((r) => [r.name, r.sql.replace('IF NOT EXISTS ', '')]));
}

describe('bulk load into an empty database', () => {
  it('ends a first ingest with exactly the indexes of the schema', async () => {
    const schemaPath = join(dir, 'schema.db');
    closeDb(openDb(schemaPath));
    const expected = indexes(schemaPath);
    expect(expected.size).toBeGreaterThan(20);

    const path = join(dir, 'loaded.db');
    const db = openDb(path);
    await ingestPaths(db, SAMPLE, { worker: false });
    expect(countMessages(db)).toBe(33);
    expect(deferredIndexes(db)).toEqual([]);
    closeDb(db);
    expect(indexes(path)).toEqual(expected);
  });

  it('holds back only while the database is empty', async () => {
    const db = openDb(join(dir, 'a.db'));
    await ingestPaths(db, [SAMPLE[0] as string], { worker: false });
    expect(deferIndexesForBulkLoad(db, { subjectThreading: false })).toBe(false);
    expect(deferredIndexes(db)).toEqual([]);
    closeDb(db);
  });

  it('keeps the subject index when subject threading reads it during the load', () => {
    const db = openDb(join(dir, 'subj.db'));
    expect(deferIndexesForBulkLoad(db, { subjectThreading: true })).toBe(true);
    expect(deferredIndexes(db)).not.toContain('messages_base_subject');
    expect(deferredIndexes(db)).toContain('messages_from');
    closeDb(db);
  });

  it('gives a load killed before its end its indexes back at the next open for writing', () => {
    const path = join(dir, 'killed.db');
    closeDb(openDb(path));
    const expected = indexes(path);
    const db = openDb(path);
    expect(deferIndexesForBulkLoad(db, { subjectThreading: false })).toBe(true);
    expect(deferredIndexes(db)).toEqual(expect.arrayContaining(['messages_from', 'patch_msgs_patch_id', 'messages_base_subject']));
    expect(deferredIndexes(db)).not.toContain('messages_date');
    closeDb(db); // as a SIGKILL would leave it: indexes dropped, the list in meta
    expect(indexes(path).has('messages_from')).toBe(false);

    const reopened = openDb(path);
    expect(deferredIndexes(reopened)).toEqual([]);
    closeDb(reopened);
    expect(indexes(path)).toEqual(expected);
  });
});
