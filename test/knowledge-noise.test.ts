// What the knowledge layer must not take for someone's words about a race: words inside
// links and Message-IDs, a splat's reporting frames, the date of an attribution line, a
// fix author's own doubts, syzbot's footer and the pleasantries before a pasted diff.
// Every fixture here is written by us.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeKnowledge } from '../domain/knowledge/message.ts';
import { allocatorFrames, blankAddresses, introducesNothing, otherCommitLines, isReportingMachinery, isSyzbotCommand } from '../domain/knowledge/noise.ts';
import { assembleRaces, families } from '../domain/knowledge/races.ts';
import { attributionAuthor } from '../domain/knowledge/reply.ts';
import { mailWriter, thread } from './helpers/knowledge-mail.ts';

const { parsed, mail } = mailWriter();

let written = 0;
const knowledgeOf = (subject: string, body: string) => analyzeKnowledge(parsed(`m${++written}@x`, 'Sam Sender', subject, body, null), undefined).knowledge;

describe('another commit\'s title is that commit\'s words', () => {
  it('reads no race in a list of tested commits, syzbot\'s commit lines or the commit a bisection blames', () => {
    const report = mail(
      'uaf@x',
      'Jon Tester',
      '[BUG REPORT] lumafs: use-after-free during garbage collection',
      [
        'KASAN reports a use-after-free in lumafs_gc() on a fuzzed image; log of the new issue:',
        'INFO: task kworker/u16:1:11 blocked for more than 122 seconds.',
      ].join('\n'),
    );
    const tested = mail(
      'tested@x',
      'Jon Tester',
      'Re: [BUG REPORT] lumafs: use-after-free during garbage collection',
      ['Thanks, I picked these three and it is not reproduced any more:', '', 'b380cedda7c3 lumafs: do sanity check on i_extra_isize', 'cdcb173c158e lumafs: Fix the race condition of resize flag between resizefs', 'c316fb60f5fb lumafs: put a page when checking the summary'].join('\n'),
      'uaf@x',
    );
    const bot = mail(
      'bisect@x',
      'syzbot',
      'Re: [syzbot] [lumafs?] WARNING: lock held when returning to user space',
      [
        'syzbot has bisected this issue to:',
        '',
        'commit 7908632f2927b65f7486ae6b67c24071666ba43f',
        'Author: Ana Author <ana.author@example.org>',
        'Date:   Thu Sep 14 10:19:02 2023 +0000',
        '',
        '    Revert "drm/foo: Fix race-condition between the hrtimer and the commit"',
        '',
        'bisection log:  https://syzkaller.example.org/x/bisect.txt?x=17fc0565680000',
        'HEAD commit:    2cf0f7156238 lumafs: fix potential deadlock due to unpaired lock',
        'commit: fd78b242 lumafs: fix potential deadlock due to unpaired ..',
      ].join('\n'),
    );
    expect((tested.knowledge?.reasons ?? []).filter((r) => r.kind === 'race')).toEqual([]);
    expect((bot.knowledge?.reasons ?? []).filter((r) => r.kind === 'race' || r.kind === 'deadlock')).toEqual([]);
    expect(assembleRaces([thread(report, tested), thread(bot)])).toEqual([]);
  });

  it('still reads the sentence after a git log line, and a hex word that is no commit id', () => {
    const k = knowledgeOf('lumafs: fix', 'Tested on top of\n3a2c1b0f9e8d lumafs: tidy\n\nThe writeback worker can race with unlink and free the inode.');
    expect(k?.reasons.map((r) => [r.kind, r.evidence.text])).toContainEqual(['race', 'The writeback worker can race with unlink and free the inode.']);
    expect([...otherCommitLines(['defaced deadlock here', 'faceddeadbeef race'])]).toEqual([]);
  });

  it('marks exactly the oneline lines and the log block, its blank and indented lines included (property)', () => {
    const prose = fc.stringMatching(/^[A-Z][a-z ]{0,30}$/);
    const oneline = fc.tuple(fc.stringMatching(/^[0-9a-f]{11}[0-9]$/), prose).map(([id, t]) => `${id} ${t}`);
    const block = fc.tuple(fc.stringMatching(/^[0-9a-f]{39}[0-9]$/), prose).map(([id, t]) => [`commit ${id}`, 'Author: A <a@x>', 'Date:   now', '', `    ${t}`]);
    const part = fc.oneof(prose.map((p) => ({ lines: [p], theirs: false })), oneline.map((l) => ({ lines: [l], theirs: true })), block.map((b) => ({ lines: b, theirs: true })));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        // a prose line between the parts ends an indented block's message
        const lines = parts.flatMap((p) => [...p.lines, 'Prose after.']);
        const want = new Set<number>();
        let at = 0;
        for (const p of parts) {
          if (p.theirs) for (let i = 0; i < p.lines.length; i++) want.add(at + i);
          at += p.lines.length + 1;
        }
        expect([...otherCommitLines(lines)].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
      }),
    );
  });
});

