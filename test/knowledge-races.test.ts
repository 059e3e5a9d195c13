// The thread pass on threads written here, modelled on real lore mail: what makes a family a
// race and what does not (the false friends), how fixes are gathered and versioned, how
// stances are aimed, and how a fix's lifecycle is decided.
import { describe, expect, it } from 'vitest';
import { readDiagram } from '../domain/knowledge/diagram.ts';
import { assembleRaces, families } from '../domain/knowledge/races.ts';
import { linkedMessageIds } from '../domain/patch/lore-link.ts';
import { mailWriter, thread } from './helpers/knowledge-mail.ts';

const { mail } = mailWriter();

const PATCH = (title: string, fn: string, extra = ''): string => `${extra}Signed-off-by: Ana Author <ana.author@example.org>
---
 fs/foo/inode.c | 2 ++
 1 file changed, 2 insertions(+)

diff --git a/fs/foo/inode.c b/fs/foo/inode.c
--- a/fs/foo/inode.c
+++ b/fs/foo/inode.c
@@ -10,6 +10,8 @@ static int ${fn}(struct inode *inode)
 {
+	spin_lock(&fi->state_lock);
+	spin_unlock(&fi->state_lock);
 	return 0;
 }
-- 
2.45.0
`;

describe('what makes a race', () => {
  it('reads a report with an interleaving diagram as a race, with its columns, functions and lock', () => {
    const report = mail(
      'report@x',
      'Rita Reporter',
      '[BUG] foo: lost update between foo_writeback() and foo_page_mkwrite()',
      `Hi,

foo_writeback() and foo_page_mkwrite() race like this:

  CPU0 (writeback)                  CPU1 (fault)
  foo_writeback()
    folio_clear_dirty_for_io()
                                    foo_page_mkwrite()
                                      folio_mark_dirty()
    foo_submit_folio()

The data written through the mapping is lost: data loss after msync().
`,
    );
    const [race] = assembleRaces([thread(report)]);
    expect(race).toBeDefined();
    expect(race!.outcome).toBe('data-loss');
    expect(race!.diagram?.columns).toEqual(['CPU0 (writeback)', 'CPU1 (fault)']);
    expect(race!.diagram?.steps.map((s) => s.column)).toEqual([0, 0, 1, 1, 0]);
    expect(race!.functions).toEqual(expect.arrayContaining(['foo_writeback', 'foo_page_mkwrite', 'folio_mark_dirty']));
    expect(race!.reasons.map((r) => r.kind)).toEqual(expect.arrayContaining(['interleaving-diagram', 'race']));
  });

  it.each([
    ['trace', '[PATCH] tracing: fix the trace buffer size', 'The trace event buffer is sized wrongly; brace yourself, the grace period code is fine.'],
    ['deadline', '[PATCH] block: mq-deadline: fix the deadline of async writes', 'The deadline scheduler expires async writes too late.'],
    ['performance', '[RFC] foo: parallelize writeback', 'Concurrent writeback threads improve throughput by 30% on NVMe; scalability is the goal.'],
    ['lockdep annotation', '[PATCH] foo: annotate the nested inode lock for lockdep', 'Use lockdep_set_class() so lockdep knows the two inode locks nest; this fixes a false positive, not a bug.'],
    ['KASAN without concurrency', '[PATCH] foo: fix use-after-free of the superblock name on mount failure', 'KASAN reports a use-after-free when mount fails early: the name is freed before the error path prints it.'],
    ['deadlock detection code', '[PATCH 13/20] locks: convert __locks_insert_block, conflict and deadlock checks to use lock_core', 'Convert the conflict and deadlock-detection helpers to take the new core struct; no change in behaviour.'],
    ['a deadlock denied', '[PATCH] foo: fix incorrect symlink detection in fast symlink', 'An image with large xattrs is valid. Whether to check this or not, it doesn\'t crash the kernel or deadlock or livelock, so either way is fine.'],
  ])('does not read %s as a race', (_kind, subject, text) => {
    const m = mail(`trap-${_kind}@x`, 'Tom Trap', subject, `${text}\n\n${PATCH(subject, 'foo_trap')}`);
    expect(assembleRaces([thread(m)])).toEqual([]);
  });

  it('counts "under concurrency" as a concurrency word (an AUTOSEL copy whose only race word is in its analysis)', () => {
    const subject = '[PATCH AUTOSEL 6.18-6.1] foo: fix use-after-free in foo_tree_put under concurrency';
    const body = `[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]\n\nThe race condition: Thread A waits for the count to hit 0, Thread B drops the last reference and frees it.\n\n${PATCH(subject, 'foo_tree_put')}`;
    expect(assembleRaces([thread(mail('uaf-conc@x', 'Sasha Levin', subject, body))]).map((r) => r.outcome)).toEqual(['use-after-free']);
  });

  it('reads a lock taken twice on one path (a double lock) as a deadlock', () => {
    const subject = '[PATCH] foo: client: Fix a double lock bug in foo_reconnect()';
    const body = `This goto will try to lock spin_lock(&ses->ses_lock) twice which will\nlead to a hang.\n\nFixes: 0123456789ab ("foo: client: take the session lock in foo_reconnect()")\n${PATCH(subject, 'foo_reconnect')}`;
    const [race] = assembleRaces([thread(mail('dbl@x', 'Dan Developer', subject, body))]);
    expect(race?.outcome).toBe('deadlock');
    expect(race?.reasons.map((r) => r.kind)).toEqual(expect.arrayContaining(['fix-subject', 'deadlock']));
    expect(assembleRaces([thread(mail('dcl@x', 'Dan Developer', '[PATCH] foo: use double-checked locking for the cache', `Take the lock only when the cache is empty.\n\n${PATCH('x', 'foo_cache_get')}`))])).toEqual([]);
  });

  it('reads a race drawn between its two sides in a patch\'s description, with no diagram', () => {
    const subject = '[PATCH v2 2/2] foo: use the meta inode for GC of the COW file';
    const body = `As in the cases that use the meta inode for GC, there are some race issues between a\nforeground thread and the GC thread.\n\nGet the page from the original inode in foo_move_data_block() to avoid the race.\n\n${PATCH(subject, 'foo_move_data_block')}`;
    const m = mail('sides@x', 'Sam Min', subject, body);
    expect(m.knowledge?.reasons.map((r) => r.kind)).toEqual(expect.arrayContaining(['race', 'race-sides']));
    expect(assembleRaces([thread(m)])).toHaveLength(1);
  });

  it('reads no race in a design note that races will be avoided', () => {
    const body = 'A work-in-progress patch to allow remount to change the password.\n\nFuture patches should let us set up an alternate password, so we could change it before the session drops (without the risk of races between when the password changes and the disconnect occurs).\n';
    expect(assembleRaces([thread(mail('wip@x', 'Steve Smith', 'allow changing the password on remount in some cases', body))])).toEqual([]);
  });

  it('drops a lockdep report the thread calls a false positive twice', () => {
    const splat = mail('splat@x', 'Bot Report', 'circular locking dependency warning in foo', 'WARNING: possible circular locking dependency detected\nfoo_sync() takes i_rwsem under s_umount; possible deadlock.');
    const r1 = mail('fp1@x', 'Mia Maintainer', 'Re: circular locking dependency warning in foo', 'This is a false positive: the two locks are of different superblocks.', 'splat@x');
    const r2 = mail('fp2@x', 'Rita Reporter', 'Re: circular locking dependency warning in foo', 'Agreed, a false alarm; we only need an annotation.', 'fp1@x');
    expect(assembleRaces([thread(splat, r1, r2)])).toEqual([]);
  });
});

