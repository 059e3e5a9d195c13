import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPaths } from '../ingest/pipeline.ts';
import { patchAnalyzer } from '../ingest/patch-analyzer.ts';
import type { Analyzer } from '../ingest/analyzer.ts';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { FOLLOWUP_PER_ROW_SQL, getSeries } from '../db/series.ts';
import { analyzePatchMessage, seriesMemberOf } from '../domain/patch/analyze.ts';
import { groupSeries, type SeriesMember, type SeriesVersion } from '../domain/patch/series.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';
import { readCorpusMbox } from './fixtures/patch/corpus.ts';
import { planOf } from './helpers/query-plan.ts';
import { ingestForPatches } from './fixtures/patch/ingest.ts';

function member(id: string, subject: { v?: string; i?: number; n?: number; title: string }, extra: Partial<SeriesMember> = {}): SeriesMember {
  return {
    messageId: id,
    isCover: subject.i === 0,
    version: subject.v ?? null,
    versionMajor: Number((subject.v ?? '1').split('.')[0]),
    index: subject.i ?? null,
    total: subject.n ?? null,
    title: subject.title,
    titleKey: subject.title.toLowerCase(),
    senderEmail: 'dev@example.org',
    date: 1000,
    inReplyTo: null,
    refs: [],
    changeId: null,
    patchId: null,
    lane: '',
    ...extra,
  };
}

const shape = (vs: SeriesVersion[]) => vs.map((v) => `${v.version}${v.superseded ? 's' : ''}:${v.patches.map((p) => p.index).join(',')}`);

