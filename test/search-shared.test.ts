// Search on real lore archives (../shared), checked against answers this file computes
// on its own from the parsed messages: its own word splitting, its own diff scan, its
// own date arithmetic. Only the parser and the stored rows are shared with the code
// under test; the index, the query compiler and the SQL are not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { readMbox } from '../ingest/read/mbox.ts';
import { parseMessage } from '../ingest/parse.ts';
import type { ParsedMessage } from '../domain/message.ts';
import { searchMessages } from '../server/search.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';

// One two-month slice of linux-cifs keeps this file well under 30 s on a shared 2-core box.
const ARCHIVES = ['lore-linux-cifs/linux-cifs.2024-01-to-02.mboxrd'];

/** Words as this test reads them: letters, digits and '_', case and accents folded. */
function words(s: string): string[] {
  return (s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}\p{Co}_]+/gu) ?? []);
}

function containsRun(hay: string[], needle: string[]): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

/** Paths a message's own (unquoted) diff touches: 'diff --git a/X b/Y' lines, or quilt-style '--- a/X' + '+++ b/Y' pairs. */
function diffPaths(body: string): string[] {
  const git = [...body.matchAll(/^diff --git a\/(\S+) b\/(\S+)/gm)];
  const quilt = [...body.matchAll(/^--- a\/(\S+)[^\n]*\n\+\+\+ b\/(\S+)/gm)];
  return [...git, ...quilt].flatMap((m) => [m[1] as string, m[2] as string]);
}

describe.skipIf(!HAS_SHARED)('search on the shared lore corpus', () => {
  let dir: string;
  let db: Db;
  const messages: ParsedMessage[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-search-shared-'));
    db = openDb(join(dir, 'shared.db'));
    const paths = ARCHIVES.map((a) => sharedPath('corpus', a));
    await ingestPaths(db, paths, { read: (p, on) => readMbox(p, on) });
    const seen = new Set<string>();
    for (const p of paths) {
      await readMbox(p, async (raw) => {
        const m = await parseMessage(raw);
        // One answer per stored copy: identical bytes are stored once.
        if (!seen.has(m.contentHash)) {
          seen.add(m.contentHash);
          messages.push(m);
        }
      });
    }
  }, 120_000);

  afterAll(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every hit of a query, paging through at the API's largest page size. */
  function allHits(q: string): string[] {
    const out: string[] = [];
    for (let offset = 0; ; offset += 200) {
      const r = searchMessages(db, q, { offset, limit: 200, sort: 'date' });
      out.push(...r.hits.map((h) => h.messageId));
      if (r.hits.length < 200) {
        expect(r.total).toBe(out.length);
        return out.sort();
      }
    }
  }

  function expected(pred: (m: ParsedMessage) => boolean): string[] {
    return messages.filter(pred).map((m) => m.messageId).sort();
  }

  it('stores and indexes every message of the archives', () => {
    expect(messages.length).toBeGreaterThan(700);
    expect(allHits('d:1970..2100').length + allHits('-d:1970..2100').length).toBe(messages.length);
  });

  it('s:word finds exactly the messages whose decoded subject contains the word', () => {
    const freq = new Map<string, number>();
    for (const m of messages) for (const w of new Set(words(m.subject))) freq.set(w, (freq.get(w) ?? 0) + 1);
    // Common, middling and rare subject words, chosen from the data rather than by hand.
    const ranked = [...freq.entries()].filter(([w]) => w.length > 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const picks = [0, 1, 2, 5, 10, 25, 50, 100, 200, 400].map((i) => ranked[Math.min(i, ranked.length - 1)]?.[0] as string);
    for (const w of picks) {
      expect({ w, hits: allHits(`s:${w}`) }).toEqual({ w, hits: expected((m) => words(m.subject).includes(w)) });
    }
  });

  it('s:"phrase" requires the words adjacent and in order', () => {
    const pairs = new Map<string, number>();
    for (const m of messages) {
      const ws = words(m.subject);
      for (let i = 0; i + 1 < ws.length; i++) pairs.set(`${ws[i]} ${ws[i + 1]}`, (pairs.get(`${ws[i]} ${ws[i + 1]}`) ?? 0) + 1);
    }
    const top = [...pairs.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 4).map(([p]) => p);
    for (const phrase of top) {
      const ws = words(phrase);
      // The reversed pair must not match where only the forward one occurs.
      const reversed = [...ws].reverse();
      expect(allHits(`s:"${reversed.join(' ')}"`)).toEqual(expected((m) => containsRun(words(m.subject), reversed)));
      expect(allHits(`s:"${phrase}"`)).toEqual(expected((m) => containsRun(words(m.subject), ws)));
    }
  });

  it('f:address finds the messages sent from that address', () => {
    const senders = new Map<string, number>();
    for (const m of messages) if (m.from) senders.set(m.from.address, (senders.get(m.from.address) ?? 0) + 1);
    const top = [...senders.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([a]) => a);
    for (const addr of top) {
      const ws = words(addr);
      expect(allHits(`f:${addr}`)).toEqual(expected((m) => m.from !== null && containsRun(words(`${m.from.name} ${m.from.address}`), ws)));
    }
  });

  it('dfn:path finds the patches whose diff touches that file', () => {
    const counts = new Map<string, number>();
    for (const m of messages) for (const p of new Set(diffPaths(m.body))) counts.set(p, (counts.get(p) ?? 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([p]) => p);
    expect(top.length).toBeGreaterThan(0);
    for (const path of top) {
      const ws = words(path);
      const want = expected((m) => diffPaths(m.body).some((p) => containsRun(words(p), ws)));
      expect({ path, hits: allHits(`dfn:${path}`) }).toEqual({ path, hits: want });
    }
  });

  it('d:a..b finds the messages dated within the range, end day included', () => {
    const from = Date.UTC(2024, 0, 10);
    const to = Date.UTC(2024, 0, 21);
    expect(allHits('d:20240110..20240120')).toEqual(expected((m) => m.date !== null && m.date >= from && m.date < to));
  });

  it('combines a subject word, a date range and an exclusion', () => {
    const from = Date.UTC(2024, 1, 1);
    expect(allHits('s:smb3 d:2024-02-01.. -s:re')).toEqual(
      expected((m) => {
        const s = words(m.subject);
        return s.includes('smb3') && !s.includes('re') && m.date !== null && m.date >= from;
      }),
    );
  });

  it('ranks hits and sorts by date newest first on request', () => {
    const r = searchMessages(db, 'reconnect', { sort: 'date', limit: 50 });
    const dates = r.hits.map((h) => (h.date === null ? -Infinity : Date.parse(h.date)));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(r.hits.length).toBeGreaterThan(5);
    const byRank = searchMessages(db, 'reconnect', { limit: 50 });
    expect(new Set(byRank.hits.map((h) => h.messageId))).not.toEqual(new Set());
    expect(byRank.total).toBe(r.total);
  });
});
