// A bot's report and the fixes that name it are one race: syzbot sends each bug's report from
// that bug's own address (syzbot+<extid>@syzkaller.appspotmail.com) and asks the fix to carry
// it as Reported-by. Mail written here, modelled on the linux-f2fs-devel syzbot threads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { botBugOfSender, botBugsOfTrailers, replyTitleKey } from '../domain/knowledge/family-keys.ts';
import { assembleRaces, families } from '../domain/knowledge/races.ts';
import type { ThreadInput, ThreadMessageInput } from '../domain/knowledge/types.ts';
import { mailWriter, thread } from './helpers/knowledge-mail.ts';
import { syzbotReportBody } from './fixtures/knowledge/syzbot-report.ts';

const EXTID = 'be4a9983e95a5e25c8d3';
const BOT = `syzbot+${EXTID}@syzkaller.appspotmail.com`;

describe('the bug a bot address or a trailer names', () => {
  it('is the extid of a per-bug syzbot sender, in any case', () => {
    expect(botBugOfSender(BOT)).toBe(`bot:syzbot+${EXTID}`);
    expect(botBugOfSender(BOT.toUpperCase().replace('SYZBOT+', 'syzbot+'))).toBe(`bot:syzbot+${EXTID}`);
  });

  it('is none for the addresses that name no bug', () => {
    // the monthly report, syzbot ci, the bare address, the reporting group, a person
    for (const a of [
      'syzbot+list22d02f3844aa036afc46@syzkaller.appspotmail.com',
      'syzbot+ci2e0a11d6a5730bb0@syzkaller.appspotmail.com',
      'syzbot@syzkaller.appspotmail.com',
      'syzkaller@googlegroups.com',
      'chao@kernel.org',
      `x${BOT}`,
      null,
    ]) {
      expect(botBugOfSender(a)).toBeNull();
    }
  });

  it('reads Reported-by: (bare or named) and Closes:/Link: to the dashboard, and nothing else', () => {
    expect(
      botBugsOfTrailers([
        { name: 'Reported-by', value: BOT },
        { name: 'Reported-by', value: 'syzbot <syzbot+7988d9999219aea9f2db@syzkaller.appspotmail.com>' },
        { name: 'Closes', value: 'https://syzkaller.appspot.com/bug?extid=775a3440817f74fddb8c' },
        { name: 'Link', value: `https://syzkaller.appspot.com/bug?extid=${EXTID} [1]` },
        // generic: no bug
        { name: 'Reported-by', value: 'syzbot <syzkaller@googlegroups.com>' },
        // the dashboard's own bug id is not the extid the report is sent from
        { name: 'Closes', value: 'https://syzkaller.appspot.com/bug?id=0123456789abcdef0123456789abcdef01234567' },
        // an address that only Cc'd the bot, or a Tested-by, says nothing of what the patch fixes
        { name: 'Cc', value: 'syzbot+1111111111111111aaaa@syzkaller.appspotmail.com' },
        { name: 'Tested-by', value: 'syzbot+2222222222222222aaaa@syzkaller.appspotmail.com' },
      ]),
    ).toEqual([`bot:syzbot+${EXTID}`, 'bot:syzbot+7988d9999219aea9f2db', 'bot:syzbot+775a3440817f74fddb8c']);
  });

  it('is one key for an extid, whether its sender, its Reported-by or its dashboard link names it (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{8,40}$/), fc.boolean(), (extid, upper) => {
        const id = upper ? extid.toUpperCase() : extid;
        const sender = botBugOfSender(`syzbot+${id}@syzkaller.appspotmail.com`);
        expect(sender).toBe(`bot:syzbot+${extid}`);
        expect(botBugsOfTrailers([{ name: 'Reported-by', value: `syzbot <syzbot+${id}@syzkaller.appspotmail.com>` }])).toEqual([sender]);
        expect(botBugsOfTrailers([{ name: 'Closes', value: `https://syzkaller.appspot.com/bug?extid=${id}` }])).toEqual([sender]);
      }),
    );
  });

  it('never comes from a tag that is not the bug\'s hex extid (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }).filter((s) => !/^[0-9a-f]{8,40}$/i.test(s)), (tag) => {
        expect(botBugOfSender(`syzbot+${tag}@syzkaller.appspotmail.com`)).toBeNull();
      }),
    );
  });
});

describe('the title key of a reply', () => {
  it('is its patch\'s title key under every reply marker and tag, and none for a non-reply or a short title', () => {
    expect(replyTitleKey('Re: [f2fs-dev] [PATCH] f2fs: fix to avoid potential deadlock in f2fs_record_stop_reason()')).toBe(
      'f2fs fix to avoid potential deadlock in f2fs record stop reason',
    );
    expect(replyTitleKey('Re: [Regression Bug] Re: [PATCH net v3 2/2] ppp: fix race conditions in ppp_fill_forward_path')).toBe(
      'ppp fix race conditions in ppp fill forward path',
    );
    expect(replyTitleKey('[PATCH] f2fs: fix to avoid potential deadlock in f2fs_record_stop_reason()')).toBeNull();
    expect(replyTitleKey('Re: [PATCH] fix typo')).toBeNull();
  });
});