describe('series grouping', () => {
  it('puts patches under the cover letter they answer', () => {
    const vs = groupSeries([
      member('c', { i: 0, n: 2, title: 'cover' }),
      member('p2', { i: 2, n: 2, title: 'two' }, { inReplyTo: 'c', refs: ['c'], date: 1002 }),
      member('p1', { i: 1, n: 2, title: 'one' }, { inReplyTo: 'c', refs: ['c'], date: 1001 }),
    ]);
    expect(shape(vs)).toEqual(['1:1,2']);
    expect(vs[0]?.coverMessageId).toBe('c');
  });

  it('groups unthreaded patches by sender, version and total within the window', () => {
    const vs = groupSeries([
      member('a1', { v: '2', i: 1, n: 2, title: 'one' }, { date: 0 }),
      member('a2', { v: '2', i: 2, n: 2, title: 'two' }, { date: 60_000 }),
      member('b2', { v: '2', i: 2, n: 2, title: 'two' }, { date: 60_000, senderEmail: 'other@example.org' }),
      member('late', { v: '2', i: 1, n: 2, title: 'one' }, { date: 3 * 86_400_000 }),
    ]);
    expect(vs.map((v) => v.patches.map((p) => p.messageId))).toEqual([['a1', 'a2'], ['b2'], ['late']]);
  });

  it('chains versions by change-id even when the title changed', () => {
    const vs = groupSeries([
      member('v1', { i: 0, n: 1, title: 'old name' }, { changeId: 'x-1', date: 1 }),
      member('v2', { v: '2', i: 0, n: 1, title: 'new name' }, { changeId: 'x-1', date: 2 }),
    ]);
    expect(vs.map((v) => [v.family, v.superseded])).toEqual([
      [0, true],
      [0, false],
    ]);
  });

  it('amends a version with a partial re-roll sent in reply to one patch', () => {
    const vs = groupSeries([
      member('c', { v: '5', i: 0, n: 3, title: 'cover' }, { date: 1 }),
      member('p1', { v: '5', i: 1, n: 3, title: 'one' }, { inReplyTo: 'c', date: 2 }),
      member('p2', { v: '5', i: 2, n: 3, title: 'two' }, { inReplyTo: 'c', date: 3 }),
      member('p3', { v: '5', i: 3, n: 3, title: 'three' }, { inReplyTo: 'c', date: 4 }),
      member('p2b', { v: '5.1', i: 2, n: 3, title: 'two' }, { inReplyTo: 'p2', refs: ['c', 'p2'], date: 5 }),
    ]);
    expect(shape(vs)).toEqual(['5s:1,2,3', '5.1:1,2,3']);
    expect(vs[1]?.amends).toBe(0);
    expect(vs[1]?.patches.map((p) => p.messageId)).toEqual(['p1', 'p2b', 'p3']);
  });

  it('collects two re-rolled patches of one version into a single amending version', () => {
    const vs = groupSeries([
      member('c', { v: '5', i: 0, n: 3, title: 'cover' }, { date: 1 }),
      member('p1', { v: '5', i: 1, n: 3, title: 'one' }, { inReplyTo: 'c', date: 2 }),
      member('p2', { v: '5', i: 2, n: 3, title: 'two' }, { inReplyTo: 'c', date: 3 }),
      member('p3', { v: '5', i: 3, n: 3, title: 'three' }, { inReplyTo: 'c', date: 4 }),
      member('p2b', { v: '5.1', i: 2, n: 3, title: 'two' }, { inReplyTo: 'p2', refs: ['c', 'p2'], date: 5 }),
      member('p3b', { v: '5.1', i: 3, n: 3, title: 'three' }, { inReplyTo: 'p3', refs: ['c', 'p3'], date: 6 }),
    ]);
    expect(shape(vs)).toEqual(['5s:1,2,3', '5.1:1,2,3']);
    expect(vs[1]?.patches.map((p) => p.messageId)).toEqual(['p1', 'p2b', 'p3b']);
  });

  it('groups unthreaded patches with the newest run in the window, skipping older runs of the same shape', () => {
    const day = 86_400_000;
    const vs = groupSeries([
      member('old1', { i: 1, n: 2, title: 'one' }, { date: 0 }),
      member('mid1', { i: 1, n: 2, title: 'one' }, { date: 2 * day }),
      member('new1', { i: 1, n: 2, title: 'one' }, { date: 4 * day }),
      member('new2', { i: 2, n: 2, title: 'two' }, { date: 4 * day + 60_000 }),
      member('undated', { i: 2, n: 2, title: 'two' }, { date: null }),
    ]);
    expect(vs.map((v) => v.patches.map((p) => p.messageId))).toEqual([['old1'], ['mid1'], ['new1', 'new2'], ['undated']]);
  });

  it('matches a patch across versions by patch-id before subject', () => {
    const vs = groupSeries([
      member('a', { title: 'fix thing' }, { patchId: 'P', date: 1 }),
      member('b', { v: '2', title: 'Fix the thing' }, { patchId: 'P', date: 2 }),
    ]);
    expect(vs[1]?.patches[0]).toMatchObject({ previousMessageId: 'a', match: 'patch-id' });
  });

  it('does not treat backports to different stable branches as versions', () => {
    const vs = groupSeries([member('a', { title: 'fix' }, { lane: '6.1', patchId: 'P' }), member('b', { title: 'fix' }, { lane: '6.6', patchId: 'P' })]);
    expect(vs.map((v) => v.superseded)).toEqual([false, false]);
    expect(vs[0]?.family).not.toBe(vs[1]?.family);
  });
});

describe.skipIf(!HAS_SHARED)('series in the patchwork samples', () => {
  async function group(file: string) {
    const msgs = await readCorpusMbox(sharedPath('corpus', 'patchwork', 'series', file));
    return groupSeries(msgs.flatMap((m) => {
      const a = analyzePatchMessage(m);
      const s = a ? seriesMemberOf(m, a) : null;
      return s ? [s] : [];
    }));
  }

  it.each([
    ['base-cover-letter.mbox', ['1:1,2']],
    ['base-out-of-order.mbox', ['1:1,2']],
    ['base-no-cover-letter.mbox', ['1:1,2']],
    ['base-incomplete.mbox', ['1:1']],
    ['base-different-versions.mbox', ['3:1,2,3,4']],
    ['mercurial-cover-letter.mbox', ['1:1,2']],
    ['revision-basic.mbox', ['1s:1,2', '2:1,2']],
    ['revision-threaded-to-cover.mbox', ['1s:1,2', '2:1,2']],
    ['revision-threaded-to-patch.mbox', ['1s:1,2', '2:1,2']],
    ['revision-no-cover-letter.mbox', ['1s:1,2', '2:1,2']],
    ['bugs-nocover.mbox', ['1s:1,2', '2:1,2']],
    ['bugs-mixed-versions.mbox', ['1:1', '2:2']],
  ])('%s', async (file, expected) => {
    expect(shape(await group(file))).toEqual(expected);
  });
});

