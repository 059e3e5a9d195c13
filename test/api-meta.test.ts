import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { closeDb, openDb, SCHEMA_VERSION, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { SECURITY_HEADERS } from '../server/security.ts';

let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  db = openDb(':memory:');
  app = buildApp({ db });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
});

describe('health, stats and error bodies', () => {
  it('answers healthz with the schema version it reads from the database', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', schemaVersion: SCHEMA_VERSION, readonly: false });
  });

  it('answers an unknown route with a NOT_FOUND error body', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'no route GET /api/nope' });
  });

  it('puts the security headers on successes and on errors alike', async () => {
    for (const url of ['/api/healthz', '/api/nope']) {
      const res = await app.inject({ method: 'GET', url });
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(res.headers[k]).toBe(v);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('refuses a URL longer than the limit with a LIMIT error', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/healthz?pad=' + 'x'.repeat(9000) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'LIMIT', message: expect.stringMatching(/limit is 8192/) });
  });
});
