import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { databaseStateKey } from '../server/knowledge-cache.ts';
import { useTestApp } from './helpers/test-app.ts';
import { fixtureMessages, ingestFixture, MARKUP_ID, ROOT_ID } from './helpers/api-fixture.ts';

const all = fixtureMessages();
const t = useTestApp((dbPath, dir) => ingestFixture(dbPath, join(dir, 'first'), all.slice(0, 3)));

describe('a server on a read-only handle while ingest writes the same file', () => {
  it('sees messages ingested after it started on the very next request', async () => {
    expect(t.db.readonly).toBe(true);
    expect((await t.app.inject({ url: `/api/messages/${encodeURIComponent(MARKUP_ID)}` })).statusCode).toBe(404);
    const before = (await t.app.inject({ url: '/api/stats' })).json();
    expect(before.counts.messages).toBe(3);
    const keyBefore = databaseStateKey(t.db);

    await ingestFixture(t.dbPath, join(t.dir, 'second'), all.slice(3));

    const msg = await t.app.inject({ url: `/api/messages/${encodeURIComponent(MARKUP_ID)}` });
    expect(msg.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/stats' })).json().counts.messages).toBe(all.length);
    const found = (await t.app.inject({ url: '/api/search?q=readahead' })).json();
    expect(found.hits.map((h: { messageId: string }) => h.messageId)).toEqual([MARKUP_ID]);
    expect(databaseStateKey(t.db)).not.toBe(keyBefore);
  });

  it('reports itself read-only and refuses nothing a reader may do', async () => {
    expect((await t.app.inject({ url: '/api/healthz' })).json()).toMatchObject({ status: 'ok', readonly: true });
    expect((await t.app.inject({ url: `/api/threads/${encodeURIComponent(ROOT_ID)}` })).statusCode).toBe(200);
  });

  it('has no route that accepts a write', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      const res = await t.app.inject({ method, url: '/api/search?q=x', payload: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });
});
