// One patch across a subsystem-prefix change, on mail written here after the linux-ppp
// threads that showed it: one sender's "ppp: ..." v1 and "net: ppp: ..." v2 of one deadlock fix.
import { describe, expect, it } from 'vitest';
import { sameStem, titleStem } from '../domain/knowledge/family-keys.ts';
import { assembleRaces, families } from '../domain/knowledge/races.ts';
import type { ThreadInput } from '../domain/knowledge/types.ts';
import { mailWriter, thread } from './helpers/knowledge-mail.ts';

const { mail } = mailWriter();

const PATCH = (fn: string): string => `The lock is taken in softirq context while an irq-unsafe path holds it: a deadlock.

  CPU0                    CPU1
  spin_lock(&ap->recv_lock)
                          <irq>
                          spin_lock(&ap->recv_lock)

Fix it by taking the lock with irqs off.

Signed-off-by: Jon Park <jon.park@example.org>
---
 drivers/net/ppp/ppp_async.c | 4 ++--
 1 file changed, 2 insertions(+), 2 deletions(-)

diff --git a/drivers/net/ppp/ppp_async.c b/drivers/net/ppp/ppp_async.c
--- a/drivers/net/ppp/ppp_async.c
+++ b/drivers/net/ppp/ppp_async.c
@@ -10,6 +10,6 @@ static struct asyncppp *${fn}(struct tty_struct *tty)
-	read_lock(&disc_data_lock);
+	read_lock_irqsave(&disc_data_lock, flags);
 	return ap;
 }
-- 
2.45.0
`;

describe('title stems', () => {
  it('strip the subsystem prefixes and keep their words', () => {
    expect(titleStem('net: ppp: Fix deadlock caused by unsafe-irq lock in ap_get()')).toEqual({
      stem: 'fix deadlock caused by unsafe irq lock in ap get',
      prefixes: ['net', 'ppp'],
      names: true,
      specific: true,
    });
    expect(titleStem('net:ppp: remove disc_data_lock in ppp line discipline')?.prefixes).toEqual(['net', 'ppp']);
    expect(titleStem('smb: client: fix race with concurrent opens in unlink(2)')?.prefixes).toEqual(['smb', 'client']);
    expect(titleStem('netfs, cifs: Delegate high-level I/O to netfslib')?.prefixes).toEqual(['netfs', 'cifs']);
  });

  it('leave a revert whole, and call a short generic stem unspecific', () => {
    expect(titleStem('Revert "cifs: fix double free race when mount fails"')).toMatchObject({ prefixes: [], stem: 'revert cifs fix double free race when mount fails' });
    expect(titleStem('erofs: fix memory leak')).toMatchObject({ stem: 'fix memory leak', specific: false });
    expect(titleStem('f2fs: fix to avoid potential deadlock')).toMatchObject({ specific: false });
  });

  it('split prefixes at slashes and commas only: a tool (fsck.f2fs:, erofs-utils:) is not its kernel side', () => {
    expect(titleStem('net/ppp: fix a race in ppp_unregister_channel()')?.prefixes).toEqual(['net', 'ppp']);
    expect(titleStem('fsck.f2fs: Detect and fix looped node chain efficiently')?.prefixes).toEqual(['fsck.f2fs']);
    expect(titleStem('erofs-utils: lib: fix MT data race in erofs_diskbuf_reserve()')?.prefixes).toEqual(['erofs-utils', 'lib']);
  });

  it('match across nested prefixes, or renamed ones when the stem names an identifier', () => {
    const s = (t: string) => titleStem(t)!;
    expect(sameStem(s('ppp: Fix deadlock caused by unsafe-irq lock in ap_get()'), s('net: ppp: Fix deadlock caused by unsafe-irq lock in ap_get()'))).toBe(true);
    expect(sameStem(s('cifs: fix potential deadlock in cifs_reconnect()'), s('smb: client: fix potential deadlock in cifs_reconnect()'))).toBe(true);
    // six plain words under two unrelated prefixes are two subsystems' patches
    expect(sameStem(s('ext4: avoid deadlock between writeback and checkpoint'), s('f2fs: avoid deadlock between writeback and checkpoint'))).toBe(false);
    expect(sameStem(s('erofs: fix memory leak'), s('f2fs: fix memory leak'))).toBe(false);
  });
});

