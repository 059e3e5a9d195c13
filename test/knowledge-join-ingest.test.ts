// One race reported by a bot, reviewed on a v1 whose own mail the archive lost, and fixed by
// a v2 that names the bot's report, through ingest: the three threads are one race whether
// they arrive in one run or one by one in any order (the database's family closure follows
// both joins both ways: db/knowledge-threads.ts knowledge_keys), and a database from before
// the keys existed gets the same race on its next pass. Mail written here, modelled on the
// linux-f2fs-devel "possible deadlock in f2fs_record_stop_reason" threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { clearRaces, getRace, listRaces, replaceRaces } from '../db/knowledge.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import { pendingKnowledgeThreads, threadInput } from '../db/knowledge-threads.ts';
import { assembleRaces } from '../domain/knowledge/races.ts';
import { updateKnowledge } from '../ingest/knowledge-rebuild.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { syzbotReportBody } from './fixtures/knowledge/syzbot-report.ts';

const EXTID = 'be4a9983e95a5e25c8d3';
const BOT = `syzbot+${EXTID}@syzkaller.appspotmail.com`;
const TITLE = 'f2fs: fix to avoid potential deadlock in f2fs_record_stop_reason()';
const REPORT = 'report-stop-reason@google.com';
const LOST_V1 = 'v1-stop-reason@kernel.org';
const REVIEW = 'review-v1@samsung.com';
const V2 = 'v2-stop-reason@kernel.org';

const mboxrd = (headers: string, body: string): string => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${headers}\n\n${body}\n`;

const DIAGRAM = `Thread A                        Kswapd
- f2fs_ioc_commit_atomic_write
 - mnt_want_write_file -- down_read lock A
                                - balance_pgdat
                                 - __fs_reclaim_acquire  -- lock B
                                  - f2fs_evict_inode
                                   - sb_start_intwrite  -- down_read lock A
 - f2fs_record_stop_reason
  - f2fs_commit_super
   - filemap_alloc_folio  -- lock B`;

const reportMail = mboxrd(
  `From: syzbot <${BOT}>
To: chao@example.org, linux-f2fs-devel@example.org
Subject: [syzbot] [f2fs?] possible deadlock in f2fs_record_stop_reason
Date: Mon, 21 Oct 2024 02:39:28 -0700
Message-ID: <${REPORT}>`,
  syzbotReportBody(EXTID),
);

// a review of the v1, whose own mail is not in the archive
const reviewMail = mboxrd(
  `From: Daejun Park <daejun.park@example.com>
To: Chao Yu <chao@example.org>
Subject: Re: [PATCH] ${TITLE}
Date: Tue, 22 Oct 2024 17:22:01 +0900
Message-ID: <${REVIEW}>
In-Reply-To: <${LOST_V1}>
References: <${LOST_V1}>`,
  `Hi Chao Yu,

> Root cause is there will be potential deadlock in between below tasks:
>
${DIAGRAM.split('\n').map((l) => `> ${l}`).join('\n')}

>
> Fixes: b62e71be2110 ("f2fs: support errors=remount-ro|continue|panic mountoption")
> Reported-by: ${BOT}
> Signed-off-by: Chao Yu <chao@example.org>
> ---
> diff --git a/fs/f2fs/super.c b/fs/f2fs/super.c
> --- a/fs/f2fs/super.c
> +++ b/fs/f2fs/super.c
> @@ -4096,7 +4096,7 @@ static void f2fs_handle_critical_error(struct f2fs_sb_info *sbi)
>  	if (!continue_fs)
> -		f2fs_record_stop_reason(sbi);
> +		queue_work(sbi->error_wq, &sbi->s_error_work);
>  	return;

Calling f2fs_record_stop_reason() from a work item breaks the lock A -> lock B order,
so the deadlock cannot happen. But the error record is now asynchronous: please flush
the work before the checkpoint is disabled.

Reviewed-by: Daejun Park <daejun.park@example.com>`,
);

const v2Mail = mboxrd(
  `From: Chao Yu <chao@example.org>
To: jaegeuk@example.org
Cc: linux-f2fs-devel@example.org
Subject: [PATCH v2] ${TITLE}
Date: Tue, 22 Oct 2024 16:36:23 +0800
Message-ID: <${V2}>`,
  `syzbot reports a f2fs bug as below: a possible deadlock.

