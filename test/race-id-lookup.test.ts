// A race named by an abbreviated id, over HTTP and on the command line: ids were once cut
// to r- and 8 digits, and today's id of the same race starts with the old one, so an old id
// from a URL or a note finds its race; one that several ids start with is refused with them.
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { closeDb, openDb } from '../db/connection.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import { getRace, listRaces, replaceRaces } from '../db/knowledge.ts';
import { captureIO } from './helpers/cli-io.ts';
import { seedSample, useTestApp } from './helpers/test-app.ts';

// Two races whose ids share their first 8 digits, beside the sample's: threads of their own, no messages.
const TWINS = ['r-zzzzzzzz1a', 'r-zzzzzzzz2b'];

const t = useTestApp(async (dbPath, dir) => {
  await seedSample(dbPath, dir);
  const db = openDb(dbPath);
  try {
    const model = getRace(db, listRaces(db).races[0]!.id)!;
    const twins = TWINS.map((id, i) => ({ ...model, id, threads: [`twin-${i}@example.org`], messages: [], evidence: [] }));
    runInTransaction(db, () => replaceRaces(db, twins.flatMap((r) => r.threads), twins));
  } finally {
    closeDb(db);
  }
});

function lumafs(): string {
  const r = listRaces(t.db).races.find((x) => x.title.startsWith('lumafs:'));
  expect(r).toBeDefined();
  return r!.id;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main([...argv, '--db', t.dbPath], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('/api/races/:id by an abbreviated id', () => {
  it('answers an id cut to r- and 8 digits with the race under its full id, as the full id does', async () => {
    const id = lumafs();
    expect(id.length).toBeGreaterThan(10);
    const full = await t.app.inject({ url: `/api/races/${id}` });
    const cut = await t.app.inject({ url: `/api/races/${id.slice(0, 10)}` });
    expect(cut.statusCode, cut.body).toBe(200);
    expect(cut.json().id).toBe(id);
    expect(cut.body).toBe(full.body);
    expect((await t.app.inject({ url: `/api/races/${id.slice(0, 11).toUpperCase()}` })).json().id).toBe(id);
  });

  it('refuses a prefix several races start with as a 400 AMBIGUOUS naming them', async () => {
    const res = await t.app.inject({ url: '/api/races/r-zzzzzzzz' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      code: 'AMBIGUOUS',
      error: 'Bad Request',
      message: "race id 'r-zzzzzzzz' is ambiguous: it begins r-zzzzzzzz1a, r-zzzzzzzz2b; give more of it",
      candidates: TWINS,
    });
    expect((await t.app.inject({ url: '/api/races/r-zzzzzzzz2' })).json().id).toBe('r-zzzzzzzz2b');
  });

  it('answers 404 for a prefix no race starts with, and for one shorter than r- and 8 characters', async () => {
    for (const url of ['/api/races/r-00000000', `/api/races/${lumafs().slice(0, 9)}`]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

describe('loregraph race <id> by an abbreviated id', () => {
  it('prints the race an old 8-digit id names, with its full id', async () => {
    const id = lumafs();
    const r = await cli('race', id.slice(0, 10), '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).id).toBe(id);
    expect((await cli('race', id.slice(0, 10))).out).toBe((await cli('race', id)).out);
  });

  it('exits 2 on an ambiguous prefix, naming the candidates', async () => {
    const r = await cli('race', 'r-zzzzzzzz');
    expect(r.code).toBe(2);
    expect(r.err).toBe("loregraph: race id 'r-zzzzzzzz' is ambiguous: it begins r-zzzzzzzz1a, r-zzzzzzzz2b; give more of it\n");
  });
});
