// The knowledge thread pass replaces races batch by batch (so it holds one batch's races,
// not the archive's): over a lore-shaped archive whose threads with knowledge fill several
// batches, the stored race tables are exactly what one replacement of every family's races
// at once gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { clearRaces, replaceRaces } from '../db/knowledge.ts';
import { pendingKnowledgeThreads, resetKnowledgeMark, threadFamilies, threadInput } from '../db/knowledge-threads.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import { assembleRaces } from '../domain/knowledge/races.ts';
import { runKnowledgePass } from '../ingest/knowledge-pass.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { generateArchive } from '../bench/generate-archive.ts';

const TABLES = ['races', 'race_threads', 'race_messages', 'race_terms', 'race_fixes', 'race_stances'] as const;

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-knowledge-batches-'));
  const archive = generateArchive(3000, join(dir, 'lore.mboxrd'), 7, 'lore');
  db = openDb(join(dir, 'k.db'));
  await ingestPaths(db, [archive.path], { worker: false });
}, 240_000);
afterAll(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

function tables(): Record<string, unknown[]> {
  return Object.fromEntries(TABLES.map((t) => [t, db.sql.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).raw().all()]));
}

describe('the knowledge thread pass', () => {
  it('stores, batch by batch, exactly the races one replacement of every family at once stores', () => {
    const families = threadFamilies(db, pendingKnowledgeThreads(db, 0));
    const threads = families.flat().length;
    // more threads than one batch (THREADS_PER_CALL, 300) holds, or the test shows nothing
    expect(threads).toBeGreaterThan(600);

    // a rerun over every thread replaces what the ingest stored, batch by batch
    const pass = runInTransaction(db, () => {
      resetKnowledgeMark(db);
      return runKnowledgePass(db);
    });
    const batched = tables();
    expect(pass.races).toBe((batched.races ?? []).length);
    expect(pass.races).toBeGreaterThan(100);

    // the reference: every family assembled, and replaced, in one go
    runInTransaction(db, () => {
      clearRaces(db);
      replaceRaces(db, families.flat(), assembleRaces(families.flat().map((root) => threadInput(db, root))));
    });
    expect(batched).toEqual(tables());
  }, 240_000);

  it("finds the same families whether each sender's re-rolled patches stay read or are read again each time", () => {
    const seeds = pendingKnowledgeThreads(db, 0);
    const kept = threadFamilies(db, seeds);
    // a bound of one root: every sender but the one in hand is dropped, and read again when met
    const reread = threadFamilies(db, seeds, { senderStemRoots: 1 });
    expect(reread).toEqual(kept);
    // threads joined into families exist in this archive, or the test shows nothing
    expect(kept.some((f) => f.length > 1)).toBe(true);
  }, 60_000);
});