describe('a report refuted once', () => {
  const splat = (id: string) =>
    mail(`${id}@x`, 'syzbot', '[syzbot] [foo?] possible deadlock in foo_super_lock', 'WARNING: possible circular locking dependency detected\nfoo_freeze() takes s_umount under bd_holder_lock; possible deadlock.\n\n       CPU0                    CPU1\n       ----                    ----\n  lock(&s_umount);\n                               lock(&bd_holder_lock);\n  lock(&bd_holder_lock);\n                               lock(&s_umount);\n');
  it('drops a bot\'s report a maintainer states, in their own words, was a false positive', () => {
    const r = mail('fp-said@x', 'Mia Maintainer', 'Re: [syzbot] [foo?] possible deadlock in foo_super_lock', 'Fwiw, this was always a false-positive. But we also reworked the locking so it cannot be triggered anymore.', 'rep1@x');
    expect(assembleRaces([thread(splat('rep1'), r)])).toEqual([]);
  });

  it('keeps it when the false positive is only asked about, or when a patch fixes the deadlock', () => {
    const asked = mail('fp-asked@x', 'Rev Iewer', 'Re: [syzbot] [foo?] possible deadlock in foo_super_lock', 'Oh, so, it looks like a false positive?', 'rep2@x');
    expect(assembleRaces([thread(splat('rep2'), asked)])).toHaveLength(1);
    const said = mail('fp-said2@x', 'Mia Maintainer', 'Re: [syzbot] [foo?] possible deadlock in foo_super_lock', 'This one is a false positive of the old code.', 'rep3@x');
    const fix = mail('fp-fix@x', 'Ana Author', '[PATCH] foo: fix potential deadlock by reordering s_umount and bd_holder_lock', `Take bd_holder_lock first.\n\n${PATCH('x', 'foo_freeze')}`, 'rep3@x');
    expect(assembleRaces([thread(splat('rep3'), said, fix)])).toHaveLength(1);
  });
});