describe('words inside addresses are no vocabulary', () => {
  it('does not read "race" in a Closes: link, a Message-ID or an email address as saying race', () => {
    const k = knowledgeOf(
      'lumafs: tidy the mount options',
      [
        'Move the option table next to its parser.',
        '',
        'Closes: https://lore.example.org/all/lumafs-race-report@example.org/',
        'Link: <deadlock-race.1234@mail.example.org>',
        'Reported-by: race.deadlock@example.org',
        'Signed-off-by: Sam Sender <sam@example.org>',
      ].join('\n'),
    );
    expect((k?.reasons ?? []).filter((r) => r.weight > 0)).toEqual([]);
  });

  it('still reads the word in the prose beside a link, and quotes that sentence', () => {
    const k = knowledgeOf('lumafs: tidy', 'See https://lore.example.org/r/race-1@x for the log.\nThere is a race between unlink and the writeback worker.');
    const race = k?.reasons.find((r) => r.kind === 'race');
    expect(race?.evidence.text).toBe('There is a race between unlink and the writeback worker.');
  });

  it('blanks addresses to spaces of the same length and leaves other text as it is (property)', () => {
    const word = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    fc.assert(
      fc.property(word, word, fc.constantFrom('https://', 'git://'), fc.boolean(), (a, b, scheme, asMsgId) => {
        const addr = asMsgId ? `<${a}-race-${b}@example.org>` : `${scheme}lore.example.org/${a}/race-${b}`;
        const text = `the race is here ${addr} and here`;
        const out = blankAddresses(text);
        expect(out.length).toBe(text.length);
        expect(out.startsWith('the race is here ')).toBe(true);
        expect(out.endsWith(' and here')).toBe(true);
        expect(out.match(/race/g)).toHaveLength(1);
      }),
    );
  });
});