const { mail } = mailWriter(Date.UTC(2024, 9, 7));
const FIX_BODY = (trailers: string): string => `syzbot reports a deadlock: f2fs_record_stop_reason() takes sb_lock while
kswapd holds fs_reclaim, and the commit path takes them the other way round.

Thread A                        Kswapd
- f2fs_record_stop_reason
 - f2fs_down_write(&sbi->sb_lock)
                                - __fs_reclaim_acquire
                                - sb_start_intwrite
 - f2fs_commit_super

Record the stop reason asynchronously to avoid the deadlock.

${trailers}
Signed-off-by: Chao Yu <chao@example.org>
---
 fs/f2fs/super.c | 4 ++--
 1 file changed, 2 insertions(+), 2 deletions(-)

diff --git a/fs/f2fs/super.c b/fs/f2fs/super.c
--- a/fs/f2fs/super.c
+++ b/fs/f2fs/super.c
@@ -4070,6 +4070,6 @@ static void f2fs_record_stop_reason(struct f2fs_sb_info *sbi)
-	f2fs_record_stop_reason(sbi);
+	schedule_work(&sbi->s_error_work);
 	return;
 }
-- 
2.40.1
`;
const REPORT_BODY = syzbotReportBody;

const fromBot = (m: ThreadMessageInput, extid: string): ThreadMessageInput => ({ ...m, from: 'syzbot', fromAddress: `syzbot+${extid}@syzkaller.appspotmail.com` });
const report = (id: string, extid: string, fn: string): ThreadMessageInput =>
  fromBot(mail(id, 'syzbot', `[syzbot] [f2fs?] possible deadlock in ${fn}`, REPORT_BODY(extid)), extid);
const fix = (id: string, subject: string, trailers: string): ThreadMessageInput => mail(id, 'Chao Yu', subject, FIX_BODY(trailers));
const roots = (fams: ThreadInput[][]): string[][] => fams.map((f) => f.map((t) => t.root).sort()).sort();

describe('a bot report and the fix that names it', () => {
  const TITLE = 'f2fs: fix to avoid potential deadlock in f2fs_record_stop_reason()';
  const rep = report('report@google.com', EXTID, 'f2fs_record_stop_reason');
  const reply = fromBot(mail('retest@google.com', 'syzbot', 'Re: [syzbot] [f2fs?] possible deadlock in f2fs_record_stop_reason', 'syzbot has tested the proposed patch.\n', 'report@google.com'), EXTID);

  it('are one race, whose fixes are the patch', () => {
    const patch = fix('v2@kernel.org', `[PATCH v2] ${TITLE}`, `Reported-by: ${BOT}`);
    const fams = families([thread(rep, reply), thread(patch)]);
    expect(fams.map((f) => f.map((t) => t.root))).toEqual([['report@google.com', 'v2@kernel.org']]);
    const races = assembleRaces([thread(rep, reply), thread(patch)]);
    expect(races.map((r) => [r.title, r.threads, r.fixes.map((f) => f.messageId)])).toEqual([[TITLE, ['report@google.com', 'v2@kernel.org'], ['v2@kernel.org']]]);
  });

  it('join by a Closes: to the bug\'s dashboard page too', () => {
    const patch = fix('v3@kernel.org', `[PATCH v3] ${TITLE}`, `Closes: https://syzkaller.appspot.com/bug?extid=${EXTID}`);
    expect(families([thread(rep), thread(patch)])).toHaveLength(1);
  });

  it('stay apart from another bug\'s report, and from generic or quoted reporters', () => {
    const other = report('other@google.com', '7988d9999219aea9f2db', 'f2fs_evict_inode');
    const named = fix('named@kernel.org', `[PATCH] ${TITLE}`, `Reported-by: ${BOT}`);
    // "Reported-by: syzbot <syzkaller@googlegroups.com>" names no one bug
    const generic = fix('generic@kernel.org', '[PATCH] f2fs: fix a deadlock in f2fs_evict_inode() under fs_reclaim', 'Reported-by: syzbot <syzkaller@googlegroups.com>');
    // a review asking for the tag is a reply: it says nothing of which patch fixes what
    const asking = mail('asking@example.org', 'Daejun Park', `Re: [PATCH] f2fs: fix a deadlock in f2fs_evict_inode() under fs_reclaim`, `Please add:\nReported-by: ${BOT}\n`, 'generic@kernel.org');
    expect(roots(families([thread(rep), thread(other), thread(named), thread(generic, asking)]))).toEqual([
      ['generic@kernel.org'],
      ['named@kernel.org', 'report@google.com'],
      ['other@google.com'],
    ]);
  });
});
