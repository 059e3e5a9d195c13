// Issue #12: stable status a maintainer can trust. Each problem the issue lists, built
// from a real case's shape in test/fixtures/patch/stable-forms.ts (mail written by us).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, type Db } from '../db/connection.ts';
import { getFixStatus, listStableBranch, stableMatrix } from '../db/stable.ts';
import { maintainedOn, parseStableRange, resolveStableRange } from '../domain/patch/stable-branches.ts';
import { classifyStableMail, findUpstreamCommit } from '../domain/patch/stable-mail.ts';
import { replyDecision, replyDecisions } from '../domain/patch/stable-reply.ts';
import { ingestForPatches } from './fixtures/patch/ingest.ts';
import { FIX, stableFormsMbox } from './fixtures/patch/stable-forms.ts';

const day = (iso: string): number => Date.parse(`${iso}T12:00:00Z`);
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('version ranges resolve to the branches maintained on the mail’s date', () => {
  const on = (extinfo: string, iso: string): string[] => resolveStableRange(parseStableRange(extinfo), day(iso));

  it('an open range: "# 4.14+", "# v6.1+", "#v5.19+"', () => {
    // 5.0 reached its end on 2019-06-04, 5.2 came out on 2019-07-07.
    expect(on('4.19+', '2019-06-10')).toEqual(['5.1', '4.19']);
    expect(on('v6.1+', '2024-07-02')).toEqual(['6.9', '6.6', '6.1']);
    expect(on('v5.3+', '2020-01-07')).toEqual(['5.4']);
    // A start newer than the branch table is still the branch the mail names, not nothing.
    expect(on('v7.1+', '2026-06-29')).toEqual(['7.1']);
  });

  it('an exact branch, a list and a closed range', () => {
    expect(on('5.10.x', '2024-01-01')).toEqual(['5.10']);
    expect(on('4.4, 4.9, 4.14 & 4.19', '2019-08-12')).toEqual(['4.19', '4.14', '4.9', '4.4']);
    expect(on('5.4-6.1', '2024-03-01')).toEqual(['6.1', '5.15', '5.10', '5.4']);
    expect(on('6.1.x: a1f84a3: prereq', '2024-03-01')).toEqual(['6.1']);
  });

  it('a bare tag means every branch maintained that day, and nothing without a date', () => {
    expect(on('', '2024-09-03')).toEqual(maintainedOn(day('2024-09-03')));
    expect(maintainedOn(day('2024-09-03'))).toEqual(['6.10', '6.6', '6.1', '5.15', '5.10', '5.4', '4.19']);
    expect(resolveStableRange(parseStableRange(''), null)).toEqual([]);
  });

  it('keeps ranges out of branch names', () => {
    for (const x of ['4.14+', 'v6.1+', '5.4-6.1', '']) {
      const branches = on(x, '2023-05-01');
      // An empty answer would pass the loop below whatever the ranges did.
      expect(branches.length).toBeGreaterThan(0);
      for (const b of branches) expect(b).toMatch(/^\d+\.\d+$/);
    }
    // Before 6.1 existed, "v6.1+" meant no branch maintained that day.
    expect(on('v6.1+', '2022-05-01')).toEqual([]);
  });
});