describe('a splat names the reporting machinery, not the race', () => {
  it('drops dump_stack, KASAN, lockdep and entry-code frames and keeps the filesystem frames', () => {
    const k = knowledgeOf(
      '[BUG] lumafs: use-after-free in luma_evict',
      [
        'A race between evict and the writeback worker:',
        'BUG: KASAN: slab-use-after-free in luma_evict+0x10/0x20 fs/lumafs/inode.c:120',
        'Call Trace:',
        ' dump_stack_lvl+0x1/0x2 lib/dump_stack.c:106',
        ' kasan_report+0x1/0x2 mm/kasan/report.c:601',
        ' lock_acquire+0x1/0x2 kernel/locking/lockdep.c:5754',
        ' luma_evict+0x10/0x20 fs/lumafs/inode.c:120',
        ' do_syscall_64+0x1/0x2 arch/x86/entry/common.c:83',
        ' entry_SYSCALL_64_after_hwframe+0x1/0x2 arch/x86/entry/entry_64.S:130',
      ].join('\n'),
    );
    expect(k?.files).toEqual(['fs/lumafs/inode.c']);
  });

  it('drops the allocator frames of where the object was allocated and freed, and page_owner\'s stacks, keeping the code on both sides', () => {
    const k = knowledgeOf(
      '[syzbot] [lumafs?] KASAN: slab-use-after-free Read in luma_lookup',
      [
        'BUG: KASAN: slab-use-after-free in luma_lookup+0x30/0x40 fs/lumafs/dir.c:88',
        'Call Trace:',
        ' luma_lookup+0x30/0x40 fs/lumafs/dir.c:88',
        ' __lookup_slow+0x1/0x2 fs/namei.c:1692',
        '',
        '[   61.204][ T5097] Allocated by task 5097:',
        '[   61.204][ T5097]  kmem_cache_alloc+0x1/0x2 mm/slub.c:3990',
        '[   61.204][ T5097]  luma_alloc_inode+0x1/0x2 fs/lumafs/super.c:40',
        '[   61.204][ T5097]',
        'Freed by task 5099:',
        ' kfree+0x1/0x2 mm/slub.c:4409',
        ' rcu_do_batch+0x1/0x2 kernel/rcu/tree.c:2196',
        ' luma_evict+0x1/0x2 fs/lumafs/inode.c:120',
        '',
        'page last allocated via order 0, migratetype Unmovable, pid 1, tgid 1 (swapper/0)',
        ' set_page_owner include/linux/page_owner.h:32 [inline]',
        ' __alloc_pages+0x1/0x2 mm/page_alloc.c:4740',
        ' kernel_init+0x1/0x2 init/main.c:1467',
        '',
        'The race: luma_lookup reads the inode the evict path freed.',
      ].join('\n'),
    );
    // the allocating and the freeing code stay: the free is the race's other side
    expect(k?.files).toEqual(['fs/lumafs/dir.c', 'fs/namei.c', 'fs/lumafs/super.c', 'fs/lumafs/inode.c']);
  });

  it('drops them too from a report quoted in a reply, whose lines come joined', () => {
    const k = knowledgeOf(
      'Re: [syzbot] [lumafs?] KASAN: slab-use-after-free Read in luma_lookup',
      [
        'syzbot wrote:',
        '> BUG: KASAN: slab-use-after-free in luma_lookup+0x30/0x40 fs/lumafs/dir.c:88',
        '> Allocated by task 5097:',
        '>  kmem_cache_alloc+0x1/0x2 mm/slub.c:3990',
        '> Freed by task 5099:',
        '>  kfree+0x1/0x2 mm/slub.c:4409',
        '> The buggy address belongs to the object at ffff8880739ab000 in fs/lumafs/dir.c',
        '',
        'This is a race between luma_lookup and evict: luma_lookup must hold the inode lock.',
      ].join('\n'),
    );
    expect(k?.files).toEqual(['fs/lumafs/dir.c']);
  });

  it('counts a frame as allocator machinery only inside an allocation stack, up to the blank line that ends it (property)', () => {
    const line = fc.stringMatching(/^[a-z_ ./:+0-9]{0,30}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.array(line, { maxLength: 6 }), fc.array(line, { maxLength: 6 }), (before, stack, after) => {
        const frame = ' kfree+0x1/0x2 mm/slub.c:4409';
        const lines = [...before, frame, '', 'Freed by task 1:', ...stack.map((l) => ` ${l}x`), frame, '', ...after, frame];
        const text = lines.join('\n');
        const isAllocator = allocatorFrames(text);
        const at = (n: number): number => lines.slice(0, n).reduce((o, l) => o + l.length + 1, 0) + frame.indexOf('mm/');
        const inStack = before.length + 3 + stack.length;
        expect(isAllocator('mm/slub.c', at(before.length))).toBe(false);
        expect(isAllocator('mm/slub.c', at(inStack))).toBe(true);
        expect(isAllocator('fs/lumafs/inode.c', at(inStack))).toBe(false);
        expect(isAllocator('mm/slub.c', at(lines.length - 1))).toBe(false);
      }),
    );
    expect(allocatorFrames('No report here: a lock taken by task A.')('mm/slub.c', 0)).toBe(false);
  });

  it('quotes a splat without the ruler lines around it', () => {
    const k = knowledgeOf(
      '[syzbot] [lumafs?] possible deadlock in luma_write',
      [
        '======================================================',
        'WARNING: possible circular locking dependency detected',
        '6.8.0-rc3-syzkaller #0 Not tainted',
        '------------------------------------------------------',
        'syz-executor/5097 is trying to acquire lock:',
      ].join('\n'),
    );
    const quotes = (k?.reasons ?? []).map((r) => r.evidence.text);
    expect(quotes.length).toBeGreaterThan(0);
    for (const q of quotes) expect(q).not.toMatch(/[=-]{4}/);
    expect(quotes.some((q) => q.startsWith('WARNING: possible circular locking dependency detected'))).toBe(true);
  });

  it('reads lockdep\'s scenario verbs (lock, rlock, sync) as no functions, keeping the functions the mail names', () => {
    const k = knowledgeOf(
      '[syzbot] [lumafs?] possible deadlock in luma_record_stop_reason',
      [
        'WARNING: possible circular locking dependency detected',
        'kworker/u8:2/61 is trying to acquire lock:',
        'ffff888012345678 (&sbi->sb_lock){++++}-{3:3}, at: luma_record_stop_reason+0x4c/0x1b0 fs/lumafs/super.c:412',
        '',
        'other info that might help us debug this:',
        '',
        ' Possible unsafe locking scenario:',
        '',
        '       CPU0                    CPU1',
        '       ----                    ----',
        '  lock(&sbi->sb_lock);',
        '                               lock(&sbi->cp_rwsem);',
        '                               sync(&sbi->srcu);',
        '  rlock(&sbi->cp_rwsem);',
        '',
        ' *** DEADLOCK ***',
        '',
        'luma_record_stop_reason() takes sb_lock while the checkpoint holds cp_rwsem:',
        '\tluma_lock_op(sbi);',
        '\tspin_lock(&sbi->sb_lock);',
      ].join('\n'),
    );
    expect(k?.diagram?.steps.map((s) => s.text)).toContain('rlock(&sbi->cp_rwsem);');
    expect(k?.functions).toEqual(expect.arrayContaining(['luma_record_stop_reason', 'luma_lock_op', 'spin_lock']));
    for (const verb of ['lock', 'rlock', 'sync']) expect(k?.functions).not.toContain(verb);
  });

  it('reads the lock classes lockdep prints (a #subclass, usage marks, a workqueue\'s completion) as no functions', () => {
    const splat = (lock: string) =>
      knowledgeOf(
        '[syzbot] [lumafs?] possible deadlock in luma_evict_inode',
        [
          'WARNING: possible circular locking dependency detected',
          'kworker/u8:2/61 is trying to acquire lock:',
          `ffff888012345678 ${lock}, at: luma_evict_inode+0x4c/0x1b0 fs/lumafs/inode.c:212`,
          '',
          'but task is already holding lock:',
        ].join('\n'),
      );
    const named = (lock: string) => splat(lock)?.functions ?? [];
    expect(named('(lm_internal#2){.+.+}-{0:0}')).toEqual(['luma_evict_inode']);
    expect(named('(lm_freeze){++++}-{3:3}')).toEqual(['luma_evict_inode']);
    expect(named('((wq_completion)luma_wq){+.+.}-{0:0}')).toEqual(['luma_evict_inode']);
    expect(named('((work_completion)(&sbi->stop_work)){+.+.}-{0:0}')).toEqual(['luma_evict_inode']);
    // a name the sentence says in prose, without lockdep's marks, stays
    const prose = knowledgeOf('lumafs: fix a deadlock', 'There is a race between luma_evict_inode taking lm_internal and luma_freeze_fs.');
    expect(prose?.functions).toEqual(['luma_evict_inode', 'lm_internal', 'luma_freeze_fs']);
  });

  it('reads a name inside a link or a path (a syzbot asset) as no function', () => {
    const k = knowledgeOf(
      '[syzbot] [lumafs?] possible deadlock in luma_evict_inode',
      [
        'syzbot found the following issue: possible deadlock in luma_evict_inode',
        'disk image (non-bootable): https://storage.example.org/syzbot-assets/7b0c/non_bootable_disk-23a80d46.raw.xz',
        'WARNING: possible circular locking dependency detected',
      ].join('\n'),
    );
    expect(k?.functions).toContain('luma_evict_inode');
    expect(k?.functions).not.toContain('non_bootable_disk');
  });

  it("reads a patch's comment lines as prose: a word before a parenthesis there calls nothing", () => {
    const k = knowledgeOf(
      '[PATCH] lumafs: fix a race between luma_bind_cache and reclaim',
      [
        'There is a race between luma_bind_cache() and reclaim.',
        '',
        '---',
        'diff --git a/fs/lumafs/zdata.c b/fs/lumafs/zdata.c',
        '--- a/fs/lumafs/zdata.c',
        '+++ b/fs/lumafs/zdata.c',
        '@@ -10,6 +10,9 @@ static void luma_bind_cache(struct luma_pcluster *pcl)',
        '+\t/*',
        '+\t * Attach folios in increasing (physical) address order; see',
        '+\t * luma_fill_bio_vec() for why.',
        '+\t */',
        '+\t*slot = luma_grab_folio(pcl);',
        '+\t// keep (the) order',
        ' \treturn;',
      ].join('\n'),
    );
    expect(k?.functions).toEqual(expect.arrayContaining(['luma_bind_cache', 'luma_fill_bio_vec', 'luma_grab_folio']));
    expect(k?.functions).not.toContain('increasing');
    expect(k?.functions).not.toContain('keep');
  });

  it('tells machinery paths from code paths', () => {
    for (const p of ['lib/dump_stack.c', 'mm/kasan/common.c', 'arch/x86/entry/syscall_64.c', 'kernel/printk/printk.c', 'kernel/locking/lockdep.c', 'arch/x86/kernel/process.c', 'include/linux/atomic/atomic-instrumented.h', 'include/asm-generic/bitops/instrumented-non-atomic.h'])
      expect(isReportingMachinery(p), p).toBe(true);
    for (const p of ['fs/f2fs/data.c', 'mm/filemap.c', 'kernel/locking/mutex.c', 'arch/x86/kernel/cpu/common.c', 'lib/iov_iter.c', 'include/linux/atomic.h'])
      expect(isReportingMachinery(p), p).toBe(false);
  });
});

