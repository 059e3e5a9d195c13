import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { useTestApp } from './helpers/test-app.ts';
import { SECURITY_HEADERS } from '../server/security.ts';

const t = useTestApp();

describe('health, stats and error bodies', () => {
  it('answers healthz with the schema version it reads from the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', schemaVersion: SCHEMA_VERSION, readonly: false });
  });

  it('answers an unknown route with a NOT_FOUND error body', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'no route GET /api/nope' });
  });

  it('puts the security headers on successes and on errors alike', async () => {
    for (const url of ['/api/healthz', '/api/nope']) {
      const res = await t.app.inject({ method: 'GET', url });
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(res.headers[k]).toBe(v);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('refuses query parameters on a route that takes none', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/healthz?verbose=1' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ statusCode: 400, code: 'USAGE', error: 'Bad Request', message: "querystring parameter 'verbose' is not a known parameter" });
  });

  it('refuses a URL longer than the limit with a LIMIT error', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/healthz?pad=' + 'x'.repeat(9000) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'LIMIT', message: expect.stringMatching(/limit is 8192/) });
  });

  it('refuses a request body over bodyLimit with 413 LIMIT and a malformed JSON body with 400', async () => {
    const small = buildApp({ db: t.db, limits: { bodyLimit: 1024 } });
    small.post('/api/test-body', async () => ({ ok: true }));
    await small.ready();
    const big = await small.inject({ method: 'POST', url: '/api/test-body', payload: JSON.stringify({ x: 'y'.repeat(2000) }), headers: { 'content-type': 'application/json' } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ statusCode: 413, code: 'LIMIT', error: 'Payload Too Large' });
    const bad = await small.inject({ method: 'POST', url: '/api/test-body', payload: '{"x":', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('BAD_INPUT');
    const media = await small.inject({ method: 'POST', url: '/api/test-body', payload: 'x', headers: { 'content-type': 'application/x-unknown' } });
    expect(media.statusCode).toBe(415);
    expect(media.json().code).toBe('BAD_INPUT');
    await small.close();
  });

  it('hides the cause of an unexpected failure behind a 500 INTERNAL body', async () => {
    const failing = buildApp({ db: t.db });
    failing.get('/api/test-fail', async () => {
      throw new Error('SQLITE_CORRUPT at /secret/path');
    });
    await failing.ready();
    const res = await failing.inject({ url: '/api/test-fail' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, code: 'INTERNAL', error: 'Internal Server Error', message: 'internal error' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    await failing.close();
  });
});

describe('the optional page', () => {
  it('serves our three static files with their types and the strict headers, scripts from this origin only', async () => {
    const page = await t.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script type="module" src="/app.js"></script>');
    expect(page.body).not.toMatch(/<script>|\son[a-z]+=/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const js = await t.app.inject({ url: '/app.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // The page never turns text into markup.
    expect(js.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await t.app.inject({ url: '/style.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    // the page names its icon, from its own origin as the CSP wants, so no /favicon.ico is asked for and missed
    expect(page.body).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    const icon = await t.app.inject({ url: '/favicon.svg' });
    expect([icon.statusCode, icon.headers['content-type']]).toEqual([200, 'image/svg+xml']);
  });
});
