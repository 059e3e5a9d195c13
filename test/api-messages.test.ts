import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { buildApp } from '../server/app.ts';
import { CRLF_ID, DUP_ID, fixtureMessages, GHOST_ID, HOSTILE_ID, ingestFixture, MARKUP_ID, ROOT_ID } from './helpers/api-fixture.ts';

let dir: string;
let db: Db;
let app: FastifyInstance;
const messages = fixtureMessages();
const bytesOf = (id: string) => messages.filter((m) => m.messageId === id).map((m) => m.bytes);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-api-msg-'));
  await ingestFixture(join(dir, 'db.sqlite'), join(dir, 'mail'));
  db = openDb(join(dir, 'db.sqlite'), { readonly: true });
  app = buildApp({ db });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

const enc = encodeURIComponent;

describe('messages/:mid', () => {
  it('returns the parsed message with addresses, ISO date and its thread', async () => {
    const res = await app.inject({ url: `/api/messages/${enc(ROOT_ID)}` });
    expect(res.statusCode).toBe(200);
    const m = res.json();
    expect(m).toMatchObject({
      messageId: ROOT_ID,
      subject: '[PATCH] mm/filemap: wait for writeback before dropping the folio',
      from: { name: 'Alice Example', address: 'alice@alice.example' },
      to: [{ name: '', address: 'linux-mm@kvack.example' }],
      cc: [{ name: 'Bob Reviewer', address: 'bob@bob.example' }],
      date: '2024-01-10T09:30:00.000Z',
      copy: 0,
      copies: 1,
      threadId: ROOT_ID,
      listId: 'linux-mm.kvack.example',
    });
    expect(m.body).toContain('+\tfolio_wait_writeback(folio);');
  });

  it('accepts the id with angle brackets and with URL-hostile characters', async () => {
    const bracketed = await app.inject({ url: `/api/messages/${enc(`<${ROOT_ID}>`)}` });
    expect(bracketed.json().messageId).toBe(ROOT_ID);
    const hostile = await app.inject({ url: `/api/messages/${enc(HOSTILE_ID)}` });
    expect(hostile.statusCode).toBe(200);
    expect(hostile.json().subject).toBe('an id with slashes and percent signs');
  });

  it('keeps markup from a mail as text in JSON', async () => {
    const res = await app.inject({ url: `/api/messages/${enc(MARKUP_ID)}` });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const m = res.json();
    expect(m.subject).toBe('<b>bold</b> & <img src=x onerror=alert(1)> readahead question');
    expect(m.from).toEqual({ name: 'Mallory <script>', address: 'mallory@mallory.example' });
    expect(m.body).toContain('<script>alert("readahead")</script>');
  });

  it('serves each stored copy of a duplicated id with ?copy, oldest first', async () => {
    const first = (await app.inject({ url: `/api/messages/${enc(DUP_ID)}` })).json();
    const second = (await app.inject({ url: `/api/messages/${enc(DUP_ID)}?copy=1` })).json();
    expect([first.subject, first.copies]).toEqual(['swap slot leak, first copy', 2]);
    expect([second.subject, second.copy]).toEqual(['swap slot leak, second copy', 1]);
  });

  it('answers 404 for an unknown id, a missing copy and a ghost, and 400 for a bad copy', async () => {
    const unknown = await app.inject({ url: '/api/messages/nobody%40nowhere' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'no message <nobody@nowhere>' });
    expect((await app.inject({ url: `/api/messages/${enc(GHOST_ID)}` })).statusCode).toBe(404);
    const copy = await app.inject({ url: `/api/messages/${enc(ROOT_ID)}?copy=3` });
    expect(copy.statusCode).toBe(404);
    expect(copy.json().message).toBe(`message <${ROOT_ID}> has 1 stored copy, no copy 3`);
    const bad = await app.inject({ url: `/api/messages/${enc(ROOT_ID)}?copy=-1` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'USAGE', message: "querystring parameter 'copy' must be >= 0" });
    const empty = await app.inject({ url: `/api/messages/${enc('<>')}` });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'USAGE', message: 'message-id is empty' });
  });

  it('answers 414 LIMIT for a path parameter longer than the limit', async () => {
    const res = await app.inject({ url: `/api/messages/${'x'.repeat(1200)}%40y` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ statusCode: 414, code: 'LIMIT', error: 'URI Too Long', message: 'a path parameter is longer than 1000 characters' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 400 BAD_INPUT for a malformed percent-encoding', async () => {
    const res = await app.inject({ url: '/api/messages/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ statusCode: 400, code: 'BAD_INPUT', error: 'Bad Request', message: 'the URL is not validly percent-encoded' });
  });
});

describe('messages/:mid/raw', () => {
  it('returns the stored bytes exactly, CRLF included, as text/plain', async () => {
    for (const id of [ROOT_ID, CRLF_ID, MARKUP_ID]) {
      const res = await app.inject({ url: `/api/messages/${enc(id)}/raw` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.rawPayload.equals(bytesOf(id)[0]!)).toBe(true);
    }
    const second = await app.inject({ url: `/api/messages/${enc(DUP_ID)}/raw?copy=1` });
    expect(second.rawPayload.equals(bytesOf(DUP_ID)[1]!)).toBe(true);
  });

  it('answers 404 for an unknown id', async () => {
    const res = await app.inject({ url: '/api/messages/nobody%40nowhere/raw' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });
});

describe('threads/:mid', () => {
  it('returns the tree from any member, with the missing parent as a ghost', async () => {
    const res = await app.inject({ url: `/api/threads/${enc('reply.1@bob.example')}` });
    expect(res.statusCode).toBe(200);
    const t = res.json();
    expect(t.threadId).toBe(ROOT_ID);
    expect(t.messages).toBe(3);
    const shape = (n: { messageId: string; ghost: boolean; children: unknown[] }): unknown => ({
      id: n.messageId,
      ghost: n.ghost,
      children: (n.children as (typeof n)[]).map(shape),
    });
    expect(shape(t.root)).toEqual({
      id: ROOT_ID,
      ghost: false,
      children: [
        { id: 'reply.1@bob.example', ghost: false, children: [] },
        { id: GHOST_ID, ghost: true, children: [{ id: 'orphan.1@carol.example', ghost: false, children: [] }] },
      ],
    });
    expect(t.root.from).toEqual({ name: 'Alice Example', address: 'alice@alice.example' });
  });

  it('answers 404 for an id in no thread', async () => {
    const res = await app.inject({ url: '/api/threads/nobody%40nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', message: 'no thread contains <nobody@nowhere>' });
  });
});

/** Splits an mboxrd file the way a reader would, unquoting one '>' from >*From lines. */
function splitMboxrd(text: string): string[] {
  const parts = text.split(/^From mboxrd@z Thu Jan {2}1 00:00:00 1970\n/m).slice(1);
  return parts.map((p) => p.replace(/\n$/, '').replace(/^>(>*From )/gm, '$1'));
}

describe('threads/:mid/mbox', () => {
  const thread = [ROOT_ID, 'reply.1@bob.example', 'orphan.1@carol.example'];

  it('streams the thread as mboxrd, oldest first, each message unquoting to its stored bytes', async () => {
    const res = await app.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/mbox');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="patch.1@alice.example.mbox"`);
    expect(res.body).toContain('\n>From the point of view');
    expect(res.body).toContain('\n>>From here on');
    expect(splitMboxrd(res.body)).toEqual(thread.map((id) => bytesOf(id)[0]!.toString('utf8')));
  });

  it('gzips with ?gz=1 as a .mbox.gz file and with Accept-Encoding as a transfer coding', async () => {
    const plain = (await app.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox` })).rawPayload;
    const file = await app.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox?gz=1` });
    expect(file.headers['content-type']).toBe('application/gzip');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="patch.1@alice.example.mbox.gz"`);
    expect(gunzipSync(file.rawPayload).equals(plain)).toBe(true);
    const coded = await app.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox`, headers: { 'accept-encoding': 'br;q=1, gzip;q=0.5' } });
    expect(coded.headers['content-encoding']).toBe('gzip');
    expect(coded.headers['content-type']).toBe('application/mbox');
    expect(gunzipSync(coded.rawPayload).equals(plain)).toBe(true);
    const refused = await app.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox`, headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('streams a thread bigger than the buffer limit to the same bytes, plain and gzipped', async () => {
    const small = buildApp({ db, limits: { mboxBufferBytes: 100 } });
    await small.ready();
    const plain = (await app.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox` })).rawPayload;
    expect(plain.length).toBeGreaterThan(100);
    const streamed = await small.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox` });
    expect(streamed.headers['content-length']).toBeUndefined();
    expect(streamed.rawPayload.equals(plain)).toBe(true);
    const gz = await small.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox?gz=1` });
    expect(gunzipSync(gz.rawPayload).equals(plain)).toBe(true);
    await small.close();
  });

  it('answers 404 for an unknown thread and 400 for a bad gz flag', async () => {
    expect((await app.inject({ url: '/api/threads/nobody%40nowhere/mbox' })).statusCode).toBe(404);
    const bad = await app.inject({ url: `/api/threads/${enc(ROOT_ID)}/mbox?gz=yes` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe("querystring parameter 'gz' must be equal to one of the allowed values");
  });
});
