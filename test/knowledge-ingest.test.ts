// The knowledge layer inside ingest: the analyzer's rows written with each message, the
// end-of-run pass that assembles races only over the threads new mail touched (and their
// families), a pass cut short, a database from before the knowledge tables, and a rebuild.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, loadMigrations, openDb, type Db } from '../db/connection.ts';
import { getFix, getRace, knowledgeCounts, listRaces } from '../db/knowledge.ts';
import { knowledgeWork, pendingKnowledgeThreads, threadFamilies, threadInput } from '../db/knowledge-threads.ts';
import { readMeta, writeMeta } from '../db/meta.ts';
import { ANALYZERS } from '../ingest/analyzers.ts';
import type { Analyzer } from '../ingest/analyzer.ts';
import { knowledgeAnalyzer } from '../ingest/knowledge-analyzer.ts';
import { searchIndexAnalyzer } from '../ingest/search-index.ts';
import { updateKnowledge } from '../ingest/knowledge-rebuild.ts';
import { patchAnalysisOf } from '../ingest/patch-analysis.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { SAMPLE_DIR } from '../ingest/seed.ts';
import { parseMessage } from '../ingest/parse.ts';
import { mailText } from './fixtures/ingest/mail.ts';
import { toMboxrd } from '../ingest/read/mboxrd-write.ts';
import { lendTextColumns, storeTextInRows } from './helpers/old-schema.ts';

const inline = { worker: false } as const;
const LUMAFS = join(SAMPLE_DIR, 'linux-fsdevel.mboxrd');
const REPORT = 'lumafs-race-report@example.org';
const V1 = '20241003-lumafs-mkwrite-v1-1-annika@example.net';
const V2 = '20241007-lumafs-mkwrite-v2-1-annika@example.net';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lg-knowledge-ingest-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sample's lumafs messages, split into the first `n` and the rest, as two mboxrd files. */
function splitSample(n: number): [string, string] {
  const parts = readFileSync(LUMAFS, 'utf8').split(/^(?=From mboxrd@z )/m);
  const a = join(dir, `first-${n}.mboxrd`);
  const b = join(dir, `rest-${n}.mboxrd`);
  writeFileSync(a, parts.slice(0, n).join(''));
  writeFileSync(b, parts.slice(n).join(''));
  return [a, b];
}

/** Everything the race tables say, in a comparable form. */
function raceContent(db: Db): unknown {
  const { races } = listRaces(db);
  return races.map((r) => getRace(db, r.id));
}

async function fresh(name: string, paths: string[], opts: Parameters<typeof ingestPaths>[2] = inline): Promise<Db> {
  const db = openDb(join(dir, `${name}.db`));
  await ingestPaths(db, paths, opts);
  return db;
}

