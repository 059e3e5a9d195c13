// The API over real mail: the small real archives in ../shared (b4 and patchwork test
// threads, kernel CVE announcements, MIME fixtures with odd charsets and binary parts,
// saved messages that need the lenient reader).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { contentHashesInOrder, rawCopies } from '../db/messages.ts';
import { threadAssignments } from '../db/threads.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { buildApp } from '../server/app.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';
import { assertWellFormedXml } from './helpers/xml-check.ts';

const SOURCES = ['b4', 'kernel-cve-announce', 'mime-fixtures', 'patchwork'].map((d) => sharedPath('corpus', d));

describe.skipIf(!HAS_SHARED)('the API over real mail from ../shared', () => {
  let dir: string;
  let db: Db;
  let app: FastifyInstance;
  let ids: string[];
  let roots: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lg-api-shared-'));
    const w = openDb(join(dir, 'db.sqlite'));
    await ingestPaths(w, [...SOURCES, sharedPath('seeds')], { worker: false });
    closeDb(w);
    db = openDb(join(dir, 'db.sqlite'), { readonly: true });
    app = buildApp({ db });
    await app.ready();
    const nodes = threadAssignments(db).filter((n) => !n.ghost);
    ids = [...new Set(nodes.map((n) => n.messageId))].sort();
    roots = [...new Set(nodes.map((n) => n.root))].sort();
  });
  afterAll(async () => {
    await app?.close();
    if (db) closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves every message as JSON and its stored bytes exactly', async () => {
    expect(ids.length).toBeGreaterThan(100);
    let lenient = 0;
    for (const id of ids) {
      const url = `/api/messages/${encodeURIComponent(id)}`;
      const json = await app.inject({ url });
      expect(json.statusCode, `${id}: ${json.body.slice(0, 200)}`).toBe(200);
      expect(json.json().messageId).toBe(id);
      if (json.json().lenient !== null) lenient++;
      const raw = await app.inject({ url: `${url}/raw` });
      const stored = rawCopies(db, [id]).sort((a, b) => a.rowId - b.rowId)[0]!;
      expect(raw.rawPayload.equals(stored.bytes), id).toBe(true);
    }
    // The saved messages in seeds/ need the lenient reader; the view says what it guessed.
    expect(lenient).toBeGreaterThan(0);
  });

  it('exports every thread as mboxrd that ingests back to exactly the stored messages', async () => {
    const parts: Buffer[] = [];
    for (const root of roots) {
      const res = await app.inject({ url: `/api/threads/${encodeURIComponent(root)}/mbox` });
      expect(res.statusCode, root).toBe(200);
      parts.push(res.rawPayload);
    }
    const file = join(dir, 'all-threads.mbox');
    writeFileSync(file, Buffer.concat(parts));
    const copy = openDb(join(dir, 'copy.sqlite'));
    try {
      await ingestPaths(copy, [file], { worker: false });
      expect(contentHashesInOrder(copy).sort()).toEqual(contentHashesInOrder(db).sort());
    } finally {
      closeDb(copy);
    }
  });

  it('builds a well-formed Atom feed from real mail, newest first', async () => {
    const res = await app.inject({ url: `/api/feed.atom?q=${encodeURIComponent('d:19900101..')}&limit=200` });
    expect(res.statusCode).toBe(200);
    assertWellFormedXml(res.body);
    const updated = [...res.body.matchAll(/<entry><id>[^<]*<\/id><title type="text">[^<]*<\/title><updated>([^<]+)<\/updated>/g)].map((m) => m[1]!);
    expect(updated.length).toBeGreaterThan(50);
    expect([...updated].sort().reverse()).toEqual(updated);
  });

  it('answers every thread tree with its messages counted once', async () => {
    let total = 0;
    for (const root of roots) {
      const res = await app.inject({ url: `/api/threads/${encodeURIComponent(root)}` });
      expect(res.statusCode, root).toBe(200);
      total += res.json().messages as number;
    }
    expect(total).toBe(ids.length);
  });

  it('finds through /api/search exactly the messages whose stored subject has the word', async () => {
    // Every stored copy counts: two different messages can share a Message-ID.
    const subjects = new Map<string, string[]>();
    for (const id of ids) {
      const first = (await app.inject({ url: `/api/messages/${encodeURIComponent(id)}` })).json() as { subject: string; copies: number };
      const all = [first.subject];
      for (let c = 1; c < first.copies; c++) all.push((await app.inject({ url: `/api/messages/${encodeURIComponent(id)}?copy=${c}` })).json().subject as string);
      subjects.set(id, all);
    }
    for (const word of ['patch', 'cve', 'trailers', 'fix']) {
      const expected = ids.filter((id) => new RegExp(`(^|[^\\p{L}\\p{N}_])${word}($|[^\\p{L}\\p{N}_])`, 'iu').test(subjects.get(id)!.join('\n'))).sort();
      const found: string[] = [];
      for (let offset = 0; ; offset += 200) {
        const page = (await app.inject({ url: `/api/search?q=s%3A${word}&limit=200&offset=${offset}` })).json() as { hits: { messageId: string }[]; total: number };
        found.push(...page.hits.map((h) => h.messageId));
        if (offset + 200 >= page.total) break;
      }
      expect([...new Set(found)].sort(), word).toEqual(expected);
    }
  });
});