describe('versions of one patch in one family', () => {
  it('continue across a prefix change: a v2 "net: ppp:" sent in reply to the v1 "ppp:" supersedes it', () => {
    const v1 = mail('v1@ppp', 'Jon Park', '[PATCH] ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'));
    const v2 = mail('v2@ppp', 'Jon Park', '[PATCH net,v2] net: ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'), 'v1@ppp');
    const races = assembleRaces([thread(v1, v2)]);
    expect(races).toHaveLength(1);
    expect(races[0]!.fixes.map((f) => [f.messageId, f.version, f.lifecycle, f.supersededBy])).toEqual([
      ['v1@ppp', 1, 'superseded', 'v2@ppp#0'],
      ['v2@ppp', 2, 'proposed', null],
    ]);
  });

  it('do not continue into another author\'s patch of that stem, nor across a generic one', () => {
    const a = mail('a@ppp', 'Jon Park', '[PATCH] ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'));
    const b = mail('b@ppp', 'Ann Other', '[PATCH v2] net: ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'), 'a@ppp');
    expect(assembleRaces([thread(a, b)])[0]!.fixes.map((f) => f.lifecycle)).toEqual(['proposed', 'proposed']);
    const c = mail('c@x', 'Jon Park', '[PATCH] ppp: fix a deadlock', PATCH('ppp_c'));
    const d = mail('d@x', 'Jon Park', '[PATCH v2] net: fix a deadlock', PATCH('ppp_d'), 'c@x');
    expect(assembleRaces([thread(c, d)])[0]!.fixes.map((f) => f.lifecycle)).toEqual(['proposed', 'proposed']);
  });
});

describe('a re-roll under another prefix', () => {
  const v1 = mail('v1@ppp', 'Jon Park', '[PATCH] ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'));
  const v2 = mail('v2@ppp', 'Jon Park', '[PATCH net,v2] net: ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'));
  const v3 = mail('v3@ppp', 'Jon Park', '[PATCH net,v3] net: ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'));

  it('is one race with each version a fix, the older superseded by the newer', () => {
    const races = assembleRaces([thread(v1), thread(v2), thread(v3)]);
    expect(races).toHaveLength(1);
    expect(races[0]!.threads).toEqual(['v1@ppp', 'v2@ppp', 'v3@ppp']);
    expect(races[0]!.fixes.map((f) => [f.messageId, f.version, f.lifecycle, f.supersededBy])).toEqual([
      ['v1@ppp', 1, 'superseded', 'v2@ppp#0'],
      ['v2@ppp', 2, 'superseded', 'v3@ppp#0'],
      ['v3@ppp', 3, 'proposed', null],
    ]);
  });

  it('from another person, or months later, is not joined', () => {
    const other = mail('other@ppp', 'Ann Other', '[PATCH net] net: ppp: Fix deadlock caused by unsafe-irq lock in ap_get()', PATCH('ap_get'));
    expect(families([thread(v1), thread(other)])).toHaveLength(2);
    const late = { ...v2, messageId: 'late@ppp', date: v1.date! + 200 * 86_400_000 };
    expect(families([thread(v1), thread(late)])).toHaveLength(2);
  });

  it('keeps one sender\'s generic titles in two subsystems apart', () => {
    const a = mail('leak-a@x', 'Jon Park', '[PATCH] erofs: fix memory leak', PATCH('erofs_fill_super'));
    const b = mail('leak-b@x', 'Jon Park', '[PATCH] f2fs: fix memory leak', PATCH('f2fs_fill_super'));
    expect(families([thread(a), thread(b)])).toHaveLength(2);
  });

  it('keeps two senders\' "fix memory leak" apart', () => {
    const a = mail('ml-a@x', 'Jon Park', '[PATCH] net: ppp: fix memory leak', PATCH('ppp_a'));
    const b = mail('ml-b@x', 'Ann Other', '[PATCH] ppp: fix memory leak', PATCH('ppp_b'));
    expect(families([thread(a), thread(b)])).toHaveLength(2);
  });
});

