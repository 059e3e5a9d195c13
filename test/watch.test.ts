import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { buildApp } from '../server/app.ts';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';
import { newestRow } from '../db/watches.ts';
import { watchMatches } from '../server/watch-search.ts';
import { inlineSearchRunner } from '../server/search-runner.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

describe('saved searches: loregraph watch, /api/watches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-watch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'db.sqlite');
  const ingest = async (file: string) => {
    const db = openDb(dbPath);
    await ingestPaths(db, [file], { worker: false });
    closeDb(db);
  };
  const watch = async (...args: string[]) => {
    const io = captureIO();
    const code = await main(['watch', ...args, '--db', dbPath], io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  await ingest(join(FIXTURES, 'search', 'attachment.eml'));

  it('delivers everything the first time, then only what arrived since the last run', async () => {
    expect((await watch('add', 'wb', 's:beta', 'OR', 'writeback')).out).toBe("saved 'wb': s:beta OR writeback\n");
    expect((await watch('up', 'wb')).out).toBe('wb: 1 new\n  2026-11-04  Carl Crasher              oops in writeback, trace attached  <oops-trace@example.org>\n');
    expect((await watch('up')).out).toBe('wb: 0 new\n');
    await ingest(join(FIXTURES, 'am', 'two-versions.mbox'));
    const mbox = join(dir, 'wb.mbox');
    expect((await watch('up', 'wb', '--mbox', mbox)).out).toBe(`wb: 3 new -> ${mbox}\n`);
    const written = readFileSync(mbox, 'utf8');
    expect(written.match(/^Message-Id: <.*>$/gim)).toEqual(['Message-Id: <v1-1@example.org>', 'Message-Id: <r1@example.org>', 'Message-Id: <v2-1@example.org>']);
    expect((await watch('up', 'wb', '--mbox', mbox)).out).toBe(`wb: 0 new -> ${mbox}\n`);
  });

  it('writes a Maildir (new/), and answers bad names, bad queries and unknown searches clearly', async () => {
    await watch('add', 'rita', 'f:rita');
    const md = join(dir, 'md');
    expect((await watch('up', 'rita', '--maildir', md)).out).toBe(`rita: 2 new -> ${md}\n`);
    expect(readdirSync(join(md, 'new'))).toHaveLength(2);
    expect(readdirSync(join(md, 'tmp'))).toHaveLength(0);
    expect((await watch('add', 'rita', 'x')).err).toBe("loregraph: a saved search named 'rita' exists already (watch rm rita first)\n");
    expect((await watch('add', '../x', 'x')).code).toBe(2);
    const bad = await watch('add', 'bad', 'zz:1');
    expect([bad.code, bad.err.startsWith("loregraph: unknown prefix 'zz:'")]).toEqual([2, true]);
    expect((await watch('up', 'nope')).err).toBe("loregraph: no saved search named 'nope'\n");
    const list = (await watch('list')).out.split('\n').filter(Boolean).map((l) => [l.split('\t')[0], l.split('\t')[2]]);
    expect(list).toEqual([['rita', 'f:rita'], ['wb', 's:beta OR writeback']]);
  });

  it('serves each saved search as an Atom feed and what is new since the last run', async () => {
    await watch('add', 'util', 's:count');
    const db = openDb(dbPath, { readonly: true });
    const app = buildApp({ db, simRunner: 'inline', knowledgeBuilder: 'inline', baseUrl: 'http://lg.example/' });
    try {
      const list = await app.inject({ url: '/api/watches' });
      expect((list.json() as { name: string }[]).map((w) => w.name)).toEqual(['rita', 'util', 'wb']);
      const fresh = await app.inject({ url: '/api/watches/util/new' });
      expect((fresh.json() as { new: { messageId: string }[] }).new.map((m) => m.messageId)).toEqual(['v1-2@example.org', 'r2@example.org', 'v2-2@example.org']);
      expect(((await app.inject({ url: '/api/watches/wb/new' })).json() as { new: unknown[] }).new).toEqual([]);
      const feed = await app.inject({ url: '/api/watches/util/feed.atom' });
      expect(feed.statusCode).toBe(200);
      expect(feed.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
      expect(feed.body).toContain('<title type="text">loregraph saved search util: s:count</title>');
      expect(feed.body.match(/<entry>/g)).toHaveLength(3);
      expect((await app.inject({ url: '/api/watches/nope/feed.atom' })).statusCode).toBe(404);
    } finally {
      await app.close();
      closeDb(db);
    }
  });

  it('answers /new from the query runner, off the request thread', async () => {
    const db = openDb(dbPath, { readonly: true });
    const kinds: string[] = [];
    const inline = inlineSearchRunner(db);
    const app = buildApp({ db, simRunner: 'inline', knowledgeBuilder: 'inline', searchRunner: { ...inline, run: (job, signal) => (kinds.push(job.kind), inline.run(job, signal)) } });
    try {
      const fresh = await app.inject({ url: '/api/watches/util/new?limit=2' });
      expect((fresh.json() as { new: { messageId: string }[] }).new.map((m) => m.messageId)).toEqual(['v1-2@example.org', 'r2@example.org']);
      expect(kinds).toEqual(['watch-new']);
    } finally {
      await app.close();
      closeDb(db);
    }
  });

  it('a run capped below its matches delivers the earliest arrivals, and the next resumes after the last delivered', () => {
    const db = openDb(dbPath, { readonly: true });
    try {
      const upTo = newestRow(db);
      const ids = (after: number, limit: number) => watchMatches(db, 's:count', after, upTo, limit, Date.now());
      expect(ids(0, 10).map((m) => m.messageId)).toEqual(['v1-2@example.org', 'r2@example.org', 'v2-2@example.org']);
      const first = ids(0, 2);
      expect(first.map((m) => m.messageId)).toEqual(['v1-2@example.org', 'r2@example.org']);
      expect(ids(first[1]?.rowId ?? 0, 2).map((m) => m.messageId)).toEqual(['v2-2@example.org']);
      expect(ids(0, 1).map((m) => m.messageId)).toEqual(['v1-2@example.org']);
    } finally {
      closeDb(db);
    }
  });
});