describe('an attribution line names the quoted person, not its date', () => {
  it('reads the name after a date with no comma before it, and nobody for "you"', () => {
    expect(attributionAuthor('On Thu, 27 Jun 2024 15:15:21 +0800 you wrote:')).toBe('');
    expect(attributionAuthor('On 27 Jun 2024 15:15:21 +0800 Lu Lumen wrote:')).toBe('Lu Lumen');
    expect(attributionAuthor('On Mon 05-06-23 15:55:35, Jan Kara wrote:')).toBe('Jan Kara');
    expect(attributionAuthor('On Jun 27, 2024, at 3:15 PM, May Chen wrote:')).toBe('May Chen');
  });

  it('recovers the name from any common date format (property)', () => {
    const name = fc.constantFrom('Lu Lumen', 'Jan Kara', 'May Chen', 'Mon Kim', 'Ana Author', 'Dee (Acme)');
    const date = fc.constantFrom(
      'Thu, 27 Jun 2024 15:15:21 +0800',
      '27 Jun 2024 15:15:21 +0800',
      'Thu, Jun 27, 2024 at 03:15:21PM +0800,',
      '2024/6/27 15:15,',
      'Thu 27-06-24 15:15:21,',
      'Jun 27, 2024, at 3:15 PM,',
      '2024-06-27 15:15 UTC,',
    );
    fc.assert(
      fc.property(name, date, (n, d) => {
        expect(attributionAuthor(`On ${d} ${n} wrote:`)).toBe(n);
      }),
    );
  });
});

