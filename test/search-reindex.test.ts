import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { clearSearchIndex, countIndexedMessages } from '../db/search.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import { ingestPaths, type ReadArchive } from '../ingest/pipeline.ts';
import { searchMessages } from '../server/search.ts';
import { main } from '../cli/main.ts';
import type { CliIO } from '../cli/command.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'search', 'list.mbox');
const QUERIES = ['writeback', 'dfn:mm/khugepaged.c', 'q:pagecache', 'f:zoe', 's:recon*', '"race with truncate"', 'dfhh:cifs_writepages'];

const readFixture: ReadArchive = async (path, onMessage) => {
  const parts = readFileSync(path, 'latin1').split(/^From mboxrd@z[^\n]*\n/m).filter((p) => p.trim() !== '');
  for (const [index, p] of parts.entries()) await onMessage({ bytes: Buffer.from(p, 'latin1'), position: { source: path, offset: 0, index } });
};

function io(): CliIO & { text: () => string } {
  let s = '';
  return { out: (x) => void (s += x), err: (x) => void (s += x), writeBytes: () => {}, isTTY: false, text: () => s };
}

let dir: string;
let dbPath: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-reindex-'));
  dbPath = join(dir, 'x.db');
  const db = openDb(dbPath);
  await ingestPaths(db, [FIXTURE], { worker: false, read: readFixture });
  closeDb(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function answers(): string[][] {
  const db = openDb(dbPath, { readonly: true });
  try {
    return QUERIES.map((q) => searchMessages(db, q).hits.map((h) => h.messageId));
  } finally {
    closeDb(db);
  }
}

describe('loregraph reindex', () => {
  it('rebuilds an emptied index to give the same answers as the one ingest wrote', async () => {
    const before = answers();
    expect(before.every((a) => a.length > 0)).toBe(true);

    const db = openDb(dbPath);
    runInTransaction(db, () => clearSearchIndex(db));
    expect(countIndexedMessages(db)).toBe(0);
    closeDb(db);
    expect(answers().every((a) => a.length === 0)).toBe(true);

    const out = io();
    expect(await main(['reindex', '--db', dbPath], out)).toBe(0);
    expect(out.text()).toMatch(/^reindexed 6 messages in \d+\.\d s\n$/);
    expect(answers()).toEqual(before);
  });

  it('is idempotent: reindexing twice leaves one index entry per message', async () => {
    expect(await main(['reindex', '--db', dbPath], io())).toBe(0);
    expect(await main(['reindex', '--db', dbPath], io())).toBe(0);
    const db = openDb(dbPath, { readonly: true });
    expect(countIndexedMessages(db)).toBe(6);
    closeDb(db);
  });

  it('refuses a database that does not exist instead of creating an empty one', async () => {
    const out = io();
    expect(await main(['reindex', '--db', join(dir, 'missing.db')], out)).toBe(1);
    expect(out.text()).toMatch(/no database at .*missing\.db: run 'loregraph ingest' first/);
  });
});
