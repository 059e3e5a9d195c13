// SQLite's settings through an ingest (db/ingest-tx.ts): the load keeps its statement
// journals in memory (withTempInMemory), and the index builds and end-of-run passes, which
// sort and journal far more, spill to files; they read with a larger page cache
// (withPageCache) than the load's.
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
/** PRAGMA temp_store: 0 the default (files), 2 memory. */
const DEFAULT = 0;
const MEMORY = 2;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-temp-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An analyzer that records `read()` as each batch is stored and as the passes run. */
function probeOf(read: () => number) {
  const seen = { store: new Set<number>(), finish: new Set<number>() };
  const probe: Analyzer<undefined> = {
    name: 'probe',
    analyze: () => undefined,
    store: () => void seen.store.add(read()),
    finish: () => void seen.finish.add(read()),
  };
  return { seen, probe };
}

describe('SQLite settings during an ingest', () => {
  it('temporary storage is memory while batches are stored, files for the end-of-run passes and after, also when a batch fails', async () => {
    const db = openDb(join(dir, 'a.db'));
    const tempStore = (): number => db.sql.pragma('temp_store', { simple: true }) as number;
    const { seen, probe } = probeOf(tempStore);
    await ingestPaths(db, [SAMPLE], { worker: false, analyzers: [...ANALYZERS, probe] });
    expect([...seen.store]).toEqual([MEMORY]);
    expect([...seen.finish]).toEqual([DEFAULT]);
    expect(tempStore()).toBe(DEFAULT);

    const failing: Analyzer<undefined> = { ...probe, store: () => { throw new Error('disk full'); } };
    await expect(ingestPaths(db, [join(REPO_ROOT, 'ingest', 'sample', 'stable.mboxrd')], { worker: false, analyzers: [...ANALYZERS, failing] })).rejects.toThrow('disk full');
    expect(tempStore()).toBe(DEFAULT);
    closeDb(db);
  });

  it('the page cache is the larger one for the end-of-run passes only, and the connection gets its own back, also when a pass fails', async () => {
    const db = openDb(join(dir, 'a.db'));
    const cacheSize = (): number => db.sql.pragma('cache_size', { simple: true }) as number;
    const own = cacheSize();
    const { seen, probe } = probeOf(cacheSize);
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
