import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, loadMigrations, openDb, PAGE_SIZE, schemaVersion, SCHEMA_VERSION } from '../db/connection.ts';
import { LoregraphError } from '../domain/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-mig-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('database migrations', () => {
  it('brings a new database to the latest schema version, in WAL mode', () => {
    const db = openDb(join(dir, 'a.db'));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(loadMigrations().at(-1)?.version);
    closeDb(db);
    const raw = new Database(join(dir, 'a.db'), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('creates new databases with 16 KiB pages and leaves an existing database its own', () => {
    closeDb(openDb(join(dir, 'new.db')));
    const fresh = new Database(join(dir, 'new.db'), { readonly: true });
    expect(fresh.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
    expect(PAGE_SIZE).toBe(16384);
    fresh.close();

    const oldPath = join(dir, 'old.db');
    const old = new Database(oldPath);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE earlier (x INTEGER)');
    old.close();
    closeDb(openDb(oldPath, { migrations: [{ version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER);' }] }));
    const reopened = new Database(oldPath, { readonly: true });
    expect(reopened.pragma('page_size', { simple: true })).toBe(4096);
    reopened.close();
  });

  it('applies only the migrations newer than the database, once', () => {
    const path = join(dir, 'b.db');
    const migrations = [
      { version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER);' },
      { version: 3, name: 'three', sql: 'CREATE TABLE three (x INTEGER);' },
    ];
    closeDb(openDb(path, { migrations: migrations.slice(0, 1) }));
    const db = openDb(path, { migrations });
    expect(schemaVersion(db)).toBe(3);
    closeDb(db);
    // A second open runs nothing again (CREATE TABLE would fail if it did).
    expect(() => closeDb(openDb(path, { migrations }))).not.toThrow();
  });

  it('refuses a database written by a newer loregraph, saying which versions', () => {
    const path = join(dir, 'c.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    let err: unknown;
    try {
      openDb(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoregraphError);
    expect((err as LoregraphError).code).toBe('DB_TOO_NEW');
    expect((err as LoregraphError).message).toContain(`schema version ${SCHEMA_VERSION + 1}, this loregraph knows up to ${SCHEMA_VERSION}`);
  });

  it('will not migrate through a read-only handle, and says how to', () => {
    const path = join(dir, 'd.db');
    closeDb(openDb(path, { migrations: loadMigrations().slice(0, 1) }));
    expect(() => openDb(path, { readonly: true })).toThrow(`run 'loregraph knowledge --db ${path}' (or ingest mail into it) once to migrate it`);
  });

  it('keeps every race term through 015, and finds them by term from an index alone', () => {
    const path = join(dir, 'terms.db');
    const at14 = openDb(path, { migrations: loadMigrations().filter((m) => m.version <= 14) });
    const insert = at14.sql.prepare('INSERT INTO race_terms (term, race_id, kind) VALUES (?, ?, ?)');
    const rows = [
      ['filemap_fault', 'r1', 'function'],
      ['filemap.c', 'r1', 'file'],
      ['filemap_fault', 'r2', 'function'],
      ['i_mmap_rwsem', 'r2', 'lock'],
    ];
    for (const r of rows) insert.run(...r);
    closeDb(at14);
    const db = openDb(path);
    try {
      expect(db.sql.prepare('SELECT term, race_id, kind FROM race_terms ORDER BY race_id, term').raw().all()).toEqual([rows[1], rows[0], rows[2], rows[3]]);
      const plan = (db.sql.prepare('EXPLAIN QUERY PLAN SELECT race_id FROM race_terms WHERE term = ? AND kind = ?').all('x', 'y') as { detail: string }[]).map((r) => r.detail);
      expect(plan).toEqual(['SEARCH race_terms USING COVERING INDEX race_terms_term (term=? AND kind=?)']);
    } finally {
      closeDb(db);
    }
  });

  it('reports a missing database opened read-only as DB_OPEN', () => {
    expect(() => openDb(join(dir, 'missing.db'), { readonly: true })).toThrow(LoregraphError);
  });
});