describe('the knowledge analyzer in ingest', () => {
  it('reads the sample lumafs threads into one race with its three fixes, their lifecycles and stances', async () => {
    // through the parse worker, as `loregraph ingest` runs it
    const db = await fresh('lumafs', [LUMAFS], { worker: true });
    const { total, races } = listRaces(db);
    expect(total).toBe(1);
    const race = getRace(db, races[0]!.id)!;
    expect(race.title).toBe('lumafs: lost write when lumafs_page_mkwrite() races with lumafs_writepages()');
    expect(race.outcome).toBe('data-loss');
    expect(race.threads).toEqual([REPORT, V1, V2]);
    expect(race.functions).toEqual(expect.arrayContaining(['lumafs_page_mkwrite', 'lumafs_writepages']));
    expect(race.files).toContain('fs/lumafs/file.c');
    expect(race.configs).toContain('CONFIG_LUMAFS_COMPRESS');
    const byId = new Map(race.fixes.map((f) => [f.id, f]));
    expect([...byId.keys()]).toEqual(['lumafs-race-idea@example.net#0', `${V1}#0`, `${V2}#0`]);
    expect(byId.get('lumafs-race-idea@example.net#0')).toMatchObject({ kind: 'inline-diff', wip: true, author: 'Annika Berg' });
    const v1 = byId.get(`${V1}#0`)!;
    expect(v1).toMatchObject({ kind: 'patch', version: 1, lifecycle: 'superseded', supersededBy: `${V2}#0` });
    expect(v1.stances.find((s) => s.stance === 'objection')).toMatchObject({
      author: 'Jun Park',
      messageId: 'lumafs-v1-objection@example.com',
      evidence: { text: expect.stringContaining("I don't think this is enough, there is still a race with") },
    });
    const v2 = byId.get(`${V2}#0`)!;
    expect(v2).toMatchObject({ kind: 'patch', version: 2, lifecycle: 'applied', lifecycleEvidence: { messageId: 'lumafs-v2-applied@example.org' } });
    expect(v2.stances).toContainEqual(expect.objectContaining({ stance: 'reviewed', author: 'Jun Park', aimedBy: 'trailer' }));
    // the fix as its own record, with the race it belongs to
    expect(getFix(db, `${V2}#0`)).toMatchObject({ race: { id: race.id }, fix: { id: `${V2}#0`, lifecycle: 'applied' } });
    expect(knowledgeCounts(db)).toMatchObject({ races: 1, fixes: 3 });
    closeDb(db);
  });

  it('stores every message’s reply structure, and knowledge only for the messages that say something', async () => {
    const db = await fresh('structure', [LUMAFS]);
    const counts = knowledgeCounts(db);
    // eight messages, each with its blocks; the bare "Tested-by" follow-up says no more than that
    expect(counts.messagesWithKnowledge).toBeGreaterThan(4);
    expect(counts.messagesWithKnowledge).toBeLessThanOrEqual(8);
    expect(knowledgeWork(db)).toEqual({ after: 8, upto: 8, backfillUpto: 0 });
    closeDb(db);
  });

  it('re-assembles a race when its fixes arrive in a later ingest, ending as one run over all the mail', async () => {
    const [report, rest] = splitSample(3);
    const db = await fresh('two-runs', [report]);
    const early = listRaces(db).races;
    expect(early).toHaveLength(1);
    expect(getRace(db, early[0]!.id)!.fixes.map((f) => f.id)).toEqual(['lumafs-race-idea@example.net#0']);
    await ingestPaths(db, [rest], inline);
    const once = await fresh('one-run', [LUMAFS]);
    // the same race id: the family's first message names it, and the old record was replaced, not kept beside
    expect(listRaces(db).races.map((r) => r.id)).toEqual([early[0]!.id]);
    expect(raceContent(db)).toEqual(raceContent(once));
    closeDb(db);
    closeDb(once);
  });

  it('hands the thread pass only the threads new mail touched, grown to their families', async () => {
    const noFinish: Analyzer = { ...knowledgeAnalyzer, finish: undefined } as Analyzer;
    const analyzers = ANALYZERS.map((a) => (a === knowledgeAnalyzer ? noFinish : a));
    const db = await fresh('pending', [LUMAFS]);
    const mark = knowledgeWork(db).upto;
    const more = join(dir, 'more.mboxrd');
    const reply = mailText({
      id: 'late-ack@example.org',
      subject: `Re: [PATCH v2] lumafs: lock the folio and wait for writeback in lumafs_page_mkwrite()`,
      inReplyTo: V2,
      references: [V2],
      date: 'Thu, 10 Oct 2024 10:00:00 +0000',
      body: 'Looks good to me as well.\n\nAcked-by: Ada Example <ada@example.org>\n',
    });
    const unrelated = mailText({ id: 'unrelated@example.org', subject: 'lumafs: typo in a comment', body: 'Fix the spelling of "writeback".\n' });
    writeFileSync(more, Buffer.concat([toMboxrd(Buffer.from(reply)), toMboxrd(Buffer.from(unrelated))]));
    await ingestPaths(db, [more], { ...inline, analyzers });
    // the unrelated thread holds no knowledge: not worth assembling
    expect(pendingKnowledgeThreads(db, mark)).toEqual([V2]);
    expect(threadFamilies(db, [V2])).toEqual([[V1, V2, REPORT].sort()]);
    closeDb(db);
  });

  it('leaves the old records and its mark when the pass is cut short, and a rerun ends as one clean run', async () => {
    const [report, rest] = splitSample(3);
    const db = await fresh('cut-short', [report]);
    const before = raceContent(db);
    const dying: Analyzer = {
      ...knowledgeAnalyzer,
      finish(d) {
        knowledgeAnalyzer.finish?.(d);
        // the whole pass has run inside the transaction: a kill now loses it all
        throw new Error('killed in the thread pass');
      },
    } as Analyzer;
    await expect(ingestPaths(db, [rest], { ...inline, analyzers: ANALYZERS.map((a) => (a === knowledgeAnalyzer ? dying : a)) })).rejects.toThrow(
      'killed in the thread pass',
    );
    expect(raceContent(db)).toEqual(before);
    expect(knowledgeWork(db).after).toBe(3);
    // the rerun reads nothing new from the archive, yet its pass covers what the killed one did not
    const rerun = await ingestPaths(db, [rest], inline);
    expect(rerun.stored).toBe(0);
    const once = await fresh('cut-short-clean', [LUMAFS]);
    expect(raceContent(db)).toEqual(raceContent(once));
    closeDb(db);
    closeDb(once);
  });

  it('marks the messages a database held before the knowledge tables for the backfill', async () => {
    const path = join(dir, 'old.db');
    const [first] = splitSample(6);
    const old = openDb(path, { migrations: loadMigrations().filter((m) => m.version <= 7) });
    lendTextColumns(old);
    await ingestPaths(old, [first], { ...inline, analyzers: [searchIndexAnalyzer] });
    storeTextInRows(old);
    closeDb(old);
    const db = openDb(path);
    expect(readMeta(db, 'knowledge_backfill_upto')).toBe('6');
    closeDb(db);
    const empty = openDb(join(dir, 'new-empty.db'));
    expect(readMeta(empty, 'knowledge_backfill_upto')).toBeUndefined();
    closeDb(empty);
  });

  it('gives the messages stored without knowledge their races on the next ingest', async () => {
    const [first, rest] = splitSample(6);
    const db = await fresh('backfill', [first], { ...inline, analyzers: ANALYZERS.filter((a) => a !== knowledgeAnalyzer) });
    expect(knowledgeCounts(db)).toMatchObject({ races: 0, messagesWithKnowledge: 0 });
    // as migration 008 leaves a database that held these six rows
    writeMeta(db, 'knowledge_backfill_upto', '6');
    await ingestPaths(db, [rest], inline);
    expect(readMeta(db, 'knowledge_backfill_upto')).toBeUndefined();
    const once = await fresh('backfill-clean', [LUMAFS]);
    expect(raceContent(db)).toEqual(raceContent(once));
    expect(knowledgeCounts(db)).toEqual(knowledgeCounts(once));
    closeDb(db);
    closeDb(once);
  });

  it('rebuilds the same knowledge from the stored messages (loregraph knowledge --rebuild)', async () => {
    const db = await fresh('rebuild', [join(SAMPLE_DIR, 'linux-mm.mboxrd'), LUMAFS]);
    const before = raceContent(db);
    const counts = knowledgeCounts(db);
    expect(counts.races).toBe(2);
    const r = updateKnowledge(db, { rebuild: true });
    expect(r).toMatchObject({ backfilled: 31, races: 2 });
    expect(raceContent(db)).toEqual(before);
    expect(knowledgeCounts(db)).toEqual(counts);
    // nothing pending afterwards: a second update analyses nothing
    expect(updateKnowledge(db)).toMatchObject({ backfilled: 0, threads: 0 });
    closeDb(db);
  });

  it('analyses a message’s patch once for both analyzers', async () => {
    const msg = await parseMessage({ bytes: Buffer.from(mailText({ id: 'p@x', subject: '[PATCH] a: b', body: 'x\n---\ndiff --git a/a b/a\n' })), position: { source: 't', offset: 0, index: 0 } });
    expect(patchAnalysisOf(msg)).toBe(patchAnalysisOf(msg));
    expect(patchAnalysisOf(msg)?.kind).toBe('patch');
  });
});

