import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractIds } from '../ingest/parse.ts';
import { threadIndexAncestry } from '../domain/thread-index.ts';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { threadRootOf, getThreadTree, type ThreadTreeNode } from '../db/threads.ts';
import { join } from 'node:path';

describe('Message-IDs as real mail writes them', () => {
  it('drops a comment inside or after the brackets', () => {
    expect(extractIds('<20240101.1@host.example # final submission>')).toEqual(['20240101.1@host.example']);
    expect(extractIds('<a@b.example> (Bo\'s message of "Mon, 2 Nov 2026 <x@y>")')).toEqual(['a@b.example']);
    expect(extractIds('<a@b.example> (comment (nested <c@d>)) <e@f.example>')).toEqual(['a@b.example', 'e@f.example']);
    expect(extractIds('<a@b.example (sent twice)>')).toEqual(['a@b.example']);
  });

  it('joins an id a mailer or folding broke with spaces, the same way wherever it is written', () => {
    expect(extractIds('<1234.5678@ mail.example.org>')).toEqual(['1234.5678@mail.example.org']);
    expect(extractIds('<1234.5678@mail.example.org>')).toEqual(['1234.5678@mail.example.org']);
    expect(extractIds('<no at sign here>')).toEqual([]);
  });

  it('reads Outlook\'s Thread-Index as the conversation and each ancestor\'s prefix', () => {
    const conv = '0102030405060708090a0b0c0d0e0f10111213141516@thread-index.invalid';
    expect(threadIndexAncestry('AQIDBAUGBwgJCgsMDQ4PEBESExQVFg==')).toEqual([conv]);
    expect(threadIndexAncestry('AQIDBAUGBwgJCgsMDQ4PEBESExQVFgECAwQFCgsMDQ4=')).toEqual([conv, '0102030405060708090a0b0c0d0e0f101112131415160102030405@thread-index.invalid']);
    expect(threadIndexAncestry('not base64!')).toEqual([]);
    expect(threadIndexAncestry('AQID')).toEqual([]);
  });
});

describe('threading the edge cases (test/fixtures/threading/edge-ids.mbox)', () => {
  let db: Db;
  beforeAll(async () => {
    db = openDb(':memory:');
    await ingestPaths(db, [join(import.meta.dirname, 'fixtures', 'threading', 'edge-ids.mbox')], { worker: false });
  });
  afterAll(() => closeDb(db));
  const ids = (n: ThreadTreeNode | null): string[] => (n ? [...(n.ghost ? [] : [n.messageId]), ...n.children.flatMap(ids)] : []);

  it('keeps the parent of a reply whose In-Reply-To has a comment inside or after the brackets', () => {
    expect(threadRootOf(db, 'reply-comment@example.org')).toBe('root-1@example.org');
    expect(threadRootOf(db, 'reply-after@example.org')).toBe('root-1@example.org');
    expect(ids(getThreadTree(db, 'root-1@example.org'))).toEqual(['root-1@example.org', 'reply-comment@example.org', 'reply-after@example.org']);
  });

  it('threads a reply to a message whose own Message-ID was folded', () => {
    expect(threadRootOf(db, 'reply-spaced@example.org')).toBe('1234.5678@mail.example.org');
  });

  it('puts an Outlook conversation without References in one thread, and another conversation apart', () => {
    const root = threadRootOf(db, 'outlook-1@example.org');
    expect(threadRootOf(db, 'outlook-2@example.org')).toBe(root);
    expect(threadRootOf(db, 'outlook-3@example.org')).toBe(root);
    expect(threadRootOf(db, 'unrelated@example.org')).not.toBe(root);
    expect(ids(getThreadTree(db, 'outlook-1@example.org')).sort()).toEqual(['outlook-1@example.org', 'outlook-2@example.org', 'outlook-3@example.org']);
  });
});
