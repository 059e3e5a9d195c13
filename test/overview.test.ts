// What the first page says an archive holds: /api/stats's overview over the embedded sample.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ensureSeeded } from '../ingest/seed.ts';
import { archiveOverview } from '../db/overview.ts';
import { buildApp } from '../server/app.ts';
import { REPO_ROOT } from './helpers/shared.ts';

let dir: string;
let db: Db;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-overview-'));
  await ensureSeeded(join(dir, 'db.sqlite'), { worker: false });
  db = openDb(join(dir, 'db.sqlite'), { readonly: true });
}, 60_000);
afterAll(() => {
  if (db) closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('archiveOverview', () => {
  it('counts the messages of each list, and they add up to every message', () => {
    const o = archiveOverview(db);
    const total = (db.sql.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
    expect(o.lists.reduce((n, l) => n + l.messages, 0)).toBe(total);
    expect(o.lists[0]).toEqual({ list: 'linux-mm.kvack.org', messages: 23 });
  });

  it('gives the date range, the stable branches with fixes seen and the newest series first', () => {
    const o = archiveOverview(db);
    expect(o.firstDate).not.toBeNull();
    expect(o.firstDate!).toBeLessThanOrEqual(o.lastDate!);
    expect(o.stableBranches.map((b) => b.branch)).toEqual(['6.12', '6.10', '6.6', '6.1']);
    expect(o.recentSeries[0]?.title).toBe('lumafs: lock the folio and wait for writeback in lumafs_page_mkwrite()');
    // named as a reader knows the sender, beside the address a query needs
    expect(o.recentSeries[0]).toMatchObject({ sender: 'annika.berg@example.net', senderName: 'Annika Berg' });
    const dates = o.recentSeries.map((s) => s.date!);
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
  });

  it('lists a series posted in several versions once, as its newest version', () => {
    const o = archiveOverview(db, 50);
    const titles = o.recentSeries.map((s) => s.title);
    expect(new Set(titles).size).toBe(titles.length);
    const versions = db.sql.prepare('SELECT title, COUNT(*) AS n, MAX(date) AS newest FROM series GROUP BY title HAVING n > 1').all() as { title: string; n: number; newest: number }[];
    expect(versions.length).toBeGreaterThan(0);
    for (const v of versions) {
      const shown = o.recentSeries.find((s) => s.title === v.title);
      if (shown) expect(shown.date).toBe(v.newest);
    }
  });

  it('is served in /api/stats with ISO dates', async () => {
    const app = buildApp({ db, scenarioDir: join(REPO_ROOT, 'test/fixtures/sim'), simRunner: 'inline', knowledgeBuilder: 'inline' });
    try {
      const res = await app.inject({ url: '/api/stats' });
      const body = res.json() as { overview: { firstDate: string; lists: unknown[]; recentSeries: { date: string }[] } };
      expect(body.overview.firstDate).toMatch(/^2024-09-\d\dT/);
      expect(body.overview.lists.length).toBe(5);
      expect(body.overview.recentSeries[0]?.date).toBe(new Date(archiveOverview(db).recentSeries[0]!.date!).toISOString());
    } finally {
      await app.close();
    }
  });
});