describe('fixes and their lifecycle', () => {
  it('reads an idea whose sentence starts below the first line of a paragraph ("And add a WRITE_ONCE() in foo()")', () => {
    const body = 'On Mon, Ana Author wrote:\n> foo_lookup() can race with foo_evict().\n\nchan = READ_ONCE(pch->chan);\n\nIt is unclear if the lock is held here. And add a WRITE_ONCE(pch->chan, NULL) in foo_unregister_channel()\n';
    const reply = mail('ia@x', 'Rev Iewer', 'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()', body, 'sv1@x');
    expect((reply.knowledge?.fixes ?? []).filter((f) => f.kind === 'prose').map((f) => f.summary)).toEqual(['And add a WRITE_ONCE(pch->chan, NULL) in foo_unregister_channel()']);
  });

  it('reads code offered in a reply ("change like this?") as an inline proposal, and code shown to explain as none', () => {
    const offer = mail('co1@x', 'Rev Iewer', 'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()', 'change like this?\n\nfoo_count_entries()\n\n\tdown_read(&nm->tree_lock);\n\tcount = nm->cnt - nm->dirty_cnt;\n\tup_read(&nm->tree_lock);\n');
    expect((offer.knowledge?.fixes ?? []).map((f) => [f.kind, f.summary])).toEqual([['inline-diff', 'change like this?']]);
    const why = mail('co3@x', 'Rev Iewer', 'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()', 'Why not:\n\n\tif (foo_is_pinned(inode))\n\t\treturn -EINVAL;\n');
    expect((why.knowledge?.fixes ?? []).map((f) => f.kind)).toEqual(['inline-diff']);
    const shown = mail('co2@x', 'Rev Iewer', 'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()', 'The race is here:\n\n\tdown_read(&nm->tree_lock);\n\tcount = nm->cnt - nm->dirty_cnt;\n\tup_read(&nm->tree_lock);\n');
    expect(shown.knowledge?.fixes ?? []).toEqual([]);
    const drawn = mail('co4@x', 'Tom Reporter', '[BUG] foo: lost write when foo_mkwrite() races with foo_writepages()', 'I think foo_mkwrite() and foo_writepages() race like this:\n\n  CPU0 (writeback)                CPU1 (write fault)\n    foo_writepages()\n                                    foo_mkwrite()\n    folio_end_writeback(folio)\n');
    expect((drawn.knowledge?.fixes ?? []).map((f) => f.kind)).toEqual([]);
  });

  const v1 = mail('v1@x', 'Ana Author', '[PATCH] foo: fix race between foo_evict() and foo_lookup()', `foo_lookup() can race with foo_evict() and use the inode after it is freed.\n\n${PATCH('x', 'foo_lookup')}`);
  const objection = mail('obj@x', 'Rev Iewer', 'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()', `On Mon, Jan 6, 2025, Ana Author wrote:\n> foo_lookup() can race with foo_evict() and use the inode after it is freed.\n\nI don't think this is enough, there is still a race with foo_rename().\n`, 'v1@x');
  const idea = mail('idea@x', 'Rev Iewer', 'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()', 'How about taking fi->state_lock in foo_rename() as well?\n', 'obj@x');
  const v2 = mail('v2@x', 'Ana Author', '[PATCH v2] foo: fix race between foo_evict() and foo_lookup()', `foo_lookup() can race with foo_evict() and foo_rename().\n\n${PATCH('x', 'foo_lookup')}`);
  const review = mail('rb@x', 'Rev Iewer', 'Re: [PATCH v2] foo: fix race between foo_evict() and foo_lookup()', 'Reviewed-by: Rev Iewer <rev.iewer@example.org>\n', 'v2@x');
  const applied = mail('ap@x', 'Mia Maintainer', 'Re: [PATCH v2] foo: fix race between foo_evict() and foo_lookup()', 'Applied, thanks!\n', 'v2@x');

  it('joins the v2 thread to the v1 thread by the patch title, and versions supersede', () => {
    const races = assembleRaces([thread(v1, objection, idea), thread(v2, review, applied)]);
    expect(races).toHaveLength(1);
    const race = races[0]!;
    expect(race.threads).toEqual(['v1@x', 'v2@x']);
    const byMsg = new Map(race.fixes.map((f) => [f.messageId, f]));
    expect(byMsg.get('v1@x')).toMatchObject({ kind: 'patch', version: 1, lifecycle: 'superseded', supersededBy: 'v2@x#0' });
    expect(byMsg.get('v2@x')).toMatchObject({ kind: 'patch', version: 2, lifecycle: 'applied' });
    expect(byMsg.get('v2@x')!.stances.map((s) => [s.stance, s.author, s.aimedBy])).toEqual([['reviewed', 'Rev Iewer', 'trailer']]);
    expect(byMsg.get('idea@x')).toMatchObject({ kind: 'prose', author: 'Rev Iewer' });
    expect(byMsg.get('idea@x')!.summary).toContain('state_lock in foo_rename()');
    expect(race.status).toBe('confirmed');
  });

  it('aims the objection at the paragraph it answers: v1, quoted', () => {
    const race = assembleRaces([thread(v1, objection, idea), thread(v2, review, applied)])[0]!;
    const v1fix = race.fixes.find((f) => f.messageId === 'v1@x')!;
    const objections = v1fix.stances.filter((s) => s.stance === 'objection');
    expect(objections).toEqual([expect.objectContaining({ author: 'Rev Iewer', messageId: 'obj@x', aimedBy: 'quoted' })]);
    expect(objections[0]!.evidence.text).toContain('there is still a race with foo_rename()');
    // the patch's own words, quoted back in the reply, are no stance of its author
    expect(v1fix.stances.some((s) => s.author === 'Ana Author')).toBe(false);
    expect(v1fix.lifecycle).toBe('superseded');
  });

  it('marks a patch merged when a stable-process mail carries it', () => {
    const autosel = mail('as@x', 'Sasha Levin', '[PATCH AUTOSEL 6.12 12/40] foo: fix race between foo_evict() and foo_lookup()', `[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]\n\n${PATCH('x', 'foo_lookup')}`);
    const race = assembleRaces([thread(v2, review), thread(autosel)])[0]!;
    expect(race.fixes.find((f) => f.messageId === 'v2@x')).toMatchObject({ lifecycle: 'merged' });
    // the AUTOSEL copy is the stable story of that fix, not a fix of its own
    expect(race.fixes.map((f) => f.messageId)).toEqual(['v2@x']);
    expect(race.fixes[0]!.copies).toEqual(['as@x']);
  });

  it('lists the stable copies on the version mainline took, not on the one it superseded', () => {
    const autosel = mail('as6@x', 'Sasha Levin', '[PATCH AUTOSEL 6.6 7/20] foo: fix race between foo_evict() and foo_lookup()', `[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]\n\n${PATCH('x', 'foo_lookup')}`);
    const race = assembleRaces([thread(v1, objection), thread(v2, review), thread(autosel)])[0]!;
    expect(race.fixes.find((f) => f.messageId === 'v2@x')).toMatchObject({ lifecycle: 'merged', copies: ['as6@x'] });
    const v1fix = race.fixes.find((f) => f.messageId === 'v1@x')!;
    expect([v1fix.lifecycle, v1fix.copies]).toEqual(['superseded', undefined]);
  });

  it('makes the AUTOSEL copies for each branch one race with one merged fix when the patch mail is not in the archive', () => {
    const copy = (id: string, branches: string) =>
      mail(id, 'Sasha Levin', `[PATCH AUTOSEL ${branches} 3/9] foo: fix race between foo_evict() and foo_lookup()`, `[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]\n\nfoo_lookup() can race with foo_evict() and use the inode after it is freed.\n\n${PATCH('x', 'foo_lookup')}`);
    const races = assembleRaces([thread(copy('as1@x', '6.16-6.1')), thread(copy('as2@x', '6.12')), thread(copy('as3@x', '6.6'))]);
    expect(races).toHaveLength(1);
    expect(races[0]!.fixes.map((f) => [f.messageId, f.lifecycle, f.copies])).toEqual([['as1@x', 'merged', ['as2@x', 'as3@x']]]);
  });
});