describe.skipIf(!HAS_SHARED)('series with trailers from b4 samples', () => {
  let withCover: Db;
  let reroll: Db;
  let already: Db;
  beforeAll(async () => {
    withCover = await ingestForPatches([sharedPath('corpus', 'b4', 'trailers-followup-with-cover.mbox')]);
    reroll = await ingestForPatches([sharedPath('corpus', 'b4', 'trailers-followup-partial-reroll.mbox')]);
    already = await ingestForPatches([sharedPath('corpus', 'b4', 'trailers-followup-already-present.mbox')]);
  });
  afterAll(() => [withCover, reroll, already].forEach((d) => closeDb(d)));

  it('attaches a reply trailer to the patch it answers, with the reply as provenance', () => {
    const s = getSeries(withCover, 'patch-2-message@example.com');
    const p2 = s.versions[0]?.patches.find((p) => p.index === 2);
    expect(p2?.trailers.filter((t) => t.followup)).toEqual([
      expect.objectContaining({ name: 'Reviewed-by', person: { name: 'Followup Reviewer1', email: 'followup-reviewer1@example.com' }, givenIn: 'fwup-message-1@example.com' }),
    ]);
  });

  it('keeps a trailer given to the cover letter for the whole series', () => {
    const s = getSeries(withCover, 'cover-message@example.com');
    expect(s.versions[0]?.coverTrailers).toEqual([
      expect.objectContaining({ name: 'Reviewed-by', value: 'Coverletter Reviewer1 <followup-reviewer1@example.com>', givenIn: 'fwup-message-2@example.com', fromCover: true }),
    ]);
  });

  it('shows a partial re-roll as a new version that amends the old one', () => {
    const s = getSeries(reroll, 'patch-v3-2-message@example.com');
    expect(s.versions.map((v) => [v.version, v.superseded, v.amends])).toEqual([
      ['2', true, null],
      ['3', false, '2'],
    ]);
    expect(s.versions[1]?.patches.map((p) => p.messageId)).toEqual(['patch-1-message@example.com', 'patch-v3-2-message@example.com']);
    expect(s.versions[1]?.patches[1]?.previousMessageId).toBe('patch-2-message@example.com');
  });

  it('reads a patch whose "---" line was stripped, and one with a diffstat', async () => {
    for (const file of ['trailers-followup-stripped-lines.mbox', 'trailers-followup-with-diffstat.mbox']) {
      const db = await ingestForPatches([sharedPath('corpus', 'b4', file)]);
      try {
        const id = db.sql.prepare(`SELECT message_id FROM patch_msgs WHERE kind = 'patch'`).get() as { message_id: string };
        const t = getSeries(db, id.message_id).versions[0]?.patches[0]?.trailers ?? [];
        expect(t.filter((x) => !x.followup).map((x) => x.name)).toEqual(['Fixes', 'Reviewed-by', 'Link', 'Signed-off-by']);
        expect(t.filter((x) => x.followup).map((x) => [x.value, x.givenIn])).toEqual([['Followup Reviewer1 <followup-reviewer1@example.com>', 'fwup-message-1@example.com']]);
      } finally {
        closeDb(db);
      }
    }
  });

  it('does not repeat a trailer the patch already carries', () => {
    const id = already.sql.prepare(`SELECT message_id FROM patch_msgs WHERE kind = 'patch'`).get() as { message_id: string };
    const trailers = getSeries(already, id.message_id).versions[0]?.patches[0]?.trailers ?? [];
    expect(trailers.filter((t) => t.name === 'Reviewed-by').length).toBe(1);
    // "Tested-by: Someone Else" sent by Mismatched Reviewer names someone else: refused, as b4 refuses it
    expect(trailers.filter((t) => t.followup).map((t) => t.value)).toEqual([]);
  });
});

