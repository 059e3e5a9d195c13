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

describe('an ingest killed with SIGKILL', () => {
  let dir: string;
  let archive: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-kill-'));
    archive = generateArchive(TOTAL, join(dir, 'big.mboxrd'), 7).path;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes on rerun to exactly the content of one clean run', { timeout: 240_000 }, async () => {
    const clean = join(dir, 'clean.db');
    const r = spawnSync(process.execPath, [BIN, 'ingest', archive, '--db', clean], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const want = digest(clean);
    expect(want.messages).toBe(TOTAL);

    const killed = join(dir, 'killed.db');
    const child = spawn(process.execPath, [BIN, 'ingest', archive, '--db', killed, '--batch-size', String(BATCH)], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let atKill = 0;
    // kill as soon as the first batch has committed
    while (atKill < BATCH) {
      await new Promise((res) => setTimeout(res, 20));
      atKill = storedSoFar(killed);
    }
    child.kill('SIGKILL');
    await exited;
    const afterKill = storedSoFar(killed);
    expect(afterKill).toBeGreaterThanOrEqual(BATCH);
    expect(afterKill).toBeLessThan(TOTAL);
    // committed batches only: a multiple of the batch size
    expect(afterKill % BATCH).toBe(0);

    const rerun = spawnSync(process.execPath, [BIN, 'ingest', archive, '--db', killed, '--batch-size', String(BATCH)], { encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`${TOTAL - afterKill} new, 0 duplicate, 0 malformed, 0 lenient, ${afterKill} already stored`));
    expect(digest(killed)).toEqual(want);
  });
});