describe('stances in a reviewer\'s own words', () => {
  const v1 = mail('sv1@x', 'Ana Author', '[PATCH] foo: fix race between foo_evict() and foo_lookup()', `foo_lookup() can race with foo_evict().\n\n${PATCH('x', 'foo_lookup')}`);
  const stanceOf = (body: string): string[] => {
    const race = assembleRaces([thread(v1, mail(`r${body.length}@x`, 'Rev Iewer', 'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()', body, 'sv1@x'))])[0]!;
    return race.fixes.find((f) => f.messageId === 'sv1@x')!.stances.map((s) => s.stance);
  };

  it.each([
    ['a build error pasted from the patch', '../fs/foo/inode.c:2327:5: error: label \u2018next\u2019 used but not defined\n', 'objection'],
    ['"is wrong" of a part of the patch', 'The check for foo_active() is wrong.\n', 'objection'],
    ['a doubt put as a question of sufficiency', 'Is this enough? It seems we also need to cover fi->count by stat_lock.\n', 'objection'],
    ['a question that asks for another approach', 'Can we check outstanding write bios instead of abusing locks?\n', 'objection'],
    ['how can we make sure ...?', 'How can we make sure the count is non-negative after the check?\n', 'objection'],
    ['a worry', 'My only worry is that perhaps we should make it more narrow.\n', 'objection'],
    ['"this can give kernel hang"', 'I just found this can give kernel hang due to the following backtrace.\n', 'objection'],
    ['a bare "nope"', 'nope, IMO, if no io submission, we could run into this case.\n', 'objection'],
    ['praise denied', "I don't think supporting lzo is a good idea.\n", 'objection'],
    ['praise denied, later in the sentence', "Wasting memory to no good effect isn't going to be a great idea.\n", 'objection'],
    ['a doubt that it is clear', "It's not at all clear to me that using a private bioset is a good idea for foo.\n", 'objection'],
    ['"Okay, then ..."', 'Okay, then it should use READ_ONCE() and WRITE_ONCE().\n', 'agreement'],
    ['"makes more sense"', 'That makes more sense. :)\n', 'agreement'],
    ['a question in lower case after another', 'A little doubt:) foo_lookup should return true?\nanother thing, is the lock held here?\n', 'question'],
    ['a regression reported against the patch', 'This patch is causing the following WARNING when I try to run xfstests:\n\n[   20.15] do not call blocking ops when !TASK_RUNNING\n', 'objection'],
    ['the patch already superseded', 'This (and a loosely related problem) were already fixed in an updated version of that patch.\n', 'objection'],
    ['"I second ..."', 'I was going to type out the same suggestion, so I definitely second his proposal :).\n', 'agreement'],
    ['a doubt put as a negative question', "Doesn't foo_sync() work for you?\n", 'objection'],
    ['a reviewer who does not see the root cause', "Any race case here? I didn't catch the root cause.\n", 'objection'],
    ['"I don\'t get the point, since ..."', "I don't get the point, since those pages are brand new pages.\n", 'objection'],
    ['another diagnosis', 'I think the root cause of this issue is that foo_evict() drops the lock too early.\n', 'objection'],
    ['"finally we catch this"', 'Ah, finally we catch this. :)\n', 'agreement'],
    ['"Looks ok"', 'Looks ok,\n', 'agreement'],
    ['"I think this is fine."', 'I think this is fine.\n', 'agreement'],
    ['"Yes, this will be better."', 'Yes, this will be better.\n', 'agreement'],
    ['a bare "Yep~"', 'Yep~\n', 'agreement'],
    ['a maintainer who hesitates to apply', "Instead, I hesitate to apply this patch since I can't get why we need to drop this code.\n", 'objection'],
    ['"this looks wrong?"', '^--- this looks wrong?\n', 'objection'],
  ])('reads %s', (_what, body, stance) => {
    expect(stanceOf(body)).toContain(stance);
  });

  it('reads a new version pasted into a reply: the words above it are stances, its description and trailers are not', () => {
    const repost = [
      'I just found this can give kernel hang due to the following backtrace.',
      '',
      'From 3634864095bd1aafbb60ff49dac7d13ce157b658 Mon Sep 17 00:00:00 2001',
      'From: Ana Author <ana.author@example.org>',
      'Subject: [PATCH] foo: fix race between foo_evict() and foo_lookup()',
      '',
      'Fix build error when CONFIG_FOO is not set: the fix is incorrect without it.',
      '',
      'Reviewed-by: Rev Iewer <rev.iewer@example.org>',
      PATCH('x', 'foo_lookup'),
    ].join('\n');
    const reply = mail('rp@x', 'Ana Author', 'Re: [PATCH v2] foo: fix race between foo_evict() and foo_lookup()', repost, 'sv1@x');
    const stances = (reply.knowledge?.stances ?? []).map((x) => [x.stance, x.evidence.text.slice(0, 30)]);
    expect(stances).toEqual([['objection', 'I just found this can give ker']]);
  });

  it('reads no idea of the author\'s in their own patch description quoted back in a review', () => {
    const review = mail(
      'qi@x',
      'Rev Iewer',
      'Re: [PATCH] foo: fix race between foo_evict() and foo_lookup()',
      `On Mon, Jan 6, 2025, Ana Author wrote:\n> In LFS mode, let's take fi->state_lock in foo_lookup() as well.\n>\n> ${PATCH('x', 'foo_lookup').split('\n').join('\n> ')}\n\nA little doubt: should foo_lookup() return true here?\n`,
      'sv1@x',
    );
    expect((review.knowledge?.fixes ?? []).map((f) => f.kind)).toEqual(['patch']);
  });

  it('takes the patch\'s own words, quoted back with no attribution line, as no stance', () => {
    expect(stanceOf('> foo_lookup() can race with foo_evict(), the fix is incorrect.\n\nThanks for the patch.\n')).toEqual([]);
  });

  it('reads no objection where something is said not to be wrong', () => {
    expect(stanceOf('Nothing is wrong with the locking in foo_lookup().\n')).toEqual([]);
    expect(stanceOf('The stress tests ran for days without problem with this patch.\n')).toEqual([]);
    expect(stanceOf('Is this deadlock trying to grab a lock, instead of waiting for writeback?\n')).not.toContain('objection');
    expect(stanceOf('Actually, that can deadlock.\n')).toEqual(['objection']);
    expect(stanceOf('If the result looks correct, please mark the issue as fixed.\n')).toEqual([]);
    expect(stanceOf("If you think holding the lock in foo_lookup() is better, I'll send v2 with this change.\n")).toEqual(['agreement']);
    expect(stanceOf('What is wrong with taking the lock in foo_lookup()?\n')).not.toContain('objection');
    expect(stanceOf('The root cause is that foo_evict() drops the lock too early.\n')).not.toContain('objection');
    expect(stanceOf('Does foo_sync() work for you?\n')).not.toContain('objection');
    expect(stanceOf('Is it fine to skip the lock in foo_lookup()?\n')).not.toContain('agreement');
  });

  it('aims a reply at the version the answered paragraph names, though it sits in an older version\'s thread', () => {
    const title = (v: number): string => `[PATCH v${v}] foo: fix race between foo_evict() and foo_lookup()`;
    const v3 = mail('nv3@x', 'Ana Author', title(3), `foo_lookup() can race with foo_evict().\n\n${PATCH('x', 'foo_lookup')}`);
    const v4 = mail('nv4@x', 'Ana Author', `Re: ${title(4)}`, `foo_lookup() can race with foo_evict().\n\n${PATCH('x', 'foo_lookup')}`, 'nv3@x');
    const ask = mail('nask@x', 'Ana Author', `Re: ${title(3)}`, 'How about v4?\n', 'nv3@x');
    const ok = mail('nok@x', 'Rev Iewer', `Re: ${title(3)}`, 'On 2025/1/6, Ana Author wrote:\n> How about v4?\n\nIt looks good to me.\n', 'nask@x');
    const race = assembleRaces([thread(v3, v4, ask, ok)])[0]!;
    const aimed = race.fixes.filter((f) => f.stances.some((x) => x.messageId === 'nok@x')).map((f) => f.messageId);
    expect(aimed).toEqual(['nv4@x']);
  });

  it('keeps a reviewer\'s identical Reviewed-by on each patch of a series', () => {
    const title = (n: number, fn: string): string => `[PATCH ${n}/2] foo: fix race between foo_evict() and ${fn}()`;
    const cover = mail('sc@x', 'Ana Author', '[PATCH 0/2] foo: fix two races with foo_evict()', 'foo_lookup() and foo_rename() can race with foo_evict().\n');
    const p1 = mail('sp1@x', 'Ana Author', title(1, 'foo_lookup'), `foo_lookup() can race with foo_evict().\n\n${PATCH('x', 'foo_lookup')}`, 'sc@x');
    const p2 = mail('sp2@x', 'Ana Author', title(2, 'foo_rename'), `foo_rename() can race with foo_evict().\n\n${PATCH('x', 'foo_rename')}`, 'sc@x');
    const rb = (id: string, parent: string, n: number, fn: string) => mail(id, 'Rev Iewer', `Re: ${title(n, fn)}`, 'Reviewed-by: Rev Iewer <rev.iewer@example.org>\n', parent);
    const races = assembleRaces([thread(cover, p1, p2, rb('rb1@x', 'sp1@x', 1, 'foo_lookup'), rb('rb2@x', 'sp2@x', 2, 'foo_rename'))]);
    expect(races).toHaveLength(1);
    const reviewed = races[0]!.fixes.filter((f) => f.stances.some((s) => s.stance === 'reviewed'));
    expect(reviewed.map((f) => f.messageId).sort()).toEqual(['sp1@x', 'sp2@x']);
  });
});

