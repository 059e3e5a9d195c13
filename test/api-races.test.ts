// The knowledge graph over HTTP, on the embedded sample archive: /api/races with its
// filters, one race, one fix, a message's reply structure, the OpenAPI entries, and the
// race:/is:race search prefixes.
import { describe, expect, it } from 'vitest';
import { seedSample, useTestApp } from './helpers/test-app.ts';

const t = useTestApp(seedSample);
const enc = encodeURIComponent;
const V1 = '20241003-lumafs-mkwrite-v1-1-annika@example.net';
const V2 = '20241007-lumafs-mkwrite-v2-1-annika@example.net';

interface Summary {
  id: string;
  title: string;
  outcome: string;
  firstDate: string | null;
}

async function races(query = ''): Promise<{ total: number; races: Summary[] }> {
  const res = await t.app.inject({ url: `/api/races${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function lumafsId(): Promise<string> {
  const r = (await races()).races.find((x) => x.title.startsWith('lumafs:'));
  expect(r).toBeDefined();
  return r!.id;
}

describe('/api/races', () => {
  it('lists both sample races, newest activity first, with ISO dates and evidence', async () => {
    const all = await races();
    expect(all.total).toBe(2);
    expect(all.races.map((r) => r.title)).toEqual([
      'lumafs: lost write when lumafs_page_mkwrite() races with lumafs_writepages()',
      'mm/filemap: stale folio returned after concurrent truncate',
    ]);
    expect(all.races[0]).toMatchObject({ outcome: 'data-loss', firstDate: '2024-10-01T09:00:00.000Z', evidence: expect.arrayContaining(['lumafs-race-report@example.org']) });
  });

  it('filters by function, file, lock, outcome, status and date range', async () => {
    const titles = async (q: string): Promise<string[]> => (await races(q)).races.map((r) => r.title.split(':')[0] as string);
    expect(await titles('?function=lumafs_page_mkwrite()')).toEqual(['lumafs']);
    expect(await titles('?file=filemap.c')).toEqual(['mm/filemap']);
    expect(await titles(`?file=${enc('fs/lumafs/file.c')}`)).toEqual(['lumafs']);
    expect(await titles('?lock=RCU')).toEqual(['mm/filemap']);
    expect(await titles('?outcome=data-loss')).toEqual(['lumafs']);
    expect(await titles('?outcome=deadlock')).toEqual([]);
    // mm/filemap's last activity is its fix's 6.12 review copy, on Oct 1 at 12:18
    expect(await titles('?d=20241002..20241101')).toEqual(['lumafs']);
    expect(await titles('?d=..20240920')).toEqual(['mm/filemap']);
    expect(await titles('?limit=1&offset=1')).toEqual(['mm/filemap']);
  });

  it('refuses an unknown outcome, a bad date range and an unknown parameter with 400', async () => {
    for (const q of ['?outcome=bad-luck', '?d=yesterdayish', '?frob=1', '?limit=0']) {
      const res = await t.app.inject({ url: `/api/races${q}` });
      expect(res.statusCode, q).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400 });
    }
  });
});

describe('/api/races/:id and /api/fixes/:id', () => {
  it('gives the whole race: reasons with sentences, threads, fixes with lifecycle, stances and scenario links', async () => {
    const id = await lumafsId();
    const res = await t.app.inject({ url: `/api/races/${enc(id)}` });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ id, outcome: 'data-loss', threads: ['lumafs-race-report@example.org', V1, V2], configs: ['CONFIG_LUMAFS_COMPRESS'] });
    expect(r.reasons.length).toBeGreaterThan(0);
    expect(r.reasons[0].evidence).toMatchObject({ messageId: expect.any(String), text: expect.any(String) });
    const v2 = r.fixes.find((f: { id: string }) => f.id === `${V2}#0`);
    expect(v2).toMatchObject({ lifecycle: 'applied', version: 2, date: '2024-10-07T11:00:00.000Z', scenarios: expect.any(Array) });
    expect(v2.stances).toContainEqual(expect.objectContaining({ stance: 'reviewed', author: 'Jun Park' }));
    // a scenario link, when there is one, says what kind it is
    for (const l of v2.scenarios) expect(['explicit', 'coverage']).toContain(l.kind);
  });

  it('names each thread of the family by subject, sender, date and size, and each stable copy of a fix by subject', async () => {
    const id = (await races()).races.find((x) => x.title.startsWith('mm/filemap:'))!.id;
    const r = (await t.app.inject({ url: `/api/races/${enc(id)}` })).json();
    expect(r.threadHeads.map((h: { root: string }) => h.root)).toEqual(r.threads);
    expect(r.threadHeads[0]).toEqual({
      root: 'race-report-1@example.org',
      messageId: 'race-report-1@example.org',
      subject: '[BUG] mm/filemap: stale folio returned after concurrent truncate',
      from: 'Mira Kowalczyk',
      date: '2024-09-02T08:00:00.000Z',
      messages: 6,
      lastDate: '2024-09-03T06:00:00.000Z',
      focus: null,
    });
    // a review series is in the family for one of its 150 patches: that one is named
    const review = r.threadHeads.find((h: { subject: string }) => h.subject === '[PATCH 6.12 000/150] 6.12.2-rc1 review');
    expect(review.focus).toMatchObject({ messageId: '20241001-6.12-013-gregor@example.org', subject: expect.stringMatching(/^\[PATCH 6\.12 013\/150\] mm\/filemap: recheck/) });
    const fix = r.fixes.find((f: { id: string }) => f.id === '20240904-filemap-recheck-v1-1-ines@example.org#0');
    expect(fix.copyHeads.map((c: { messageId: string; from: string }) => [c.messageId, c.from])).toEqual([
      ['20240925-backport-6.1-ines@example.org', 'Ines Okafor'],
      ['20241001-6.12-013-gregor@example.org', 'Gregor Stabil'],
    ]);
    // /api/fixes gives the same copies
    const one = (await t.app.inject({ url: `/api/fixes/${enc(fix.id)}` })).json();
    expect(one.fix.copyHeads).toEqual(fix.copyHeads);
  });

  it('names the races a thread is read as, from any message of it; none for a message not stored', async () => {
    const res = await t.app.inject({ url: `/api/threads/${enc('20241001-6.12-013-gregor@example.org')}/races` });
    expect(res.statusCode).toBe(200);
    expect(res.json().races.map((r: { title: string }) => r.title)).toEqual(['mm/filemap: stale folio returned after concurrent truncate']);
    const none = await t.app.inject({ url: `/api/threads/${enc('nowhere@example.org')}/races` });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ races: [] });
  });

  it('gives one fix with its race, by its id URL-encoded or with the message-id in angle brackets', async () => {
    for (const key of [`${V1}#0`, `<${V1}>#0`]) {
      const res = await t.app.inject({ url: `/api/fixes/${enc(key)}` });
      expect(res.statusCode, key).toBe(200);
      const body = res.json();
      expect(body.fix).toMatchObject({ id: `${V1}#0`, kind: 'patch', lifecycle: 'superseded', supersededBy: `${V2}#0` });
      expect(body.fix.stances).toContainEqual(expect.objectContaining({ stance: 'objection', author: 'Jun Park', messageId: 'lumafs-v1-objection@example.com' }));
      expect(body.race.title).toMatch(/^lumafs:/);
    }
  });

  it('answers 404 for a race or fix that does not exist', async () => {
    for (const url of ['/api/races/r-nothing', `/api/fixes/${enc('nobody@x#0')}`]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

describe('/api/messages/:mid/structure', () => {
  it('gives the reply blocks with their text, whom a quote quotes, which paragraph answers it, and the message’s race', async () => {
    const res = await t.app.inject({ url: `/api/messages/${enc('<lumafs-v1-objection@example.com>')}/structure` });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({ messageId: 'lumafs-v1-objection@example.com', restored: false });
    const kinds = s.blocks.map((b: { kind: string }) => b.kind);
    expect(kinds.slice(0, 3)).toEqual(['attribution', 'quote', 'own']);
    expect(s.blocks[1]).toMatchObject({ depth: 1, author: 'Annika Berg', text: expect.stringContaining('Lock the folio and wait for stable writes') });
    expect(s.blocks[2]).toMatchObject({ depth: 0, answers: 1, text: expect.stringMatching(/^I don't think this is enough, there is still a race with lumafs_truncate_folio\(\)/) });
    expect(s.races.map((r: Summary) => r.title)).toEqual(['lumafs: lost write when lumafs_page_mkwrite() races with lumafs_writepages()']);
  });

  it('recognises an inline diff as a diff block', async () => {
    const s = (await t.app.inject({ url: `/api/messages/${enc('lumafs-race-idea@example.net')}/structure` })).json();
    const diff = s.blocks.find((b: { kind: string }) => b.kind === 'diff');
    expect(diff.text).toContain('+\tfolio_wait_stable(folio);');
  });

  it('answers 404 for an unknown message or copy', async () => {
    expect((await t.app.inject({ url: `/api/messages/${enc('nobody@x')}/structure` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/messages/${enc('lumafs-race-idea@example.net')}/structure?copy=3` })).statusCode).toBe(404);
  });
});

describe('the OpenAPI document', () => {
  it('describes the race, fix and structure routes with their response schemas', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    for (const p of ['/api/races', '/api/races/{id}', '/api/fixes/{id}', '/api/messages/{mid}/structure']) {
      const op = doc.paths[p]?.get;
      expect(op, p).toBeDefined();
      expect(op.responses['200'].content['application/json'].schema.type, p).toBe('object');
    }
    const list = doc.paths['/api/races'].get.parameters.map((x: { name: string }) => x.name);
    expect(list).toEqual(expect.arrayContaining(['file', 'function', 'lock', 'outcome', 'status', 'd']));
  });
});

describe('search prefixes race: and is:race', () => {
  async function hits(q: string): Promise<string[]> {
    const res = await t.app.inject({ url: `/api/search?q=${enc(q)}&limit=100` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().hits as { messageId: string }[]).map((h) => h.messageId).sort();
  }

  it('finds the messages of the races that name a function, file or lock', async () => {
    const lumafs = await hits('race:lumafs_writepages');
    expect(lumafs).toHaveLength(8);
    expect(lumafs).toContain('lumafs-v2-applied@example.org');
    expect(await hits('race:LUMAFS_WritePages')).toEqual(lumafs);
    expect(await hits('race:file.c')).toEqual(lumafs);
    expect(await hits('race:khugepaged_nothing')).toEqual([]);
    const all = await hits('is:race');
    expect(all.length).toBeGreaterThan(lumafs.length);
    expect(all).toEqual(expect.arrayContaining(lumafs));
    expect(await hits('is:race -race:lumafs_writepages')).toEqual(all.filter((m) => !lumafs.includes(m)));
    // the 6.12 review series joins the mm/filemap race through its copy of the fix; its swap patch is no part of it
    expect(all).toContain('20241001-6.12-013-gregor@example.org');
    expect(await hits('s:swap is:race')).toEqual([]);
  });

  it('refuses is: with anything but race, and race: without a value, saying where', async () => {
    const bad = await t.app.inject({ url: `/api/search?q=${enc('is:patch')}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('unknown is:patch (known: is:race) at column 4');
    expect((await t.app.inject({ url: `/api/search?q=${enc('race:')}` })).statusCode).toBe(400);
  });
});