describe('every form of stable mail', () => {
  it('reads Greg’s 2019 review series by its sender, Ben Hutchings’ by its review line', () => {
    const greg = classifyStableMail('[PATCH 5.4 050/344] efi/x86: fix', `From: A <a@example.org>\n\ncommit ${SHA} upstream.\n`, {}, undefined, {
      senderEmail: 'gregkh@linuxfoundation.org',
    });
    expect(greg).toMatchObject({ kind: 'review-patch', branches: ['5.4'], upstreamCommit: SHA });
    const ben = classifyStableMail('[PATCH 3.16 44/99] efi: fix', `3.16.78-rc1 review patch.  If anyone has any objections, please let me know.\n\n------------------\n\nFrom: B <b@example.org>\n\ncommit ${SHA} upstream.\n`);
    expect(ben).toMatchObject({ kind: 'review-patch', branches: ['3.16'] });
    // The same numbered subject from anyone else is a backport series.
    expect(classifyStableMail('[PATCH 5.4 1/2] efi/x86: fix', `commit ${SHA} upstream.`, {}, undefined, { senderEmail: 'dev@example.org' })?.kind).toBe('backport');
    // Sasha's own [PATCH 6.1.y 2/5] backport answering a FAILED mail is no review.
    expect(classifyStableMail('[PATCH 6.1.y 2/5] efi: fix', `commit ${SHA} upstream.`, {}, undefined, { senderEmail: 'sashal@kernel.org' })?.kind).toBe('backport');
  });

  it('reads the 2019 review cover and MANUALSEL picks', () => {
    expect(classifyStableMail('[PATCH 5.0 00/89] 5.0.11-stable review', 'This is the start of the stable review cycle for the 5.0.11 release.')).toMatchObject({
      kind: 'review-cover',
      rc: '5.0.11-stable',
    });
    expect(classifyStableMail('[PATCH MANUALSEL 6.6 1/2] widget: fix', `[ Upstream commit ${SHA} ]`)).toMatchObject({ kind: 'autosel', branches: ['6.6'] });
  });

  it('reads [PATCH x.y.z], [PATCH x.y-stable] and a "~" range', () => {
    expect(classifyStableMail('[PATCH 4.19.325] widget: fix', `commit ${SHA} upstream.`)?.branches).toEqual(['4.19']);
    expect(classifyStableMail('[PATCH 5.4-stable] widget: fix', `commit ${SHA} upstream.`)?.branches).toEqual(['5.4']);
    expect(classifyStableMail('[PATCH linux-5.10.y] widget: fix', `commit ${SHA} upstream.`)?.branches).toEqual(['5.10']);
    expect(classifyStableMail('[PATCH 6.6~6.9] widget: fix', 'x', {}, undefined, { date: day('2024-06-24') })?.branches).toEqual(['6.9', '6.6']);
  });

  it('does not take a Revert’s "which is commit X upstream" for the revert’s own commit', () => {
    expect(findUpstreamCommit(`This reverts commit 1111111111111111111111111111111111111111 which is\ncommit ${SHA} upstream.\n`)).toBeNull();
  });

  it('reads a release announcement’s shortlog', () => {
    const a = classifyStableMail('Linux 6.6.12', "I'm announcing the release of the 6.6.12 kernel.\n\n------------\n\nAda Author (2):\n      widget: one\n      widget: two\n\nGreg Kroah-Hartman (1):\n      Linux 6.6.12\n");
    expect(a?.kind).toBe('announce');
    expect(a?.released.map((r) => [r.branch, r.version, r.author, r.title])).toEqual([
      ['6.6', '6.6.12', 'Ada Author', 'widget: one'],
      ['6.6', '6.6.12', 'Ada Author', 'widget: two'],
    ]);
    expect(classifyStableMail('Linux 6.6.12', 'a talk about the 6.6.12 kernel')).toBeNull();
  });
});

