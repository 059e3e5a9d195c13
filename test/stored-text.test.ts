// A row keeps its body and headers only in its raw bytes when they read back from there
// exactly (domain/stored-text.ts, db/migrations/011_text_from_raw.sql): every reader sees
// what the parser produced, rows from before 011 read as they did, and the raw bytes
// still come back byte-exact.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, openDb, schemaVersion, SCHEMA_VERSION, type Db } from '../db/connection.ts';
import { getStoredMessage } from '../db/message-view.ts';
import { allRawInRowOrder } from '../db/messages.ts';
import { indexSourceRows } from '../db/search.ts';
import { bodyOfSpan, bodySpanIn, headerFieldsOf } from '../domain/stored-text.ts';
import { parseMessage } from '../ingest/parse.ts';
import { ingestPaths, type ReadArchive } from '../ingest/pipeline.ts';
import { searchMessages } from '../server/search.ts';
import { ingestAtSchema } from './helpers/old-schema.ts';

const PLAIN = [
  'From: Ann Writer <ann@example.org>',
  'To: list@example.org',
  'Cc: Bob <bob@example.org>,',
  '\tCarol <carol@example.org>',
  'Subject: [PATCH] fs: take the lock before the walk',
  'Date: Tue, 2 Jan 2024 10:00:00 +0000',
  'Message-ID: <plain.1@example.org>',
  'Received: from relay.example.org by mx.example.org',
  'DKIM-Signature: v=1; a=rsa-sha256; d=example.org; b=AAAA',
  'X-Mailer: git-send-email 2.43.0',
  '',
  'The walk raced with truncate; take i_rwsem first.',
  '',
  'Signed-off-by: Ann Writer <ann@example.org>',
  '---',
  'diff --git a/fs/walk.c b/fs/walk.c',
  'index 0123abc..4567def 100644',
  '--- a/fs/walk.c',
  '+++ b/fs/walk.c',
  '@@ -1,2 +1,3 @@ int walk(void)',
  '+\tinode_lock(inode);',
  ' \treturn 0;',
  '',
].join('\n');

const QUOTED = [
  'From: Zoë Reviewer <zoe@example.org>',
  'To: list@example.org',
  'Subject: Re: [PATCH] fs: take the lock before the walk',
  'Date: Tue, 2 Jan 2024 11:00:00 +0000',
  'Message-ID: <qp.2@example.org>',
  'In-Reply-To: <plain.1@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Looks right to me, the truncate race is gone. Caf=C3=A9 later?',
  '',
  'Reviewed-by: Zo=C3=AB Reviewer <zoe@example.org>',
  '',
].join('\n');

const CRLF = PLAIN.replace('plain.1@', 'crlf.3@').replace('The walk raced', 'The CRLF walk raced').replace(/\n/g, '\r\n');

const MAILS = [PLAIN, QUOTED, CRLF];

const readMails = (mails: readonly string[]): ReadArchive => async (path, onMessage) => {
  for (const [index, m] of mails.entries()) await onMessage({ bytes: Buffer.from(m, 'utf8'), position: { source: path, offset: 0, index } });
};

/** A source path that exists (ingest stats it); readMails supplies its messages. */
function source(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  return path;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-text-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function rowIdOf(db: Db, mid: string): number {
  return db.sql.prepare('SELECT id FROM messages WHERE message_id = ?').pluck().get(mid) as number;
}

describe('body spans', () => {
  it('find any body that is a run of the raw bytes, and read it back exactly', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (head, body, tail) => {
        const raw = Buffer.from(`${head}\n\n${body}${tail}`, 'utf8');
        const span = bodySpanIn(raw, body);
        if (Buffer.from(body, 'utf8').toString('utf8') === body) {
          expect(span).not.toBeNull();
          expect(bodyOfSpan(raw, span ?? { start: 0, end: 0 })).toBe(body);
        } else expect(span).toBeNull();
      }),
    );
  });

  it('take the end of the message first, less a last line break as mailparser drops it', () => {
    const raw = Buffer.from('Subject: a\n\nsame\nsame\n\n', 'utf8');
    expect(bodySpanIn(raw, 'same\n')).toEqual({ start: raw.length - 6, end: raw.length - 1 });
    expect(bodySpanIn(raw, 'same\nsame\n\n')).toEqual({ start: 12, end: raw.length });
  });

  it('say null for a decoded body the bytes do not hold, and for an empty one', () => {
    const raw = Buffer.from('Subject: a\n\nCaf=C3=A9\n', 'utf8');
    expect(bodySpanIn(raw, 'Café\n')).toBeNull();
    expect(bodySpanIn(raw, '')).toBeNull();
  });
});