const PATCH_BODY = (fn: string): string => `A race between ${fn}() and truncate loses dirty data.

Signed-off-by: Ana Author <ana.author@example.org>
---
 fs/lumafs/inode.c | 2 ++
 1 file changed, 2 insertions(+)

diff --git a/fs/lumafs/inode.c b/fs/lumafs/inode.c
--- a/fs/lumafs/inode.c
+++ b/fs/lumafs/inode.c
@@ -10,6 +10,8 @@ static int ${fn}(struct inode *inode)
 {
+	spin_lock(&fi->state_lock);
+	spin_unlock(&fi->state_lock);
 	return 0;
 }
-- 
2.45.0
`;

describe('a fix author\'s quoted words are no stance on their own fix', () => {
  it('does not count the author\'s sentence quoted back under a dated "you wrote"; keeps their own later retraction', () => {
    const v3 = mail('v3@x', 'Ana Author', '[PATCH v3] lumafs: fix race in luma_write', PATCH_BODY('luma_write'));
    const self = mail('self@x', 'Ana Author', 'Re: [PATCH v3] lumafs: fix race in luma_write', 'Oh, the fix is incorrect, will look into it soon.', 'v3@x');
    const quoted = mail(
      'bot@x',
      'Bot Notify',
      'Re: [PATCH v3] lumafs: fix race in luma_write',
      ['On Thu, 27 Jun 2024 15:15:21 +0800 you wrote:', '> This patch does not fix the race between read and write.', '', 'Here is the summary with links.'].join('\n'),
      'v3@x',
    );
    const review = mail('rev@x', 'Rob Reviewer', 'Re: [PATCH v3] lumafs: fix race in luma_write', 'I don\'t think this works: there is still a race with truncate.', 'v3@x');
    const [race] = assembleRaces([thread(v3, self, quoted, review)]);
    const stances = race!.fixes.flatMap((f) => f.stances.map((s) => `${s.author}:${s.stance}`));
    // the retraction is the author's own later word on it (the labelled threads count it); the quote is nobody's
    expect(stances).toEqual(['Ana Author:objection', 'Rob Reviewer:objection']);
    expect(race!.fixes.flatMap((f) => f.stances).filter((s) => s.messageId === 'bot@x')).toEqual([]);
  });
});