describe('what a reply decides', () => {
  const team = { fromStableTeam: true, answersOwnMail: false };
  const anyone = { fromStableTeam: false, answersOwnMail: false };

  it('reads the stable team’s queued and dropped in their every wording', () => {
    for (const s of ['Now queued up, thanks.', 'All now queued up, thanks.', 'Both now queued up, thanks.', 'All now applied, thanks.', 'Anyway, now queued up, thanks.'])
      expect(replyDecision(s, team)?.kind, s).toBe('queued');
    for (const s of ['Nope, now dropped.', 'Now dropped, thanks.', "Nope, I'll drop this one. Thanks!", "Sure, I'l drop it. Thanks!", "Anyway, I'll go drop both of these now", 'Now deleted.', 'Please resend both series, as this one I already dropped from my queue.'])
      expect(replyDecision(s, team)?.kind, s).toBe('dropped');
    expect(replyDecision('It is queued up for 5.10, but not 5.15 for some reason?', team)).toBeNull();
  });

  it('reads objections, and not what only sounds like one', () => {
    for (const s of ['NAK', 'NAK, this is not a bugfix.', "Please don't backport this to the LTS kernels.", "Let's not backport this one.", 'This fix is not needed now in the stable kernels.'])
      expect(replyDecision(s, anyone)?.kind, s).toBe('dropped');
    for (const s of ["This is NOT a bugfix, but I don't mind if such random patch backports to stable kernels.", 'Why did AUTOSEL pick this? It should not be picking whitespace changes?', 'This patch depends on cad3fc0a4c8c. Please ensure that this dependency is included.', '> NAK\n\nI disagree with the NAK above, it fixes a crash for us'])
      expect(replyDecision(s, anyone), s).toBeNull();
  });

  it('a withdrawal is the poster’s; a named release is anyone’s; the stable bot names failures', () => {
    expect(replyDecision('Please ignore this patch. I will resend it.', { fromStableTeam: false, answersOwnMail: true })?.kind).toBe('withdrawn');
    expect(replyDecision('Please ignore this patch. I will resend it.', anyone)).toBeNull();
    expect(replyDecision('It was backported to two of the stable series, 6.1.68 and 6.6.7.', anyone)).toMatchObject({ kind: 'released', versions: ['6.1.68', '6.6.7'] });
    expect(replyDecision('This whole series is already in -stable, as part of 6.1.110 or 6.1.111', anyone)).toMatchObject({ versions: ['6.1.110'] });
    expect(replyDecision('It is not in 6.1.70 yet.', anyone)).toBeNull();
    expect(replyDecision('In the 6.1.72 kernel, this problem was fixed by the commit "smb3: widen the arrays".', anyone)).toMatchObject({ versions: ['6.1.72'] });
    expect(replyDecision('I see the problem in the 6.1.72 kernel too.', anyone)).toBeNull();
    // The stable team's word without a version: released wherever it was in review.
    expect(replyDecision('The stable trees were already released with this change in it, so be it.', team)).toMatchObject({ kind: 'released', versions: [] });
    expect(replyDecision('The stable trees were already released with this change in it, so be it.', anyone)).toBeNull();
    const both = replyDecisions('It was merged in 5.16-rc1, and then backported to 5.15.6.  Anyway, now queued up, thanks.', team);
    expect(both.map((d) => d.kind)).toEqual(['released', 'queued']);
    expect(replyDecision('Looks like linux-6.1.y and linux-6.6.y needs it, too.', anyone)).toMatchObject({ kind: 'wanted', branches: ['6.1', '6.6'] });
    expect(replyDecision('Can you please backport this commit to a stable 6.1.y tree?', anyone)).toMatchObject({ kind: 'wanted', branches: ['6.1'] });
    expect(replyDecision('To apply cleanly on top of 5.10.y, you will also need the followings:', anyone)).toBeNull();
    // A hedge is no negation; the branches may follow in the next sentences; the commit asked for is spelled out.
    const full = `1997b3cb421${'7'.repeat(29)}`;
    expect(
      replyDecision(`   commit ${full}\n\nIf it is not too late, would it be possible to apply 1997b3cb421 to the branches it was cherry-picked to?\nI believe the branches are\n\n  linux-6.6.y, linux-6.1.y\n`, anyone),
    ).toMatchObject({ kind: 'wanted', branches: ['6.6', '6.1'], commit: full });
    expect(replyDecision('Would it be possible to apply this to the branches? We do not need it in 6.1.y.', anyone)).toBeNull();
    // The stable team's promise queues; a conditional one does not.
    expect(replyDecisions("The stable trees were already released with this change in it, so I'll queue this up for the next round, thanks.", team).map((d) => d.kind)).toEqual([
      'queued',
      'released',
    ]);
    expect(replyDecision("So I'll go add this manually.", team)?.kind).toBe('queued');
    expect(replyDecision("I'll queue it up once the fix for it is in Linus's tree.", team)).toBeNull();
    // A release said not to carry the commit, or asked about, is none; a request to revert is no wish.
    expect(replyDecision('5.15.146 does not have the bad commit 33eae65c6f (smb: fix OOB).', anyone)).toBeNull();
    expect(replyDecision('Does 5.15.146 have the bad commit 33eae65c6f (smb: fix OOB)?', anyone)).toBeNull();
    expect(replyDecision('I think we should revert eb3e28c1e8 ("smb3: x") from both v5.15.y & v5.10.y, please note that we would take another path.', anyone)).toBeNull();
    expect(replyDecision('And 5.10.y and 5.15.y.  Now queued up, thanks.', team)).toMatchObject({ kind: 'queued', branches: ['5.10', '5.15'] });
    expect(replyDecision('[This is an automated email]\n\nv5.5.6: Build OK!\nv5.4.22: Failed to apply! Possible dependencies:\n', anyone)).toMatchObject({
      kind: 'bot-failed',
      branches: ['5.4'],
    });
  });
});

