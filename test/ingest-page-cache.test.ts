// The index builds and end-of-run passes run with a larger SQLite page cache (db/ingest-tx.ts
// withPageCache); the load, and everything after the run, with the connection's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { PASS_CACHE_MIB, withPageCache } from '../db/ingest-tx.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { ANALYZERS } from '../ingest/analyzers.ts';
import type { Analyzer } from '../ingest/analyzer.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const SAMPLE = join(REPO_ROOT, 'ingest', 'sample', 'linux-mm.mboxrd');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the page cache of an ingest', () => {
  it('is the larger one for the end-of-run passes only, and the connection gets its own back', async () => {
    const db = openDb(join(dir, 'a.db'));
    const cacheSize = (): number => db.sql.pragma('cache_size', { simple: true }) as number;
    const own = cacheSize();
    const seen = { store: new Set<number>(), finish: new Set<number>() };
    const probe: Analyzer<undefined> = {
      name: 'probe',
      analyze: () => undefined,
      store: () => void seen.store.add(cacheSize()),
      finish: () => void seen.finish.add(cacheSize()),
    };
    await ingestPaths(db, [SAMPLE], { worker: false, analyzers: [...ANALYZERS, probe] });
    // negative: KiB
    expect([...seen.store]).toEqual([own]);
    expect([...seen.finish]).toEqual([-PASS_CACHE_MIB * 1024]);
    expect(cacheSize()).toBe(own);

    const failing: Analyzer<undefined> = { ...probe, finish: () => { throw new Error('pass failed'); } };
    await expect(ingestPaths(db, [join(REPO_ROOT, 'ingest', 'sample', 'stable.mboxrd')], { worker: false, analyzers: [...ANALYZERS, failing] })).rejects.toThrow('pass failed');
    expect(cacheSize()).toBe(own);
    closeDb(db);
  });

  it('withPageCache sets the size in MiB while its function runs and returns what it returns', () => {
    const db = openDb(':memory:');
    const before = db.sql.pragma('cache_size', { simple: true });
    expect(withPageCache(db, 8, () => db.sql.pragma('cache_size', { simple: true }))).toBe(-8192);
    expect(db.sql.pragma('cache_size', { simple: true })).toBe(before);
    closeDb(db);
  });
});
