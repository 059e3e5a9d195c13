// A database from before race ids kept the whole hash holds 8-digit ids ("r-" and 8): the
// upgrade a user runs (open, which migrates, then the next `ingest` or `loregraph knowledge`)
// leaves one race per family under its full id, in every race table, with the old id still
// finding it as a prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { getRace, knowledgeCounts, listRaces, resolveRaceId } from '../db/knowledge.ts';
import { readMeta } from '../db/meta.ts';
import { updateKnowledge } from '../ingest/knowledge-rebuild.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { samplePaths } from '../ingest/seed.ts';

const inline = { worker: false } as const;
const RACE_ID_TABLES = ['race_threads', 'race_messages', 'race_terms', 'race_fixes', 'race_stances'] as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lg-race-id-upgrade-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = (db: Db): unknown[] => listRaces(db).races.map((r) => getRace(db, r.id));

/** Every race id each race table holds, sorted, to hold them against the races table's own. */
function idsByTable(db: Db): Record<string, string[]> {
  const out: Record<string, string[]> = { races: db.sql.prepare('SELECT id FROM races ORDER BY id').pluck().all() as string[] };
  for (const t of RACE_ID_TABLES) out[t] = db.sql.prepare(`SELECT DISTINCT race_id FROM ${t} ORDER BY race_id`).pluck().all() as string[];
  return out;
}

/** The sample ingested, then its race ids cut to 8 digits as the old ids were, at schema 15. */
async function oldStyleDatabase(name: string): Promise<string> {
  const path = join(dir, `${name}.db`);
  const db = openDb(path);
  await ingestPaths(db, samplePaths(), inline);
  db.sql.transaction(() => {
    // SET reads the row's values before the update: the record's id is cut from the old one
    db.sql.exec(`UPDATE races SET id = substr(id, 1, 10), record = json_set(record, '$.id', substr(id, 1, 10))`);
    for (const t of RACE_ID_TABLES) db.sql.exec(`UPDATE ${t} SET race_id = substr(race_id, 1, 10)`);
  })();
  db.sql.pragma('user_version = 15');
  closeDb(db);
  return path;
}

describe('race ids of a database from before they kept the whole hash', () => {
  let fresh: { records: unknown[]; ids: string[]; counts: ReturnType<typeof knowledgeCounts>; tables: Record<string, string[]> };
  beforeAll(async () => {
    const db = openDb(join(dir, 'fresh.db'));
    await ingestPaths(db, samplePaths(), inline);
    fresh = { records: records(db), ids: listRaces(db).races.map((r) => r.id), counts: knowledgeCounts(db), tables: idsByTable(db) };
    closeDb(db);
  }, 120_000);

  it('are ids of more than 8 digits in a fresh database, the same in every race table', () => {
    expect(fresh.ids.length).toBeGreaterThanOrEqual(2);
    for (const id of fresh.ids) expect(id).toMatch(/^r-[0-9a-z]{9,11}$/);
    // each of the sample's races has threads, messages, terms, fixes and stances
    for (const [table, ids] of Object.entries(fresh.tables)) expect(ids, table).toEqual([...fresh.ids].sort());
  });

  for (const [path, upgrade] of [
    ['the next ingest', async (db: Db) => void (await ingestPaths(db, samplePaths(), inline))],
    ['loregraph knowledge', async (db: Db) => void updateKnowledge(db)],
  ] as const) {
    it(`become the full ids after ${path}: one race per family, counts unchanged, every table consistent`, async () => {
      const file = await oldStyleDatabase(path.replace(/\W+/g, '-'));
      const db = openDb(file);
      try {
        // migration 016 asks the next pass to cover every row; until it runs the old ids are stored as they are
        expect(readMeta(db, 'knowledge_done_upto')).toBe('0');
        const old = listRaces(db).races.map((r) => r.id);
        expect(old.sort()).toEqual(fresh.ids.map((id) => id.slice(0, 10)).sort());
        expect(resolveRaceId(db, old[0]!)).toBe(old[0]);

        await upgrade(db);

        expect(listRaces(db).races.map((r) => r.id)).toEqual(fresh.ids);
        expect(records(db)).toEqual(fresh.records);
        expect(knowledgeCounts(db)).toEqual(fresh.counts);
        expect(idsByTable(db)).toEqual(fresh.tables);
        // an old id, from a URL or a note, finds its race as a prefix of the new one
        for (const id of fresh.ids) expect(resolveRaceId(db, id.slice(0, 10))).toBe(id);
      } finally {
        closeDb(db);
      }
    }, 120_000);
  }
});