describe('junk fixes', () => {
  it('does not read syzbot\'s footer as an attached fix', () => {
    const k = knowledgeOf(
      '[syzbot] [lumafs?] possible deadlock in luma_write',
      [
        'syzbot found the following issue: a possible deadlock (a race on i_rwsem).',
        '',
        'If the report is already addressed, let syzbot know by replying with:',
        '#syz fix: exact-commit-title',
        '',
        'If you want syzbot to run the reproducer, reply with:',
        '#syz test: git://repo/address.git branch-or-commit-hash',
        'If you attach or paste a git patch, syzbot will apply it before testing.',
      ].join('\n'),
    );
    expect(k?.fixes.filter((f) => f.kind === 'attachment') ?? []).toEqual([]);
    expect(isSyzbotCommand('#syz test: git://repo/address.git master')).toBe(true);
    expect(isSyzbotCommand('I attached a patch that takes the lock earlier.')).toBe(false);
  });

  it('names an inline diff by what it changes when its intro is only "Thanks." or trailers', () => {
    const diff = ['diff --git a/fs/lumafs/inode.c b/fs/lumafs/inode.c', '--- a/fs/lumafs/inode.c', '+++ b/fs/lumafs/inode.c', '@@ -1,3 +1,4 @@ static int luma_write(void)', ' {', '+\tspin_lock(&fi->state_lock);', ' \treturn 0;', ' }'];
    const thanks = knowledgeOf('Re: lumafs: race in luma_write', ['Thanks.', '', ...diff].join('\n'));
    expect(thanks?.fixes[0]?.kind).toBe('inline-diff');
    expect(thanks?.fixes[0]?.summary).toBe('inline diff of fs/lumafs/inode.c');
    const trailers = knowledgeOf('Re: lumafs: race in luma_write', ['Take the lock before the race window opens.', '', 'Signed-off-by: Sam Sender <sam@example.org>', 'cc: Lu Lumen <lu@example.org>', '', ...diff].join('\n'));
    expect(trailers?.fixes[0]?.summary).toBe('Take the lock before the race window opens.');
    expect(introducesNothing('Thanks a lot!')).toBe(true);
    expect(introducesNothing('Thanks for the report; how about this?')).toBe(false);
  });
});

describe('a checker\'s own address', () => {
  it('keeps syzbot\'s Reported-by address, which names the checker, and blanks other addresses', () => {
    const text = 'Reported-by: syzbot+1a2b@syzkaller.appspotmail.com and race@example.org';
    expect(blankAddresses(text)).toBe(`Reported-by: syzbot+1a2b@syzkaller.appspotmail.com and ${' '.repeat('race@example.org'.length)}`);
  });
});

describe('one patch sent from two addresses', () => {
  it('joins the versions of one title from one named sender whatever address they came from', () => {
    const v4 = mail('v4@x', 'Yan Lumen', '[PATCH v4] lumafs: fix flag inconsistency caused by concurrent commit and checkpoint', PATCH_BODY('luma_commit'));
    const other = { ...mail('v5@x', 'Yan Lumen', '[PATCH v5] lumafs: fix flag inconsistency caused by concurrent commit and checkpoint', PATCH_BODY('luma_commit')), fromAddress: 'yan@other.example.net' };
    const stranger = mail('s@x', 'Bob Other', '[PATCH] lumafs: fix flag inconsistency caused by concurrent commit and checkpoint', PATCH_BODY('luma_commit'));
    const fams = families([thread(v4), thread(other), thread(stranger)]);
    expect(fams.map((f) => f.map((t) => t.root))).toEqual([['v4@x', 'v5@x'], ['s@x']]);
  });
});

