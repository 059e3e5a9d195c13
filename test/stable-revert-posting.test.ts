import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, type Db } from '../db/connection.ts';
import { getFixStatus, listStableBranch } from '../db/stable.ts';
import { replyDecision } from '../domain/patch/stable-reply.ts';
import { ingestForPatches } from './fixtures/patch/ingest.ts';

// A vendor's backport of a mainline revert, objected to and taken back by its poster:
// written for these tests on the form of such threads.
const FIXED = 'ab'.repeat(20);
const REVERT = 'cd'.repeat(20);
const poster = { fromStableTeam: false, answersOwnMail: true };

describe("the poster's concession", () => {
  it('withdraws the posting', () => {
    expect(replyDecision('Sorry I missed this. I should remove this patch from our product kernel too.', poster)).toMatchObject({ kind: 'withdrawn' });
    expect(replyDecision("Right, I'll drop this one from v3.", poster)).toMatchObject({ kind: 'withdrawn' });
  });

  it('is nothing from anyone else, with a condition, or about another patch', () => {
    expect(replyDecision('I should remove this patch from our product kernel too.', { fromStableTeam: false, answersOwnMail: false })).toBeNull();
    expect(replyDecision('I will drop this patch if the test fails again.', poster)).toBeNull();
    expect(replyDecision('I should remove the other patch, this one stays.', poster)).toBeNull();
  });
});

function mail(headers: Record<string, string>, body: string): string {
  return `From mboxrd@z Thu Jan  1 00:00:00 1970\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n${body}\n`;
}

const DIFF = `---\n drivers/gadget/gadget.c | 1 -\n 1 file changed, 1 deletion(-)\n\ndiff --git a/drivers/gadget/gadget.c b/drivers/gadget/gadget.c\nindex 1111111..2222222 100644\n--- a/drivers/gadget/gadget.c\n+++ b/drivers/gadget/gadget.c\n@@ -1,3 +1,2 @@\n int a;\n-MODULE_SOFTDEP("pre: arc4");\n int b;\n`;

describe('a posted mainline revert, objected to and withdrawn', () => {
  let db: Db;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-stable-revert-'));
    const file = join(dir, 'revert.mbox');
    const v = 'V. Endor <v.endor@example.org>';
    writeFileSync(
      file,
      mail(
        { From: v, To: 'stable@vger.kernel.org', Subject: '[BACKPORT 4.14.y 5/6] gadget: Revert "gadget: add softdep"', Date: 'Thu, 05 Sep 2019 03:10:45 +0000', 'Message-ID': '<rev-5@example.org>' },
        `From: A. Uthor <a.uthor@example.org>\n\n[ Upstream commit ${REVERT} ]\n\nThis reverts commit ${FIXED}.\n\nSigned-off-by: A. Uthor <a.uthor@example.org>\n${DIFF}`,
      ) +
        mail(
          { From: 'A. Uthor <a.uthor@example.org>', To: v, Cc: 'stable@vger.kernel.org', Subject: 'Re: [BACKPORT 4.14.y 5/6] gadget: Revert "gadget: add softdep"', Date: 'Thu, 05 Sep 2019 16:16:42 +0000', 'Message-ID': '<objection@example.org>', 'In-Reply-To': '<rev-5@example.org>' },
          `On Thu, Sep 05, 2019, V. Endor wrote:\n> [ Upstream commit ${REVERT} ]\n\nWhy is this being backported?  This revert was only needed because of a\ndifferent patch that was merged in v5.3.\n`,
        ) +
        mail(
          { From: v, To: 'A. Uthor <a.uthor@example.org>', Cc: 'stable@vger.kernel.org', Subject: 'Re: [BACKPORT 4.14.y 5/6] gadget: Revert "gadget: add softdep"', Date: 'Fri, 06 Sep 2019 06:13:02 +0000', 'Message-ID': '<concede@example.org>', 'In-Reply-To': '<objection@example.org>' },
          `On Fri, 6 Sep 2019 at 00:16, A. Uthor wrote:\n> Why is this being backported?\n\nSorry I missed this. I should remove this patch from our product kernel too.\n`,
        ),
    );
    db = await ingestForPatches([file]);
  }, 30_000);
  afterAll(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes the revert's own commit not needed on the branch, from the poster's concession", () => {
    const b = getFixStatus(db, REVERT).branches['4.14'];
    expect(b?.status).toBe('not-needed');
    expect(b?.evidence).toEqual(['concede@example.org']);
    expect(b?.history.map((h) => h.status)).toEqual(['backport-posted', 'not-needed']);
  });

  it('puts no decision of the posting on the commit it reverts: that one leaves the branch by the posting alone', () => {
    // (The reverted commit is named by the revert's title only: its fix is found by that title.)
    const reverted = listStableBranch(db, '4.14').find((f) => f.fix.title === 'gadget: add softdep');
    expect(reverted?.status.status).toBe('not-needed');
    expect(reverted?.status.history.map((h) => h.messageId)).toEqual(['rev-5@example.org']);
  });
});
