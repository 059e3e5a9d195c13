// Opening a loregraph database: WAL, forward-only numbered migrations tracked in
// PRAGMA user_version, and a refusal to touch a database written by newer code.
// The better-sqlite3 handle stays inside db/: other layers call the named query
// functions that the db/*.ts modules export.
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoregraphError } from '../domain/errors.ts';
import { restoreDeferredIndexes } from './bulk-load.ts';
import { registerMessageFunctions } from './messages.ts';
import type { Db } from './db.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export type { Db } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = /^(\d{3})_([\w-]+)\.sql$/.exec(file);
    if (!m) continue;
    out.push({ version: Number(m[1]), name: m[2] ?? file, sql: readFileSync(join(dir, file), 'utf8') });
  }
  out.forEach((mig, i) => {
    const prev = out[i - 1];
    if (prev && prev.version === mig.version) throw new Error(`two migrations numbered ${mig.version}`);
  });
  return out;
}

function latest(migrations: Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}

/** For new databases; an existing one keeps its page size. */
export const PAGE_SIZE = 16384;

export const SCHEMA_VERSION = latest(loadMigrations());

export interface OpenOptions {
  readonly?: boolean;
  /** Only for tests of the migration runner. */
  migrations?: Migration[];
}

export function openDb(path: string, opts: OpenOptions = {}): Db {
  const readonly = opts.readonly ?? false;
  if (!readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let sql: Database.Database;
  try {
    sql = new Database(path, readonly ? { readonly: true, fileMustExist: true } : {});
  } catch (e) {
    throw new LoregraphError('DB_OPEN', `cannot open database ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  // First, so migrations and the rebuild of a killed bulk load's indexes wait for a
  // concurrent writer (an ingest in another process) instead of failing at once.
  sql.pragma('busy_timeout = 5000');
  registerMessageFunctions(sql);
  const migrations = opts.migrations ?? loadMigrations();
  const current = sql.pragma('user_version', { simple: true }) as number;
  const target = latest(migrations);
  if (current > target) {
    sql.close();
    throw new LoregraphError(
      'DB_TOO_NEW',
      `database ${path} has schema version ${current}, this loregraph knows up to ${target}: upgrade loregraph`,
    );
  }
  if (!readonly) {
    // Before WAL, which fixes the page size: ingest writes several KB per message, and
    // 16 KiB pages halve the cost of each commit against the default 4 KiB (bench/ingest).
    if (current === 0) sql.pragma(`page_size = ${PAGE_SIZE}`);
    sql.pragma('journal_mode = WAL');
    sql.pragma('synchronous = NORMAL');
    sql.pragma('foreign_keys = ON');
    if (opts.migrations === undefined) alignEarlyPatchTable(sql, current);
    for (const mig of migrations.filter((m) => m.version > current)) {
      sql.transaction(() => {
        sql.exec(mig.sql);
        sql.pragma(`user_version = ${mig.version}`);
      })();
    }
    // a bulk load killed before it rebuilt its indexes (db/bulk-load.ts)
    restoreDeferredIndexes({ path, readonly, sql });
  } else if (current < target) {
    sql.close();
    // the fix a reader can type: 'ingest' needs mail to add, 'knowledge' opens it to write and
    // does only what a migration may ask of the next pass
    throw new LoregraphError('DB_OPEN', `database ${path} is at schema ${current}, needs ${target}: run 'loregraph knowledge --db ${path}' (or ingest mail into it) once to migrate it`);
  }
  return { path, readonly, sql };
}

/**
 * Builds before migration 002 took its final form made patch_msgs without the columns
 * migration 006 converts (trailers went straight into their table). Such a table gets
 * them, every row marked as already copied out, so that 006 runs on it as on any other.
 */
function alignEarlyPatchTable(sql: Database.Database, current: number): void {
  if (current < 2 || current >= 6) return;
  const cols = new Set(sql.prepare(`SELECT name FROM pragma_table_info('patch_msgs')`).pluck().all() as string[]);
  if (cols.size === 0 || cols.has('materialized')) return;
  sql.transaction(() => {
    if (!cols.has('trailers_json')) sql.exec(`ALTER TABLE patch_msgs ADD COLUMN trailers_json TEXT NOT NULL DEFAULT '[]'`);
    if (!cols.has('events_json')) sql.exec(`ALTER TABLE patch_msgs ADD COLUMN events_json TEXT NOT NULL DEFAULT '[]'`);
    sql.exec(`ALTER TABLE patch_msgs ADD COLUMN materialized INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX IF NOT EXISTS patch_msgs_pending ON patch_msgs(msg_row) WHERE materialized = 0;`);
  })();
}

export function closeDb(db: Db): void {
  db.sql.close();
}

export function schemaVersion(db: Db): number {
  return db.sql.pragma('user_version', { simple: true }) as number;
}
