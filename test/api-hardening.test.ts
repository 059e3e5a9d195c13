// The connection-level reproducers of issue #13, on a listening server: a stalled body and
// a slowloris header are cut off by the request timeouts, Node's own 400 and 431 carry the
// security headers and our error body, the feed's links never come from the Host header,
// and a client that hangs up cancels its search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.ts';
import { openDb } from '../db/connection.ts';
import { SECURITY_HEADERS } from '../server/security.ts';
import type { SearchRunner } from '../server/search-runner.ts';
import { normalizeBaseUrl } from '../server/base-url.ts';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';

let app: FastifyInstance;
let port: number;
/** What the stand-in search runner saw: one entry per job, true once its signal fired. */
const aborted: boolean[] = [];

beforeAll(async () => {
  // Searches never answer: the test of a client that leaves needs one in flight.
  const runner: SearchRunner = {
    run: (_job, signal) =>
      new Promise((_resolve, reject) => {
        const i = aborted.push(false) - 1;
        signal?.addEventListener('abort', () => {
          aborted[i] = true;
          reject(new Error('cancelled'));
        });
      }),
    stats: () => null,
    close: async () => {},
  };
  app = buildApp({
    db: openDb(':memory:'),
    searchRunner: runner,
    limits: { headersTimeoutMs: 500, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 500 },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});
afterAll(async () => {
  await app.close();
});

interface RawAnswer {
  text: string;
  closedAfterMs: number;
}

/** Writes `parts` (with `gapMs` between them) on a fresh connection; resolves with all it got once the server closes it. */
function raw(parts: (string | Buffer)[], gapMs = 0, giveUpMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const sock = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    sock.on('data', (d) => got.push(d));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(got).toString('latin1'), closedAfterMs: Date.now() - t0 });
    });
    sock.on('connect', async () => {
      for (const p of parts) {
        if (sock.destroyed) return;
        sock.write(p);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

function headersOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n\r\n')[0]!.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    out[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function expectSecurityHeaders(text: string): void {
  const h = headersOf(text);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(h[k], k).toBe(v);
}

describe('connection bounds', () => {
  it('answers a body that stalls (100 bytes announced, 10 sent) with 408 and closes the connection', async () => {
    const head = `POST /api/scenarios/x/replay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const r = await raw([head, '{"steps":['], 0);
    expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
    expectSecurityHeaders(r.text);
    expect(JSON.parse(r.text.split('\r\n\r\n')[1]!)).toMatchObject({ statusCode: 408, code: 'TIMEOUT' });
    // requestTimeout 1 s, checked every second.
    expect(r.closedAfterMs).toBeLessThan(5_000);
  });

  it('closes a connection whose headers trickle in (slowloris)', async () => {
    const parts = ['GET /api/healthz HTTP/1.1\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: y\r\n`)];
    const r = await raw(parts, 200);
    expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.closedAfterMs).toBeLessThan(5_000);
  });

  it("gives Node's own 431 (a 20 KB header) and 400 (a raw 0xFF in the path) the security headers and an error body", async () => {
    const big = await raw([`GET /api/healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expect(big.text).toMatch(/^HTTP\/1\.1 431 /);
    expectSecurityHeaders(big.text);
    expect(JSON.parse(big.text.split('\r\n\r\n')[1]!)).toMatchObject({ statusCode: 431, code: 'LIMIT' });
    const bad = await raw([Buffer.concat([Buffer.from('GET /api/\xff HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1')])]);
    expect(bad.text).toMatch(/^HTTP\/1\.1 400 /);
    expectSecurityHeaders(bad.text);
    expect(JSON.parse(bad.text.split('\r\n\r\n')[1]!)).toMatchObject({ statusCode: 400, code: 'BAD_INPUT' });
  });

  it('cancels the search of a client that hangs up', async () => {
    const before = aborted.length;
    await new Promise<void>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => {
        sock.write('GET /api/search?q=folio HTTP/1.1\r\nHost: x\r\n\r\n');
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 200);
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(aborted.length).toBe(before + 1);
    expect(aborted[before]).toBe(true);
  });
});

describe('feed links', () => {
  it('come from where the server listens when no base URL is configured, whatever the Host header says', async () => {
    const db = openDb(':memory:');
    const local = buildApp({ db });
    try {
      await local.listen({ port: 0, host: '127.0.0.1' });
      const addr = local.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      const res = await fetch(`http://127.0.0.1:${p}/api/feed.atom?q=folio`, { headers: { 'x-forwarded-host': 'evil.example' } });
      const body = await res.text();
      expect(body).toContain(`<link rel="self" href="http://127.0.0.1:${p}/api/feed.atom?q=folio"/>`);
      const spoofed = await local.inject({ url: '/api/feed.atom?q=folio', headers: { host: 'evil.example' } });
      expect(spoofed.body).not.toContain('evil.example');
    } finally {
      await local.close();
    }
  });

  it('serve refuses a --base-url that is not one, before opening anything', async () => {
    const io = captureIO();
    expect(await main(['serve', '--base-url', 'lore.example', '--db', '/nonexistent/x.db'], io)).toBe(2);
    expect(io.stderr()).toBe("loregraph: --base-url must be an absolute http(s) URL, got 'lore.example'\n");
  });

  it('--base-url takes an absolute http(s) URL and nothing else', () => {
    expect(normalizeBaseUrl('https://lore.example/kg')).toBe('https://lore.example/kg/');
    expect(normalizeBaseUrl('http://[::1]:8080')).toBe('http://[::1]:8080/');
    for (const bad of ['lore.example', 'javascript:alert(1)', 'https://u:p@lore.example/', 'https://lore.example/?q=1', 'ftp://x/']) {
      expect(() => normalizeBaseUrl(bad), bad).toThrow(/--base-url/);
    }
  });
});
