// A race thread written to attack the page: script tags, an <img onerror>, javascript:
// links, </textarea>, and right-to-left overrides in subjects, names and bodies. It reads
// as a race report (a diagram of two CPUs, lost write), a patch proposed for it and an
// objection, so every page of the web UI (search, thread, message, race, fix) shows it.
// Our own text, modelled on lore's format.
import type { FixtureMessage } from './api-fixture.ts';

export const HOSTILE_REPORT_ID = 'hostile-race-report@evil.example';
export const HOSTILE_PATCH_ID = 'hostile-race-patch@evil.example';
export const HOSTILE_OBJECTION_ID = 'hostile-race-objection@evil.example';

const RLO = '\u202E';
export const HOSTILE_SUBJECT = `[BUG] hostfs: lost write <script>alert(1)</script> ${RLO}txt.exe</textarea> when hostfs_page_mkwrite() races with hostfs_writepages()`;
export const HOSTILE_NAME = `Eve ${RLO}<img src=x onerror=alert(2)>`;

function mail(headers: Record<string, string>, body: string): Buffer {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return Buffer.from([...head, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', ...body.split('\n')].join('\n'), 'utf8');
}

export function hostileRaceMessages(): FixtureMessage[] {
  const m: [string, string, Buffer][] = [
    [
      '20-hostile-report',
      HOSTILE_REPORT_ID,
      mail(
        {
          From: `"${HOSTILE_NAME}" <eve@evil.example>`,
          To: 'linux-fsdevel@vger.example',
          Subject: HOSTILE_SUBJECT,
          Date: 'Tue, 01 Oct 2024 09:00:00 +0000',
          'Message-ID': `<${HOSTILE_REPORT_ID}>`,
          'List-Id': '<linux-fsdevel.vger.example>',
        },
        `Hi,

With CONFIG_HOSTFS=y we lose the last write to an mmap'ed file: after a crash
the file holds the old contents although msync() returned 0. This is data loss.
<script>alert("body")</script> <a href="javascript:alert(3)">click here</a> </textarea><b>bold</b>

I think hostfs_page_mkwrite() and hostfs_writepages() race like this:

  CPU0 (writeback)                       CPU1 (write fault)
  hostfs_writepages()
    folio_clear_dirty_for_io(folio)
                                         hostfs_page_mkwrite()
                                           folio_mark_dirty(folio)
    folio_end_writeback(folio)
                                         msync() finds the folio clean

hostfs_page_mkwrite() never takes the folio lock, so the dirty bit it sets
is cleared again by hostfs_writepages().

Eve
`,
      ),
    ],
    [
      '21-hostile-patch',
      HOSTILE_PATCH_ID,
      mail(
        {
          From: `"Mallet ${RLO}</textarea><script>alert(6)</script>" <mallet@evil.example>`,
          To: 'linux-fsdevel@vger.example',
          Subject: `[PATCH] hostfs: lock the folio in hostfs_page_mkwrite() <img src=x onerror=alert(7)>`,
          Date: 'Thu, 03 Oct 2024 10:00:00 +0000',
          'Message-ID': `<${HOSTILE_PATCH_ID}>`,
          'In-Reply-To': `<${HOSTILE_REPORT_ID}>`,
          References: `<${HOSTILE_REPORT_ID}>`,
          'List-Id': '<linux-fsdevel.vger.example>',
        },
        `hostfs_page_mkwrite() marks the folio dirty without the folio lock and races
with hostfs_writepages(), so the write is lost.

Lock the folio and wait for stable writes before dirtying it.

Reported-by: ${HOSTILE_NAME} <eve@evil.example>
Link: javascript:alert(4)
Closes: https://lore.kernel.org/linux-fsdevel/${HOSTILE_REPORT_ID}/
Signed-off-by: Mallet <mallet@evil.example>
---
 fs/hostfs/file.c | 2 ++
 1 file changed, 2 insertions(+)

diff --git a/fs/hostfs/file.c b/fs/hostfs/file.c
index 5a1c2e9b7d03..8e0d4f2a6c11 100644
--- a/fs/hostfs/file.c
+++ b/fs/hostfs/file.c
@@ -212,6 +212,8 @@ static vm_fault_t hostfs_page_mkwrite(struct vm_fault *vmf) </textarea><script>alert(8)</script>
 	struct folio *folio = page_folio(vmf->page);
 
+	folio_lock(folio);
+	folio_wait_stable(folio);
 	folio_mark_dirty(folio);
 	return VM_FAULT_LOCKED;
 }
`,
      ),
    ],
    [
      '22-hostile-objection',
      HOSTILE_OBJECTION_ID,
      mail(
        {
          From: `"Trent ${RLO}<script>alert(9)</script>" <trent@evil.example>`,
          To: 'linux-fsdevel@vger.example',
          Subject: `Re: [PATCH] hostfs: lock the folio in hostfs_page_mkwrite() <img src=x onerror=alert(7)>`,
          Date: 'Fri, 04 Oct 2024 07:30:00 +0000',
          'Message-ID': `<${HOSTILE_OBJECTION_ID}>`,
          'In-Reply-To': `<${HOSTILE_PATCH_ID}>`,
          References: `<${HOSTILE_REPORT_ID}> <${HOSTILE_PATCH_ID}>`,
          'List-Id': '<linux-fsdevel.vger.example>',
        },
        `On Thu, Oct 03, 2024 at 10:00:00AM +0000, Mallet wrote:
> Lock the folio and wait for stable writes before dirtying it.

I don't think this is enough, there is still a race with hostfs_truncate_folio():
once we sleep in folio_lock() the folio can be truncated. <script>alert(10)</script> ${RLO}</textarea>

Trent
`,
      ),
    ],
  ];
  return m.map(([file, messageId, bytes]) => ({ file, messageId, bytes }));
}
