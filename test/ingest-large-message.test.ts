// Large messages (past the mbox splitter's 4 MiB hand-over size) go to a parse worker in the
// buffer the splitter made for them, moved rather than copied, and attachments stream past
// mailparser without being kept: what is stored is what the inline parse stores, byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDb, openDb } from '../db/connection.ts';
import { allRawInRowOrder } from '../db/messages.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { toMboxrd } from '../ingest/read/mboxrd-write.ts';

const MiB = 1024 * 1024;
const ENVELOPE = 'From a@b Mon Jan  1 10:00:00 2024';

function small(id: string): Buffer {
  return Buffer.from(`From: a@x\nSubject: small ${id}\nMessage-ID: <${id}@x>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\nsmall ${id}\n`);
}

function log(): Buffer {
  const lines = Array.from({ length: 100_000 }, (_, i) => `[${i}.000] kworker/u8:3 blocked for more than 120 seconds\n`).join('');
  return Buffer.from(`From: Big <big@x>\nSubject: a large log\nMessage-ID: <log@x>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\n${lines}`);
}

const PATCH = 'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1 +1 @@\n-old\n+new\n';

/** multipart: a text part, a patch attachment that joins the body, and 4.5 MiB of base64 that does not. */
function attachments(): Buffer {
  const payload = Buffer.alloc(Math.floor(4.5 * MiB));
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;
  const b64 = payload.toString('base64').replace(/.{76}/g, '$&\n');
  return Buffer.from(
    `From: Big <big@x>\nSubject: [PATCH] a core dump and a fix\nMessage-ID: <core@x>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"\n\n--zz\nContent-Type: text/plain\n\nsee attached\n--zz\nContent-Type: text/x-patch; name="fix.patch"\nContent-Disposition: attachment; filename="fix.patch"\n\n${PATCH}--zz\nContent-Type: application/octet-stream; name="core.bin"\nContent-Transfer-Encoding: base64\n\n${b64}\n--zz--\n`,
  );
}

function rows(path: string): unknown[] {
  const sql = new Database(path, { readonly: true });
  try {
    return sql.prepare('SELECT message_id, content_hash, subject, body, attachments, headers, notes, raw_size, body_start, body_end FROM messages ORDER BY id').raw().all();
  } finally {
    sql.close();
  }
}

describe('ingest of messages of several MiB', () => {
  let dir: string;
  let file: string;
  const messages = [small('before'), log(), attachments(), small('after')];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-large-'));
    file = join(dir, 'large.mbox');
    writeFileSync(file, Buffer.concat(messages.map((m) => toMboxrd(m, ENVELOPE))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores with a parse worker what it stores inline, and every raw message as read', async () => {
    const stored: unknown[][] = [];
    for (const worker of [true, false]) {
      const path = join(dir, `${worker ? 'worker' : 'inline'}.db`);
      const db = openDb(path);
      const s = await ingestPaths(db, [file], { worker, workers: 1 });
      expect(s.stored).toBe(4);
      expect(s.malformed).toBe(0);
      expect([...allRawInRowOrder(db)].map((r) => createHash('sha256').update(r.bytes).digest('hex'))).toEqual(
        messages.map((m) => createHash('sha256').update(m).digest('hex')),
      );
      closeDb(db);
      stored.push(rows(path));
    }
    expect(stored[0]).toEqual(stored[1]);
    const core = stored[0]?.[2] as unknown[];
    expect(JSON.parse(core[4] as string)).toEqual([
      // the line break before a boundary belongs to the boundary
      { filename: 'fix.patch', contentType: 'text/x-patch', size: PATCH.length - 1 },
      { filename: 'core.bin', contentType: 'application/octet-stream', size: Math.floor(4.5 * MiB) },
    ]);
    expect(core[3]).toContain('+new');
  });
});
