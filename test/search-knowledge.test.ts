// status:, branch: and patchid: against the embedded sample archive (written by us),
// with the expected messages read straight from the sample's headers.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { searchMessages } from '../server/search.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const SAMPLE = join(REPO_ROOT, 'ingest', 'sample');

interface Head {
  messageId: string;
  subject: string;
}

/** Message-ID and Subject of every mail in the sample, by a plain header scan. */
function sampleHeads(): Head[] {
  const out: Head[] = [];
  for (const f of readdirSync(SAMPLE).filter((n) => n.endsWith('.mboxrd'))) {
    for (const mail of readFileSync(join(SAMPLE, f), 'utf8').split(/^From mboxrd@z[^\n]*\n/m)) {
      const head = mail.split(/\n\n/)[0] ?? '';
      const id = /^Message-ID:\s*<([^>]+)>/im.exec(head)?.[1];
      const subject = /^Subject:\s*(.*(?:\n[ \t].*)*)/im.exec(head)?.[1]?.replace(/\n[ \t]+/g, ' ');
      if (id && subject !== undefined) out.push({ messageId: id, subject });
    }
  }
  return out;
}

let db: Db;
let heads: Head[];
beforeAll(async () => {
  db = openDb(':memory:');
  const files = readdirSync(SAMPLE).filter((n) => n.endsWith('.mboxrd')).map((n) => join(SAMPLE, n));
  await ingestPaths(db, files, { worker: false });
  heads = sampleHeads();
});
afterAll(() => closeDb(db));

function hits(q: string): string[] {
  return searchMessages(db, q, { limit: 200 }).hits.map((h) => h.messageId).sort();
}

function withSubject(re: RegExp): string[] {
  return heads.filter((h) => re.test(h.subject)).map((h) => h.messageId).sort();
}

describe('search by stable status, branch and patch id', () => {
  it('status:failed-to-apply finds the FAILED mails of the stable bot', () => {
    const want = withSubject(/^FAILED: patch /);
    expect(want.length).toBeGreaterThan(0);
    expect(hits('status:failed-to-apply')).toEqual(want);
  });

  it('status:queued finds the "added to the stable tree" mails', () => {
    const want = withSubject(/has been added to the [\d.]+-stable tree$/);
    expect(want.length).toBeGreaterThan(0);
    expect(hits('status:queued')).toEqual(want);
  });

  it('branch: finds the branch\'s stable mails and backports, however the branch is written', () => {
    const got = hits('branch:6.1');
    expect(got).toEqual(expect.arrayContaining([...withSubject(/failed to apply to 6\.1-stable tree$/), ...withSubject(/^\[PATCH 6\.1\.y\]/)]));
    expect(got).not.toEqual(expect.arrayContaining(withSubject(/^\[PATCH 6\.12 /)));
    for (const g of got) expect(withSubject(/6\.6-stable|\[PATCH 6\.12/)).not.toContain(g);
    expect(hits('branch:6.1.y')).toEqual(got);
    expect(hits('branch:linux-6.1.y')).toEqual(got);
    expect(hits('branch:6.12')).toEqual(expect.arrayContaining(withSubject(/^\[PATCH (AUTOSEL )?6\.12 0*[1-9]\d*\/\d+\]/)));
  });

  it('combines stable filters with text: the failed backports of a filemap fix', () => {
    expect(hits('status:failed-to-apply s:filemap_get_pages')).toEqual(withSubject(/^FAILED: patch .*filemap_get_pages/));
    expect(hits('status:failed-to-apply -s:filemap')).toEqual(withSubject(/^FAILED: patch (?!.*filemap)/));
  });

  it('patchid: finds every copy of the same change by its full id or a prefix', () => {
    const original = withSubject(/^\[PATCH\] mm\/filemap: recheck/)[0] as string;
    // The id as stored for the original posting (the test reads it directly, then searches by it).
    const id = db.sql.prepare('SELECT patch_id FROM patch_msgs WHERE message_id = ?').pluck().get(original) as string;
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    const full = hits(`patchid:${id}`);
    expect(full).toContain(original);
    expect(hits(`patchid:${id.slice(0, 12)}`)).toEqual(full);
    expect(hits(`patchid:${id.toUpperCase()}`)).toEqual(full);
    const same = db.sql.prepare('SELECT message_id FROM patch_msgs WHERE patch_id = ?').pluck().all(id) as string[];
    expect(full).toEqual([...new Set(same)].sort());
  });
});
