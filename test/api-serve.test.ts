import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import type { CliIO } from '../cli/command.ts';
import { startServer, type RunningServer } from '../server/main.ts';

function io(): CliIO & { text: () => string } {
  let s = '';
  return { out: (t) => void (s += t), err: (t) => void (s += t), writeBytes: () => undefined, isTTY: false, text: () => s };
}

describe('loregraph serve', () => {
  it('refuses a bad port and an unknown option with usage errors', async () => {
    const a = io();
    expect(await main(['serve', '--port', 'eighty'], a)).toBe(2);
    expect(a.text()).toBe("loregraph: --port must be 0..65535, got 'eighty'\n");
    const b = io();
    expect(await main(['serve', '--frob'], b)).toBe(2);
    expect(b.text()).toMatch(/^loregraph: Unknown option '--frob'/);
    const c = io();
    expect(await main(['serve', '--search-workers', 'many'], c)).toBe(2);
    expect(c.text()).toBe("loregraph: --search-workers must be 0..16, got 'many'\n");
  });

  it('fails clearly on a database that does not exist without --seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-serve-missing-'));
    try {
      const c = io();
      expect(await main(['serve', '--db', join(dir, 'none.db'), '--port', '0'], c)).toBe(1);
      expect(c.text()).toMatch(/cannot open database .*none\.db/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startServer with --seed', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lg-serve-'));
    server = await startServer({ dbPath: join(dir, 'seeded.db'), port: 0, host: '127.0.0.1', seed: true });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the empty database from the sample and answers over real HTTP, read-only', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const health = await fetch(`${server.url}api/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', readonly: true });
    expect(health.headers.get('x-frame-options')).toBe('DENY');
    const stats = (await (await fetch(`${server.url}api/stats`)).json()) as { counts: { messages: number } };
    expect(stats.counts.messages).toBeGreaterThan(10);
    const search = (await (await fetch(`${server.url}api/search?q=s%3Aswap`)).json()) as { total: number };
    expect(search.total).toBeGreaterThan(0);
  });
});
