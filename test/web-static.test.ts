import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { LUNR_URL, webFiles } from '../server/routes/web.ts';

let db: Db;
let app: FastifyInstance;

beforeAll(async () => {
  db = openDb(':memory:');
  app = buildApp({ db, knowledgeBuilder: 'inline', simRunner: 'inline' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
});

describe('the web page files', () => {
  it('serves the page at / with the strict CSP, and every module it imports', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.body).toContain('<script type="module" src="/app.js"></script>');
    // Follow the import graph from app.js: a file the page imports but the server does not serve is a blank page.
    const seen = new Set<string>();
    const queue = ['/app.js'];
    while (queue.length) {
      const url = queue.pop() as string;
      if (seen.has(url)) continue;
      seen.add(url);
      const js = await app.inject({ url });
      expect(js.statusCode, url).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      for (const m of js.body.matchAll(/^import [^;]*? from '(\.{1,2}\/[^']+)';/gm)) queue.push(new URL(m[1] as string, `http://x${url}`).pathname);
    }
    expect(seen).toContain('/views/scenario.js');
    expect(seen).toContain('/lib/dom.js');
  });

  it("serves lunr's browser build for the knowledge index", async () => {
    const res = await app.inject({ url: LUNR_URL });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('lunr.Index.load');
  });

  it('serves nothing outside web/ and no directory listing', async () => {
    for (const url of ['/../package.json', '/views/', '/lib', '/%2e%2e/package.json']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('never turns data into markup: no innerHTML, outerHTML, insertAdjacentHTML or document.write in the page', () => {
    const scripts = [...webFiles().entries()].filter(([url]) => url.endsWith('.js') && url !== LUNR_URL);
    expect(scripts.length).toBeGreaterThan(5);
    for (const [url, file] of scripts) {
      expect(readFileSync(file, 'utf8'), url).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    }
  });

  it('has no inline script or style the CSP would block', () => {
    const html = readFileSync(webFiles().get('/index.html') as string, 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });
});
