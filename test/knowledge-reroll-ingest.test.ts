// A patch re-rolled under another subsystem prefix, through ingest: the v1 "ppp:" and the v2
// "net: ppp:" of one sender are one race whether they arrive in one run or in two (the
// database's family closure follows the same sender's stems, so the later run re-assembles
// the v1 with the v2). Mail written here, modelled on the linux-ppp ap_get() deadlock threads;
// the two versions' diffs differ, as there, so series grouping (patch-id) does not link them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { getRace, listRaces } from '../db/knowledge.ts';
import { ingestPaths } from '../ingest/pipeline.ts';

const TITLE = 'Fix deadlock caused by unsafe-irq lock in ap_get()';

function patchMail(id: string, subject: string, date: string, lock: string): string {
  return `From mboxrd@z Thu Jan  1 00:00:00 1970
From: Jon Park <jon.park@example.org>
To: netdev@example.org
Subject: ${subject}
Date: ${date}
Message-Id: <${id}>

syzbot reports an inconsistent lock state: disc_data_lock is taken for read in
softirq context in ap_get() while ppp_asynctty_close() holds it for write with
irqs on, a deadlock:

  CPU0                          CPU1
  write_lock(&disc_data_lock)
                                <irq>
                                read_lock(&disc_data_lock)

Take the lock with irqs off.

Signed-off-by: Jon Park <jon.park@example.org>
---
 drivers/net/ppp/ppp_async.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/drivers/net/ppp/ppp_async.c b/drivers/net/ppp/ppp_async.c
--- a/drivers/net/ppp/ppp_async.c
+++ b/drivers/net/ppp/ppp_async.c
@@ -10,6 +10,6 @@ static struct asyncppp *ap_get(struct tty_struct *tty)
-	read_lock(&disc_data_lock);
+	${lock}(&disc_data_lock);
 	return ap;
 }
-- 
2.45.0

`;
}

let dir: string;
let v1: string;
let v2: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lg-reroll-'));
  v1 = join(dir, 'v1.mboxrd');
  v2 = join(dir, 'v2.mboxrd');
  writeFileSync(v1, patchMail('v1-ap-get@example.org', `[PATCH] ppp: ${TITLE}`, 'Fri, 19 Apr 2024 02:59:10 +0900', 'read_lock_irq'));
  writeFileSync(v2, patchMail('v2-ap-get@example.org', `[PATCH net,v2] net: ppp: ${TITLE}`, 'Sat, 20 Apr 2024 03:12:38 +0900', 'read_lock_bh'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function racesAfter(name: string, runs: string[][]): Promise<unknown[]> {
  const db = openDb(join(dir, `${name}.db`));
  try {
    for (const paths of runs) await ingestPaths(db, paths, { worker: false });
    return listRaces(db).races.map((r) => getRace(db, r.id));
  } finally {
    closeDb(db);
  }
}

describe('a re-roll under another prefix, ingested', () => {
  it('is one race with both versions, in one run or in two, the same record', async () => {
    const once = await racesAfter('once', [[v1, v2]]);
    expect(once).toHaveLength(1);
    expect(once[0]).toMatchObject({ threads: ['v1-ap-get@example.org', 'v2-ap-get@example.org'] });
    const fixes = (once[0] as { fixes: { messageId: string; lifecycle: string }[] }).fixes;
    expect(fixes.map((f) => [f.messageId, f.lifecycle])).toEqual([
      ['v1-ap-get@example.org', 'superseded'],
      ['v2-ap-get@example.org', 'proposed'],
    ]);
    expect(await racesAfter('twice', [[v1], [v2]])).toEqual(once);
  });
});
