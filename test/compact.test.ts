// `loregraph compact`: a database written before migration 011 (every body and header map
// as text in its row, its raw bytes compressed on their own) put in today's layout reads
// exactly as before, in a smaller file.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { getStoredMessage, type StoredMessage } from '../db/message-view.ts';
import { allRawInRowOrder } from '../db/messages.ts';
import { PACK_MESSAGES } from '../db/raw-packs.ts';
import { SAMPLE_DIR } from '../ingest/seed.ts';
import { searchMessages } from '../server/search.ts';
import { captureIO } from './helpers/cli-io.ts';
import { ingestAtSchema } from './helpers/old-schema.ts';

let dir: string;
let path: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-compact-'));
  path = join(dir, 'old.db');
  await ingestAtSchema(path, 10, [join(SAMPLE_DIR, 'linux-mm.mboxrd')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Snapshot {
  messages: (StoredMessage | null)[];
  raw: string[];
  hits: string[];
}

function snapshot(db: Db): Snapshot {
  const ids = db.sql.prepare('SELECT id FROM messages ORDER BY id').pluck().all() as number[];
  return {
    messages: ids.map((id) => getStoredMessage(db, id)),
    raw: [...allRawInRowOrder(db)].map((r) => r.bytes.toString('base64')),
    hits: searchMessages(db, 'folio', { limit: 50 }).hits.map((h) => `${h.messageId} ${h.snippet.map((s) => s.text).join('')}`),
  };
}

const layout = (db: Db) =>
  db.sql.prepare('SELECT COUNT(*) AS n, COUNT(body_start) AS spans, COUNT(body_codec) AS packed, SUM(headers_from_raw) AS headers, COUNT(raw_pack) AS rawPacked, (SELECT COUNT(*) FROM raw_packs) AS packs FROM messages').get() as Record<string, number>;

async function compact(): Promise<string> {
  const io = captureIO();
  expect(await main(['compact', '--db', path], io)).toBe(0);
  return io.stdout();
}

describe('loregraph compact', () => {
  it('reads every message, raw byte and snippet as before, from rows that no longer store what the raw bytes hold, in a smaller file', async () => {
    const db = openDb(path);
    const before = snapshot(db);
    expect(layout(db)).toMatchObject({ spans: 0, packed: 0, headers: 0, rawPacked: 0, packs: 0 });
    closeDb(db);
    const sizeBefore = statSync(path).size;

    const out = await compact();
    expect(out).toMatch(/^compacted \d+ rows: \d+ bodies read from the raw bytes, \d+ packed, \d+ header maps read from the raw bytes; raw bytes of \d+ rows in \d+ packs; [\d.]+ MB -> [\d.]+ MB\n$/);

    const after = openDb(path);
    const l = layout(after);
    expect(l['spans']).toBeGreaterThan(l['n']! / 2);
    expect(l['headers']).toBe(l['n']);
    // every row's raw bytes in packs of PACK_MESSAGES consecutive rows, the last one short
    expect(l['rawPacked']).toBe(l['n']);
    expect(l['packs']).toBe(Math.ceil(l['n']! / PACK_MESSAGES));
    expect(out).toContain(`raw bytes of ${l['n']} rows in ${l['packs']} packs`);
    expect(snapshot(after)).toEqual(before);
    closeDb(after);
    expect(statSync(path).size).toBeLessThan(sizeBefore);
  });

  it('finds nothing left to do the second time', async () => {
    const db = openDb(path);
    const l = layout(db);
    closeDb(db);
    expect(await compact()).toMatch(new RegExp(`^compacted ${l['n']! - l['spans']! - l['packed']!} rows: 0 bodies read from the raw bytes, 0 packed, 0 header maps read from the raw bytes; raw bytes of 0 rows in 0 packs;`));
  });
});
