import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import lunr from 'lunr';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import type { KnowledgeEntity } from '../server/knowledge.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
let entities: KnowledgeEntity[];
let builds = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-knowledge-'));
  db = openDb(join(dir, 'k.db'));
  entities = [
    { id: 'scenario:a', kind: 'scenario', title: 'writeback versus truncate', paths: ['mm/truncate.c'], body: 'two threads', url: '/api/scenarios/a' },
    { id: 'series:b@x', kind: 'series', title: 'mm: fix folio refcount', paths: ['mm/swap.c:folio_put'], body: 'writeback path', url: '/api/series/b%40x' },
  ];
  app = buildApp({
    db,
    limits: { knowledgeRebuildMs: 0 },
    knowledgeSources: [
      () => {
        builds++;
        return entities;
      },
    ],
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('knowledge routes', () => {
  it('ranks the entity whose title matches first, and says which fields matched', async () => {
    const res = await app.inject({ url: '/api/knowledge?q=writeback' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { hits: { id: string; matched: Record<string, string[]> }[]; total: number };
    expect(body.hits.map((h) => h.id)).toEqual(['scenario:a', 'series:b@x']);
    expect(body.hits[0]!.matched).toEqual({ title: ['writeback'] });
    expect(body.total).toBe(2);
  });

  it('filters by kind and honours the limit', async () => {
    const kind = (await app.inject({ url: '/api/knowledge?q=writeback&kind=series' })).json() as { hits: { id: string }[] };
    expect(kind.hits.map((h) => h.id)).toEqual(['series:b@x']);
    const one = (await app.inject({ url: '/api/knowledge?q=writeback&limit=1' })).json() as { hits: unknown[] };
    expect(one.hits).toHaveLength(1);
  });

  it('rejects a missing q, a limit over 200, an unknown parameter and an exclude-only query with 400', async () => {
    const missing = await app.inject({ url: '/api/knowledge' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ statusCode: 400, code: 'USAGE', error: 'Bad Request', message: "querystring parameter 'q' is required" });
    const big = await app.inject({ url: '/api/knowledge?q=x&limit=201' });
    expect(big.json()).toEqual({ statusCode: 400, code: 'LIMIT', error: 'Bad Request', message: "querystring parameter 'limit' must be <= 200" });
    const nan = await app.inject({ url: '/api/knowledge?q=x&limit=ten' });
    expect(nan.json()).toMatchObject({ statusCode: 400, code: 'USAGE', message: "querystring parameter 'limit' must be integer" });
    const extra = await app.inject({ url: '/api/knowledge?q=x&frob=1' });
    expect(extra.json()).toMatchObject({ statusCode: 400, code: 'USAGE', message: "querystring parameter 'frob' is not a known parameter" });
    const neg = await app.inject({ url: '/api/knowledge?q=-writeback' });
    expect(neg.json()).toMatchObject({ statusCode: 400, code: 'BAD_QUERY' });
  });

  it('serves the prebuilt index that lunr loads and answers like the server', async () => {
    const res = await app.inject({ url: '/api/index/knowledge.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json() as { count: number; docs: Record<string, { id: string; title: string }>; index: object };
    expect(body.count).toBe(2);
    const idx = lunr.Index.load(body.index);
    const refs = idx.search('refcount').map((r) => r.ref);
    expect(refs.map((r) => body.docs[r]!.id)).toEqual(['series:b@x']);
    expect(body.docs[refs[0]!]!.title).toBe('mm: fix folio refcount');
    const again = await app.inject({ url: '/api/index/knowledge.json', headers: { 'if-none-match': String(res.headers['etag']) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('sends the index gzipped to a client that accepts it, with its own ETag and Vary', async () => {
    const plain = await app.inject({ url: '/api/index/knowledge.json' });
    const res = await app.inject({ url: '/api/index/knowledge.json', headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(gunzipSync(res.rawPayload).toString('utf8')).toBe(plain.body);
    expect(res.headers['etag']).not.toBe(plain.headers['etag']);
    const again = await app.inject({ url: '/api/index/knowledge.json', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(res.headers['etag']) } });
    expect(again.statusCode).toBe(304);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('rebuilds only when the database file changed', async () => {
    await app.inject({ url: '/api/knowledge?q=folio' });
    const before = builds;
    await app.inject({ url: '/api/knowledge?q=folio' });
    expect(builds).toBe(before);
    entities = [...entities, { id: 'scenario:c', kind: 'scenario', title: 'swap readahead race', paths: [], body: '', url: '/api/scenarios/c' }];
    // A write to the database moves the file's mtime (or its WAL's); touching it stands in for an ingest.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'k.db'), later, later);
    const res = (await app.inject({ url: '/api/knowledge?q=readahead' })).json() as { hits: { id: string }[] };
    expect(builds).toBe(before + 1);
    expect(res.hits.map((h) => h.id)).toEqual(['scenario:c']);
  });

  it('keeps serving the last build while the database changes again within the rebuild interval', async () => {
    const slow = buildApp({ db, limits: { knowledgeRebuildMs: 60_000 }, knowledgeSources: [() => entities] });
    await slow.ready();
    const first = (await slow.inject({ url: '/api/index/knowledge.json' })).json() as { count: number; source: string };
    entities = [...entities, { id: 'scenario:d', kind: 'scenario', title: 'late arrival', paths: [], body: '', url: '/api/scenarios/d' }];
    const later = new Date(Date.now() + 10_000);
    utimesSync(join(dir, 'k.db'), later, later);
    const second = (await slow.inject({ url: '/api/index/knowledge.json' })).json() as { count: number; source: string };
    expect(second).toEqual(first);
    slow.knowledge.invalidate();
    const third = (await slow.inject({ url: '/api/index/knowledge.json' })).json() as { count: number };
    expect(third.count).toBe(first.count + 1);
    await slow.close();
  });

  it('answers the same from its worker thread as built on the request thread', async () => {
    const inline = buildApp({ db, knowledgeBuilder: 'inline', knowledgeSources: [() => entities] });
    await inline.ready();
    for (const q of ['writeback', 'folio_put', 'readahed', 'mm/swap.c']) {
      const a = (await app.inject({ url: `/api/knowledge?q=${encodeURIComponent(q)}` })).json() as { hits: unknown[] };
      const b = (await inline.inject({ url: `/api/knowledge?q=${encodeURIComponent(q)}` })).json() as { hits: unknown[] };
      expect(a.hits, q).toEqual(b.hits);
    }
    const neg = await inline.inject({ url: '/api/knowledge?q=-x' });
    expect(neg.json().code).toBe('BAD_QUERY');
    await inline.close();
  });
});