describe('headers read from the raw bytes', () => {
  it('unfold, lower-case and order the header block, without an mbox From line or dropped keys', () => {
    const raw = Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\r\nSubject: one\r\n two\r\nX-A: 1\r\nReceived: r\r\nx-a:  2 \r\n\r\nBody: not a header\r\n');
    expect(headerFieldsOf(raw, /^received$/)).toEqual({ subject: ['one two'], 'x-a': ['1', '2'] });
  });
});

describe('a stored message whose text lives in its raw bytes', () => {
  it('keeps the plain bodies and every header map only in the raw bytes, and a quoted-printable body in its row', async () => {
    const db = openDb(join(dir, 'a.db'));
    await ingestPaths(db, [source('mails')], { worker: false, read: readMails(MAILS) });
    const rows = db.sql.prepare('SELECT message_id, body, headers, body_start, headers_from_raw FROM messages ORDER BY id').all();
    expect(rows).toEqual([
      { message_id: 'plain.1@example.org', body: '', headers: '', body_start: PLAIN.indexOf('\n\n') + 2, headers_from_raw: 1 },
      { message_id: 'qp.2@example.org', body: expect.stringContaining('Café later?'), headers: '', body_start: null, headers_from_raw: 1 },
      { message_id: 'crlf.3@example.org', body: expect.stringContaining('The CRLF walk raced'), headers: '', body_start: null, headers_from_raw: 1 },
    ]);
    closeDb(db);
  });

  it('reads back what the parser produced: body, headers, snippets, the reindex source and the raw bytes', async () => {
    const db = openDb(join(dir, 'b.db'));
    await ingestPaths(db, [source('mails')], { worker: false, read: readMails(MAILS) });
    for (const mail of MAILS) {
      const parsed = await parseMessage({ bytes: Buffer.from(mail, 'utf8'), position: { source: 'fixture', offset: 0, index: 0 } });
      const stored = getStoredMessage(db, rowIdOf(db, parsed.messageId));
      expect(stored?.body).toBe(parsed.body);
      const { received: _r, 'dkim-signature': _d, ...kept } = parsed.headers;
      expect(stored?.headers).toEqual(kept);
      expect(stored?.headers['cc']).toEqual(parsed.messageId.startsWith('qp') ? undefined : ['Bob <bob@example.org>, Carol <carol@example.org>']);
    }
    expect(indexSourceRows(db, 0, 10).map((r) => r.body.split('\n')[0])).toEqual([
      'The walk raced with truncate; take i_rwsem first.',
      'Looks right to me, the truncate race is gone. Café later?',
      'The CRLF walk raced with truncate; take i_rwsem first.',
    ]);
    const hit = searchMessages(db, 'truncate', { sort: 'date' }).hits.find((h) => h.messageId === 'plain.1@example.org');
    expect(hit?.snippet.map((s) => s.text).join('')).toContain('The walk raced with truncate');
    expect(searchMessages(db, 'dfpre:0123abc').hits.map((h) => h.messageId).sort()).toEqual(['crlf.3@example.org', 'plain.1@example.org']);
    expect([...allRawInRowOrder(db)].map((r) => r.bytes.toString('utf8'))).toEqual(MAILS);
    closeDb(db);
  });
});

describe('migration 011 on a database written at schema 010', () => {
  it('reads the rows stored before as they were, and stores new rows without their text', async () => {
    const path = join(dir, 'old.db');
    const mbox = join(dir, 'old.mbox');
    writeFileSync(mbox, MAILS.slice(0, 2).map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m}\n`).join(''));
    await ingestAtSchema(path, 10, [mbox]);
    const before = new Database(path, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(10);
    const old = before.prepare('SELECT id, body, headers FROM messages ORDER BY id').all() as { id: number; body: string; headers: string }[];
    before.close();
    expect(old.map((r) => r.body.length > 0 && r.headers.length > 2)).toEqual([true, true]);

    const db = openDb(path);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    for (const r of old) {
      const m = getStoredMessage(db, r.id);
      expect(m?.body).toBe(r.body);
      expect(m?.headers).toEqual(JSON.parse(r.headers));
    }
    expect(db.sql.prepare('SELECT COUNT(*) FROM messages WHERE body_start IS NULL AND headers_from_raw = 0').pluck().get()).toBe(2);
    expect(searchMessages(db, 'truncate').hits.map((h) => h.messageId).sort()).toEqual(['plain.1@example.org', 'qp.2@example.org']);

    await ingestPaths(db, [source('more')], { worker: false, read: readMails([CRLF.replace(/\r\n/g, '\n')]) });
    const fresh = rowIdOf(db, 'crlf.3@example.org');
    expect(db.sql.prepare('SELECT body, body_start IS NOT NULL AS span FROM messages WHERE id = ?').get(fresh)).toEqual({ body: '', span: 1 });
    expect(getStoredMessage(db, fresh)?.body).toContain('The CRLF walk raced with truncate');
    closeDb(db);
  });
});
