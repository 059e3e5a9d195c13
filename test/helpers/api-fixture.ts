// A small archive written for the API tests: one patch thread with a reply whose parent
// is missing, a message full of markup, two different copies of one Message-ID, an id
// with URL-hostile characters, a CRLF message and body lines mboxrd must quote. The
// messages are our own text, modelled on lore's format.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDb, openDb } from '../../db/connection.ts';
import { ingestPaths, type ReadArchive } from '../../ingest/pipeline.ts';

export interface FixtureMessage {
  file: string;
  messageId: string;
  bytes: Buffer;
}

function mail(headers: Record<string, string>, body: string, eol = '\n'): Buffer {
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return Buffer.from([...head, '', ...body.split('\n')].join(eol), 'utf8');
}

export const ROOT_ID = 'patch.1@alice.example';
export const GHOST_ID = 'never-archived@carol.example';
export const DUP_ID = 'dup@example.net';
export const HOSTILE_ID = 'a/b+c%d?e#f@weird.example';
export const MARKUP_ID = 'markup@mallory.example';
export const CRLF_ID = 'crlf@dave.example';

export function fixtureMessages(): FixtureMessage[] {
  const m: [string, string, Buffer][] = [
    [
      '01-patch',
      ROOT_ID,
      mail(
        {
          From: 'Alice Example <alice@alice.example>',
          To: 'linux-mm@kvack.example',
          Cc: 'Bob Reviewer <bob@bob.example>',
          Subject: '[PATCH] mm/filemap: wait for writeback before dropping the folio',
          Date: 'Wed, 10 Jan 2024 09:30:00 +0000',
          'Message-ID': `<${ROOT_ID}>`,
          'List-Id': '<linux-mm.kvack.example>',
        },
        `Dropping a folio that is still under writeback loses the data written to it.
From the point of view of the caller, the write has completed.
>From here on the folio is gone.

Signed-off-by: Alice Example <alice@alice.example>
---
diff --git a/mm/filemap.c b/mm/filemap.c
--- a/mm/filemap.c
+++ b/mm/filemap.c
@@ -100,6 +100,7 @@ static void drop_folio(struct folio *folio)
 	folio_lock(folio);
+	folio_wait_writeback(folio);
 	truncate_folio(folio);
 	folio_unlock(folio);
`,
      ),
    ],
    [
      '02-reply',
      'reply.1@bob.example',
      mail(
        {
          From: 'Bob Reviewer <bob@bob.example>',
          To: 'Alice Example <alice@alice.example>',
          Cc: 'linux-mm@kvack.example',
          Subject: 'Re: [PATCH] mm/filemap: wait for writeback before dropping the folio',
          Date: 'Thu, 11 Jan 2024 14:00:00 +0000',
          'Message-ID': '<reply.1@bob.example>',
          'In-Reply-To': `<${ROOT_ID}>`,
          References: `<${ROOT_ID}>`,
          'List-Id': '<linux-mm.kvack.example>',
        },
        `On Wed, Jan 10, 2024 at 09:30:00AM +0000, Alice Example wrote:
> Dropping a folio that is still under writeback loses the data written to it.

Looks right to me; the writeback wait is cheap here.

Reviewed-by: Bob Reviewer <bob@bob.example>
`,
      ),
    ],
    [
      '03-orphan',
      'orphan.1@carol.example',
      mail(
        {
          From: 'Carol Tester <carol@carol.example>',
          To: 'linux-mm@kvack.example',
          Subject: 'Re: [PATCH] mm/filemap: wait for writeback before dropping the folio',
          Date: 'Fri, 12 Jan 2024 08:00:00 +0000',
          'Message-ID': '<orphan.1@carol.example>',
          'In-Reply-To': `<${GHOST_ID}>`,
          References: `<${ROOT_ID}> <${GHOST_ID}>`,
        },
        'Tested on a box with a slow disk: no more lost pages.\n\nTested-by: Carol Tester <carol@carol.example>\n',
      ),
    ],
    [
      '04-markup',
      MARKUP_ID,
      mail(
        {
          From: '"Mallory <script>" <mallory@mallory.example>',
          To: 'linux-mm@kvack.example',
          Subject: '<b>bold</b> & <img src=x onerror=alert(1)> readahead question',
          Date: 'Mon, 05 Feb 2024 10:00:00 +0000',
          'Message-ID': `<${MARKUP_ID}>`,
        },
        '<script>alert("readahead")</script> & ]]> <!-- not a comment -->\nplain readahead words\n',
      ),
    ],
    [
      '05-dup-a',
      DUP_ID,
      mail(
        { From: 'Erin <erin@example.net>', Subject: 'swap slot leak, first copy', Date: 'Tue, 06 Feb 2024 10:00:00 +0000', 'Message-ID': `<${DUP_ID}>` },
        'first copy of the swap slot report\n',
      ),
    ],
    [
      '06-dup-b',
      DUP_ID,
      mail(
        { From: 'Erin <erin@example.net>', Subject: 'swap slot leak, second copy', Date: 'Tue, 06 Feb 2024 11:00:00 +0000', 'Message-ID': `<${DUP_ID}>` },
        'second copy, different bytes, same Message-ID\n',
      ),
    ],
    [
      '07-hostile-id',
      HOSTILE_ID,
      mail(
        { From: 'Frank <frank@weird.example>', Subject: 'an id with slashes and percent signs', Date: 'Wed, 07 Feb 2024 10:00:00 +0000', 'Message-ID': `<${HOSTILE_ID}>` },
        'ids like this must survive URL encoding\n',
      ),
    ],
    [
      '08-crlf',
      CRLF_ID,
      mail(
        { From: 'Dave <dave@dave.example>', Subject: 'crlf line ends in a saved message', Date: 'Thu, 08 Feb 2024 10:00:00 +0000', 'Message-ID': `<${CRLF_ID}>` },
        'line one\nFrom line two\nline three\n',
        '\r\n',
      ),
    ],
  ];
  return m.map(([file, messageId, bytes]) => ({ file, messageId, bytes }));
}

/** A ReadArchive over a directory of one-message files, in name order. */
export const readFixtureDir: ReadArchive = async (path, onMessage) => {
  const files = readdirSync(path).sort();
  for (const [index, file] of files.entries()) {
    await onMessage({ bytes: readFileSync(join(path, file)), position: { source: path, offset: 0, index, file } });
  }
};

export function writeFixtureDir(dir: string, messages: readonly FixtureMessage[]): void {
  mkdirSync(dir, { recursive: true });
  for (const m of messages) writeFileSync(join(dir, m.file), m.bytes);
}

/** Writes the messages to `dir` and ingests them into the database at dbPath. */
export async function ingestFixture(dbPath: string, dir: string, messages: readonly FixtureMessage[] = fixtureMessages()): Promise<void> {
  writeFixtureDir(dir, messages);
  const db = openDb(dbPath);
  try {
    await ingestPaths(db, [dir], { worker: false, read: readFixtureDir });
  } finally {
    closeDb(db);
  }
}
