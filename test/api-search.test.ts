import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { wantsFresh } from '../server/routes/search.ts';
import type { ChildProcess } from 'node:child_process';
import { processSearchRunner, startQueryProcess } from '../server/search-runner.ts';
import { fixtureMessages, ingestFixture, MARKUP_ID, ROOT_ID } from './helpers/api-fixture.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-api-search-'));
  await ingestFixture(join(dir, 'db.sqlite'), join(dir, 'mail'));
  db = openDb(join(dir, 'db.sqlite'), { readonly: true });
  app = buildApp({ db, now: () => Date.UTC(2024, 1, 20), baseUrl: 'http://lore.test:8080/' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

interface Hit {
  messageId: string;
  threadId: string;
  subject: string;
  snippet: { text: string; hit: boolean }[];
}
async function search(qs: string): Promise<{ total: number; hits: Hit[] }> {
  const res = await app.inject({ url: `/api/search?${qs}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const ids = (r: { hits: Hit[] }) => r.hits.map((h) => h.messageId).sort();

describe('/api/search', () => {
  it('finds every message whose subject has the word with s:', async () => {
    const expected = fixtureMessages()
      .filter((m) => /^Subject: .*\bwriteback\b/im.test(m.bytes.toString('utf8')))
      .map((m) => m.messageId)
      .sort();
    expect(expected).toHaveLength(3);
    const r = await search('q=s%3Awriteback');
    expect(ids(r)).toEqual(expected);
    expect(r.total).toBe(3);
  });

  it('combines fields, phrases and negation', async () => {
    expect(ids(await search(`q=${encodeURIComponent('f:carol')}`))).toEqual(['orphan.1@carol.example']);
    expect(ids(await search(`q=${encodeURIComponent('s:writeback -f:bob')}`))).toEqual([ROOT_ID, 'orphan.1@carol.example'].sort());
    expect(ids(await search(`q=${encodeURIComponent('"slow disk"')}`))).toEqual(['orphan.1@carol.example']);
    expect(ids(await search(`q=${encodeURIComponent('d:20240201..20240206 readahead')}`))).toEqual([MARKUP_ID]);
  });

  it('pages, sorts by date and collapses threads', async () => {
    const byDate = await search('q=s%3Awriteback&sort=date&limit=2');
    expect(byDate.hits.map((h) => h.messageId)).toEqual(['orphan.1@carol.example', 'reply.1@bob.example']);
    const next = await search('q=s%3Awriteback&sort=date&limit=2&offset=2');
    expect(next.hits.map((h) => h.messageId)).toEqual([ROOT_ID]);
    const threads = await search('q=s%3Awriteback&threads=1');
    expect(threads.total).toBe(1);
    expect(threads.hits[0]!.threadId).toBe(ROOT_ID);
  });

  it('returns snippets as data segments, markup from the mail left as text', async () => {
    const r = await search('q=readahead');
    const hit = r.hits.find((h) => h.messageId === MARKUP_ID)!;
    expect(hit.subject).toBe('<b>bold</b> & <img src=x onerror=alert(1)> readahead question');
    expect(hit.snippet.filter((s) => s.hit).map((s) => s.text.toLowerCase())).toContain('readahead');
    expect(hit.snippet.map((s) => s.text).join('')).toContain('<script>');
  });

  it('answers a malformed query with 400 BAD_QUERY saying where', async () => {
    const res = await app.inject({ url: `/api/search?q=${encodeURIComponent('s:folio "unbalanced')}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'BAD_QUERY', error: 'Bad Request' });
    expect(res.json().message).toMatch(/column \d+/);
  });

  it('rejects bad parameters with 400 naming the parameter', async () => {
    const cases: [string, string, string][] = [
      ['', 'USAGE', "querystring parameter 'q' is required"],
      ['q=', 'USAGE', "querystring parameter 'q' must NOT have fewer than 1 characters"],
      ['q=x&limit=201', 'LIMIT', "querystring parameter 'limit' must be <= 200"],
      ['q=x&limit=0', 'USAGE', "querystring parameter 'limit' must be >= 1"],
      ['q=x&offset=-1', 'USAGE', "querystring parameter 'offset' must be >= 0"],
      ['q=x&offset=100001', 'LIMIT', "querystring parameter 'offset' must be <= 100000"],
      ['q=x&sort=random', 'USAGE', "querystring parameter 'sort' must be equal to one of the allowed values"],
      ['q=x&threads=maybe', 'USAGE', "querystring parameter 'threads' must be equal to one of the allowed values"],
      ['q=x&bogus=1', 'USAGE', "querystring parameter 'bogus' is not a known parameter"],
      [`q=${'a'.repeat(2049)}`, 'LIMIT', "querystring parameter 'q' must NOT have more than 2048 characters"],
      ['q=a&q=b', 'USAGE', "querystring parameter 'q' must be string"],
      ['q=a&limit=1&limit=2', 'USAGE', "querystring parameter 'limit' must be integer"],
    ];
    for (const [qs, code, message] of cases) {
      const res = await app.inject({ url: `/api/search?${qs}` });
      expect(res.json(), qs).toEqual({ statusCode: 400, code, error: 'Bad Request', message });
    }
  });

  it('gives 400 or results, never a 500, for FTS5 syntax and other hostile queries', async () => {
    const hostile = ['NEAR(', 'NEAR(a b', '"', '*', '^', '^folio', 'subject:x', 's:', 'a OR', 'OR', '(', ')', '((a)', 'a AND AND b',
      '-', 'NOT', '"a" "', 'x* *', 'col:"', "'", '\\', 'a:b:c', 'mid:<', 'd:', 'd:garbage', 'd:2024..2023', '{a b}', '\u0000', 'a'.repeat(2000),
      Array.from({ length: 300 }, () => 'x').join(' OR '), '('.repeat(100) + 'a' + ')'.repeat(100)];
    for (const q of hostile) {
      const res = await app.inject({ url: `/api/search?q=${encodeURIComponent(q)}` });
      expect([200, 400], q).toContain(res.statusCode);
      if (res.statusCode === 400) expect(['BAD_QUERY', 'LIMIT', 'USAGE']).toContain(res.json().code);
    }
    const tenKb = await app.inject({ url: `/api/search?q=${'a'.repeat(10_240)}` });
    expect(tenKb.statusCode).toBe(400);
    expect(tenKb.json().code).toBe('LIMIT');
  });

  it('never answers 500 to arbitrary query text', async () => {
    const alphabet = fc.constantFrom(...'ab sfdq:"*^()-+NEARORANDNOT.,{}<>@\'\\/_0123456789'.split(''), ' OR ', ' AND ', ' NOT ', 'NEAR(', 'd:', 'mid:', 's:', '..');
    await fc.assert(
      fc.asyncProperty(fc.array(alphabet, { maxLength: 30 }), async (parts) => {
        const q = parts.join('');
        if (q.length === 0) return;
        const res = await app.inject({ url: `/api/search?q=${encodeURIComponent(q)}` });
        expect([200, 400], `${q} -> ${res.body}`).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
  });
});

describe('/api/search on query processes', () => {
  let pooled: FastifyInstance;
  beforeAll(async () => {
    pooled = buildApp({ db, now: () => Date.UTC(2024, 1, 20), searchWorkers: 2 });
    await pooled.ready();
  });
  afterAll(async () => {
    await pooled.close();
  });

  it('answers exactly as the request thread does, errors included, under concurrent requests', async () => {
    const urls = [
      'q=s%3Awriteback',
      `q=${encodeURIComponent('s:writeback -f:bob')}&sort=date`,
      `q=${encodeURIComponent('d:20240201..20240206 readahead')}`,
      'q=writeback&threads=1&limit=1&offset=1',
      `q=${encodeURIComponent('"unbalanced')}`,
      `q=${encodeURIComponent('status:bogus')}`,
      'q=zzzznotaword',
    ].map((qs) => `/api/search?${qs}`);
    // The second round may come from recent answers (cached: true), with the first's took_ms.
    const strip = (body: string) => ({ ...JSON.parse(body), took_ms: 0, cached: undefined });
    const inline = await Promise.all(urls.map((url) => app.inject({ url })));
    const onWorkers = await Promise.all([...urls, ...urls].map((url) => pooled.inject({ url })));
    expect(inline.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 400, 400, 200]);
    onWorkers.forEach((r, i) => {
      const want = inline[i % urls.length]!;
      expect([r.statusCode, strip(r.body)]).toEqual([want.statusCode, strip(want.body)]);
    });
  });

  it('puts a fresh query process in the place of one that died, and answers as before', async () => {
    const started: ChildProcess[] = [];
    const runner = processSearchRunner(db.path, {
      size: 1,
      deadlineMs: 30_000,
      maxQueue: 4,
      cancelGraceMs: 100,
      start: async () => {
        const p = await startQueryProcess(db.path);
        started.push(p);
        return p;
      },
    });
    const job = { kind: 'search', query: 's:writeback', opts: {} } as const;
    try {
      const before = await runner.run(job);
      expect(before.total).toBeGreaterThan(0);
      const exited = new Promise((r) => started[0]!.once('exit', r));
      started[0]!.kill('SIGKILL');
      await exited;
      const after = await runner.run(job);
      expect(started).toHaveLength(2);
      expect({ ...after, took_ms: 0 }).toEqual({ ...before, took_ms: 0 });
    } finally {
      await runner.close();
    }
  });
});

describe('/api/search from recent answers', () => {
  const get = async (a: FastifyInstance, qs: string) => {
    const res = await a.inject({ url: `/api/search?${qs}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { total: number; cached?: boolean; took_ms: number; hits: Hit[] };
  };

  it('answers a repeated search from recent answers, saying so, with the same total and hits', async () => {
    const first = await get(app, 'q=folio&limit=2');
    const again = await get(app, 'q=folio&limit=2');
    expect(first.cached).toBeUndefined();
    expect(again.cached).toBe(true);
    expect({ ...again, cached: undefined }).toEqual(first);
    // another page, order or thread collapse is another answer
    expect((await get(app, 'q=folio&limit=2&offset=1')).cached).toBeUndefined();
    expect((await get(app, 'q=folio&limit=2&sort=date')).cached).toBeUndefined();
    expect((await get(app, 'q=folio&limit=2&threads=1')).cached).toBeUndefined();
  });

  it('runs the search again for a client that asks for a fresh answer (Cache-Control: no-cache), and keeps that answer', async () => {
    const ask = async (headers: Record<string, string>) => (await app.inject({ url: '/api/search?q=folio&limit=3', headers })).json() as { cached?: boolean; total: number };
    const first = await ask({});
    expect((await ask({})).cached).toBe(true);
    const fresh = await ask({ 'cache-control': 'no-cache' });
    expect(fresh.cached).toBeUndefined();
    expect(fresh.total).toBe(first.total);
    expect((await ask({ 'cache-control': 'max-age=0' })).cached).toBeUndefined();
    // a directive that still takes a stored answer
    expect((await ask({ 'cache-control': 'max-age=600' })).cached).toBe(true);
  });

  it('tells which Cache-Control values refuse a stored answer', () => {
    expect(['no-cache', 'No-Cache', 'no-store', 'max-age=0', 'private, max-age=0', 'max-age="0"', 'max-stale, no-cache'].map(wantsFresh)).toEqual([true, true, true, true, true, true, true]);
    expect([undefined, '', 'max-age=60', 'max-age=00x', 'no-cachex', 'only-if-cached', 'no-transform'].map(wantsFresh)).toEqual([false, false, false, false, false, false, false]);
  });

  it('searches again once an ingest in another connection has committed new mail', async () => {
    const d = mkdtempSync(join(tmpdir(), 'lg-api-search-cache-'));
    const path = join(d, 'db.sqlite');
    await ingestFixture(path, join(d, 'mail'));
    const served = openDb(path, { readonly: true });
    const a = buildApp({ db: served });
    try {
      expect(await get(a, 'q=quokka')).toMatchObject({ total: 0 });
      expect(await get(a, 'q=quokka')).toMatchObject({ total: 0, cached: true });
      const quokka = Buffer.from(
        'From: Q <q@q.example>\nSubject: a quokka in the page cache\nDate: Mon, 19 Feb 2024 10:00:00 +0000\nMessage-ID: <quokka@q.example>\n\nThe quokka ate the folio.\n',
      );
      await ingestFixture(path, join(d, 'more'), [{ file: 'quokka', messageId: 'quokka@q.example', bytes: quokka }]);
      const after = await get(a, 'q=quokka');
      expect(after.cached).toBeUndefined();
      expect(after.total).toBe(1);
      expect(after.hits.map((h) => h.messageId)).toEqual(['quokka@q.example']);
    } finally {
      await a.close();
      closeDb(served);
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('answers a relative date range afresh once the clock has moved', async () => {
    let now = Date.UTC(2024, 1, 20);
    const a = buildApp({ db, now: () => now });
    try {
      const q = `q=${encodeURIComponent('writeback d:2.weeks.ago..')}`;
      const first = await get(a, q);
      expect((await get(a, q)).cached).toBe(true);
      now += 60_000;
      const later = await get(a, q);
      expect(later.cached).toBeUndefined();
      expect(later.total).toBe(first.total);
    } finally {
      await a.close();
    }
  });

  it('keeps answering a query without relative dates from recent answers as the clock moves, and d:today only within its day', async () => {
    let now = Date.UTC(2024, 1, 20, 10);
    const a = buildApp({ db, now: () => now });
    try {
      const fixed = `q=${encodeURIComponent('writeback d:2024-01-01..')}`;
      const today = `q=${encodeURIComponent('writeback OR d:today')}`;
      const first = await get(a, fixed);
      expect(first.total).toBeGreaterThan(0);
      await get(a, today);
      now += 3_600_000;
      expect(await get(a, fixed)).toEqual({ ...first, cached: true });
      expect((await get(a, today)).cached).toBe(true);
      now += 86_400_000;
      expect((await get(a, fixed)).cached).toBe(true);
      expect((await get(a, today)).cached).toBeUndefined();
      // A text that does not parse is never kept: each ask gets its error.
      for (let i = 0; i < 2; i++) {
        const bad = await a.inject({ url: `/api/search?q=${encodeURIComponent('s:"open')}` });
        expect(bad.statusCode).toBe(400);
      }
    } finally {
      await a.close();
    }
  });
});

describe('/api/feed.atom', () => {
  it('streams an Atom feed of a search, newest first, with mail text escaped', async () => {
    // The links come from the configured base URL; a client's Host header never reaches them.
    const res = await app.inject({ url: `/api/feed.atom?q=${encodeURIComponent('s:writeback OR readahead')}`, headers: { host: 'evil.example"><x' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const ids = [...res.body.matchAll(/<entry><id>([^<]*)<\/id>/g)].map((m) => decodeURIComponent(m[1]!.replace('http://lore.test:8080/api/messages/', '')));
    expect(ids).toEqual([MARKUP_ID, 'orphan.1@carol.example', 'reply.1@bob.example', ROOT_ID]);
    expect(res.body).toContain('<updated>2024-02-05T10:00:00.000Z</updated>\n<entry>');
    expect(res.body).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt; readahead question');
    expect(res.body).not.toMatch(/<(script|img|b)[\s>]/);
    expect(res.body).not.toContain('evil.example');
    expect(res.body).toContain('<link rel="self" href="http://lore.test:8080/api/feed.atom?q=s%3Awriteback%20OR%20readahead"/>');
  });

  it('honours limit and refuses a bad query or a limit over 200 with a JSON 400', async () => {
    const one = await app.inject({ url: '/api/feed.atom?q=s%3Awriteback&limit=1' });
    expect([...one.body.matchAll(/<entry>/g)]).toHaveLength(1);
    const bad = await app.inject({ url: `/api/feed.atom?q=${encodeURIComponent('(unclosed')}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(bad.json().code).toBe('BAD_QUERY');
    expect((await app.inject({ url: '/api/feed.atom?q=x&limit=500' })).json().code).toBe('LIMIT');
    expect((await app.inject({ url: '/api/feed.atom' })).statusCode).toBe(400);
  });
});
