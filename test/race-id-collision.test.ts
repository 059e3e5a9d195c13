// Two families whose first messages hash to one race id (52 bits: rare, not impossible at
// lore's scale): replaceRaces keeps both, the newcomer under the id with a suffix, instead
// of one silently replacing the other. The hash is stubbed so that every Message-ID collides.
import { describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../db/connection.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import { getRace, listRaces, replaceRaces } from '../db/knowledge.ts';
import type { RaceRecord } from '../domain/knowledge/types.ts';
import { raceRecord } from './helpers/race-record.ts';

vi.mock('../domain/knowledge/race-id.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../domain/knowledge/race-id.ts')>()),
  raceId: () => 'r-same',
}));

function race(threads: string[], title: string): RaceRecord {
  return raceRecord({ id: 'r-same', title, functions: ['f'], threads, messages: threads, firstDate: 1000, lastDate: 2000 });
}

const A = race(['a@x'], 'family A');
const B = race(['b@x'], 'family B');
const replace = (db: Db, roots: string[], races: RaceRecord[]): void => runInTransaction(db, () => replaceRaces(db, roots, races));
const stored = (db: Db): [string, string][] => listRaces(db).races.map((r): [string, string] => [r.id, r.title]).sort();

describe('two families with one race id', () => {
  it('keeps the stored race and stores the newcomer under a suffixed id', () => {
    const db = openDb(':memory:');
    replace(db, ['a@x'], [A]);
    replace(db, ['b@x'], [B]);
    expect(stored(db)).toEqual([
      ['r-same', 'family A'],
      ['r-same-2', 'family B'],
    ]);
    // the record carries the id it is stored under
    expect(getRace(db, 'r-same-2')).toEqual({ ...B, id: 'r-same-2' });
  });

  it('gives each family the same id again when it is assembled again', () => {
    const db = openDb(':memory:');
    replace(db, ['a@x'], [A]);
    replace(db, ['b@x'], [B]);
    replace(db, ['b@x'], [{ ...B, title: 'family B again' }]);
    replace(db, ['a@x'], [{ ...A, title: 'family A again' }]);
    expect(stored(db)).toEqual([
      ['r-same', 'family A again'],
      ['r-same-2', 'family B again'],
    ]);
  });

  it('still replaces the same family stored under another thread', () => {
    const db = openDb(':memory:');
    replace(db, ['a@x'], [A]);
    // the family grew: its first message is the same, its race is found by id, not by thread
    replace(db, ['c@x'], [{ ...race(['a@x', 'c@x'], 'family A grown') }]);
    expect(stored(db)).toEqual([['r-same', 'family A grown']]);
  });

  it('stores both when one answer gives the two', () => {
    const db = openDb(':memory:');
    replace(db, ['a@x', 'b@x'], [A, B]);
    expect(stored(db)).toEqual([
      ['r-same', 'family A'],
      ['r-same-2', 'family B'],
    ]);
  });
});