describe('one title from one person years apart', () => {
  it('keeps apart a generic title sent from two addresses long after each other', () => {
    const old = mail('old@x', 'Yan Lumen', '[PATCH] lumafs: fix to avoid potential deadlock', PATCH_BODY('luma_a'));
    const late = { ...mail('late@x', 'Yan Lumen', '[PATCH] lumafs: fix to avoid potential deadlock', PATCH_BODY('luma_b')), fromAddress: 'yan@other.example.net', date: old.date! + 700 * 86_400_000 };
    expect(families([thread(old), thread(late)])).toHaveLength(2);
  });
});

describe('a feature made concurrent on purpose', () => {
  it('does not read a multi-threaded feature series as a deadlock race, and still reads a fix for one', () => {
    const body = (n: string) => `This patch introduces a scalable multi-threaded ${n} using a workqueue.\nTasks take ownership of their buffers, preventing data races.\nTo prevent thread pool exhaustion deadlocks, a second queue runs the traversal.\n\n${PATCH_BODY('luma_extract')}`;
    const cover = mail('f0@x', 'Nia Newfeature', '[PATCH 0/2] fsck.lumafs: implement multi-threaded extraction', body('extraction'));
    const one = mail('f1@x', 'Nia Newfeature', '[PATCH 1/2] fsck.lumafs: add multi-threaded decompression', body('decompression'), 'f0@x');
    const two = mail('f2@x', 'Nia Newfeature', '[PATCH 2/2] fsck.lumafs: implement concurrent directory traversal', body('traversal'), 'f0@x');
    expect(one.knowledge?.reasons.some((r) => r.kind === 'trap:feature')).toBe(true);
    expect(assembleRaces([thread(cover, one, two)])).toEqual([]);
    const fix = mail('x1@x', 'Nia Newfeature', '[PATCH] fsck.lumafs: fix deadlock in multi-threaded extraction', body('extraction'));
    expect(fix.knowledge?.reasons.some((r) => r.kind === 'trap:feature')).toBe(false);
    expect(assembleRaces([thread(fix)])).toHaveLength(1);
  });

  const body0 = (): string => `Tasks waiting on a full queue block the workers that would empty it: a deadlock.\n\n${PATCH_BODY('luma_extract')}`;

  it('reads the replies under a feature\'s subject as its design discussion, and a fix\'s replies still as a fix\'s', () => {
    const ask = mail('g0@x', 'Stu Dent', '[GSoC 2026] Multi-threaded decompression for fsck.lumafs — design question', 'My plan is to wire the existing workqueue into the extraction path, one pcluster per task.\n');
    const answer = mail(
      'g1@x',
      'Stu Dent',
      'Re: [GSoC 2026] Multi-threaded decompression for fsck.lumafs — design question',
      'Two paths also need fixing before concurrent dispatch is correct: the lack of synchronization in luma_iget(), which could lead to refcount races, and lseek()+read() on a shared fd, a TOCTOU race under concurrent calls.\n',
      'g0@x',
    );
    expect(answer.knowledge?.reasons.some((r) => r.kind === 'trap:feature')).toBe(true);
    expect(assembleRaces([thread(ask, answer)])).toEqual([]);
    const fix = mail('h0@x', 'Nia Newfeature', '[PATCH] fsck.lumafs: fix deadlock in multi-threaded extraction', body0());
    const review = mail('h1@x', 'Rev Iewer', 'Re: [PATCH] fsck.lumafs: fix deadlock in multi-threaded extraction', 'The two workers can still race on the queue head; please take the lock there too.\n', 'h0@x');
    expect(review.knowledge?.reasons.some((r) => r.kind === 'trap:feature')).toBe(false);
    expect(assembleRaces([thread(fix, review)])).toHaveLength(1);
  });
});
