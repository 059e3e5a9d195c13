import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ensureSeeded } from '../ingest/seed.ts';
import { buildApp } from '../server/app.ts';
import { fixMessageIds, fixSubjects, linkVariants, subjectKey } from '../server/routes/links.ts';
import { parseScenario } from '../sim/index.ts';

// A scenario of our own about the sample archive's filemap race: one variant names the
// patch by Message-ID, one quotes the bug report's subject as a reply would, one names
// nothing in the archive.
const SCENARIO = `
id: filemap-stale
title: filemap_get_pages() vs truncate
source:
  - "<race-report-1@example.org>"
  - "not-archived@example.org"
vars: { mapped: 1, seen: 0 }
threads:
  reader:
    fn: mm/filemap.c:filemap_get_pages
    steps:
      - { id: lookup, do: ["seen = mapped"] }
  trunc:
    fn: mm/truncate.c:truncate_inode_pages
    steps:
      - { id: drop, do: ["mapped = 0"] }
finals:
  - { name: fresh, expr: "seen == 0 || mapped == 1", says: the reader never keeps a truncated folio }
variants:
  recheck:
    fix: "<20240904-filemap-recheck-v1-1-ines@example.org>"
    description: recheck the mapping after lookup
    edits:
      - { in: reader, after: lookup, insert: [ { id: re, do: ["seen = mapped"] } ] }
  quoted:
    fix: "Re: Subject: [BUG] mm/filemap: stale folio returned after concurrent truncate (Hugo: hold the invalidate lock)"
    edits:
      - { in: reader, after: lookup, insert: [ { id: re2, do: ["seen = mapped"] } ] }
  elsewhere:
    fix: "[PATCH] mm: something this archive never saw <nowhere@example.org>"
    edits:
      - { in: reader, after: lookup, insert: [ { id: re3, do: ["seen = mapped"] } ] }
configs:
  one: { run: [ { thread: reader, as: r }, { thread: trunc, as: t } ] }
expect:
  - { variant: original, config: one, verdict: violated, property: fresh, why: "truncate after the lookup" }
  - { variant: recheck, config: one, verdict: violated, property: fresh, why: "the recheck can still run before truncate" }
`;

