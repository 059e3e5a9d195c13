// kill -9 once every message of a run is stored but before its end-of-run passes commit
// (the knowledge thread pass among them), then rerun: the rerun reads nothing new, yet must
// end with exactly the races, fixes and stances of one clean run. The passes commit in one
// transaction, so any kill inside them leaves the database as this kill does; holding the
// write lock from here pins the ingest there until the kill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { getRace, listRaces } from '../db/knowledge.ts';
import { collectStats } from '../db/stats.ts';
import { toMboxrd } from '../ingest/read/mboxrd-write.ts';
import { mailText } from './fixtures/ingest/mail.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const BIN = join(REPO_ROOT, 'bin', 'loregraph.js');
const RACES = 60;

/** RACES race families written by us, each a report thread and a patch thread that Closes: it. */
function raceArchive(path: string): number {
  const mails: string[] = [];
  const day = (n: number, h: number): string => new Date(Date.UTC(2024, 0, 1 + n, h)).toUTCString();
  for (let i = 0; i < RACES; i++) {
    const fn = `foo${i}`;
    const report = `report-${i}@example.org`;
    const patch = `patch-${i}@example.org`;
    const subject = `[BUG] ${fn}: lost write when ${fn}_write() races with ${fn}_truncate()`;
    const diff = `diff --git a/fs/${fn}/file.c b/fs/${fn}/file.c\n--- a/fs/${fn}/file.c\n+++ b/fs/${fn}/file.c\n@@ -10,3 +10,4 @@ static int ${fn}_write(void)\n \tint a;\n+\tmutex_lock(&${fn}_mutex);\n \treturn 0;\n`;
    mails.push(
      mailText({
        id: report,
        subject,
        date: day(i, 8),
        body: `Hi,\n\nThere is a race between ${fn}_write() and ${fn}_truncate() that loses data:\n\n  CPU0                          CPU1\n  ${fn}_write()\n                                ${fn}_truncate()\n    copy_to_folio()\n                                  folio_clear_dirty()\n\nThe write is lost.\n`,
      }),
      mailText({
        id: `idea-${i}@example.org`,
        subject: `Re: ${subject}`,
        inReplyTo: report,
        references: [report],
        date: day(i, 9),
        body: `On Mon, Jan 1, 2024 at 08:00:00AM +0000, Ada wrote:\n> There is a race between ${fn}_write() and ${fn}_truncate()\n\nSomething like this? Untested:\n\n${diff}`,
      }),
      mailText({
        id: patch,
        subject: `[PATCH] ${fn}: take ${fn}_mutex in ${fn}_write()`,
        date: day(i, 10),
        body: `${fn}_write() races with ${fn}_truncate() and loses the write. Take the mutex.\n\nCloses: https://lore.kernel.org/r/${report}/\nSigned-off-by: Bea <bea@example.org>\n---\n${diff}`,
      }),
      mailText({
        id: `objection-${i}@example.org`,
        subject: `Re: [PATCH] ${fn}: take ${fn}_mutex in ${fn}_write()`,
        inReplyTo: patch,
        references: [patch],
        date: day(i, 11),
        body: `On Mon, Jan 1, 2024 at 10:00:00AM +0000, Bea wrote:\n> ${fn}_write() races with ${fn}_truncate() and loses the write. Take the mutex.\n\nI don't think this is enough, there is still a race with ${fn}_evict().\n`,
      }),
      mailText({
        id: `review-${i}@example.org`,
        subject: `Re: [PATCH] ${fn}: take ${fn}_mutex in ${fn}_write()`,
        inReplyTo: patch,
        references: [patch],
        date: day(i, 12),
        body: `Looks good.\n\nReviewed-by: Cy <cy@example.org>\n`,
      }),
    );
  }
  writeFileSync(path, Buffer.concat(mails.map((m) => toMboxrd(Buffer.from(m)))));
  return mails.length;
}

/** What the knowledge graph holds, with the counters stats reports. */
function content(dbPath: string): string {
  const db = openDb(dbPath, { readonly: true });
  try {
    return JSON.stringify({ stats: collectStats(db), races: listRaces(db).races.map((r) => getRace(db, r.id)) });
  } finally {
    closeDb(db);
  }
}

function stored(dbPath: string): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created or not migrated yet
  }
}

describe('an ingest killed before its knowledge pass commits', () => {
  let dir: string;
  let archive: string;
  let total: number;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lg-kill-knowledge-'));
    archive = join(dir, 'races.mboxrd');
    total = raceArchive(archive);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reruns to exactly the races, fixes and stances of one clean run', { timeout: 240_000 }, async () => {
    const clean = join(dir, 'clean.db');
    const r = spawnSync(process.execPath, [BIN, 'ingest', archive, '--db', clean], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const want = content(clean);
    expect(JSON.parse(want).stats.races).toBeGreaterThan(RACES / 2);

    const killed = join(dir, 'killed.db');
    const child = spawn(process.execPath, [BIN, 'ingest', archive, '--db', killed, '--batch-size', '100'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    while (stored(killed) < total) await new Promise((res) => setTimeout(res, 5));
    // Every message is in; the ingest is now marking its source, building indexes or in its
    // passes. Holding the write lock stops it at its next write, before the passes commit.
    const lock = new Database(killed, { timeout: 60_000 });
    lock.exec('BEGIN IMMEDIATE');
    const mark = lock.prepare(`SELECT value FROM meta WHERE key = 'knowledge_done_upto'`).pluck().get() as string | undefined;
    child.kill('SIGKILL');
    await exited;
    lock.exec('ROLLBACK');
    lock.close();
    // the kill came before the thread pass committed: no race was stored yet
    expect(mark === undefined || mark === '0').toBe(true);
    expect(JSON.parse(content(killed)).stats.races).toBe(0);

    const rerun = spawnSync(process.execPath, [BIN, 'ingest', archive, '--db', killed], { encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`0 new, 0 duplicate, 0 malformed, 0 lenient, ${total} already stored`));
    expect(content(killed)).toEqual(want);
  });
});
