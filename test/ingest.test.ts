// Ingest of the real corpus in ../shared: counts checked against an independent split,
// threads checked against In-Reply-To and a few named real threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { countDistinctMessageIds, countMessages } from '../db/messages.ts';
import { getThreadTree, inReplyToPairs, threadRootOf, type ThreadTreeNode } from '../db/threads.ts';
import { ingestPaths, type IngestSummary } from '../ingest/pipeline.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';

const LORE = [
  'lore-linux-cifs/linux-cifs.2024-01-to-02.mboxrd',
  'lore-linux-cifs/linux-cifs.stable-threads.mboxrd',
  'lore-linux-ppp/linux-ppp.vger.kernel.org.0.mboxrd',
];

/** A plain mbox reader's count: split on the mboxrd separator, read each Message-ID header. */
function independentIds(file: string): { messages: number; ids: Set<string> } {
  const text = readFileSync(file, 'latin1');
  const parts = text.split(/^From mboxrd@z .*\n/m).slice(1);
  const ids = new Set<string>();
  for (const p of parts) {
    const headerEnd = p.search(/\n\r?\n/);
    const header = p.slice(0, headerEnd < 0 ? p.length : headerEnd).replace(/\r?\n[ \t]+/g, ' ');
    const m = /^message-id:\s*<([^>\s]+)>/im.exec(header);
    if (m?.[1]) ids.add(m[1]);
  }
  return { messages: parts.length, ids };
}

function shape(n: ThreadTreeNode): unknown {
  return { id: n.messageId, ...(n.ghost ? { ghost: true } : {}), ...(n.copies > 1 ? { copies: n.copies } : {}), children: n.children.map(shape) };
}

describe.skipIf(!HAS_SHARED)('ingesting the lore archives', () => {
  let dir: string;
  let db: Db;
  let summary: IngestSummary;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-ingest-'));
    db = openDb(join(dir, 'lore.db'));
    summary = await ingestPaths(db, LORE.map((f) => sharedPath('corpus', f)));
  });
  afterAll(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores exactly the distinct Message-IDs a plain mbox split finds', () => {
    const all = new Set<string>();
    let total = 0;
    for (const f of LORE) {
      const r = independentIds(sharedPath('corpus', f));
      total += r.messages;
      for (const id of r.ids) all.add(id);
    }
    expect(total).toBe(731 + 1274 + 1046);
    expect(summary.seen).toBe(total);
    expect(countDistinctMessageIds(db)).toBe(all.size);
    // the 89 messages both cifs files hold are byte-identical; the duplicated id in
    // 2024-01-to-02 is two different copies, both kept
    expect(summary.duplicate).toBe(89);
    expect(countMessages(db)).toBe(total - 89);
    expect(all.size).toBe(total - 89 - 1);
    expect(summary.malformed).toBe(0);
  });

  it('puts every message in the thread of the message its In-Reply-To names', () => {
    const pairs = inReplyToPairs(db);
    expect(pairs.length).toBeGreaterThan(1200);
    const wrong = pairs.filter((p) => threadRootOf(db, p.messageId) !== threadRootOf(db, p.inReplyTo));
    expect(wrong).toEqual([]);
  });

  it('threads the duplicated keys/dns reply as one node with two copies', () => {
    const tree = getThreadTree(db, '<CA+icZUUc_0M_6JU3dZzVqrUUrWJceY1uD8dO2yFMCwtHtkaa_Q@mail.gmail.com>'.slice(1, -1));
    expect(tree && shape(tree)).toEqual({
      id: '1850031.1704921100@warthog.procyon.org.uk',
      children: [
        {
          id: 'CA+icZUUc_0M_6JU3dZzVqrUUrWJceY1uD8dO2yFMCwtHtkaa_Q@mail.gmail.com',
          copies: 2,
          children: [
            {
              id: 'CA+icZUWYSxfFHf5A56h9b4uOYYaANNxo2Z+cpwP1Bs1pF8MXQQ@mail.gmail.com',
              children: [{ id: 'CA+icZUV5zbsm4=wceT7+nzCrCw7S8SkKonTevFBpNTgvzbHT8g@mail.gmail.com', children: [] }],
            },
            { id: '2024012218-unlocking-pushy-c7e6@gregkh', children: [] },
          ],
        },
        { id: '20240111131950.GB45291@kernel.org', children: [] },
        { id: 'CYDVBBKUZ314.1VU7WLWB1IMM3@kernel.org', children: [] },
      ],
    });
  });

  it('hangs a 6.12.y backport under the FAILED mail it answers', () => {
    const tree = getThreadTree(db, '20260301024131.79122-1-entropy1110@gmail.com');
    expect(tree?.subject).toBe('FAILED: Patch "cifs: some missing initializations on replay" failed to apply to 6.12-stable tree');
    expect(tree?.children.map((c) => [c.messageId, c.subject])).toEqual([
      ['20260301024131.79122-1-entropy1110@gmail.com', '[PATCH 6.12.y] cifs: some missing initializations on replay'],
    ]);
  });

  it('keeps the 56 replies of the flsplit v3 series under its cover letter, with no ghosts', () => {
    const tree = getThreadTree(db, '20240131-flsplit-v3-0-c6129007ee8d@kernel.org');
    let nodes = 0;
    let ghosts = 0;
    const stack = tree ? [tree] : [];
    while (stack.length) {
      const n = stack.pop() as ThreadTreeNode;
      nodes++;
      if (n.ghost) ghosts++;
      stack.push(...n.children);
    }
    expect(nodes).toBe(57);
    expect(ghosts).toBe(0);
    expect(tree?.children).toHaveLength(49);
  });

  it('adds nothing when the same archives are ingested again', async () => {
    const before = countMessages(db);
    const again = await ingestPaths(db, LORE.map((f) => sharedPath('corpus', f)));
    expect(again.stored).toBe(0);
    expect(again.skipped).toBe(again.seen);
    expect(countMessages(db)).toBe(before);
  });
});