let dir: string;
let db: Db;
let app: FastifyInstance;
const enc = encodeURIComponent;
const PATCH = '20240904-filemap-recheck-v1-1-ines@example.org';
const REPORT = 'race-report-1@example.org';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-web-links-'));
  await ensureSeeded(join(dir, 'db.sqlite'), { worker: false });
  db = openDb(join(dir, 'db.sqlite'), { readonly: true });
  const scenarios = join(dir, 'scenarios');
  mkdirSync(scenarios);
  writeFileSync(join(scenarios, 'filemap-stale.yaml'), SCENARIO);
  app = buildApp({ db, scenarioDir: scenarios, simRunner: 'inline', knowledgeBuilder: 'inline' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('reading a fix text', () => {
  it('finds the Message-IDs a fix cites, without brackets', () => {
    expect(fixMessageIds('Hugh <2c32@google.com>: stick with it, withdrawn in <x.y@quack3>')).toEqual(['2c32@google.com', 'x.y@quack3']);
    expect(fixMessageIds('no id here, only a@b outside brackets')).toEqual([]);
  });

  it('reads the quoted subject out of a reply label, a parenthesis or a patch line', () => {
    expect(fixSubjects('thp-purge.patch ([BUG/RFC] write-open file THP cache purge can discard dirty page cache)')).toContain(
      '[bug/rfc] write-open file thp cache purge can discard dirty page cache',
    );
    expect(fixSubjects('Re: Subject: [BUG] a  race   in  foo_bar() (Someone: an idea)')).toContain('[bug] a race in foo_bar()');
    expect(fixSubjects('[PATCH v6 4/4] mm/khugepaged: maintain page cache uptodate flag <1@google.com>')).toContain(
      '[patch v6 4/4] mm/khugepaged: maintain page cache uptodate flag',
    );
  });

  it('matches a saved reply whose subject itself carries a pasted "Subject:" label', () => {
    expect(subjectKey('Re: Subject: [BUG/RFC] write-open file THP cache purge')).toBe('[bug/rfc] write-open file thp cache purge');
    expect(fixSubjects('Re: Subject: [BUG/RFC] write-open file THP cache purge (Pedro: an idea)')).toContain(subjectKey('Subject: [BUG/RFC] write-open  file THP cache purge'));
  });

  it('ignores fragments too short to name a subject', () => {
    expect(fixSubjects('(v2)')).toEqual([]);
  });

  it('links a variant through another message of the thread when the fix names that one', () => {
    const sc = parseScenario(SCENARIO, 'inline.yaml');
    const r = linkVariants([sc], { messageId: 'reply@x', baseSubject: 're-something else entirely', thread: [{ messageId: PATCH, baseSubject: '' }] });
    expect(r.fixes.map((f) => [f.variant, f.match, f.via])).toEqual([['recheck', 'thread', PATCH]]);
    expect(r.discussedIn).toEqual([]);
  });
});

describe('scenario sources', () => {
  it('links a message to a scenario whose source quotes its subject rather than its Message-ID', () => {
    const sc = parseScenario(SCENARIO.replace('  - "<race-report-1@example.org>"', '  - "[BUG] mm/filemap: stale folio returned after concurrent truncate (Mira, 2 Sep 2024)"'), 'inline.yaml');
    const r = linkVariants([sc], { messageId: REPORT, baseSubject: '[bug] mm/filemap: stale folio returned after concurrent truncate', thread: [] });
    expect(r.discussedIn).toEqual([{ scenario: 'filemap-stale', title: 'filemap_get_pages() vs truncate', match: 'subject', via: REPORT }]);
  });
});

describe('GET /api/messages/:mid/scenarios', () => {
  it('lists the variant whose fix names the patch by Message-ID, with its expected verdicts', async () => {
    const res = await app.inject({ url: `/api/messages/${enc(`<${PATCH}>`)}/scenarios` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.messageId).toBe(PATCH);
    const recheck = body.fixes.find((f: { variant: string }) => f.variant === 'recheck');
    expect(recheck).toMatchObject({ scenario: 'filemap-stale', match: 'message-id', via: PATCH, description: 'recheck the mapping after lookup' });
    expect(recheck.expect).toEqual([{ config: 'one', verdict: 'violated', property: 'fresh', why: 'the recheck can still run before truncate' }]);
  });

  it('links the bug report by its subject and as the cited source', async () => {
    const res = await app.inject({ url: `/api/messages/${enc(REPORT)}/scenarios` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.fixes.map((f: { variant: string; match: string }) => [f.variant, f.match])).toEqual([['quoted', 'subject']]);
    expect(body.discussedIn).toEqual([{ scenario: 'filemap-stale', title: 'filemap_get_pages() vs truncate', match: 'message-id', via: REPORT }]);
  });

  it('links a reply in the report thread through the thread', async () => {
    const res = await app.inject({ url: `/api/messages/${enc('race-tested-5@example.org')}/scenarios` });
    const body = res.json();
    expect(body.threadId).toBe(REPORT);
    expect(body.discussedIn).toMatchObject([{ scenario: 'filemap-stale', match: 'thread', via: REPORT }]);
    // A reply carries the report's subject: "Re:" is not a different fix.
    expect(body.fixes.map((f: { variant: string; match: string }) => [f.variant, f.match])).toEqual([['quoted', 'subject']]);
  });

  it('answers an empty list for a message no scenario names', async () => {
    const res = await app.inject({ url: `/api/messages/${enc('20240910-swap-batch-v2-1-ravi@example.com')}/scenarios` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ fixes: [], discussedIn: [] });
  });

  it('is a 404 for a message the archive has never seen', async () => {
    const res = await app.inject({ url: `/api/messages/${enc('nobody@nowhere')}/scenarios` });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain('nobody@nowhere');
  });
});

describe('GET /api/scenarios/:id/links', () => {
  it("finds each variant's fix in the archive by Message-ID or subject, and leaves unknown ones empty", async () => {
    const res = await app.inject({ url: '/api/scenarios/filemap-stale/links' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const byVariant = Object.fromEntries(body.variants.map((v: { variant: string; messages: { messageId: string; match: string }[] }) => [v.variant, v.messages]));
    expect(byVariant.recheck.map((m: { messageId: string; match: string }) => [m.messageId, m.match])).toEqual([[PATCH, 'message-id']]);
    expect(byVariant.recheck[0].subject).toBe('[PATCH] mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()');
    // The original report first, replies after it.
    expect(byVariant.quoted[0]).toMatchObject({ messageId: REPORT, match: 'subject', subject: '[BUG] mm/filemap: stale folio returned after concurrent truncate' });
    expect(byVariant.quoted.length).toBeGreaterThan(1);
    expect(byVariant.elsewhere).toEqual([]);
    expect(body.variants.map((v: { variant: string }) => v.variant)).not.toContain('original');
  });

  it('shows which source mails the archive has', async () => {
    const body = (await app.inject({ url: '/api/scenarios/filemap-stale/links' })).json();
    expect(body.sources.map((s: { source: string; messages: { messageId: string; match: string }[] }) => [s.source, s.messages.map((m) => [m.messageId, m.match])])).toEqual([
      ['<race-report-1@example.org>', [[REPORT, 'message-id']]],
      ['not-archived@example.org', []],
    ]);
  });

  it('is a 404 for an unknown scenario and a 400 for an id with a slash', async () => {
    expect((await app.inject({ url: '/api/scenarios/nope/links' })).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/scenarios/${enc('../x')}/links` })).statusCode).toBe(400);
  });

  it('is documented in the OpenAPI document', async () => {
    const paths = (await app.inject({ url: '/api/openapi.json' })).json().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/messages/{mid}/scenarios', '/api/scenarios/{id}/links']));
  });
});
