// The app as the API tests see it: a database prepared in a temporary directory (or an
// empty one in memory), opened read-only as the server opens it, and buildApp on top.
// Registers its own beforeAll/afterAll; the fields are set once beforeAll has run.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { closeDb, openDb, type Db } from '../../db/connection.ts';
import { ensureSeeded } from '../../ingest/seed.ts';
import { buildApp } from '../../server/app.ts';

export interface TestApp {
  db: Db;
  app: FastifyInstance;
  /** The temporary directory holding db.sqlite ('' for an in-memory database). */
  dir: string;
  dbPath: string;
}

/** Writes the database at dbPath before the app opens it read-only. */
export type PrepareDb = (dbPath: string, dir: string) => Promise<void>;

/** The embedded sample archive, as `npm start` seeds it. */
export const seedSample: PrepareDb = async (dbPath) => {
  await ensureSeeded(dbPath, { worker: false });
};

export function useTestApp(prepare?: PrepareDb): TestApp {
  const t = {} as TestApp;
  beforeAll(async () => {
    if (prepare) {
      t.dir = mkdtempSync(join(tmpdir(), 'lg-test-app-'));
      t.dbPath = join(t.dir, 'db.sqlite');
      await prepare(t.dbPath, t.dir);
      t.db = openDb(t.dbPath, { readonly: true });
    } else {
      t.dir = '';
      t.dbPath = ':memory:';
      t.db = openDb(':memory:');
    }
    t.app = buildApp({ db: t.db });
    await t.app.ready();
  });
  afterAll(async () => {
    await t.app?.close();
    if (t.db) closeDb(t.db);
    if (t.dir) rmSync(t.dir, { recursive: true, force: true });
  });
  return t;
}