Root cause is there will be potential deadlock in between below tasks:

${DIAGRAM}

Let's change to record the stop reason asynchronously from a work item, rather than
calling f2fs_record_stop_reason() synchronously, to avoid the potential deadlock.

Fixes: b62e71be2110 ("f2fs: support errors=remount-ro|continue|panic mountoption")
Reported-by: ${BOT}
Signed-off-by: Chao Yu <chao@example.org>
---
v2:
- flush the work before checkpoint is disabled
 fs/f2fs/super.c | 4 ++--
 1 file changed, 2 insertions(+), 2 deletions(-)

diff --git a/fs/f2fs/super.c b/fs/f2fs/super.c
--- a/fs/f2fs/super.c
+++ b/fs/f2fs/super.c
@@ -4096,7 +4096,7 @@ static void f2fs_handle_critical_error(struct f2fs_sb_info *sbi)
 	if (!continue_fs)
-		f2fs_record_stop_reason(sbi);
+		schedule_work(&sbi->s_error_work);
 	return;
 }
-- 
2.40.1`,
);

let dir: string;
const file: Record<'report' | 'review' | 'v2', string> = { report: '', review: '', v2: '' };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lg-join-ingest-'));
  for (const [name, text] of [['report', reportMail], ['review', reviewMail], ['v2', v2Mail]] as const) {
    file[name] = join(dir, `${name}.mboxrd`);
    writeFileSync(file[name], text);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function racesAfter(name: string, runs: (keyof typeof file)[][]): Promise<unknown[]> {
  const db = openDb(join(dir, `${name}.db`));
  try {
    for (const run of runs) await ingestPaths(db, run.map((f) => file[f]), { worker: false });
    return listRaces(db).races.map((r) => getRace(db, r.id));
  } finally {
    closeDb(db);
  }
}

describe('a bot report, an orphaned review of the v1 and the v2 that names the report, ingested', () => {
  let once: unknown[];
  beforeAll(async () => {
    once = await racesAfter('once', [['report', 'review', 'v2']]);
  });

  it('are one race, whose fixes are the v1 the review quotes, superseded, and the v2', () => {
    expect(once).toHaveLength(1);
    const race = once[0] as { title: string; threads: string[]; fixes: { messageId: string; version: number; lifecycle: string }[]; messages: string[] };
    expect(race.title).toBe(TITLE);
    expect([...race.threads].sort()).toEqual([LOST_V1, REPORT, V2].sort());
    expect(race.messages).toContain(REVIEW);
    // the v1's own mail is lost: its quote in the review stands for it (the v2 is another version)
    expect(race.fixes.map((f) => [f.messageId, f.version, f.lifecycle])).toEqual([
      [REVIEW, 1, 'superseded'],
      [V2, 2, 'proposed'],
    ]);
  });

  it('are the same record when each arrives in its own run, in either order', async () => {
    expect(await racesAfter('report-first', [['report'], ['review'], ['v2']])).toEqual(once);
    expect(await racesAfter('fix-first', [['v2'], ['review'], ['report']])).toEqual(once);
  });

  it('are the same record on a database stored before the join keys existed, after its next pass', async () => {
    const path = join(dir, 'upgraded.db');
    const db = openDb(path);
    await ingestPaths(db, [file.report, file.review, file.v2], { worker: false });
    // as the pass without the keys left it: every thread its own race, no keys, the mark at the end
    runInTransaction(db, () => {
      const roots = pendingKnowledgeThreads(db, 0);
      clearRaces(db);
      for (const root of roots) replaceRaces(db, [root], assembleRaces([threadInput(db, root)]));
      db.sql.exec('DROP TABLE knowledge_keys');
    });
    expect(listRaces(db).races.length).toBeGreaterThan(1);
    db.sql.pragma('user_version = 13');
    closeDb(db);

    // opening migrates (014 resets the mark); the next pass fills the keys and joins the threads
    const upgraded = openDb(path);
    try {
      updateKnowledge(upgraded);
      expect(listRaces(upgraded).races.map((r) => getRace(upgraded, r.id))).toEqual(once);
    } finally {
      closeDb(upgraded);
    }
  });
});
