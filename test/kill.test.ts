// kill -9 in the middle of an ingest, then rerun: the database must end up exactly as
// after one clean run (batches are atomic, the rerun resumes from the last one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { contentHashesInOrder, countMessages } from '../db/messages.ts';
import { threadAssignments } from '../db/threads.ts';
import { collectStats } from '../db/stats.ts';
import { listIngestErrors } from '../db/ingest-errors.ts';
import { generateArchive } from '../bench/generate-archive.ts';
import { REPO_ROOT } from './helpers/shared.ts';
import Database from 'better-sqlite3';

const BIN = join(REPO_ROOT, 'bin', 'loregraph.js');
const TOTAL = 800;
const BATCH = 100;

function digest(dbPath: string): { messages: number; digest: string } {
  const db = openDb(dbPath, { readonly: true });
  try {
    const h = createHash('sha256');
    h.update(contentHashesInOrder(db).join('\n'));
    h.update(JSON.stringify(threadAssignments(db)));
    h.update(JSON.stringify(listIngestErrors(db, 1e9).map((e) => [e.index, e.reason])));
    h.update(JSON.stringify(collectStats(db)));
    return { messages: countMessages(db), digest: h.digest('hex') };
  } finally {
    closeDb(db);
  }
}

function storedSoFar(dbPath: string): number {
  try {
    const db = openDb(dbPath, { readonly: true });
    try {
      return countMessages(db);
    } finally {
      closeDb(db);
    }
  } catch {
    return 0; // not created or not migrated yet
  }
}

/** Starts an ingest, kills it with SIGKILL once `stored(n)` holds, returns how many messages it had stored. */
async function killWhen(paths: string[], db: string, stored: (n: number) => boolean): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'ingest', ...paths, '--db', db, '--batch-size', String(BATCH)], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!stored(storedSoFar(db))) await new Promise((res) => setTimeout(res, 20));
  child.kill('SIGKILL');
  await exited;
  return storedSoFar(db);
}

describe('an ingest killed with SIGKILL', () => {
  let dir: string;
  let archive: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-kill-'));
    archive = generateArchive(TOTAL, join(dir, 'big.mboxrd'), 7).path;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Clean run, killed run, rerun; the rerun must end with the clean run's content. */
  async function killAndRerun(paths: string[], name: string, killAt: (n: number) => boolean): Promise<{ afterKill: number; total: number }> {
    const clean = join(dir, `${name}-clean.db`);
    const r = spawnSync(process.execPath, [BIN, 'ingest', ...paths, '--db', clean], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const want = digest(clean);

    const killed = join(dir, `${name}-killed.db`);
    const afterKill = await killWhen(paths, killed, killAt);
    expect(afterKill).toBeLessThan(want.messages);

    const rerun = spawnSync(process.execPath, [BIN, 'ingest', ...paths, '--db', killed, '--batch-size', String(BATCH)], { encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`${want.messages - afterKill} new, 0 duplicate, 0 malformed, 0 lenient, ${afterKill} already stored`));
    expect(digest(killed)).toEqual(want);
    return { afterKill, total: want.messages };
  }

  it('resumes on rerun to exactly the content of one clean run', { timeout: 240_000 }, async () => {
    // killed as soon as the first batch has committed
    const { afterKill, total } = await killAndRerun([archive], 'one', (n) => n >= BATCH);
    expect(total).toBe(TOTAL);
    expect(afterKill).toBeGreaterThanOrEqual(BATCH);
    // committed batches only: a multiple of the batch size
    expect(afterKill % BATCH).toBe(0);
  });

  it('resumes an append killed while it held the indexes back, to the content of one clean append', { timeout: 240_000 }, async () => {
    const base = generateArchive(150, join(dir, 'base.mboxrd'), 13).path;
    const populate = (db: string): void => {
      const r = spawnSync(process.execPath, [BIN, 'ingest', base, '--db', db], { encoding: 'utf8' });
      expect(r.status).toBe(0);
    };
    const clean = join(dir, 'append-clean.db');
    populate(clean);
    expect(spawnSync(process.execPath, [BIN, 'ingest', archive, '--db', clean], { encoding: 'utf8' }).status).toBe(0);
    const want = digest(clean);

    const killed = join(dir, 'append-killed.db');
    populate(killed);
    const afterKill = await killWhen([archive], killed, (n) => n >= 150 + BATCH);
    expect(afterKill).toBeLessThan(want.messages);
    // killed as it left it: indexes held back, the list in meta, written with fsync
    const raw = new Database(killed, { readonly: true });
    const marks = Object.fromEntries(raw.prepare(`SELECT key, value FROM meta WHERE key IN ('bulk_load_boot', 'deferred_indexes')`).raw().all() as [string, string][]);
    raw.close();
    expect(marks.bulk_load_boot).toBe('synced');
    expect(JSON.parse(marks.deferred_indexes ?? '[]').length).toBeGreaterThan(10);

    const rerun = spawnSync(process.execPath, [BIN, 'ingest', archive, '--db', killed, '--batch-size', String(BATCH)], { encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    expect(digest(killed)).toEqual(want);
    const indexNames = (p: string): string[] => {
      const d = new Database(p, { readonly: true });
      const names = d.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name`).pluck().all() as string[];
      d.close();
      return names;
    };
    expect(indexNames(killed)).toEqual(indexNames(clean));
  });

  it('resumes a run of two archives killed while the second was being written', { timeout: 240_000 }, async () => {
    // 450 messages: the first archive ends with a part batch, committed with its completion
    const first = generateArchive(450, join(dir, 'first.mboxrd'), 11).path;
    const { afterKill, total } = await killAndRerun([first, archive], 'two', (n) => n > 450);
    expect(total).toBe(450 + TOTAL);
    // all of the first archive, then whole batches of the second
    expect(afterKill).toBeGreaterThan(450);
    expect((afterKill - 450) % BATCH).toBe(0);
  });
});