describe('stable status on mail written in every real form', () => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-stable-forms-'));
    const file = join(dir, 'stable-forms.mbox');
    writeFileSync(file, stableFormsMbox());
    db = await ingestForPatches([file]);
  }, 60_000);
  afterAll(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });
  const statuses = (key: string): Record<string, string> => Object.fromEntries(Object.entries(getFixStatus(db, key).branches).map(([b, s]) => [b, s.status]));

  it('Greg’s 2019 review patch is in review, the quoted Cc: stable adds no wish, and the announcement releases it', () => {
    const f = getFixStatus(db, FIX.greg2019);
    expect(Object.keys(f.branches)).toEqual(['5.4']);
    expect(f.branches['5.4']).toMatchObject({ status: 'released', release: { state: 'released', version: '5.4.2', source: 'release announcement' } });
    expect(f.branches['5.4']?.history.map((h) => h.status)).toEqual(['in-review', 'released']);
    // A reply in another thread names it by its quoted title with the release that carried it.
    const ben = getFixStatus(db, FIX.ben316).branches['3.16'];
    expect(ben).toMatchObject({ status: 'released', release: { state: 'released', version: '3.16.78', source: 'a reply naming the release' } });
    expect(ben?.history.map((h) => h.status)).toEqual(['in-review', 'released']);
  });

  it('a NAK drops an AUTOSEL pick; "not a bugfix, but I don’t mind" does not; a named release is final', () => {
    expect(statuses(FIX.nakked)).toEqual({ '5.10': 'not-needed' });
    const f = getFixStatus(db, FIX.notNak);
    expect(f.branches['6.12']).toMatchObject({ status: 'released', evidence: ['already-released-1@example.org'], release: { version: '6.12.4' } });
    expect(f.branches['6.12']?.history.map((h) => [h.status, h.sentence])).toEqual([
      ['autosel', '[PATCH AUTOSEL 6.12 07/30] widget: tidy the error path'],
      ['released', 'This is already in the 6.12.4 release, so nothing more to do here.'],
    ]);
  });

  it('queued, then dropped, then posted again: the timeline, every mail and sentence, first and last date', () => {
    const st = getFixStatus(db, FIX.requeued).branches['6.1'];
    expect(st).toMatchObject({ status: 'backport-posted', evidence: ['20250331235023.2-1-fay@example.org'] });
    expect(st?.history.map((h) => [h.status, h.messageId, h.sender])).toEqual([
      ['backport-posted', '20240713031147.1-1-fay@example.org', 'Fay Porter <fay@example.org>'],
      ['queued', '2024071535-queued-1@gregkh', 'Greg KH <greg@kroah.com>'],
      ['not-needed', '2024071751-dropped-1@gregkh', 'Greg Kroah-Hartman <gregkh@linuxfoundation.org>'],
      ['backport-posted', '20250331235023.2-1-fay@example.org', 'Fay Porter <fay@example.org>'],
    ]);
    expect(st?.history[2]?.sentence).toBe('Nope, now dropped.');
    // No mail wrote a range here: the replies' own branch hints stay inside.
    expect(st?.history.map((h) => h.rawRange)).toEqual([null, null, null, null]);
    expect(new Date(st?.firstDate ?? 0).toISOString().slice(0, 10)).toBe('2024-07-13');
    expect(new Date(st?.lastDate ?? 0).toISOString().slice(0, 10)).toBe('2025-03-31');
    expect(st?.release).toEqual({ state: 'unknown' });
  });

  it('the poster withdraws a backport; a bystander’s "please ignore" does not', () => {
    expect(statuses(FIX.withdrawn)).toEqual({ '6.6': 'not-needed' });
    expect(statuses(FIX.keptPosting)).toEqual({ '6.6': 'backport-posted' });
  });

  it('a stable Revert takes the fix off its branch and is not evidence of its review', () => {
    const st = getFixStatus(db, FIX.reverted).branches['6.1'];
    expect(st).toMatchObject({ status: 'not-needed', evidence: ['20240315101010.222222222@linuxfoundation.org'] });
    // A request on the round's cover to drop another patch touches none of the round's patches.
    expect(st?.history.some((h) => h.messageId === 'drop-on-cover-1@example.org')).toBe(false);
    expect(st?.history[0]).toMatchObject({ status: 'in-review', messageId: '20240301101010.111111111@linuxfoundation.org' });
    expect(getFixStatus(db, FIX.reverted).branches['6.1']?.rc ?? null).toBeNull();
    expect(st?.history.map((h) => h.status)).toEqual(['in-review', 'not-needed']);
  });

  it('one fix, one record: the commit, the patch found by patch-id, its earlier version by series, each join labelled', () => {
    const f = getFixStatus(db, FIX.rerolled);
    expect(f.fix).toMatchObject({ patchMessageId: '20240808.6-2-kit@example.org', patchMatch: 'patch-id' });
    expect(f.links).toEqual(
      expect.arrayContaining([
        { messageId: '20240808.6-2-kit@example.org', role: 'patch', how: 'patch-id' },
        { messageId: '20240801.5-2-kit@example.org', role: 'patch', how: 'series' },
        { messageId: '20240910100000.3000-9-sashal@kernel.org', role: 'stable', how: 'commit' },
      ]),
    );
    // The v3's wish ("# 6.6+" on 2024-08-01: 6.6 and 6.10) joined the commit's record.
    expect(statuses(FIX.rerolled)).toEqual({ '6.10': 'autosel', '6.6': 'wanted' });
    expect(getFixStatus(db, '20240801.5-2-kit@example.org').fix.key).toBe(FIX.rerolled);
    expect(stableMatrix(db).fixes.filter((r) => r.fix.title === 'widget: close the refcount race')).toHaveLength(1);
  });

  it('the stable bot’s verdict is a failure on the branches it names and nothing on the others', () => {
    expect(statuses('20190610.7-1-lu@example.org')).toEqual({ '5.1': 'wanted', '4.19': 'failed-to-apply' });
    // The wish keeps its range as written; the bot's verdict has none.
    expect(getFixStatus(db, '20190610.7-1-lu@example.org').branches['4.19']?.history.map((h) => [h.kind, h.rawRange])).toEqual([
      ['cc-stable', '4.19+'],
      ['bot-failed', null],
    ]);
  });

  it('a reader’s request names branches for a plain patch, and Greg queues it there and on two more', () => {
    const f = getFixStatus(db, '20240110.8-1-max@example.org');
    expect(Object.fromEntries(Object.entries(f.branches).map(([b, s]) => [b, s.status]))).toEqual({ '6.6': 'queued', '6.1': 'queued', '5.15': 'queued', '5.10': 'queued' });
    expect(f.branches['6.1']?.history.map((h) => [h.status, h.sentence])).toEqual([
      ['wanted', 'Looks like linux-6.1.y and linux-6.6.y needs it, too.'],
      ['queued', 'Now queued up, thanks.'],
    ]);
  });

  it('a thread about a commit named the kernel’s way gets the releases its replies name', () => {
    const f = getFixStatus(db, '4444444444aa');
    expect(f.fix).toMatchObject({ upstreamCommit: '4444444444aa', title: 'widget: fix the reconnect use-after-free' });
    expect(Object.fromEntries(Object.entries(f.branches).map(([b, s]) => [b, s.release]))).toEqual({
      '6.8': { state: 'released', version: '6.8.5', source: 'a reply naming the release' },
      '6.6': { state: 'released', version: '6.6.29', source: 'a reply naming the release' },
    });
  });

  it('a request for another commit under a review patch is that commit’s; one sentence releases the reviewed fix and queues the asked one', () => {
    expect(statuses(FIX.reviewedTwice)).toEqual({ '6.6': 'released' });
    const asked = getFixStatus(db, FIX.askedFollowUp);
    // Titled as the request's git log gives it, not by the review thread's subject.
    expect(asked.fix).toMatchObject({ upstreamCommit: FIX.askedFollowUp, title: 'widget: check the key header size' });
    // linux-4.20.y ended in 2019: a slip in a list of 2024, not a branch.
    expect(Object.fromEntries(Object.entries(asked.branches).map(([b, s]) => [b, s.status]))).toEqual({ '6.6': 'queued', '6.1': 'queued' });
    expect(asked.branches['6.1']?.history.map((h) => [h.status, h.messageId])).toEqual([
      ['wanted', 'asked-follow-up-1@example.org'],
      ['queued', 'asked-follow-up-2@gregkh'],
      ['queued', 'asked-follow-up-3@gregkh'],
    ]);
  });

  it('"Now done." under a request naming stable-queue files takes the fix out of those queues only', () => {
    const f = getFixStatus(db, '20240128.9-1-hal@example.org');
    // The 5.10.y posting of the same stable-only fix is the same record; the 6.1 file quoted deeper was never put to Greg.
    expect(Object.fromEntries(Object.entries(f.branches).map(([b, s]) => [b, s.status]))).toEqual({ '5.15': 'not-needed', '5.10': 'not-needed' });
    expect(f.branches['5.15']?.history.map((h) => [h.status, h.messageId])).toEqual([
      ['backport-posted', '20240128.9-1-hal@example.org'],
      ['queued', '2024012840-queued-9@gregkh'],
      ['not-needed', 'queue-files-2@gregkh'],
    ]);
    expect(f.branches['5.15']?.history[2]?.sentence).toBe('Now done. (to: "1. Remove this patch from the queue: queue-5.15/widget-fix-off-by-one-in-widget_query_init.patch")');
    // Anyone else's "Now done." is no stable decision.
    expect(replyDecisions('> 1. Remove this patch from the queue:\n> https://x/queue-5.15/widget-fix-it.patch\n\nNow done.\n', { fromStableTeam: false, answersOwnMail: false })).toEqual([]);
  });

  it('a regression thread: the bisected, reverted or "bad" commit is in the releases it names, and a merge conflict kept it off a branch', () => {
    const bisected = getFixStatus(db, FIX.bisected);
    expect(bisected.fix).toMatchObject({ upstreamCommit: FIX.bisected, title: 'widget: fix OOB in widget_query_init()' });
    const cells = (f: typeof bisected): Record<string, [string, string | null]> =>
      Object.fromEntries(Object.entries(f.branches).map(([b, st]) => [b, [st.status, st.release.state === 'released' ? st.release.version : null]]));
    // The later end of the bisection is where it came in; a question names no release.
    expect(cells(bisected)).toEqual({
      '6.1': ['released', '6.1.70'],
      '5.15': ['released', '5.15.146'],
      '5.10': ['released', '5.10.206'],
      '5.4': ['failed-to-apply', null],
    });
    expect(bisected.branches['5.4']?.evidence).toEqual(['regression-3@example.org']);
    // The proposed fix only tried, then reverted after an upgrade: in the upgrade's release, and where "the mentioned" patch was merged.
    // (Named only by ten digits in the mail, it is found by its whole commit too.)
    const reverted = getFixStatus(db, FIX.reverted2);
    expect(reverted.fix.key).toBe(FIX.reverted2.slice(0, 10));
    expect(cells(reverted)).toEqual({ '5.15': ['released', '5.15.149'], '5.10': ['released', '5.10.210'] });
    expect(reverted.fix.title).toBe('widget: widen the arrays');
  });

  it('an objection answering a decided reply, however deep the thread, decides on the same posting', () => {
    const st = getFixStatus(db, '5'.repeat(40)).branches['6.6'];
    expect(st?.history.map((h) => [h.status, h.messageId])).toEqual([
      ['backport-posted', '20250710.10-1-ike@example.org'],
      ['not-needed', 'deep-5@example.org'],
      ['not-needed', 'deep-7@example.org'],
    ]);
  });

  it('a patch attached to a reply in a thread about a branch is a backport posted there, and Greg’s answer queues it', () => {
    const f = getFixStatus(db, 'regr-61y-2@example.org');
    expect(f.fix).toMatchObject({ title: 'widget: fix flushing folio regression for 6.1 backport', patchMessageId: 'regr-61y-2@example.org' });
    expect(f.branches['6.1']?.history.map((h) => [h.status, h.messageId])).toEqual([
      ['backport-posted', 'regr-61y-2@example.org'],
      ['queued', 'regr-61y-3@gregkh'],
    ]);
    expect(Object.keys(f.branches)).toEqual(['6.1']);
  });

  it('a request under a patch mail the archive lacks joins the fix of that title', () => {
    expect(getFixStatus(db, '8'.repeat(40)).branches['6.1']?.history.map((h) => [h.status, h.messageId])).toEqual([
      ['wanted', 'orphan-wish-1@example.org'],
      ['backport-posted', '20240218.11-1-vit@example.org'],
    ]);
  });

  it('a series patch carrying its commit is a backport on the branch its cover names, queued by the answer to the cover', () => {
    expect(getFixStatus(db, 'a1'.repeat(20)).branches['5.10']?.history.map((h) => [h.status, h.messageId])).toEqual([
      ['backport-posted', '20240126.12-2-kov@example.org'],
      ['queued', '2024012613-queued-12@gregkh'],
    ]);
    expect(Object.keys(getFixStatus(db, 'a1'.repeat(20)).branches)).toEqual(['5.10']);
    // Under a cover that names no branch, a commit marker makes no stable history.
    expect(() => getFixStatus(db, '4'.repeat(40))).toThrow(/no stable history/);
  });

  it('a decision deep in a renamed FAILED thread takes the branch its first subject named', () => {
    const f = getFixStatus(db, '5555555555bb');
    // The backport pasted in a reply spells the commit out: the record's key is the whole commit.
    expect(f.fix.upstreamCommit).toBe(`5555555555bb${'0'.repeat(28)}`);
    expect(Object.keys(f.branches)).toEqual(['6.1']);
    expect(f.branches['6.1']).toMatchObject({ status: 'queued', evidence: ['renamed-failed-3@example.org'] });
    expect(f.branches['6.1']?.history.map((h) => [h.status, h.messageId])).toEqual([
      ['backport-posted', 'renamed-failed-2@example.org'],
      ['queued', 'renamed-failed-3@example.org'],
    ]);
  });

  it('gives the linux-next look-alike no status, and no branch named by a range', () => {
    expect(() => getFixStatus(db, '20230220152933.lookalike@example.org')).toThrow(/no stable history/);
    const m = stableMatrix(db);
    for (const b of m.branches) expect(b.branch).toMatch(/^\d+\.\d+$/);
    expect(m.branches.find((b) => b.branch === '6.1')?.counts).toMatchObject({ 'not-needed': 1, 'backport-posted': 2, queued: 4, released: 1 });
    expect(listStableBranch(db, '6.1.y').map((f) => f.status.status).sort()).toEqual(['backport-posted', 'backport-posted', 'not-needed', 'queued', 'queued', 'queued', 'queued', 'released']);
  });
});
