import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { databaseStateKey } from '../server/knowledge-cache.ts';
import { fixtureMessages, ingestFixture, MARKUP_ID, ROOT_ID } from './helpers/api-fixture.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
const all = fixtureMessages();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-api-live-'));
  await ingestFixture(join(dir, 'db.sqlite'), join(dir, 'first'), all.slice(0, 3));
  db = openDb(join(dir, 'db.sqlite'), { readonly: true });
  app = buildApp({ db });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('a server on a read-only handle while ingest writes the same file', () => {
  it('sees messages ingested after it started on the very next request', async () => {
    expect(db.readonly).toBe(true);
    expect((await app.inject({ url: `/api/messages/${encodeURIComponent(MARKUP_ID)}` })).statusCode).toBe(404);
    const before = (await app.inject({ url: '/api/stats' })).json();
    expect(before.counts.messages).toBe(3);
    const keyBefore = databaseStateKey(db);

    await ingestFixture(join(dir, 'db.sqlite'), join(dir, 'second'), all.slice(3));

    const msg = await app.inject({ url: `/api/messages/${encodeURIComponent(MARKUP_ID)}` });
    expect(msg.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/stats' })).json().counts.messages).toBe(all.length);
    const found = (await app.inject({ url: '/api/search?q=readahead' })).json();
    expect(found.hits.map((h: { messageId: string }) => h.messageId)).toEqual([MARKUP_ID]);
    expect(databaseStateKey(db)).not.toBe(keyBefore);
  });

  it('reports itself read-only and refuses nothing a reader may do', async () => {
    expect((await app.inject({ url: '/api/healthz' })).json()).toMatchObject({ status: 'ok', readonly: true });
    expect((await app.inject({ url: `/api/threads/${encodeURIComponent(ROOT_ID)}` })).statusCode).toBe(200);
  });

  it('has no route that accepts a write', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      const res = await app.inject({ method, url: '/api/search?q=x', payload: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });
});
