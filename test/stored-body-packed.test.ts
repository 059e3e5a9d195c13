// A body that is not a run of its raw bytes is stored compressed (db/migrations/012_packed_body.sql):
// every reader still sees the parser's text, and rows from before 012 read as they did.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, schemaVersion, SCHEMA_VERSION, type Db } from '../db/connection.ts';
import { getStoredMessage } from '../db/message-view.ts';
import { allRawInRowOrder } from '../db/messages.ts';
import { indexSourceRows } from '../db/search.ts';
import { parseMessage } from '../ingest/parse.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { searchMessages } from '../server/search.ts';
import { ingestAtSchema } from './helpers/old-schema.ts';

const PARAGRAPH = 'The readahead window grows past the end of the file when truncate races with it; caf=C3=A9 =\nand tea.\n';

function quoted(id: string, paragraphs: number): string {
  return [
    'From: Zoe Reviewer <zoe@example.org>',
    'To: list@example.org',
    `Subject: Re: [PATCH] mm: stop readahead at EOF (${id})`,
    'Date: Tue, 2 Jan 2024 11:00:00 +0000',
    `Message-ID: <${id}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    PARAGRAPH.repeat(paragraphs),
  ].join('\n');
}

const LONG = quoted('long.1', 40);
const SHORT = quoted('short.2', 1);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-packed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function mbox(name: string, mails: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, mails.map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m}\n`).join(''));
  return path;
}

/** The body the parser gives each stored copy's raw bytes, by Message-ID. */
async function parsedBodies(db: Db): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of allRawInRowOrder(db)) out.set(r.messageId, (await parseMessage({ bytes: r.bytes, position: { source: 't', offset: 0, index: 0 } })).body);
  return out;
}

describe('a body stored compressed', () => {
  it('packs a long decoded body, keeps a short one as text, and reads both back as the parser gave them', async () => {
    const db = openDb(join(dir, 'a.db'));
    await ingestPaths(db, [mbox('a.mbox', [LONG, SHORT])], { worker: false });
    const rows = db.sql.prepare('SELECT id, typeof(body) AS type, length(body) AS size, body_codec, body_start FROM messages ORDER BY id').all() as {
      id: number;
      type: string;
      size: number;
      body_codec: string | null;
      body_start: number | null;
    }[];
    const parsed = await parsedBodies(db);
    const long = parsed.get('long.1@example.org') ?? '';
    const short = parsed.get('short.2@example.org') ?? '';
    expect(long).toContain('café and tea.');
    expect(rows.map((r) => [r.type, r.body_codec, r.body_start])).toEqual([
      ['blob', 'brotli', null],
      ['text', null, null],
    ]);
    expect(rows[0]?.size).toBeLessThan(Buffer.byteLength(long) / 10);
    expect(getStoredMessage(db, rows[0]?.id ?? 0)?.body).toBe(long);
    expect(getStoredMessage(db, rows[1]?.id ?? 0)?.body).toBe(short);
    expect(indexSourceRows(db, 0, 10).map((r) => r.body)).toEqual([long, short]);
    const hit = searchMessages(db, 'readahead', { sort: 'date' }).hits.find((h) => h.messageId === 'long.1@example.org');
    expect(hit?.snippet.map((s) => s.text).join('')).toContain('readahead window grows');
    // byte-exact: the mail as written (the line break before the next From line is the mbox's)
    expect([...allRawInRowOrder(db)].map((r) => r.bytes.toString('utf8'))).toEqual([LONG, SHORT]);
    closeDb(db);
  });

  it('leaves the text of rows stored at schema 011 as it was, and packs new ones', async () => {
    const path = join(dir, 'old.db');
    await ingestAtSchema(path, 11, [mbox('old.mbox', [LONG])]);
    const before = new Database(path, { readonly: true });
    const old = before.prepare('SELECT id, body FROM messages').get() as { id: number; body: string };
    expect(before.pragma('user_version', { simple: true })).toBe(11);
    before.close();
    const db = openDb(path);
    expect(old.body).toBe((await parsedBodies(db)).get('long.1@example.org'));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(getStoredMessage(db, old.id)?.body).toBe(old.body);
    expect(searchMessages(db, 'readahead').hits.map((h) => h.messageId)).toEqual(['long.1@example.org']);
    await ingestPaths(db, [mbox('new.mbox', [quoted('new.3', 40)])], { worker: false });
    expect(db.sql.prepare("SELECT message_id, body_codec FROM messages ORDER BY id").all()).toEqual([
      { message_id: 'long.1@example.org', body_codec: null },
      { message_id: 'new.3@example.org', body_codec: 'brotli' },
    ]);
    expect(getStoredMessage(db, 2)?.body).toBe((await parsedBodies(db)).get('new.3@example.org'));
    closeDb(db);
  });
});
