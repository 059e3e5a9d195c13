import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { seedSample, useTestApp } from './helpers/test-app.ts';
import { getFixStatus } from '../db/stable.ts';

const t = useTestApp(seedSample);
const enc = encodeURIComponent;
const FIX_PATCH = '20240904-filemap-recheck-v1-1-ines@example.org';

describe('series/:mid', () => {
  it('returns every version of the series from a patch of the latest one, with follow-up trailers', async () => {
    const res = await t.app.inject({ url: `/api/series/${enc('<20240910-swap-batch-v2-3-ravi@example.com>')}` });
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.title).toBe('mm/swap: batch swap cache lookups in swapin readahead');
    expect(s.versions.map((v: { version: string; superseded: boolean }) => [v.version, v.superseded])).toEqual([
      ['1', true],
      ['2', false],
    ]);
    const v2 = s.versions[1];
    expect(v2.patches.map((p: { index: number }) => p.index)).toEqual([1, 2, 3]);
    expect(v2.patches[2].previousMessageId).toBe('20240910-swap-batch-v1-3-ravi@example.com');
    const tested = v2.patches[2].trailers.find((t: { name: string }) => t.name === 'Tested-by');
    expect(tested).toMatchObject({ givenIn: 'swap-v2-tb@example.org', followup: true, person: { email: 'tlindqvist@example.com' } });
    expect(v2.coverTrailers.map((t: { name: string; fromCover: boolean }) => [t.name, t.fromCover])).toEqual([['Acked-by', true]]);
  });

  it('answers 404 for a message in no series', async () => {
    const res = await t.app.inject({ url: `/api/series/${enc('race-report-1@example.org')}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers 204 with no body for a message in no series when asked optional=1, and the series when there is one', async () => {
    const none = await t.app.inject({ url: `/api/series/${enc('race-report-1@example.org')}?optional=1` });
    expect(none.statusCode).toBe(204);
    expect(none.body).toBe('');
    const some = await t.app.inject({ url: `/api/series/${enc('20240910-swap-batch-v2-3-ravi@example.com')}?optional=1` });
    expect(some.statusCode).toBe(200);
    expect(some.json().title).toBe('mm/swap: batch swap cache lookups in swapin readahead');
  });
});

describe('fix-status/:key', () => {
  it('gives the status on each branch by patch Message-ID and by abbreviated commit alike', async () => {
    const byMid = await t.app.inject({ url: `/api/fix-status/${enc(FIX_PATCH)}` });
    expect(byMid.statusCode).toBe(200);
    const st = byMid.json();
    expect(st.fix).toMatchObject({ upstreamCommit: 'f53fddcf4fb819e21ff25072bc8f1ae3a54e0755', patchMessageId: FIX_PATCH, patchMatch: 'subject+author' });
    // The sample grows as the stable process is modelled further; the HTTP answer must be
    // the query function's, with dates as ISO strings.
    const direct = getFixStatus(t.db, FIX_PATCH);
    expect(Object.keys(st.branches).sort()).toEqual(Object.keys(direct.branches).sort());
    for (const [b, s] of Object.entries(direct.branches)) {
      const iso = (d: number | null): string | null => (d === null ? null : new Date(d).toISOString());
      expect(st.branches[b]).toEqual({
        ...s,
        since: iso(s.since),
        firstDate: iso(s.firstDate),
        lastDate: iso(s.lastDate),
        history: s.history.map((h) => ({ ...h, date: iso(h.date) })),
      });
    }
    expect(st.branches['6.1'].status).toBe('backport-posted');
    expect(st.branches['6.12'].status).toBe('in-review');
    for (const h of st.branches['6.1'].history) expect(h.date === null || /^\d{4}-\d\d-\d\dT/.test(h.date)).toBe(true);
    const byCommit = (await t.app.inject({ url: '/api/fix-status/f53fddcf' })).json();
    expect(byCommit).toEqual(st);
  });

  it('answers 404 for an unknown fix', async () => {
    const res = await t.app.inject({ url: '/api/fix-status/0123456789abcdef' });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('no stable history for 0123456789abcdef');
  });

  it('answers 204 for an unknown fix when asked optional=1, and still 400 for a bad parameter', async () => {
    const none = await t.app.inject({ url: '/api/fix-status/0123456789abcdef?optional=1' });
    expect(none.statusCode).toBe(204);
    expect(none.body).toBe('');
    const some = await t.app.inject({ url: `/api/fix-status/${enc(FIX_PATCH)}?optional=1` });
    expect(some.statusCode).toBe(200);
    expect(Object.keys(some.json().branches).sort()).toEqual(['6.1', '6.10', '6.12', '6.6']);
    expect((await t.app.inject({ url: '/api/fix-status/0123456789abcdef?other=1' })).statusCode).toBe(400);
  });
});

describe('stable', () => {
  it('answers the fixes x branches matrix, filtered by branch and status', async () => {
    const all = (await t.app.inject({ url: '/api/stable' })).json();
    expect(all.branches.map((b: { branch: string }) => b.branch)).toEqual(['6.12', '6.10', '6.6', '6.1']);
    expect(all.total).toBe(all.fixes.length);
    const row = all.fixes.find((f: { fix: { upstreamCommit: string | null } }) => f.fix.upstreamCommit === 'f53fddcf4fb819e21ff25072bc8f1ae3a54e0755');
    expect(row.cells['6.6']).toMatchObject({ status: 'released', release: { state: 'released', version: '6.6.54' } });
    expect(row.cells['6.1'].since).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await t.app.inject({ url: '/api/stable?branch=6.1.y' })).json()).toMatchObject({ total: 1 });
    expect((await t.app.inject({ url: '/api/stable?status=not-needed' })).json()).toMatchObject({ total: 1 });
    expect((await t.app.inject({ url: '/api/stable?branch=banana' })).statusCode).toBe(400);
  });
});

describe('stable/:branch', () => {
  it('lists the fixes of a branch with their status, accepting 6.1.y', async () => {
    const res = await t.app.inject({ url: '/api/stable/6.1.y' });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b).toMatchObject({ branch: '6.1', total: 1, offset: 0, limit: 100, counts: { 'backport-posted': 1 } });
    expect(b.fixes[0].fix.upstreamCommit).toBe('f53fddcf4fb819e21ff25072bc8f1ae3a54e0755');
    expect(b.fixes[0].status.status).toBe('backport-posted');
    // Every spelling the CLI accepts names the branch as the matrix does.
    expect((await t.app.inject({ url: '/api/stable/v6.1.x' })).json()).toMatchObject({ branch: '6.1', total: 1 });
  });

  it('filters by status and pages', async () => {
    expect((await t.app.inject({ url: '/api/stable/6.1?status=queued' })).json()).toMatchObject({ total: 0, fixes: [] });
    expect((await t.app.inject({ url: '/api/stable/6.1?offset=1' })).json()).toMatchObject({ total: 1, fixes: [] });
  });

  it('answers an unseen branch with an empty list and a malformed one or bad status with 400', async () => {
    expect((await t.app.inject({ url: '/api/stable/4.19' })).json()).toMatchObject({ total: 0, fixes: [] });
    const bad = await t.app.inject({ url: '/api/stable/banana' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ statusCode: 400, code: 'USAGE', error: 'Bad Request', message: "'banana' is not a stable branch (expected e.g. 6.6 or 6.6.y)" });
    const status = await t.app.inject({ url: '/api/stable/6.1?status=merged-somewhere' });
    expect(status.json()).toMatchObject({ statusCode: 400, code: 'USAGE', message: "querystring parameter 'status' must be equal to one of the allowed values" });
    expect((await t.app.inject({ url: '/api/stable/6.1?limit=201' })).json().code).toBe('LIMIT');
  });
});