describe('the outcome a report names', () => {
  const outcome = (subject: string, body: string): string | undefined => mail(`o${subject.length}@x`, 'Ana Author', subject, body).knowledge?.outcome?.outcome;

  it.each([
    ['a wait that never ends', '[PATCH] foo: fix an indefinite wait race', 'A thread waits for a condition that was already met.\n', 'deadlock'],
    ['pages that stay locked forever', '[PATCH] foo: fix a race of two chains', 'Two chains can be linked concurrently into a loop, so the pages remain locked forever.\n', 'deadlock'],
    ['inconsistent results', '[PATCH] foo: extend stat_lock to avoid a race in statfs', 'The two counters are read without the lock, which can race and lead to inconsistent results.\n', 'stale-result'],
    ['a read that hits unwritten data', '[PATCH] foo: fix a race between read and dio write', 'A buffered read may race with a dio write and hit unwritten data.\n', 'stale-result'],
    ['data a later step misses', '[PATCH] foo: fix to update block counts under the lock', 'The counter was reset by the checkpoint, so it may missed last data during fsync.\n', 'data-loss'],
    ['an incorrect offset in an image', '[PATCH] foo-utils: fix a data race in foo_reserve()', 'Both threads advance the tail, silently producing an incorrect offset in the output image.\n', 'corruption'],
    ['an inconsistent segment type', '[PATCH] foo: fix a race between gc and fallocate', 'GC may race with block allocation, leaving an inconsistent segment type behind.\n', 'corruption'],
    ['data inconsistency', '[PATCH] foo: fix a race in foo_write_end()', 'The two writers race, which results in data inconsistency.\n', 'corruption'],
    ['a reader unable to see the changes', '[PATCH] foo: fix ctx->pos in foo_read_inline_dir()', 'Returning early will cause the process to be unable to see the changes before reopening the file, when it races with foo_add_entry().\n', 'stale-result'],
    ['a fix that reads an up-to-date value', '[PATCH] foo: prevent data race in foo_reconnect()', 'Make sure to get an up-to-date nr_targets value prior to waiting for the server to reconnect.\n', 'stale-result'],
    ['a size set back to an older value', '[PATCH] foo: prevent updating file size from server under a lease', 'A concurrent readdir may update the file size attribute to an older value, and the reader gets a short read with 0 bytes.\n', 'stale-result'],
    ['a damaged image', '[PATCH] foo-utils: fix a race between two workers', 'Two workers may write the same block concurrently and the image gets damaged.\n', 'corruption'],
  ])('reads %s', (_what, subject, body, want) => {
    expect(outcome(subject, body)).toBe(want);
  });

  it("reads no corruption in lockdep's inconsistent lock state", () => {
    expect(outcome('[syzbot] inconsistent lock state in foo_input', 'WARNING: inconsistent lock state\n')).not.toBe('corruption');
  });

  it("takes no outcome from another commit's title quoted after its id", () => {
    const body = 'BUG_ON() will be triggered when two writers race on one page.\n\nThis problem was introduced by the previous commit 0123456789ab ("foo: fix potential deadlock of compressed file").\n';
    expect(outcome('Re: [PATCH v2] foo: wait for writeback in foo_write_raw_pages()', body)).toBe('crash');
  });

  it('reads no kernel Oops in an apology', () => {
    expect(outcome('Re: [PATCH] foo: fix a race between read and write', 'Oops, I will re-check the race and send a new version.\n')).toBeUndefined();
    expect(outcome('Re: [PATCH] foo: fix a race between read and write', 'Oops! My bad, the race is still there.\n')).toBeUndefined();
    expect(outcome('[PATCH] foo: fix a race between read and write', 'The race ends in an Oops: 0000 [#1] SMP in foo_read().\n')).toBe('crash');
  });

  it("reads a reviewer's remark on what the patch would do as no outcome of the race", () => {
    const subject = 'Re: [PATCH v3] foo: fix a race between checkpoint and write';
    expect(outcome(subject, 'It can deadlock.\n')).toBeUndefined();
    expect(outcome(subject, 'This would crash on unmount, since the lock is gone by then.\n')).toBeUndefined();
    // a reply that reports what the race did still names it
    expect(outcome(subject, 'The race leaves the checkpoint corrupted on our devices.\n')).toBe('corruption');
  });

  it('takes no crash from kernel/panic.c in a pasted trace', () => {
    expect(outcome('Re: [PATCH] foo: fix a race between read and dio write', 'The race shows up in this trace:\n __warn (kernel/panic.c:694)\n report_bug+0x1a0/0x1b0\n')).toBeUndefined();
  });
});