describe.skipIf(!HAS_SHARED)('version chains in the real archives', () => {
  let cifs: Db;
  let ppp: Db;
  beforeAll(async () => {
    cifs = await ingestForPatches([sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd')]);
    ppp = await ingestForPatches([sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd')]);
  }, 60_000);
  afterAll(() => [cifs, ppp].forEach((d) => closeDb(d)));

  it('links the three versions of the filelock series by change-id', () => {
    const s = getSeries(cifs, '20240131-flsplit-v3-0-c6129007ee8d@kernel.org');
    expect(s.versions.map((v) => [v.version, v.superseded, v.patches.length, v.changeId])).toEqual([
      ['1', true, 20, '20240116-flsplit-bdb46824db68'],
      ['2', true, 41, '20240116-flsplit-bdb46824db68'],
      ['3', false, 47, '20240116-flsplit-bdb46824db68'],
    ]);
    expect(s.versions[2]?.title).toBe('filelock: split file leases out of struct file_lock');
  });

  it('attaches review replies on lore to the patches they answer, with the reply as provenance', () => {
    const s = getSeries(cifs, '20240103145935.384404-4-dhowells@redhat.com');
    const v = s.versions.find((x) => x.patches.some((p) => p.messageId === '20240103145935.384404-4-dhowells@redhat.com'));
    const p4 = v?.patches.find((p) => p.messageId === '20240103145935.384404-4-dhowells@redhat.com');
    expect(p4?.trailers.filter((t) => t.followup).map((t) => [t.name, t.person?.email, t.givenIn])).toEqual([
      ['Acked-by', 'asmadeus@codewreck.org', 'ZZW5YEy0xiGp1JRT@codewreck.org'],
    ]);
    expect(p4?.trailers.some((t) => !t.followup && t.name === 'Signed-off-by' && t.person?.email === 'dhowells@redhat.com')).toBe(true);
  });

  it('follows a netdev series from v3 to v10', () => {
    const s = getSeries(ppp, '20250219125039.18024-1-shaw.leon@gmail.com');
    expect(s.versions.map((v) => v.version)).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);
    expect(s.versions.filter((v) => !v.superseded).map((v) => v.version)).toEqual(['10']);
  });
});

describe('end-of-ingest follow-up pass', () => {
  it.each(Object.entries(FOLLOWUP_PER_ROW_SQL))('%s seeks an index instead of scanning a table per reply', (_name, query) => {
    const plan = planOf(query);
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.filter((step) => !/^SEARCH \w+ USING (INDEX|COVERING INDEX|INTEGER PRIMARY KEY)/.test(step))).toEqual([]);
  });
});

describe('end-of-ingest passes across runs', () => {
  // Written for this test: a two-patch series, then a later run with only a review reply,
  // then a run with the series' v2.
  const mail = (id: string, date: string, subject: string, body: string, inReplyTo?: string, from = 'Ada Dev <ada@example.org>') =>
    [
      `From mboxrd@z Thu Jan  1 00:00:00 1970`,
      `From: ${from}`,
      `Date: ${date}`,
      `Subject: ${subject}`,
      `Message-ID: <${id}>`,
      ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : []),
      '',
      body,
      '',
    ].join('\n');
  const diff = (file: string) =>
    `Signed-off-by: Ada Dev <ada@example.org>\n---\n ${file} | 1 +\n\ndiff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1,1 +1,2 @@\n int x;\n+int y;\n`;
  let dir = '';
  let db: Db;
  const run = async (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    await ingestPaths(db, [path], { analyzers: [patchAnalyzer as Analyzer], worker: false });
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-runs-'));
    db = openDb(':memory:');
  });
  afterAll(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it('attaches a review sent in a later, reply-only run, then links a v2 sent in a third run', async () => {
    await run(
      'v1.mbox',
      mail('v1-0@example.org', 'Mon, 1 Jul 2024 10:00:00 +0000', '[PATCH 0/2] widget: tidy the frobnicator', 'Two small cleanups.') +
        mail('v1-1@example.org', 'Mon, 1 Jul 2024 10:00:01 +0000', '[PATCH 1/2] widget: drop the spare lock', diff('a.c'), 'v1-0@example.org') +
        mail('v1-2@example.org', 'Mon, 1 Jul 2024 10:00:02 +0000', '[PATCH 2/2] widget: rename the frob helper', diff('b.c'), 'v1-0@example.org'),
    );
    await run(
      'review.mbox',
      mail('rev@example.org', 'Tue, 2 Jul 2024 09:00:00 +0000', 'Re: [PATCH 1/2] widget: drop the spare lock', '> +int y;\n\nReviewed-by: Bo Reviewer <bo@example.org>', 'v1-1@example.org', 'Bo Reviewer <bo@example.org>'),
    );
    const afterReview = getSeries(db, 'v1-1@example.org');
    expect(afterReview.versions.map((v) => v.version)).toEqual(['1']);
    expect(afterReview.versions[0]?.patches[0]?.trailers.filter((t) => t.followup).map((t) => [t.name, t.value, t.givenIn])).toEqual([
      ['Reviewed-by', 'Bo Reviewer <bo@example.org>', 'rev@example.org'],
    ]);

    await run(
      'v2.mbox',
      mail('v2-0@example.org', 'Mon, 8 Jul 2024 10:00:00 +0000', '[PATCH v2 0/2] widget: tidy the frobnicator', 'Now with the review applied.') +
        mail('v2-1@example.org', 'Mon, 8 Jul 2024 10:00:01 +0000', '[PATCH v2 1/2] widget: drop the spare lock', diff('a.c'), 'v2-0@example.org') +
        mail('v2-2@example.org', 'Mon, 8 Jul 2024 10:00:02 +0000', '[PATCH v2 2/2] widget: rename the frob helper', diff('c.c'), 'v2-0@example.org'),
    );
    const s = getSeries(db, 'v1-1@example.org');
    expect(s.versions.map((v) => [v.version, v.superseded])).toEqual([
      ['1', true],
      ['2', false],
    ]);
    expect(s.versions[1]?.patches.map((p) => [p.messageId, p.previousMessageId, p.match])).toEqual([
      ['v2-1@example.org', 'v1-1@example.org', 'patch-id'],
      ['v2-2@example.org', 'v1-2@example.org', 'subject'],
    ]);
  });
});

describe('a review carried forward while the patch is unchanged (test/fixtures/am/two-versions.mbox)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await ingestForPatches([join(import.meta.dirname, 'fixtures', 'am', 'two-versions.mbox')]);
  });
  afterAll(() => closeDb(db));

  it('gives v2 1/2 (same patch-id) the Reviewed-by of v1 1/2, v2 2/2 (changed) none, and refuses the trailer naming someone else', () => {
    const [v1, v2] = getSeries(db, 'v2-1@example.org').versions;
    const followups = (p: { trailers: { followup: boolean; name: string; value: string; givenIn: string; carriedFrom: string | null }[] } | undefined) =>
      (p?.trailers ?? []).filter((t) => t.followup).map((t) => [t.name, t.value, t.givenIn, t.carriedFrom]);
    expect(followups(v1?.patches[0])).toEqual([['Reviewed-by', 'Rita Reviewer <rita@example.org>', 'r1@example.org', null]]);
    expect(followups(v2?.patches[0])).toEqual([['Reviewed-by', 'Rita Reviewer <rita@example.org>', 'r1@example.org', 'v1-1@example.org']]);
    expect(followups(v2?.patches[1])).toEqual([]);
    expect(v2?.coverTrailers.map((t) => [t.name, t.givenIn, t.carriedFrom])).toEqual([['Tested-by', 'r3@example.org', null]]);
  });
});
