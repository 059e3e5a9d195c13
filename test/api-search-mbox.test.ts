// /api/search.mbox.gz: a search's matches as a gzipped mboxrd file, run in a query process
// as every search is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { resultsFilename } from '../server/routes/search-mbox.ts';
import { fixtureMessages, ingestFixture, ROOT_ID } from './helpers/api-fixture.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
const messages = fixtureMessages();
const bytesOf = (id: string): string => messages.find((m) => m.messageId === id)!.bytes.toString('utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-api-search-mbox-'));
  await ingestFixture(join(dir, 'db.sqlite'), join(dir, 'mail'));
  db = openDb(join(dir, 'db.sqlite'), { readonly: true });
  app = buildApp({ db, searchWorkers: 1, scenarioLoader: 'inline', knowledgeBuilder: 'inline' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

/** Splits an mboxrd file the way a reader would: at each From_ line, one '>' taken off >*From lines. */
function splitMboxrd(text: string): string[] {
  const parts = text.split(/^From mboxrd@z Thu Jan {2}1 00:00:00 1970\n/m);
  expect(parts[0]).toBe('');
  return parts.slice(1).map((p) => p.replace(/\n$/, '').replace(/^>(>*From )/gm, '$1'));
}

describe('search.mbox.gz', () => {
  it('is the matches of the search, oldest first, in mboxrd form with From lines quoted', async () => {
    const q = 's:"wait for writeback"';
    const hits = (await app.inject({ url: `/api/search?${new URLSearchParams({ q, sort: 'date', limit: '200' })}` })).json().hits as { messageId: string }[];
    // the patch and its two replies, newest first from the search
    expect(hits.map((h) => h.messageId)).toEqual(['orphan.1@carol.example', 'reply.1@bob.example', ROOT_ID]);
    const res = await app.inject({ url: `/api/search.mbox.gz?${new URLSearchParams({ q })}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="results-s_wait_for_writeback.mbox.gz"');
    const text = gunzipSync(res.rawPayload).toString('utf8');
    // the patch's body lines that start with From, quoted once more than they were
    expect(text).toContain('\n>From the point of view');
    expect(text).toContain('\n>>From here on');
    expect(splitMboxrd(text)).toEqual([ROOT_ID, 'reply.1@bob.example', 'orphan.1@carol.example'].map(bytesOf));
  });

  it('keeps the newest matches when there are more than the limit', async () => {
    const res = await app.inject({ url: `/api/search.mbox.gz?${new URLSearchParams({ q: 's:"wait for writeback"', limit: '2' })}` });
    expect(splitMboxrd(gunzipSync(res.rawPayload).toString('utf8'))).toEqual(['reply.1@bob.example', 'orphan.1@carol.example'].map(bytesOf));
  });

  it('is an empty file when nothing matches', async () => {
    const res = await app.inject({ url: '/api/search.mbox.gz?q=nosuchwordanywhere' });
    expect(res.statusCode).toBe(200);
    expect(gunzipSync(res.rawPayload).length).toBe(0);
  });

  it('answers a bad query, a limit past the cap and a missing query with 400 before sending anything', async () => {
    const bad = await app.inject({ url: `/api/search.mbox.gz?${new URLSearchParams({ q: 's:"unbalanced' })}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
    expect(bad.json()).toMatchObject({ code: 'BAD_QUERY' });
    const over = await app.inject({ url: '/api/search.mbox.gz?q=folio&limit=201' });
    expect(over.statusCode).toBe(400);
    expect((await app.inject({ url: '/api/search.mbox.gz' })).statusCode).toBe(400);
  });

  it('names the file after the query in characters a shell takes as they are', () => {
    expect(resultsFilename('dfn:mm/filemap.c AND s:"folio"')).toBe('results-dfn_mm_filemap.c_AND_s_folio.mbox.gz');
    expect(resultsFilename('"; rm -rf /')).toBe('results-rm_-rf.mbox.gz');
    expect(resultsFilename('***')).toBe('results-search.mbox.gz');
  });
});