describe('families', () => {
  it('joins a fix thread whose Link: points into the report thread', () => {
    const report = mail('rep@x', 'Rita Reporter', 'foo: deadlock in foo_sync()', 'foo_sync() deadlocks against foo_evict(): ABBA on i_rwsem and state_lock.');
    const fix = mail('fix@x', 'Ana Author', '[PATCH] foo: avoid ABBA deadlock in foo_sync()', PATCH('x', 'foo_sync', 'Link: https://lore.kernel.org/r/rep@x/\nReported-by: Rita Reporter <rita.reporter@example.org>\n'));
    expect(linkedMessageIds(fix.trailers)).toEqual(['rep@x']);
    expect(families([thread(report), thread(fix)])).toHaveLength(1);
    const [race] = assembleRaces([thread(report), thread(fix)]);
    expect(race!.outcome).toBe('deadlock');
    expect(race!.threads).toEqual(['rep@x', 'fix@x']);
  });

  it('keeps apart two patches that share a generic title but not a sender', () => {
    const a = mail('a@x', 'Ana Author', '[PATCH] foo: fix a race in the error path', PATCH('x', 'foo_a'));
    const b = mail('b@x', 'Bob Other', '[PATCH] foo: fix a race in the error path', PATCH('x', 'foo_b'));
    expect(families([thread(a), thread(b)])).toHaveLength(2);
  });
});

