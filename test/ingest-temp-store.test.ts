// The load keeps SQLite's statement journals in memory (db/ingest-tx.ts withTempInMemory);
// the index builds and end-of-run passes, which sort and journal far more, spill to files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
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

describe('temporary storage during an ingest', () => {
  it('is memory while batches are stored, files for the end-of-run passes and after, also when a batch fails', async () => {
    const db = openDb(join(dir, 'a.db'));
    const seen = { store: new Set<number>(), finish: new Set<number>() };
    const tempStore = (): number => db.sql.pragma('temp_store', { simple: true }) as number;
    const probe: Analyzer<undefined> = {
      name: 'probe',
      analyze: () => undefined,
      store: () => void seen.store.add(tempStore()),
      finish: () => void seen.finish.add(tempStore()),
    };
    await ingestPaths(db, [SAMPLE], { worker: false, analyzers: [...ANALYZERS, probe] });
    expect([...seen.store]).toEqual([MEMORY]);
    expect([...seen.finish]).toEqual([DEFAULT]);
    expect(tempStore()).toBe(DEFAULT);

    const failing: Analyzer<undefined> = { ...probe, store: () => { throw new Error('disk full'); } };
    await expect(ingestPaths(db, [join(REPO_ROOT, 'ingest', 'sample', 'stable.mboxrd')], { worker: false, analyzers: [...ANALYZERS, failing] })).rejects.toThrow('disk full');
    expect(tempStore()).toBe(DEFAULT);
    closeDb(db);
  });
});