describe('a stable copy in a thread of its own', () => {
  const DIFF = 'foo_lookup() can race with foo_evict() and use the inode after it is freed.\n\nSigned-off-by: Ana Author <ana@example.org>\n---\n fs/foo/inode.c | 1 +\n\ndiff --git a/fs/foo/inode.c b/fs/foo/inode.c\n--- a/fs/foo/inode.c\n+++ b/fs/foo/inode.c\n@@ -10,3 +10,4 @@ static int foo_lookup(struct inode *inode)\n {\n+\tspin_lock(&fi->state_lock);\n \treturn 0;\n }\n';
  const patch = mailText({ id: 'fix-v1@example.org', from: 'Ana Author <ana@example.org>', subject: '[PATCH] foo: fix race between foo_evict() and foo_lookup()', date: 'Mon, 6 Jan 2025 10:00:00 +0000', body: DIFF });
  const autosel = mailText({
    id: 'autosel-12@example.org',
    from: 'Sasha Levin <sashal@kernel.org>',
    subject: '[PATCH AUTOSEL 6.12 12/40] foo: fix race between foo_evict() and foo_lookup()',
    date: 'Mon, 3 Feb 2025 10:00:00 +0000',
    body: `From: Ana Author <ana@example.org>\n\n[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]\n\n${DIFF}`,
  });

  it('joins the family of its patch and marks the patch merged, in one run and across two', async () => {
    const a = join(dir, 'stable-copy-a.mboxrd');
    const b = join(dir, 'stable-copy-b.mboxrd');
    writeFileSync(a, toMboxrd(Buffer.from(patch)));
    writeFileSync(b, toMboxrd(Buffer.from(autosel)));
    const once = await fresh('stable-copy-once', [a, b]);
    const twice = await fresh('stable-copy-twice', [a]);
    await ingestPaths(twice, [b], inline);
    for (const db of [once, twice]) {
      const { races } = listRaces(db);
      expect(races).toHaveLength(1);
      const race = getRace(db, races[0]!.id)!;
      expect(race.fixes.map((f) => [f.messageId, f.lifecycle])).toEqual([['fix-v1@example.org', 'merged']]);
    }
    expect(raceContent(twice)).toEqual(raceContent(once));
    closeDb(once);
    closeDb(twice);
  });

  it('joins it too when the patch itself asks for stable (Cc: stable is the patch, not a stable-process copy)', async () => {
    const tagged = patch.replace('Signed-off-by: Ana Author', 'Cc: stable@vger.kernel.org # 6.1+\nSigned-off-by: Ana Author');
    expect(tagged).toContain('Cc: stable@vger.kernel.org');
    const a = join(dir, 'stable-cc-a.mboxrd');
    writeFileSync(a, Buffer.concat([toMboxrd(Buffer.from(tagged)), toMboxrd(Buffer.from(autosel))]));
    const db = await fresh('stable-cc', [a]);
    const { races } = listRaces(db);
    expect(races).toHaveLength(1);
    const race = getRace(db, races[0]!.id)!;
    expect(race.fixes.map((f) => [f.messageId, f.lifecycle, f.copies])).toEqual([['fix-v1@example.org', 'merged', ['autosel-12@example.org']]]);
    // merged because the AUTOSEL mail copies it, not because it asked
    expect(race.fixes[0]!.lifecycleEvidence?.messageId).toBe('autosel-12@example.org');
    expect(race.messages).toEqual(['fix-v1@example.org', 'autosel-12@example.org']);
    closeDb(db);
  });
});

