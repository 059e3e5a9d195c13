import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openDb, closeDb, type Db } from '../db/connection.ts';
import { ingestPaths, type ReadArchive } from '../ingest/pipeline.ts';
import { searchMessages, feedMessages } from '../server/search.ts';
import { dateRows, runSearch } from '../db/search.ts';
import type { Predicate } from '../domain/query/plan.ts';
import { compileQuery } from '../domain/query/compile.ts';
import { parseQuery } from '../domain/query/parser.ts';
import { isLoregraphError, type LoregraphError } from '../domain/errors.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'search', 'list.mbox');
const NOW = Date.UTC(2024, 5, 1);

// The fixture is our own mbox with plain 'From mboxrd@z' separators and no '>From' lines,
// so splitting on the separator is exact and keeps this file independent of the readers.
const readFixture: ReadArchive = async (path, onMessage) => {
  const text = readFileSync(path, 'latin1');
  const parts = text.split(/^From mboxrd@z[^\n]*\n/m).filter((p) => p.trim() !== '');
  for (const [index, p] of parts.entries()) {
    await onMessage({ bytes: Buffer.from(p, 'latin1'), position: { source: path, offset: 0, index } });
  }
};

let db: Db;
beforeAll(async () => {
  db = openDb(':memory:');
  const summary = await ingestPaths(db, [FIXTURE], { worker: false, read: readFixture });
  expect(summary.stored).toBe(6);
});
afterAll(() => closeDb(db));

function ids(q: string, opts: Parameters<typeof searchMessages>[2] = {}): string[] {
  return searchMessages(db, q, { now: NOW, ...opts }).hits.map((h) => h.messageId);
}

function sorted(q: string): string[] {
  return ids(q).sort();
}

function failure(q: string): LoregraphError {
  try {
    searchMessages(db, q, { now: NOW });
  } catch (e) {
    if (isLoregraphError(e)) return e;
    throw e;
  }
  throw new Error(`expected '${q}' to be rejected`);
}

const PATCH = 'patch1.alice@example.org';
const REVIEW = 'reply1.bob@example.com';
const SMB = 'smbfix.carol@example.net';
const STALL = 'stall.zoe@example.net';
const STALL_REPLY = 'stall-reply.dave@example.com';
const ODD = 'odd.eve@example.org';