describe('diagrams', () => {
  it('reads ragged columns by the nearest heading and stops at prose', () => {
    const d = readDiagram([
      'Thread A                 Thread B',
      'lock(&a)',
      '                           lock(&b)',
      '  lock(&b)',
      '                        lock(&a)',
      '',
      '',
      'This is the ABBA deadlock the report shows, with both threads waiting forever.',
    ]);
    expect(d?.columns).toEqual(['Thread A', 'Thread B']);
    expect(d?.steps.map((s) => [s.column, s.text])).toEqual([
      [0, 'lock(&a)'],
      [1, 'lock(&b)'],
      [0, 'lock(&b)'],
      [1, 'lock(&a)'],
    ]);
  });

  it('reads a heading whose other column is a context named by one word (CP, Kworker, write())', () => {
    const d = readDiagram([
      'CP\t\t\t\tThread A',
      '- write_checkpoint',
      ' - block_operations',
      '  : ckpt->valid_block_count = .total_valid_block_count',
      '\t\t\t\t- write',
      '\t\t\t\t - foo_reserve_new_blocks',
      ' - do_checkpoint',
    ]);
    expect(d?.columns).toEqual(['CP', 'Thread A']);
    expect(d?.steps.map((s) => s.column)).toEqual([0, 0, 0, 1, 1, 0]);
    expect(readDiagram(['Thread A        Kworker        IRQ', '- write()', '                - writepages', '                               - foo_end_io'])?.columns).toEqual(['Thread A', 'Kworker', 'IRQ']);
  });

  it('reads no heading of context words alone, nor beside a sentence', () => {
    expect(readDiagram(['Before            After', '- foo()', '                  - bar()'])).toBeNull();
    expect(readDiagram(['Thread A    is the writer here', '- foo()', '            - bar()'])).toBeNull();
  });

  it('is no diagram when only one column ever has steps', () => {
    expect(readDiagram(['CPU0      CPU1', 'foo()', 'bar()'])).toBeNull();
  });
});

describe('what is not a fix of the race, or not a race', () => {
  it('keeps of a long series only the patches that speak of the race', () => {
    const cover = mail('c0@x', 'Ana Author', '[PATCH 0/5] foo: rework the writeback path', 'This series reworks writeback.\n');
    const parts = [1, 2, 3, 4, 5].map((i) =>
      mail(
        `c${i}@x`,
        'Ana Author',
        `[PATCH ${i}/5] foo: ${i === 3 ? 'fix race between foo_flush() and foo_evict()' : `tidy the writeback helper number ${i}`}`,
        `${i === 3 ? 'foo_flush() can race with foo_evict() and free the inode under it.\n\n' : 'A cleanup.\n\n'}${PATCH('x', `foo_part${i}`)}`,
        'c0@x',
      ),
    );
    const [race] = assembleRaces([thread(cover, ...parts)]);
    expect(race!.fixes.map((f) => f.messageId)).toEqual(['c3@x']);
  });

  it('reads no race in another commit\'s title named in prose', () => {
    const body = `Like commit b3d208f96d6b ("foo: revisit inline_data to avoid data races and deadlocks"), keep the tail inline.\n\n${PATCH('x', 'foo_inline_tail')}`;
    const m = mail('ct@x', 'Ana Author', '[PATCH] foo: introduce inline tail', body);
    expect(m.knowledge?.reasons ?? []).toEqual([]);
  });

  it('reads a patch quoted back in a review as code, not as the reviewer\'s prose', () => {
    const quotedDiff = [
      'On 01/11, Ana Author wrote:',
      '> foo: keep the write path under the lock.',
      '> ',
      '> @@ -1463,6 +1464,10 @@ static int foo_write_raw_pages(struct foo_ctx *cc,',
      '> +\tif (blocks > 0)',
      '> +\t\tfoo_lock_op(sbi);',
      '> +',
      '>  \tfor (i = 0; i < cc->cluster_size; i++) {',
      '>  \t\tif (!cc->rpages[i]) /* skip a hole: it cannot race with the reclaim, nor deadlock */',
      '> -\treturn 0;',
      '',
      'Cleaned up a bit, applied.',
    ].join('\n');
    const review = mail('qd@x', 'Rev Iewer', 'Re: [PATCH] foo: keep the write path under the lock', quotedDiff);
    expect(review.knowledge?.reasons ?? []).toEqual([]);
  });

  it('reads no race in the comments a patch removes, and the comments it adds only as design notes', () => {
    // a conversion series deleting dead code: its race words are in the lines going away
    const removal = `The old write path is no longer used.\n\nSigned-off-by: Ana Author <ana.author@example.org>\n---\n fs/foo/file.c | 6 ------\n\ndiff --git a/fs/foo/file.c b/fs/foo/file.c\n--- a/fs/foo/file.c\n+++ b/fs/foo/file.c\n@@ -2486,12 +2486,6 @@ void foo_write_done(struct foo_wdata *wdata)\n-\t/* racing with truncate? */\n-\t/* we could deadlock if we called\n-\t * foo_flush() here */\n-\tfoo_put_wdata(wdata);\n \treturn;\n }\n`;
    // a new decompressor whose added comment says what its lock guards against
    const feature = `Add support for the zstd algorithm.\n\nSigned-off-by: Ana Author <ana.author@example.org>\n---\n fs/foo/zstd.c | 4 ++++\n\ndiff --git a/fs/foo/zstd.c b/fs/foo/zstd.c\n--- a/fs/foo/zstd.c\n+++ b/fs/foo/zstd.c\n@@ -10,6 +10,10 @@ int foo_load_zstd_config(struct super_block *sb)\n+\t/* in case two foo_load_zstd_config() race, to avoid a deadlock */\n+\tmutex_lock(&foo_zstd_lock);\n+\tfoo_init_workspaces(sb);\n+\tmutex_unlock(&foo_zstd_lock);\n \treturn 0;\n }\n`;
    const a = mail('rm@x', 'Ana Author', '[PATCH 10/12] foo: remove the old write path', removal);
    const b = mail('zs@x', 'Ana Author', '[PATCH] foo: Zstandard compression support', feature);
    expect(a.knowledge?.reasons ?? []).toEqual([]);
    expect(b.knowledge?.reasons.map((r) => [r.kind, r.weight])).toEqual([['race', 1], ['deadlock', 1]]);
    expect(assembleRaces([thread(a), thread(b)])).toEqual([]);
    // the same comment beside a description of the race still makes one
    const fix = mail('zf@x', 'Ana Author', '[PATCH] foo: serialise foo_load_zstd_config()', `Two mounts can race in foo_load_zstd_config() and both allocate the workspaces.\n\n${feature.split('\n\n').slice(1).join('\n\n')}`);
    expect(assembleRaces([thread(fix)]).map((r) => r.title)).toEqual(['foo: serialise foo_load_zstd_config()']);
  });

  it('reads no race in a digest: syzbot\'s monthly report, a release announcement', () => {
    const monthly = mail('mr@x', 'syzbot', '[syzbot] Monthly foo report (Sep 2024)', 'Ref Crashes Repro Title\n<1> 73 No INFO: task hung in foo_exit_net (4)\n<2> 27 Yes possible deadlock in foo_input (2)\n<3> 5 Yes KASAN: slab-use-after-free Read in foo_release\n');
    const release = mail('rl@x', 'Greg Kroah-Hartman', '[ANNOUNCE] Linux 6.6.12', 'Ana Author (1):\n      foo: fix race between foo_evict() and foo_lookup() causing use-after-free\n');
    expect(assembleRaces([thread(monthly), thread(release)])).toEqual([]);
  });

  it('reads no race in a pull request whose shortlog fixes one', () => {
    const pull = mail(
      'pull@x',
      'Mia Maintainer',
      '[GIT PULL] foo fixes for 7.1-rc7',
      'Hi Linus,\n\nThe other fixes a narrow race between compressed I/O completion and unmount.\n\nThe following changes since commit 0123456789abcdef0123456789abcdef01234567:\n\n  Linux 7.1-rc5\n\n----------------------------------------------------------------\nMia Maintainer (1):\n      foo: fix use-after-free when I/O races with unmount\n',
    );
    expect(assembleRaces([thread(pull)])).toEqual([]);
  });
});

