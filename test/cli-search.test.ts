import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';
import { TOTAL_CAP } from '../db/search.ts';

describe('loregraph search (test/fixtures/am/two-versions.mbox)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-cli-search-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'db.sqlite');
  const w = openDb(dbPath);
  await ingestPaths(w, [join(import.meta.dirname, 'fixtures', 'am', 'two-versions.mbox')], { worker: false });
  closeDb(w);
  const run = async (...args: string[]) => {
    const io = captureIO();
    const code = await main(['search', ...args, '--db', dbPath], io);
    return { code, out: io.stdout(), err: io.stderr(), bytes: io.bytes().toString('utf8') };
  };

  it('prints one line a hit, newest first with --sort date, and the count on stderr', async () => {
    const r = await run('s:beta', '--sort', 'date');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        '2026-11-09  Ada Builder               [PATCH v2 1/2] lib: shout beta  <v2-1@example.org>',
        '2026-11-03  Rita Reviewer             Re: [PATCH 1/2] lib: shout beta  <r1@example.org>',
        '2026-11-02  Ada Builder               [PATCH 1/2] lib: shout beta  <v1-1@example.org>',
        '',
      ].join('\n'),
    );
    expect(r.err).toBe('3 shown of 3 messages\n');
  });

  it('--ids --threads lists every message of the matching threads; --mbox writes them for git am or mutt', async () => {
    const ids = await run('f:rita', '--ids', '--threads');
    expect(ids.out.trim().split('\n').sort()).toEqual(['r1@example.org', 'r2@example.org', 'v1-1@example.org', 'v1-2@example.org', 'v1-cover@example.org']);
    const mbox = await run('m:v2-2@example.org', '--mbox');
    expect(mbox.bytes.startsWith('From mboxrd@z Thu Jan  1 00:00:00 1970\n')).toBe(true);
    expect(mbox.bytes).toContain('Subject: [PATCH v2 2/2] util: count to four\n');
    expect(mbox.bytes.match(/^From mboxrd@z /gm)).toHaveLength(1);
  });

  it('--json gives the API\'s hits; a bad query exits 2 with the API\'s message', async () => {
    const j = JSON.parse((await run('v2-cover@example.org', '--json')).out) as { total: number; hits: { messageId: string }[] };
    expect(j.hits.map((h) => h.messageId)).toEqual(['v2-cover@example.org']);
    const bad = await run('s:fix', 'zz:x');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^loregraph: unknown prefix 'zz:' \(known: .*\) at column 7\n$/);
    expect((await run('x', '--ids', '--mbox')).code).toBe(2);
  });
});

describe('loregraph search past the count the search stops at', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-cli-search-many-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'db.sqlite');
  // more messages than TOTAL_CAP (db/search.ts), where the total says "more than" and stops being an end
  const N = TOTAL_CAP + 25;
  const mbox = Array.from({ length: N }, (_, i) => {
    const day = String(1 + (i % 28)).padStart(2, '0');
    return `From a@example.org Mon Nov  2 10:00:00 2026\nFrom: A <a@example.org>\nSubject: note ${i}\nMessage-ID: <n${i}@example.org>\nDate: Mon, ${day} Nov 2026 10:00:00 +0000\n\nbody ${i}\n`;
  }).join('\n');
  writeFileSync(join(dir, 'many.mbox'), mbox);
  const w = openDb(dbPath);
  await ingestPaths(w, [join(dir, 'many.mbox')], { worker: false });
  closeDb(w);

  it('--limit above the capped total still gives every match', async () => {
    const io = captureIO();
    expect(await main(['search', 'd:2026-11-01..', '--ids', '--limit', String(N + 100), '--db', dbPath], io)).toBe(0);
    expect(new Set(io.stdout().trim().split('\n')).size).toBe(N);
  });
});