describe('search prefixes find exactly the messages whose field holds the words', () => {
  it('s: searches the subject only', () => {
    expect(sorted('s:khugepaged')).toEqual([PATCH, REVIEW].sort());
    expect(sorted('s:reconnect')).toEqual([SMB].sort());
    expect(sorted('s:dirty_ratio')).toEqual([].sort());
  });

  it('f: matches the sender by name, address or RFC 2047-decoded name, accents folded', () => {
    expect(sorted('f:carol')).toEqual([SMB].sort());
    expect(sorted('f:bob@example.com')).toEqual([REVIEW].sort());
    expect(sorted('f:Zoë')).toEqual([STALL].sort());
    expect(sorted('f:zoe')).toEqual([STALL].sort());
  });

  it('t:, c: and a: read To, Cc and all addresses', () => {
    expect(sorted('t:linux-cifs')).toEqual([SMB].sort());
    expect(sorted('c:bob')).toEqual([PATCH].sort());
    expect(sorted('a:bob')).toEqual([PATCH, REVIEW].sort());
    expect(sorted('tc:zoe')).toEqual([STALL_REPLY].sort());
  });

  it('dfn: finds a patch by its file path, and only the patch', () => {
    expect(sorted('dfn:mm/khugepaged.c')).toEqual([PATCH].sort());
    expect(sorted('dfn:fs/smb/client/file.c')).toEqual([SMB].sort());
    expect(sorted('dfn:file.c')).toEqual([SMB].sort());
    expect(sorted('dfn:mm/file.c')).toEqual([].sort());
  });

  it('dfb: finds added lines and dfa: removed ones, as on lore; dfhh: reads the hunk function', () => {
    expect(sorted('dfb:filemap_write_and_wait')).toEqual([PATCH].sort());
    expect(sorted('dfa:filemap_write_and_wait')).toEqual([].sort());
    expect(sorted('dfa:filemap_flush')).toEqual([PATCH].sort());
    expect(sorted('dfb:filemap_flush')).toEqual([].sort());
    expect(sorted('dfhh:collapse_file')).toEqual([PATCH].sort());
    expect(sorted('dfhh:cifs_writepages')).toEqual([SMB].sort());
    expect(sorted('dfctx:xas_lock_irq')).toEqual([PATCH].sort());
  });

  it('q: finds quoted text and nq: what the author wrote', () => {
    expect(sorted('q:filemap_write_and_wait')).toEqual([REVIEW].sort());
    expect(sorted('q:pagecache')).toEqual([STALL_REPLY].sort());
    expect(sorted('nq:pagecache')).toEqual([STALL].sort());
    expect(sorted('nq:truncate')).toEqual([REVIEW].sort());
  });

  it('b: covers the whole body and bs: adds the subject', () => {
    expect(sorted('b:reconnect')).toEqual([SMB].sort());
    expect(sorted('b:khugepaged')).toEqual([PATCH].sort());
    expect(sorted('bs:khugepaged')).toEqual([PATCH, REVIEW].sort());
  });

  it('l: matches the List-Id and mid: one Message-ID, with or without brackets', () => {
    expect(sorted('l:linux-cifs.vger.kernel.org')).toEqual([SMB].sort());
    expect(sorted('l:linux-mm')).toEqual([PATCH, REVIEW, STALL, STALL_REPLY].sort());
    expect(ids(`mid:<${SMB}>`)).toEqual([SMB]);
    expect(ids(`mid:${STALL}`)).toEqual([STALL]);
  });

  it('bare words search every field', () => {
    expect(sorted('dirty_ratio')).toEqual([STALL_REPLY].sort());
    expect(sorted('kvack')).toEqual([PATCH, REVIEW, STALL, STALL_REPLY, ODD].sort());
  });
});