describe('a thread whose References a stranger wrote in the wrong order', () => {
  it('gives the thread pass its root without a parent, and the rest a tree', async () => {
    const cover = mailText({ id: 'c0@example.org', subject: '[PATCH 0/1] foo: fix a race', body: 'The cover.\n' });
    const patch = mailText({ id: 'c1@example.org', subject: '[PATCH 1/1] foo: fix a race', inReplyTo: 'c0@example.org', references: ['c0@example.org'], date: 'Tue, 2 Jan 2024 10:01:00 +0000' });
    // a reply naming the patch before the cover makes the cover's own parent the patch in thread_nodes
    const reply = mailText({ id: 'c2@example.org', subject: 'Re: [PATCH 0/1] foo: fix a race', inReplyTo: 'c0@example.org', references: ['c1@example.org', 'c0@example.org'], date: 'Tue, 2 Jan 2024 11:00:00 +0000' });
    const file = join(dir, 'wrong-order.mboxrd');
    writeFileSync(file, Buffer.concat([cover, patch, reply].map((m) => toMboxrd(Buffer.from(m)))));
    const db = await fresh('wrong-order', [file]);
    const t = threadInput(db, 'c0@example.org');
    expect(t.messages.map((m) => [m.messageId, m.parent])).toEqual([
      ['c0@example.org', null],
      ['c1@example.org', 'c0@example.org'],
      ['c2@example.org', 'c0@example.org'],
    ]);
    closeDb(db);
  });
});