describe('prefixes that look nested but are not', () => {
  it('keep a tool\'s patch (fsck.f2fs:) apart from the kernel\'s (f2fs:) of one sender and title', () => {
    const tool = mail('tool@x', 'Chun Guo', '[PATCH v6] fsck.f2fs: Detect and fix looped node chain efficiently', PATCH('find_fsync_dnodes'));
    const kernel = mail('kernel@x', 'Chun Guo', '[PATCH] f2fs: Detect and fix looped node chain efficiently', PATCH('find_fsync_dnodes'));
    expect(families([thread(tool), thread(kernel)])).toHaveLength(2);
  });

  it('do not make two people one sender because a list rewrote their From: to its own address', () => {
    const list = 'linux-f2fs-devel@lists.example.org';
    const a = { ...mail('via-a@x', 'Ann Other', '[PATCH] f2fs: fix race in f2fs_stop_gc_thread()', PATCH('f2fs_stop_gc_thread')), from: 'Ann Other via Linux-f2fs-devel', fromAddress: list };
    const b = { ...mail('via-b@x', 'Bo Third', '[PATCH v2] f2fs: gc: fix race in f2fs_stop_gc_thread()', PATCH('f2fs_stop_gc_thread')), from: 'Bo Third via Linux-f2fs-devel', fromAddress: list };
    expect(families([thread(a), thread(b)])).toHaveLength(2);
  });
});

describe('a reply thread whose root is not in the archive', () => {
  const TITLE = 'ppp: fix race conditions in ppp_fill_forward_path';
  const patch = mail('v3-2@ppp', 'Qing Deng', `[PATCH net v3 2/2] ${TITLE}`, PATCH('ppp_fill_forward_path'));
  // "Re: [Regression Bug] Re: [PATCH ...]": its root, the report, was not archived
  const orphan = (id: string, subject: string): ThreadInput => ({
    root: 'lost-report@ppp',
    messages: [
      mail(id, 'Qing Deng', subject, 'Does this happen only if you set up a PPPoE connection?\n'),
      mail(`${id}.2`, 'Eric Nan', subject, 'Yes, the kernel crashed at early boot with a NULL pointer dereference.\n', id),
    ],
  });

  it('joins the family of the patch its subject names, and is no race of its own', () => {
    const lost = orphan('orphan@ppp', `Re: [Regression Bug] Re: [PATCH net v3 2/2] ${TITLE}`);
    expect(families([thread(patch), lost])).toHaveLength(1);
    const races = assembleRaces([thread(patch), lost]);
    expect(races.map((r) => [r.title, r.threads])).toEqual([[TITLE, ['v3-2@ppp', 'lost-report@ppp']]]);
    expect(races[0]!.fixes.map((f) => f.messageId)).toEqual(['v3-2@ppp']);
  });

  it('joins nothing when several people sent a patch of that title', () => {
    const again = mail('v1-other@ppp', 'Ann Other', `[PATCH] ${TITLE}`, PATCH('ppp_fill_forward_path'));
    expect(families([thread(patch), thread(again), orphan('orphan3@ppp', `Re: [PATCH] ${TITLE}`)])).toHaveLength(3);
  });

  it('is not an AUTOSEL bundle\'s later patch, split from its thread', () => {
    const root = mail('as-1@x', 'Sasha Levin', `[PATCH AUTOSEL 6.12 1/2] foo: fix a race in foo_open()`, `[ Upstream commit 0123456789abcdef0123456789abcdef01234567 ]\n\n${PATCH('foo_open')}`);
    const second = mail('as-2@x', 'Sasha Levin', `[PATCH AUTOSEL 6.12 2/2] ${TITLE}`, `[ Upstream commit 1123456789abcdef0123456789abcdef01234567 ]\n\n${PATCH('ppp_fill_forward_path')}`, 'as-1@x');
    // the bundle's second patch joins the patch it copies as a stable copy, not as an orphan
    const fams = families([thread(patch), { root: 'as-1@x', messages: [second] }, thread(root)]);
    expect(fams.map((f) => f.map((t) => t.messages[0]!.messageId).sort())).toEqual([['as-2@x', 'v3-2@ppp'], ['as-1@x']]);
  });
});