describe('the functions a race names', () => {
  it('are calls, not keywords or ALL_CAPS macros', async () => {
    const { functionsIn } = await import('../domain/knowledge/diagram.ts');
    expect(functionsIn('if (READ_ONCE(x)) { WARN_ON(foo_evict(inode)); EXPORT_SYMBOL(foo_sync); }')).toEqual(['foo_evict']);
  });

  it('are no helper, annotation, init hook or log call, and a file is no #include name nor a dotfile', () => {
    const body = `foo_evict() races with foo_lookup(): container_of() and offsetof() find the inode, panic() and pr_err() report it,\nfs_initcall() registers it and __releases() annotates it. See #include <linux/types.h> and fs/foo/inode.c.\n\n${PATCH('x', 'foo_lookup')}`.replace(
      ' fs/foo/inode.c | 2 ++\n',
      ' fs/foo/inode.c | 2 ++\n .gitignore | 1 +\n',
    ) + 'diff --git a/.gitignore b/.gitignore\n--- a/.gitignore\n+++ b/.gitignore\n@@ -1 +1,2 @@\n foo\n+bar\n';
    const [race] = assembleRaces([thread(mail('fn@x', 'Ana Author', '[PATCH] foo: fix race between foo_evict() and foo_lookup()', body))]);
    expect(race!.functions).toEqual(expect.arrayContaining(['foo_evict', 'foo_lookup']));
    for (const f of ['container_of', 'offsetof', 'panic', 'pr_err', 'fs_initcall', '__releases']) expect(race!.functions).not.toContain(f);
    expect(race!.files).toContain('fs/foo/inode.c');
    expect(race!.files).not.toContain('linux/types.h');
    expect(race!.files).not.toContain('.gitignore');
  });
});

describe('facts read from a patch mail', () => {
  it('names fs/x.c for a quoted diff header, no commit id as a function, and ends a diagram at the prose after it', () => {
    const m = mail(
      'facts@x',
      'Ana Author',
      '[PATCH] foo: fix race in concurrent foo_stop_thread',
      `The race is:

[CPU0]                         [CPU1]
foo_stop_thread                foo_stop_thread
kfree(th)
                               kthread_stop(th->task) //UAF

The commit c7f114d864ac ("foo: fix to avoid use-after-free in foo_stop_thread()") took a semaphore.

As shown by diff --git a/fs/foo/gc.c b/fs/foo/gc.c the change is small.
`,
    );
    const [race] = assembleRaces([thread(m)]);
    expect(race!.files).toEqual(['fs/foo/gc.c']);
    expect(race!.functions).not.toContain('c7f114d864ac');
    expect(race!.diagram!.steps.map((s) => s.text)).toEqual(['foo_stop_thread', 'foo_stop_thread', 'kfree(th)', 'kthread_stop(th->task) //UAF']);
  });
});

describe('the reasons a race lists', () => {
  it('lists the same words once, though a refutation said again still weighs', () => {
    const v1 = mail('r1@x', 'Ana Author', '[PATCH] foo: fix race between foo_a() and foo_b()', `foo_a() can race with foo_b().\nReported-by: syzbot+123@syzkaller.appspotmail.com\n\n${PATCH('x', 'foo_a')}`);
    const v2 = mail('r2@x', 'Ana Author', '[PATCH v2] foo: fix race between foo_a() and foo_b()', `foo_a() can race with foo_b().\nReported-by: syzbot+123@syzkaller.appspotmail.com\n\n${PATCH('x', 'foo_a')}`);
    const [race] = assembleRaces([thread(v1), thread(v2)]);
    const listed = race!.reasons.map((r) => `${r.kind}|${r.evidence.text}`);
    expect(new Set(listed).size).toBe(listed.length);
    expect(race!.reasons.filter((r) => r.kind === 'syzbot')).toHaveLength(1);
  });
});
