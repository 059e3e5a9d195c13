import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { deferIndexesForBulkLoad, deferRaceIndexes, deferredIndexes, restoreDeferredIndexes, unsyncedWrites } from '../db/bulk-load.ts';
import { updateKnowledge } from '../ingest/knowledge-rebuild.ts';
import { isLoregraphError } from '../domain/errors.ts';
import { countMessages } from '../db/messages.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { ANALYZERS } from '../ingest/analyzers.ts';
import { REPO_ROOT } from './helpers/shared.ts';
import { generateArchive } from '../bench/generate-archive.ts';

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

/** The indexes a database freshly made by openDb has: what every load must end with. */
function schemaIndexes(): Map<string, string> {
  const schemaPath = join(dir, 'schema.db');
  closeDb(openDb(schemaPath));
  return indexes(schemaPath);
}

describe('bulk load into an empty database', () => {
  it('ends a first ingest with exactly the indexes of the schema', async () => {
    const expected = schemaIndexes();
    expect(expected.size).toBeGreaterThan(20);

    const path = join(dir, 'loaded.db');
    const db = openDb(path);
    await ingestPaths(db, SAMPLE, { worker: false });
    expect(countMessages(db)).toBe(33);
    expect(deferredIndexes(db)).toEqual([]);
    closeDb(db);
    expect(indexes(path)).toEqual(expected);
  });

  it("holds a first load's race indexes back until the knowledge pass has stored its races, and no other load's", async () => {
    const expected = schemaIndexes();
    const path = join(dir, 'races.db');
    const db = openDb(path);
    // an analyzer finishing after the built-in ones sees the database as the passes left it
    const during: string[][] = [];
    const probe = { name: 'probe', analyze: () => undefined, store: () => {}, finish: () => void during.push(deferredIndexes(db)) };
    await ingestPaths(db, [SAMPLE[0] as string], { worker: false, analyzers: [...ANALYZERS, probe] });
    const raceIndexes = ['race_fixes_message', 'race_fixes_race', 'race_messages_race', 'race_stances_message', 'race_terms_race', 'race_terms_term', 'races_last_date'];
    // held: only what the passes write; what they read (race_threads_root, the patch indexes) is built
    expect([...(during[0] ?? [])].sort()).toEqual(raceIndexes);
    expect(deferredIndexes(db)).toEqual([]);
    // the races the pass stored are found through the rebuilt indexes
    expect(db.sql.prepare('SELECT COUNT(*) FROM race_terms').pluck().get()).toBeGreaterThan(0);
    // a large append keeps them: races stored before may be deleted, which reads them
    const big = generateArchive(600, join(dir, 'append.mboxrd'), 22).path;
    await ingestPaths(db, [big], { worker: false, analyzers: [...ANALYZERS, probe] });
    expect(during[1]?.length).toBe(0);
    closeDb(db);
    expect(indexes(path)).toEqual(expected);
  });

  it('gives a load killed during its end-of-run passes the race indexes back at the next open, without checking the file', () => {
    const path = join(dir, 'killed-passes.db');
    closeDb(openDb(path));
    const expected = indexes(path);
    const db = openDb(path);
    expect(deferIndexesForBulkLoad(db, { subjectThreading: false })).toBe(true);
    expect(restoreDeferredIndexes(db, { beforePasses: true })).toBeGreaterThan(10);
    expect(deferredIndexes(db)).toContain('race_terms_race');
    expect(deferredIndexes(db)).not.toContain('messages_from');
    expect(unsyncedWrites(db)).toBe(false);
    closeDb(db); // killed in the passes
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare(`SELECT value FROM meta WHERE key = 'bulk_load_boot'`).pluck().get()).toBe('synced');
    raw.close();
    closeDb(openDb(path));
    expect(indexes(path)).toEqual(expected);
  });

  it('holds the race indexes back for a knowledge rebuild, which stores every race anew, and not while races are stored', async () => {
    const expected = schemaIndexes();
    const path = join(dir, 'rebuild.db');
    const db = openDb(path);
    await ingestPaths(db, [SAMPLE[0] as string], { worker: false });
    const races = (): unknown[] => db.sql.prepare('SELECT id FROM races ORDER BY id').pluck().all();
    const before = races();
    expect(before.length).toBeGreaterThan(0);
    expect(deferRaceIndexes(db)).toBe(false);
    // as each race is stored, whether its term index is there (a temporary trigger looks)
    db.sql.exec(`CREATE TEMP TABLE term_index_seen (n INTEGER);
      CREATE TEMP TRIGGER race_stored AFTER INSERT ON main.races BEGIN
        INSERT INTO term_index_seen SELECT COUNT(*) FROM main.sqlite_master WHERE name = 'race_terms_term';
      END;`);
    updateKnowledge(db, { rebuild: true });
    expect(db.sql.prepare('SELECT DISTINCT n FROM term_index_seen').pluck().all()).toEqual([0]);
    db.sql.exec('DROP TRIGGER race_stored; DROP TABLE term_index_seen;');
    expect(races()).toEqual(before);
    expect(deferredIndexes(db)).toEqual([]);
    closeDb(db);
    expect(indexes(path)).toEqual(expected);
    // held while the tables are empty, and recorded, so a run killed in the pass gets them back
    const empty = openDb(path);
    empty.sql.exec('DELETE FROM races');
    expect(deferRaceIndexes(empty)).toBe(true);
    expect([...deferredIndexes(empty)].sort()).toEqual(['race_fixes_message', 'race_fixes_race', 'race_messages_race', 'race_stances_message', 'race_terms_race', 'race_terms_term', 'races_last_date']);
    expect(unsyncedWrites(empty)).toBe(false);
    closeDb(empty);
    closeDb(openDb(path));
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

  it('loads without fsync and ends synced, its crash mark cleared', async () => {
    const path = join(dir, 'sync.db');
    const db = openDb(path);
    const modes: boolean[] = [];
    await ingestPaths(db, SAMPLE, { worker: false, batchSize: 5, onProgress: () => modes.push(unsyncedWrites(db)) });
    expect(modes.length).toBeGreaterThan(3);
    expect(modes.every((m) => m)).toBe(true);
    expect(unsyncedWrites(db)).toBe(false);
    expect(deferredIndexes(db)).toEqual([]);
    closeDb(db);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare(`SELECT key FROM meta WHERE key IN ('bulk_load_boot', 'deferred_indexes')`).all()).toEqual([]);
    raw.close();
  });

  it('ends synced even when another writable open built its indexes first', () => {
    const path = join(dir, 'two.db');
    const loader = openDb(path);
    expect(deferIndexesForBulkLoad(loader, { subjectThreading: false })).toBe(true);
    expect(unsyncedWrites(loader)).toBe(true);
    const other = openDb(path); // restores the held indexes and clears the marks
    expect(deferredIndexes(other)).toEqual([]);
    closeDb(other);
    expect(restoreDeferredIndexes(loader)).toBe(0);
    expect(unsyncedWrites(loader)).toBe(false);
    closeDb(loader);
  });

  it('goes back to synced writes when a load fails', async () => {
    const db = openDb(join(dir, 'failed.db'));
    const boom = { name: 'boom', analyze: () => 1, store: () => { throw new Error('store failed'); } };
    await expect(ingestPaths(db, SAMPLE, { worker: false, analyzers: [boom] })).rejects.toThrow('store failed');
    expect(unsyncedWrites(db)).toBe(false);
    expect(deferredIndexes(db).length).toBeGreaterThan(0);
    closeDb(db);
  });

  it('keeps fsync for a load into a database that holds messages', async () => {
    const db = openDb(join(dir, 'second.db'));
    await ingestPaths(db, [SAMPLE[0] as string], { worker: false });
    const modes: boolean[] = [];
    await ingestPaths(db, [SAMPLE[1] as string], { worker: false, batchSize: 2, onProgress: () => modes.push(unsyncedWrites(db)) });
    expect(modes.length).toBeGreaterThan(0);
    expect(modes.some((m) => m)).toBe(false);
    closeDb(db);
  });

  it('holds the indexes back for an append large against the database, keeping fsync, and ends with every index', async () => {
    const expected = schemaIndexes();
    const path = join(dir, 'append.db');
    const db = openDb(path);
    await ingestPaths(db, [SAMPLE[0] as string], { worker: false });
    const big = generateArchive(600, join(dir, 'big.mboxrd'), 21).path;
    const seen: { held: number; unsynced: boolean }[] = [];
    await ingestPaths(db, [big], { worker: false, batchSize: 100, onProgress: () => seen.push({ held: deferredIndexes(db).length, unsynced: unsyncedWrites(db) }) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((s) => s.held > 10 && !s.unsynced)).toBe(true);
    expect(countMessages(db)).toBe(623);
    expect(deferredIndexes(db)).toEqual([]);
    closeDb(db);
    expect(indexes(path)).toEqual(expected);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare(`SELECT key FROM meta WHERE key IN ('bulk_load_boot', 'deferred_indexes')`).all()).toEqual([]);
    raw.close();
  });

  it('keeps the indexes for an append small against the database, and for a rerun over stored archives', async () => {
    const db = openDb(join(dir, 'rerun.db'));
    const archive = generateArchive(1200, join(dir, 'rerun.mboxrd'), 23).path;
    await ingestPaths(db, [archive], { worker: false });
    expect(deferIndexesForBulkLoad(db, { subjectThreading: false, incomingBytes: 1000 })).toBe(false);
    const held: number[] = [];
    // every message already stored: skipped, progress every 1,000
    const again = await ingestPaths(db, [archive], { worker: false, onProgress: () => held.push(deferredIndexes(db).length) });
    expect(again.skipped).toBe(1200);
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((n) => n === 0)).toBe(true);
    closeDb(db);
  });

  it('opens a load cut short in this boot without checking the file', () => {
    const path = join(dir, 'same-boot.db');
    closeDb(openDb(path));
    const db = openDb(path);
    deferIndexesForBulkLoad(db, { subjectThreading: false });
    closeDb(db);
    const raw = new Database(path);
    expect(raw.prepare(`SELECT value FROM meta WHERE key = 'bulk_load_boot'`).pluck().get()).toMatch(/^[0-9a-f-]{36}$|^$/);
    raw.close();
    const reopened = openDb(path);
    expect(deferredIndexes(reopened)).toEqual([]);
    closeDb(reopened);
  });

  it('checks a load cut short in another boot, and refuses the file if it is damaged', async () => {
    const path = join(dir, 'crashed.db');
    const db = openDb(path);
    await ingestPaths(db, SAMPLE, { worker: false });
    closeDb(db);
    // what a power loss during a first load leaves: the mark from another boot
    const mark = (): void => {
      const raw = new Database(path);
      raw.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('deferred_indexes', '[]'), ('bulk_load_boot', 'another-boot')`).run();
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
    };
    // an empty list of held indexes is no load in progress: give it one to restore
    const withHeld = (): void => {
      const raw = new Database(path);
      const sql = raw.prepare(`SELECT sql FROM sqlite_master WHERE name = 'messages_from'`).pluck().get() as string;
      raw.exec('DROP INDEX messages_from');
      raw.prepare(`UPDATE meta SET value = ? WHERE key = 'deferred_indexes'`).run(JSON.stringify([{ name: 'messages_from', sql }]));
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
    };
    mark();
    withHeld();
    const healthy = openDb(path);
    expect(deferredIndexes(healthy)).toEqual([]);
    expect(countMessages(healthy)).toBe(33);
    closeDb(healthy);

    mark();
    withHeld();
    // garble a page of the messages table
    const raw = new Database(path, { readonly: true });
    const page = raw.prepare(`SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' LIMIT 1`).pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    let refusal: unknown;
    try {
      openDb(path);
    } catch (e) {
      refusal = e;
    }
    expect(isLoregraphError(refusal) && refusal.code).toBe('DB_DAMAGED');
    expect(String((refusal as Error).message)).toMatch(/crashed\.db was damaged by a crash during its first load \(quick_check: .+\): delete it and run the ingest again/);
  });
});