describe('search boolean logic, phrases, prefixes and dates', () => {
  it('ANDs words, ORs alternatives, and excludes with NOT and -', () => {
    expect(sorted('writeback pressure')).toEqual([STALL, STALL_REPLY].sort());
    expect(sorted('reconnect OR truncate')).toEqual([REVIEW, SMB].sort());
    expect(sorted('writeback -khugepaged')).toEqual([STALL, STALL_REPLY].sort());
    expect(sorted('writeback NOT s:re')).toEqual([PATCH, STALL].sort());
    expect(sorted('NOT writeback')).toEqual([ODD, SMB].sort());
  });

  it('matches a phrase only with its words in order', () => {
    expect(sorted('"race with truncate"')).toEqual([REVIEW].sort());
    expect(sorted('"truncate with race"')).toEqual([].sort());
  });

  it('expands a trailing star as a prefix', () => {
    expect(sorted('filemap_w*')).toEqual([PATCH, REVIEW].sort());
    expect(sorted('s:recon*')).toEqual([SMB].sort());
  });

  it('filters by date ranges, open on either side, end day included', () => {
    expect(sorted('d:20240101..20240131')).toEqual([PATCH, REVIEW].sort());
    expect(sorted('d:..2023-06-05')).toEqual([STALL].sort());
    expect(sorted('d:2024-02-20..')).toEqual([ODD, SMB].sort());
    expect(sorted('d:2.weeks.ago..')).toEqual([].sort());
    expect(sorted('d:2.months.ago..')).toEqual([ODD].sort());
  });

  it('limits text to a closed or upper-bounded date range, including a range with no messages', () => {
    expect(sorted('writeback d:..2023-06-05')).toEqual([STALL].sort());
    expect(sorted('writeback d:2024-01-01..2024-01-31')).toEqual([PATCH, REVIEW].sort());
    expect(sorted('writeback d:2022-01-01..2022-02-01')).toEqual([]);
    expect(ids('writeback d:..2023-06-30', { sort: 'date' })).toEqual([STALL_REPLY, STALL]);
  });

  it('limits text to lower-bounded ranges and to ranges under OR and AND', () => {
    expect(sorted('writeback d:2024-01-11..')).toEqual([REVIEW].sort());
    expect(sorted('l:linux-mm d:2023-06-06..')).toEqual([PATCH, REVIEW, STALL_REPLY].sort());
    expect(sorted('writeback (d:..2023-06-05 OR d:2024-01-11..)')).toEqual([REVIEW, STALL].sort());
    expect(sorted('writeback (d:2023.. d:..2023-12-31)')).toEqual([STALL, STALL_REPLY].sort());
    expect(sorted('writeback d:2024-06-01..')).toEqual([]);
  });

  it('narrows a range open at the newest end by counting its messages, though rowids do not follow dates', () => {
    // Stored in fixture order: rows 1-3 are 2024, 4-5 are 2023, 6 is 2024-05-01. From
    // 2024-01-10 on there are four messages, from row 1 to row 6: an estimate from the row
    // where the range starts (6 rows to the top) refused a budget of 4.
    const from = Date.UTC(2024, 0, 10);
    expect(dateRows(db, from, null, 4)).toEqual({ lo: 1, hi: 6 });
    expect(dateRows(db, from, null, 3)).toBeNull();
    expect(dateRows(db, Date.UTC(2025, 0, 1), null, 4)).toBe('empty');
  });

  it('gives the same answers whatever the date ranges narrow the index walk to (property)', () => {
    // Stored in fixture order, so rowids do not follow dates: 2024-01-10, 01-11, 02-20, 2023-06-05, 06-06, 2024-05-01.
    const day = 86_400_000;
    const stamps = [Date.UTC(2023, 5, 5, 12), Date.UTC(2023, 5, 6, 8, 15), Date.UTC(2024, 0, 10, 9, 30), Date.UTC(2024, 0, 11, 14), Date.UTC(2024, 1, 20, 18, 5), Date.UTC(2024, 4, 1, 10)];
    const bound = fc.oneof(fc.constant(null), fc.tuple(fc.constantFrom(...stamps), fc.constantFrom(-day, -1, 0, 1, day)).map(([t, d]) => t + d));
    const date = fc.tuple(bound, bound).map(([from, to]): Predicate => ({ kind: 'date', from, to }));
    const { tree } = fc.letrec<{ tree: Predicate }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        date,
        fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((children): Predicate => ({ kind: 'and', children })),
        fc.array(tie('tree'), { minLength: 1, maxLength: 3 }).map((children): Predicate => ({ kind: 'or', children })),
        tie('tree').map((child): Predicate => ({ kind: 'not', child })),
      ),
    }));
    const texts = ['writeback', 'l:linux-mm', 'the', 'write*', 'kvack OR reconnect'];
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.array(tree, { minLength: 1, maxLength: 2 }),
        fc.constantFrom('relevance' as const, 'date' as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (text, filters, sort, threads, offset) => {
          const { match } = compileQuery(parseQuery(text, { now: NOW }));
          const plan = { match, filters };
          const opts = { offset, limit: 3, sort, threads };
          // -1: no range narrows the walk. Small budgets send ranges open at the newest end
          // down both ways: read and found too wide, read and used.
          const plain = runSearch(db, plan, { ...opts, dateHintBudget: -1 });
          for (const dateHintBudget of [0, 1, 2, 3, undefined]) {
            const hinted = runSearch(db, plan, { ...opts, dateHintBudget });
            expect(hinted.rows.map((r) => r.messageId)).toEqual(plain.rows.map((r) => r.messageId));
            expect([hinted.total, hinted.totalExact]).toEqual([plain.total, plain.totalExact]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('combines text and non-text conditions under OR and NOT', () => {
    expect(sorted('reconnect OR d:..2023-06-05')).toEqual([SMB, STALL].sort());
    expect(sorted('writeback -d:2023')).toEqual([PATCH, REVIEW].sort());
    expect(sorted(`-mid:${ODD} -l:linux-mm`)).toEqual([SMB].sort());
  });
});

describe('search results', () => {
  it('ranks a subject match above a body mention', () => {
    expect(ids('writeback')[0]).toBe(STALL);
  });

  it('sorts newest first with sort=date', () => {
    expect(ids('l:linux-mm', { sort: 'date' })).toEqual([REVIEW, PATCH, STALL_REPLY, STALL]);
  });

  it('gives the same date order whether it sorts the matches or walks the date index', () => {
    for (const q of ['writeback', 'l:linux-mm', 'write* -d:2023', 'kvack OR reconnect', 'b:the']) {
      const plan = compileQuery(parseQuery(q, { now: NOW }));
      for (const [offset, limit] of [[0, 20], [1, 2], [3, 5]] as const) {
        const opts = { offset, limit, sort: 'date' as const, threads: false };
        const sortedPlan = runSearch(db, plan, { ...opts, denseMatches: Infinity });
        const walked = runSearch(db, plan, { ...opts, denseMatches: 0 });
        expect(walked.rows.map((r) => r.messageId)).toEqual(sortedPlan.rows.map((r) => r.messageId));
        expect(walked.total).toBe(sortedPlan.total);
      }
    }
  });

  it('ranks only the most recently stored matches past the rank window, still counting them all', () => {
    const plan = compileQuery(parseQuery('l:linux-mm', { now: NOW }));
    const page = runSearch(db, plan, { offset: 0, limit: 2, sort: 'relevance', threads: false, rankWindow: 2 });
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => r.messageId).sort()).toEqual([STALL, STALL_REPLY].sort());
    // A page past the window widens it, so deep pages still see every match once.
    const seen = [0, 2].flatMap((offset) =>
      runSearch(db, plan, { offset, limit: 2, sort: 'relevance', threads: false, rankWindow: 2 }).rows.map((r) => r.messageId),
    );
    expect(seen.length).toBe(4);
    const filtered = compileQuery(parseQuery('l:linux-mm d:2023', { now: NOW }));
    expect(runSearch(db, filtered, { offset: 0, limit: 1, sort: 'relevance', threads: false, rankWindow: 1 }).rows.map((r) => r.messageId)).toEqual([
      STALL_REPLY,
    ]);
  });

  it('orders a broad query subject matches first, each tier newest first, past the rank window', () => {
    const plan = compileQuery(parseQuery('writeback', { now: NOW }));
    const broad = runSearch(db, plan, { offset: 0, limit: 3, sort: 'relevance', threads: false, rankWindow: 3 });
    // Newest three matches by storage order: REVIEW, STALL, STALL_REPLY; all three have it in the subject.
    expect(broad.rows.map((r) => r.messageId)).toEqual([STALL_REPLY, STALL, REVIEW]);
    const body = compileQuery(parseQuery('kvack', { now: NOW }));
    // kvack is in no subject: the window's matches newest first.
    expect(runSearch(db, body, { offset: 0, limit: 2, sort: 'relevance', threads: false, rankWindow: 2 }).rows.map((r) => r.messageId)).toEqual([
      ODD,
      STALL_REPLY,
    ]);
    const mixed = compileQuery(parseQuery('l:linux-mm OR s:reconnect', { now: NOW }));
    const ranked = runSearch(db, mixed, { offset: 0, limit: 4, sort: 'relevance', threads: false, rankWindow: 4 }).rows.map((r) => r.messageId);
    expect(ranked[0]).toBe(SMB);
    expect(ranked.slice(1)).toEqual([STALL_REPLY, STALL, REVIEW]);
  });

  it('gives a subject-only query past the rank window the same hits without asking which matches are in the subject', () => {
    for (const q of ['s:writ*', 's:w*', 's:writeback -s:reconnect', 's:re* OR s:khuge*']) {
      const plan = compileQuery(parseQuery(q, { now: NOW }));
      expect(plan.subjectOnly).toBe(true);
      const { subjectOnly: _, ...general } = plan;
      for (const [offset, limit, rankWindow] of [[0, 2, 2], [1, 2, 2], [0, 3, 1], [2, 5, 3]] as const) {
        const opts = { offset, limit, sort: 'relevance' as const, threads: false, rankWindow };
        const fast = runSearch(db, plan, opts);
        const slow = runSearch(db, general, opts);
        expect(fast.rows.map((r) => r.messageId)).toEqual(slow.rows.map((r) => r.messageId));
        expect(fast.total).toBe(slow.total);
      }
    }
    // Newest stored matches first: REVIEW, STALL and STALL_REPLY have "writeback" in the subject.
    const plan = compileQuery(parseQuery('s:writ*', { now: NOW }));
    expect(runSearch(db, plan, { offset: 0, limit: 2, sort: 'relevance', threads: false, rankWindow: 2 }).rows.map((r) => r.messageId)).toEqual([
      STALL_REPLY,
      STALL,
    ]);
  });

  it('pages with offset and limit while total counts every match', () => {
    const all = ids('l:linux-mm', { sort: 'date' });
    const page = searchMessages(db, 'l:linux-mm', { sort: 'date', offset: 1, limit: 2, now: NOW });
    expect(page.total).toBe(4);
    expect(page.totalExact).toBe(true);
    expect(page.hits.map((h) => h.messageId)).toEqual(all.slice(1, 3));
  });

  it('collapses to one hit per thread with threads, counting threads', () => {
    const r = searchMessages(db, 'writeback', { threads: true, now: NOW });
    expect(r.total).toBe(2);
    expect(r.hits.map((h) => [h.messageId, h.threadId])).toEqual([
      [STALL, STALL],
      [expect.any(String), PATCH],
    ]);
  });

  it('pages through threads and reads more matches when a batch holds too few threads', () => {
    const plan = compileQuery(parseQuery('l:linux-mm OR reconnect', { now: NOW }));
    const base = { sort: 'date' as const, threads: true };
    const all = runSearch(db, plan, { ...base, offset: 0, limit: 20 });
    expect(all.rows.map((r) => r.threadId)).toEqual([SMB, PATCH, STALL]);
    expect(all.total).toBe(3);
    // Batches of one message: the collapse has to read on, and the count comes from the index.
    const small = { ...base, threadBatch: 1 };
    const pages = [0, 1, 2].map((offset) => runSearch(db, plan, { ...small, offset, limit: 1 }));
    expect(pages.map((p) => p.rows[0]?.threadId)).toEqual(all.rows.map((r) => r.threadId));
    // Fewer matches than the count cap: the thread count is exact even when counted apart.
    expect(pages.map((p) => [p.total, p.totalExact])).toEqual([
      [3, true],
      [3, true],
      [3, true],
    ]);
  });

  it('gives hit metadata: decoded sender, ISO date, thread root', () => {
    const [hit] = searchMessages(db, 'dirty_ratio', { now: NOW }).hits;
    expect(hit).toMatchObject({
      messageId: STALL_REPLY,
      subject: 'Re: Writeback stalls in the pagecache under memory pressure',
      from: { name: 'Dave Helper', address: 'dave@example.com' },
      date: '2023-06-06T08:15:00.000Z',
      threadId: STALL,
    });
  });

  it('returns snippets as plain segments with the matched words flagged', () => {
    const [hit] = searchMessages(db, 'nq:truncate folio', { now: NOW }).hits;
    const segs = hit?.snippet ?? [];
    expect(segs.filter((s) => s.hit).map((s) => s.text)).toEqual(['truncate', 'folio']);
    expect(segs.map((s) => s.text).join('')).toContain("Doesn't this still race with truncate? The folio lock is dropped here.");
  });

  it('keeps mail text in snippets verbatim, angle brackets included, never as markup', () => {
    const segs = searchMessages(db, 'f:carol signed', { now: NOW }).hits[0]?.snippet ?? [];
    expect(segs.map((s) => s.text).join('')).toContain('Carol Maintainer <carol@example.net>');
  });

  it('lists feed entries newest first with row ids', () => {
    const feed = feedMessages(db, 'l:linux-mm', 3, NOW);
    expect(feed.map((f) => f.messageId)).toEqual([REVIEW, PATCH, STALL_REPLY]);
    expect(feed.every((f) => Number.isInteger(f.rowId))).toBe(true);
    expect(feedMessages(db, '', 1, NOW).map((f) => f.messageId)).toEqual([ODD]);
  });
});

