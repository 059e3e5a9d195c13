// A served database watched from its own thread (server/db-watch.ts): the request thread
// reads data_version and the schema version from shared memory, and a watch that stopped
// reading makes every version new (no cached answer trusted) and healthz fail.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, schemaVersion, type Db } from '../db/connection.ts';
import { dataVersion, useDatabaseWatch, watchedSchemaVersion } from '../db/data-version.ts';
import { writeMeta } from '../db/meta.ts';
import { watchDatabase, type DbWatch } from '../server/db-watch.ts';

/** Polls `f` until it holds, for at most `ms` (generous: the watch polls every 10 ms). */
async function until(f: () => boolean, ms = 10_000): Promise<boolean> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

describe('the database watch', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function served(staleMs = 5_000): Promise<{ writer: Db; reader: Db; watch: DbWatch }> {
    const dir = mkdtempSync(join(tmpdir(), 'lg-db-watch-'));
    const path = join(dir, 'w.db');
    const writer = openDb(path);
    const reader = openDb(path, { readonly: true });
    const watch = await watchDatabase(reader, { pollMs: 10, staleMs });
    useDatabaseWatch(reader, watch);
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => closeDb(writer), () => closeDb(reader), () => watch.close());
    return { writer, reader, watch };
  }

  it("moves the reader's data version when another connection commits, and only then", async () => {
    const { writer, reader } = await served();
    const before = dataVersion(reader);
    await new Promise((r) => setTimeout(r, 100));
    expect(dataVersion(reader)).toBe(before);
    writeMeta(writer, 'watched', '1');
    expect(await until(() => dataVersion(reader) !== before)).toBe(true);
    const after = dataVersion(reader);
    writeMeta(writer, 'watched', '2');
    expect(await until(() => dataVersion(reader) !== after)).toBe(true);
  });

  it('reports the schema version the database has', async () => {
    const { writer, reader } = await served();
    expect(watchedSchemaVersion(reader)).toBe(schemaVersion(writer));
    expect(watchedSchemaVersion(reader)).toBeGreaterThan(0);
  });

  it('once it stops, gives a new data version on every call and fails the schema check', async () => {
    const { reader, watch } = await served(200);
    await watch.close();
    expect(await until(() => dataVersion(reader) !== dataVersion(reader))).toBe(true);
    expect(() => watchedSchemaVersion(reader)).toThrow(/has not been readable|watch stopped/);
  });

  it('leaves an unwatched database to SQLite', async () => {
    const { writer, reader } = await served();
    useDatabaseWatch(reader, null);
    const before = dataVersion(reader);
    writeMeta(writer, 'unwatched', '1');
    // read on the calling thread: seen at once
    expect(dataVersion(reader)).not.toBe(before);
  });
});