describe('hostile queries get a 400 or correct results, never a crash', () => {
  it('treats FTS5 syntax as words', () => {
    expect(sorted('"subject:x"')).toEqual([ODD].sort());
    expect(sorted('"NEAR(subject"')).toEqual([ODD].sort());
    expect(sorted('NEAR')).toEqual([ODD].sort());
    expect(sorted('s:"fts5 *"')).toEqual([ODD].sort());
    expect(sorted('\u0000writeback\u0000pressure')).toEqual([STALL, STALL_REPLY].sort());
  });

  it('rejects broken syntax with BAD_QUERY and a column', () => {
    for (const [q, column] of [
      ['NEAR(', 5],
      ['"', 1],
      ['*', 1],
      ['^', 1],
      ['foo "bar', 5],
      ['s:(a', 3],
    ] as const) {
      const e = failure(q);
      expect(e.code).toBe('BAD_QUERY');
      expect(e.details?.column).toBe(column);
      expect(e.httpStatus).toBe(400);
    }
  });

  it('rejects a 10 KB query with a clear limit error', () => {
    const e = failure('writeback '.repeat(1024));
    expect(e.code).toBe('LIMIT');
    expect(e.message).toMatch(/more than 64 terms/);
    expect(ids('x'.repeat(10_240))).toEqual([]);
  });

  it('rejects bad paging', () => {
    expect(() => searchMessages(db, 'x', { limit: 201 })).toThrow(/limit must be an integer from 1 to 200/);
    expect(() => searchMessages(db, 'x', { offset: -1 })).toThrow(/offset/);
  });

  it('rejects unknown stable statuses, malformed branches and non-hex patch ids with the column', () => {
    const status = failure('x status:merged');
    expect(status.message).toMatch(/^unknown status 'merged' \(known: wanted, autosel, failed-to-apply, .*\) at column 10$/);
    expect(failure('branch:next').message).toBe("branch: takes a stable branch like 6.6 or 6.6.y, got 'next' at column 8");
    expect(failure('patchid:xyz').message).toBe("patchid: takes 4 to 40 hex digits, got 'xyz' at column 9");
  });

  it('answers any string with results or a located BAD_QUERY/LIMIT error (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('(', ')', '"', '*', '-', '+', ':', '^', ' ', 'AND', 'OR', 'NOT', 'NEAR', 's:', 'd:', 'mid:', 'dfn:', '{', '}', ',', '..', '2024', 'a', 'writeback', "'", '\\', '\u0000', 'é'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }).map((p) => p.join('')), (q) => {
        try {
          const r = searchMessages(db, q, { now: NOW });
          expect(r.hits.length).toBeLessThanOrEqual(r.total);
        } catch (e) {
          if (!isLoregraphError(e)) throw e;
          expect(['BAD_QUERY', 'LIMIT']).toContain(e.code);
          const column = e.details?.column;
          if (e.code === 'BAD_QUERY') {
            expect(typeof column).toBe('number');
            expect(column as number).toBeGreaterThanOrEqual(1);
            expect(column as number).toBeLessThanOrEqual(Array.from(q).length + 1);
          }
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  });
});
