// The full-text index (search_fts, db/migrations/003_search.sql) and the queries that run
// a compiled SearchPlan against it. Plans come from domain/query/compile.ts; every user
// word arrives here already quoted inside the FTS5 expression and is bound as a parameter.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import { deleteMeta, readMeta, writeMeta } from './meta.ts';
import { LoregraphError } from '../domain/errors.ts';
import { blobTerms, type SearchDoc } from '../domain/search/extract.ts';
import type { Predicate, SearchPlan } from '../domain/query/plan.ts';
import { bodySql, type MessageSummary } from './messages.ts';
import { SEARCH_COLUMNS } from '../domain/search/columns.ts';

// Every column of the FTS5 table, in the order db/migrations/003_search.sql declares them.
const SEARCH_DOC_COLUMNS = SEARCH_COLUMNS satisfies readonly (keyof SearchDoc)[];

/**
 * Counting stops here: past it the API says "more than" (totalExact false). Counting is a
 * doclist walk, and with a column filter or a phrase it reads positions too: 10,000
 * matches of dfn:mm/filemap.c cost 10 ms on 200k messages, 2,000 a fifth of that.
 */
export const TOTAL_CAP = 2_000;

const statements = new WeakMap<Db, Map<string, Statement>>();

function prepared(db: Db, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) {
    // Queries differ only by structure, not by user text, so this stays small; bound it anyway.
    if (m.size > 500) m.clear();
    s = db.sql.prepare(sql);
    m.set(sql, s);
  }
  return s;
}

/**
 * Rows above this rowid were indexed with their diffs' blob ids (domain/search/extract.ts
 * blobTerms); rows at or below it by a version that did not index them, so dfpre:/dfpost:/
 * dfblob: read those rows' bodies instead. Absent: nothing this version wrote is indexed
 * yet. A rebuild (`loregraph reindex`) sets it to 0: no migration needed.
 */
export const BLOB_TERMS_KEY = 'search_blob_terms_after';
const blobTermsNoted = new WeakSet<Db>();

/** Before a connection's first index write: records where rows with blob terms start, once per database. */
function noteBlobTerms(db: Db): void {
  if (blobTermsNoted.has(db)) return;
  if (readMeta(db, BLOB_TERMS_KEY) === undefined) {
    const top = prepared(db, 'SELECT rowid FROM search_fts ORDER BY rowid DESC LIMIT 1').pluck().get() as number | undefined;
    writeMeta(db, BLOB_TERMS_KEY, String(top ?? 0));
  }
  blobTermsNoted.add(db);
}

const INSERT_DOC = `INSERT INTO search_fts (rowid, ${SEARCH_DOC_COLUMNS.join(', ')}) VALUES (?, ${SEARCH_DOC_COLUMNS.map(() => '?').join(', ')})`;

export function insertSearchDoc(db: Db, rowId: number, doc: SearchDoc): void {
  noteBlobTerms(db);
  const values: unknown[] = [rowId];
  for (const c of SEARCH_DOC_COLUMNS) values.push(doc[c]);
  prepared(db, INSERT_DOC).run(values);
}

export function deleteSearchDoc(db: Db, rowId: number): void {
  prepared(db, 'DELETE FROM search_fts WHERE rowid = ?').run(rowId);
}

/** Empties the index (reindex starts from here). */
export function clearSearchIndex(db: Db): void {
  db.sql.prepare(`INSERT INTO search_fts (search_fts) VALUES ('delete-all')`).run();
  writeMeta(db, BLOB_TERMS_KEY, '0');
  blobTermsNoted.add(db);
}

/** Merges the index segments into one: smaller and faster to query after a bulk load. */
export function optimizeSearchIndex(db: Db): void {
  db.sql.prepare(`INSERT INTO search_fts (search_fts) VALUES ('optimize')`).run();
}

const STALE_KEY = 'search_index_stale';

/**
 * Why the index must be rebuilt before it answers correctly (a migration changed what it
 * holds, e.g. 004_search_dfn_runs.sql), or null when it is current.
 */
export function searchIndexStale(db: Db): string | null {
  return readMeta(db, STALE_KEY) ?? null;
}

/** Called by a full rebuild: the index now holds what this version writes. */
export function markSearchIndexCurrent(db: Db): void {
  deleteMeta(db, STALE_KEY);
}

export function countIndexedMessages(db: Db): number {
  return (prepared(db, 'SELECT count(*) AS n FROM search_fts').get() as { n: number }).n;
}

/** What reindex reads back from storage to rebuild a message's SearchDoc. */
export interface IndexSourceRow {
  rowId: number;
  subject: string;
  fromName: string | null;
  fromAddress: string | null;
  listId: string | null;
  body: string;
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
}

/** Stored messages with rowid > afterRowId, in rowid order, for reindexing in batches. */
export function indexSourceRows(db: Db, afterRowId: number, limit: number): IndexSourceRow[] {
  const rows = prepared(
    db,
    `SELECT m.id AS rowId, m.subject, m.from_name AS fromName, m.from_address AS fromAddress, m.list_id AS listId, ${bodySql('m')} AS body
     FROM messages m WHERE m.id > ? ORDER BY m.id LIMIT ?`,
  ).all(afterRowId, limit) as Omit<IndexSourceRow, 'to' | 'cc'>[];
  const addrs = prepared(db, 'SELECT kind, name, address FROM message_addresses WHERE message_row = ? ORDER BY kind, pos');
  return rows.map((r) => {
    const to: IndexSourceRow['to'] = [];
    const cc: IndexSourceRow['cc'] = [];
    for (const a of addrs.all(r.rowId) as { kind: string; name: string; address: string }[]) {
      (a.kind === 'cc' ? cc : to).push({ name: a.name, address: a.address });
    }
    return { ...r, to, cc };
  });
}

export type SearchSort = 'relevance' | 'date';

export interface RunSearchOptions {
  offset: number;
  limit: number;
  sort: SearchSort;
  /** One hit per thread (its best message), and totals count threads. */
  threads: boolean;
  /** Match count above which date order walks the date index (default DENSE_MATCHES); tests set it to reach both plans. */
  denseMatches?: number;
  /** Most matches ranked by relevance (default RANK_WINDOW); tests lower it. */
  rankWindow?: number;
  /** Smallest batch of matches read to collapse into threads (default 200); tests lower it. */
  threadBatch?: number;
  /** Most messages a range open at the newest end may hold to narrow the index walk (default DATE_HINT_BUDGET); -1 turns every date's narrowing off (tests, bench/search-dates.ts). */
  dateHintBudget?: number;
}

export interface SearchRow extends MessageSummary {
  threadId: string;
  /** The first SNIPPET_SOURCE_CHARS characters of the decoded body. */
  body: string;
}

export interface SearchRows {
  rows: SearchRow[];
  total: number;
  /** False when counting stopped at TOTAL_CAP. */
  totalExact: boolean;
}

interface Sql {
  text: string;
  params: unknown[];
}

function tableExists(db: Db, name: string): boolean {
  return prepared(db, `SELECT 1 FROM sqlite_master WHERE name = ?`).get(name) !== undefined;
}

function normalizeMid(v: string): string {
  const t = v.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1).trim() : t;
}

function predicateSql(db: Db, p: Predicate): Sql {
  switch (p.kind) {
    case 'fts':
      return { text: 'm.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)', params: [p.match] };
    case 'date': {
      const parts: string[] = ['m.date IS NOT NULL'];
      const params: unknown[] = [];
      if (p.from !== null) {
        parts.push('m.date >= ?');
        params.push(p.from);
      }
      if (p.to !== null) {
        parts.push('m.date < ?');
        params.push(p.to);
      }
      return { text: `(${parts.join(' AND ')})`, params };
    }
    case 'mid':
      return { text: 'm.message_id = ?', params: [normalizeMid(p.value)] };
    case 'patchid':
    case 'status':
    case 'branch':
      return knowledgePredicate(db, p.kind, p.value);
    case 'race':
    case 'is':
      return racePredicate(db, p.kind, p.value);
    case 'n':
      return {
        text: `EXISTS (SELECT 1 FROM json_each(m.attachments) a WHERE json_extract(a.value, '$.filename') LIKE ? ESCAPE '\\')`,
        params: [`%${p.value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
      };
    case 'rows':
      return { text: '(m.id > ? AND m.id <= ?)', params: [p.after, p.upTo] };
    case 'dfpre':
    case 'dfpost':
    case 'dfblob':
      return blobPredicate(db, p.kind, p.value);
    case 'and':
    case 'or': {
      const parts = p.children.map((c) => predicateSql(db, c));
      return { text: `(${parts.map((x) => x.text).join(p.kind === 'and' ? ' AND ' : ' OR ')})`, params: parts.flatMap((x) => x.params) };
    }
    case 'not': {
      const inner = predicateSql(db, p.child);
      return { text: `NOT ${inner.text}`, params: inner.params };
    }
  }
}

/**
 * The diff's 'index <pre>..<post>' lines: pre-image, post-image, or either blob id starting
 * with the value (hex, checked by the parser). Rows indexed with blob terms answer from
 * the index; rows indexed before (BLOB_TERMS_KEY) by reading their bodies, which
 * decompresses every row read: 60-110 s for a dfpre:/dfblob: alone on 200k messages.
 */
function blobPredicate(db: Db, kind: 'dfpre' | 'dfpost' | 'dfblob', value: string): Sql {
  const [pre, post] = blobTerms(value, value);
  const terms = kind === 'dfpre' ? [pre] : kind === 'dfpost' ? [post] : [pre, post];
  const indexed: Sql = {
    text: 'm.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)',
    params: [`{dfn} : (${terms.map((t) => `"${t}"*`).join(' OR ')})`],
  };
  const after = Number(readMeta(db, BLOB_TERMS_KEY) ?? Infinity);
  if (after <= 0) return indexed;
  const preLike = { text: `${bodySql('m')} LIKE ?`, params: [`%index ${value}%..%`] as unknown[] };
  const postLike = { text: `${bodySql('m')} LIKE ?`, params: [`%index %..${value}%`] as unknown[] };
  const read = kind === 'dfpre' ? preLike : kind === 'dfpost' ? postLike : { text: `(${preLike.text} OR ${postLike.text})`, params: [...preLike.params, ...postLike.params] };
  if (after === Infinity) return read;
  return { text: `((m.id > ? AND ${indexed.text}) OR (m.id <= ? AND ${read.text}))`, params: [after, ...indexed.params, after, ...read.params] };
}

/** patchid:, status: and branch: read the patch and stable tables (db/migrations/002_patches.sql). */
function knowledgePredicate(db: Db, kind: 'patchid' | 'status' | 'branch', value: string): Sql {
  const needs = kind === 'patchid' ? 'patch_msgs' : 'stable_events';
  if (!tableExists(db, needs)) {
    throw new LoregraphError('BAD_QUERY', `${kind}: needs ${kind === 'patchid' ? 'patch' : 'stable'} data, which this database does not have`, {
      field: kind,
    });
  }
  switch (kind) {
    case 'patchid':
      // A prefix of the hex id, as with git object names: [v, v + '~') holds every longer id.
      return { text: 'm.id IN (SELECT msg_row FROM patch_msgs WHERE patch_id >= ? AND patch_id < ?)', params: [value, `${value}~`] };
    case 'status':
      return { text: 'm.id IN (SELECT msg_row FROM stable_events WHERE status = ?)', params: [value] };
    case 'branch':
      return {
        text: 'm.id IN (SELECT msg_row FROM stable_events WHERE branch = ? UNION SELECT msg_row FROM patch_msgs WHERE stable_branch = ?)',
        params: [value, value],
      };
  }
}

/** race: and is:race read the knowledge graph (db/migrations/008_knowledge.sql): every message of a race's threads. */
function racePredicate(db: Db, kind: 'race' | 'is', value: string): Sql {
  if (!tableExists(db, 'race_messages')) {
    throw new LoregraphError('BAD_QUERY', `${kind}: needs race data, which this database does not have`, { field: kind });
  }
  if (kind === 'is') return { text: 'm.id IN (SELECT msg_row FROM race_messages)', params: [] };
  return { text: 'm.id IN (SELECT rm.msg_row FROM race_terms t JOIN race_messages rm ON rm.race_id = t.race_id WHERE t.term = ?)', params: [value] };
}

function whereOf(db: Db, filters: Predicate[]): Sql {
  const parts = filters.map((f) => predicateSql(db, f));
  return { text: parts.map((x) => `AND ${x.text}`).join(' '), params: parts.flatMap((x) => x.params) };
}

/** Hits carry the start of their body only: snippets look no further, and patch bodies can be megabytes. */
export const SNIPPET_SOURCE_CHARS = 16_384;

const ROW_COLUMNS = `m.id AS rowId, m.message_id AS messageId, m.subject AS subject, m.from_name AS fromName,
  m.from_address AS fromAddress, m.date AS date, COALESCE(t.root, m.message_id) AS threadId,
  ${bodySql('m', SNIPPET_SOURCE_CHARS)} AS body`;

/**
 * Above this many matches a date-sorted search walks the date index newest first (it
 * meets a page of hits quickly when matches are dense); below it, it sorts the matches
 * (cheap when they are few, while the walk could cross the whole index).
 */
export const DENSE_MATCHES = 2000;

/**
 * Up to this many matches, relevance is FTS5's bm25 with the column weights set in the
 * migration. Past it (a word in much of the archive), relevance considers the most
 * recently stored matches only (highest rowids, found by walking the doclist backwards)
 * and orders them subject matches first (broadRelevance); at concurrency 10 every
 * millisecond of service time is ten of latency. Totals still count every match (up to
 * the cap), and sort=date stays exhaustive.
 */
export const RANK_WINDOW = 1000;

/**
 * Text plus other conditions (dates, ids, stable status) count at most this many: each
 * match costs a message lookup to test the conditions, 10,000 of them tens of ms.
 */
export const FILTERED_TOTAL_CAP = 1_000;

/** SQL holding literal rowid bounds is prepared each time: caching it would only churn. */
function statement(db: Db, sql: string, literal: boolean): Statement {
  return literal ? db.sql.prepare(sql) : prepared(db, sql);
}

function capped(db: Db, sql: string, params: unknown[], cap = TOTAL_CAP, literal = false): number {
  return (statement(db, `SELECT count(*) AS n FROM (${sql} LIMIT ${cap + 1})`, literal).get(...params) as { n: number }).n;
}

/** A superset of the rowids some predicate's messages have: [lo, hi], none ('empty'), or any (null). */
type RowRange = { lo: number; hi: number } | 'empty' | null;

/**
 * Most messages a range open at the newest end (`d:X..`, or an end past the newest
 * message) may hold to narrow the index walk. The span takes reading the range's entries
 * of the date index (the min and max id among them: ids need not follow dates), about
 * 0.3 us each on the 200k bench archive; skipping a match outside the range costs the
 * walk several us, so a range bounded above (the walk, newest first, crosses everything
 * newer before reaching it) is always read whole. A range open at the newest end is where
 * the walk starts: it leaves it only when the range holds fewer matches than the count
 * cap, and a range wider than this rarely does, so no more than this many of its entries
 * are read (4.5 ms on the 1M bench archive) before the walk goes on unnarrowed.
 */
export const DATE_HINT_BUDGET = 25_000;

/** The rowid span of the messages dated in [from, to); null when the range is open at the newest end and holds more than `budget`. */
export function dateRows(db: Db, from: number | null, to: number | null, budget: number): RowRange {
  const span = prepared(db, 'SELECT (SELECT min(date) FROM messages) AS first, (SELECT max(date) FROM messages) AS last').get() as {
    first: number | null;
    last: number | null;
  };
  if (span.first === null || span.last === null) return 'empty';
  let limit = Number.MAX_SAFE_INTEGER;
  // Counted, not estimated from ids: ids follow dates only as long as mail was ingested in
  // date order. On a generated 1M archive whose newest mail lies mid-file, an estimate from
  // the id where the range starts refused the last 30 days (8,059 messages, ids 655,870 to
  // 663,928) and `lock d:<30 days ago>..` took 224 ms p50 instead of a few.
  if (to === null || to > span.last) limit = budget;
  const r = prepared(db, 'SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM (SELECT id FROM messages WHERE date >= ? AND date < ? LIMIT ?)').get(
    from ?? -8.64e15,
    to ?? 8.64e15 + 1,
    limit === Number.MAX_SAFE_INTEGER ? -1 : limit + 1,
  ) as { lo: number | null; hi: number | null; n: number };
  if (r.n > limit) return null;
  return r.lo === null || r.hi === null ? 'empty' : { lo: r.lo, hi: r.hi };
}

function intersect(a: RowRange, b: RowRange): RowRange {
  if (a === 'empty' || b === 'empty') return 'empty';
  if (a === null) return b;
  if (b === null) return a;
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo > hi ? 'empty' : { lo, hi };
}

/** The rowid span a predicate's messages lie in, as far as dates and row ranges say (others: null, any row). */
function predicateRows(db: Db, p: Predicate, budget: number): RowRange {
  switch (p.kind) {
    case 'rows':
      // a saved search's undelivered rows are rowids already
      return p.after + 1 > p.upTo ? 'empty' : { lo: p.after + 1, hi: p.upTo };
    case 'date':
      return budget < 0 ? null : dateRows(db, p.from, p.to, budget);
    case 'and':
      return p.children.reduce<RowRange>((acc, c) => (acc === 'empty' ? acc : intersect(acc, predicateRows(db, c, budget))), null);
    case 'or': {
      // The hull of the branches' spans: one branch that can be anywhere makes it anywhere.
      let lo = Infinity;
      let hi = -Infinity;
      for (const c of p.children) {
        const r = predicateRows(db, c, budget);
        if (r === null) return null;
        if (r === 'empty') continue;
        lo = Math.min(lo, r.lo);
        hi = Math.max(hi, r.hi);
      }
      return lo > hi ? 'empty' : { lo, hi };
    }
    default:
      return null;
  }
}

/**
 * The rowids the filters' messages lie within, from their date ranges (open-ended or
 * not, under AND and OR) and a saved search's row range: a superset restriction FTS5
 * can apply while reading doclists, so a text query limited to a period (or to what
 * arrived since the last `watch up`) does not test every other match. null when the
 * filters say nothing of rowids; 'empty' when no message can match.
 */
function rowidHint(db: Db, filters: Predicate[], budget: number): RowRange {
  return predicateRows(db, { kind: 'and', children: filters }, budget);
}

interface IdPage {
  ids: number[];
  /** Matching messages, counted up to cap + 1. */
  counted: number;
  cap: number;
}

/** One page of matching message ids in result order, chosen on narrow rows. */
function messagePage(db: Db, plan: SearchPlan, where: Sql, opts: RunSearchOptions, offset: number, limit: number): IdPage {
  const match = plan.match;
  const byDate = 'm.date DESC, m.id DESC';
  if (match === null) {
    const counted = capped(db, `SELECT 1 FROM messages m WHERE 1 ${where.text}`, where.params);
    const ids = prepared(db, `SELECT m.id FROM messages m WHERE 1 ${where.text} ORDER BY ${byDate} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...where.params, limit, offset) as number[];
    return { ids, counted, cap: TOTAL_CAP };
  }
  const filtered = plan.filters.length > 0;
  const cap = filtered ? FILTERED_TOTAL_CAP : TOTAL_CAP;
  const hint = filtered ? rowidHint(db, plan.filters, opts.dateHintBudget ?? DATE_HINT_BUDGET) : null;
  if (hint === 'empty') return { ids: [], counted: 0, cap };
  const literal = hint !== null;
  const bound = hint === null ? '' : `AND f.rowid BETWEEN ${Math.trunc(hint.lo)} AND ${Math.trunc(hint.hi)}`;
  const params: unknown[] = [match, ...where.params];
  const joined = filtered
    ? // CROSS JOIN keeps the index as the outer loop: probing FTS5 once per message costs far more.
      `FROM search_fts f CROSS JOIN messages m ON m.id = f.rowid WHERE search_fts MATCH ? ${bound} ${where.text}`
    : 'FROM search_fts f WHERE search_fts MATCH ?';
  const window = Math.max(opts.rankWindow ?? RANK_WINDOW, offset + limit);
  // One doclist walk, newest first, both counts (up to the cap) and yields the newest
  // matches, which are the rank window when there are more than it holds. Date filters
  // are mostly recent ranges, met soonest from that end. A prefix or phrase costs most
  // in that walk (the prefix's doclists merged, positions read), so it is done once.
  const newest = statement(db, `SELECT f.rowid ${joined} ORDER BY f.rowid DESC LIMIT ${cap + 1}`, literal)
    .pluck()
    .all(...params) as number[];
  const counted = newest.length;
  let pageSql: string;
  const pageLiteral = literal;
  if (opts.sort === 'relevance' && counted > window) {
    return { ids: broadRelevance(db, plan, joined, params, newest.slice(0, window), offset, limit), counted, cap };
  } else if (opts.sort === 'relevance') {
    pageSql = `SELECT f.rowid ${joined} ORDER BY f.rank`;
  } else if (counted <= (opts.denseMatches ?? DENSE_MATCHES) && counted <= cap) {
    pageSql = `SELECT m.id FROM search_fts f CROSS JOIN messages m ON m.id = f.rowid WHERE search_fts MATCH ? ${bound} ${where.text} ORDER BY ${byDate}`;
  } else {
    return { ids: newestMatching(db, match, where, offset, limit), counted, cap };
  }
  const ids = statement(db, `${pageSql} LIMIT ? OFFSET ?`, pageLiteral).pluck().all(...params, limit, offset) as number[];
  return { ids, counted, cap };
}

/**
 * Relevance for a query matching more than the rank window: bm25 would first read every
 * matching doclist in full for its IDF (10-20 ms for a word in most of 200,000 messages,
 * whatever LIMIT or rowid bound is given), and for so common a word IDF says little
 * anyway. So within the newest matches (`inWindow`, newest first): those whose subject
 * alone satisfies the query first, then the rest, each newest first. One more bounded
 * doclist read, none when the query searches the subject only (every match is in tier one).
 */
function broadRelevance(db: Db, plan: SearchPlan, joined: string, params: unknown[], inWindow: number[], offset: number, limit: number): number[] {
  const want = offset + limit;
  if (plan.subjectOnly || inWindow.length === 0) return inWindow.slice(offset, want);
  const boundary = Math.trunc(inWindow[inWindow.length - 1] as number);
  // A column filter around the whole expression intersects with any inside it.
  // Read ascending and reversed here: FTS5 walking a column-filtered doclist backwards
  // ignores the rowid bound (7 ms against 0.03 ms on 200k messages).
  const inSubject = (
    statement(db, `SELECT f.rowid ${joined} AND f.rowid >= ${boundary}`, true)
      .pluck()
      .all(`{subject} : (${plan.match})`, ...params.slice(1)) as number[]
  ).reverse();
  if (inSubject.length >= want) return inSubject.slice(offset, want);
  const first = new Set(inSubject);
  return [...inSubject, ...inWindow.filter((id) => !first.has(id))].slice(offset, want);
}

/**
 * Date order for a query matching many messages: take the newest messages from the date
 * index (filters applied), then keep those the index matches, reading only the doclist
 * range their rowids span. Messages are mostly stored in date order, so that range is
 * short; when it is not, it is one doclist scan, still no sort of every match.
 */
function newestMatching(db: Db, match: string, where: Sql, offset: number, limit: number): number[] {
  const want = offset + limit;
  for (let n = Math.max(200, want * 4); ; n *= 4) {
    const candidates = prepared(db, `SELECT m.id FROM messages m INDEXED BY messages_date WHERE 1 ${where.text} ORDER BY m.date DESC, m.id DESC LIMIT ?`)
      .pluck()
      .all(...where.params, n) as number[];
    if (candidates.length === 0) return [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const id of candidates) {
      if (id < lo) lo = id;
      if (id > hi) hi = id;
    }
    // Literal bounds, as for ranking: FTS5 narrows its doclist scan to them only when they are.
    const matched = new Set(
      db.sql.prepare(`SELECT rowid FROM search_fts WHERE search_fts MATCH ? AND rowid >= ${Math.trunc(lo)} AND rowid <= ${Math.trunc(hi)}`).pluck().all(match) as number[],
    );
    const hits = candidates.filter((id) => matched.has(id));
    if (hits.length >= want || candidates.length < n) return hits.slice(offset, want);
  }
}

function threadRoots(db: Db, ids: number[]): Map<number, string> {
  const rows = prepared(
    db,
    `SELECT m.id AS id, COALESCE(t.root, m.message_id) AS root FROM messages m LEFT JOIN thread_nodes t ON t.message_id = m.message_id
     WHERE m.id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(ids)) as { id: number; root: string }[];
  return new Map(rows.map((r) => [r.id, r.root]));
}

/**
 * One hit per thread, its best message in result order. Reads matches in growing
 * batches until the page's threads are found, so a broad query does not map every
 * match to its thread. Totals count threads among the first TOTAL_CAP (FILTERED_TOTAL_CAP) matches.
 */
function threadPage(db: Db, plan: SearchPlan, where: Sql, opts: RunSearchOptions): IdPage & { threads: number; exact: boolean } {
  const want = opts.offset + opts.limit;
  let batch = Math.max(opts.threadBatch ?? 200, want * 4);
  for (;;) {
    const { ids, counted, cap } = messagePage(db, plan, where, opts, 0, batch);
    const roots = threadRoots(db, ids);
    const firstOfThread: number[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const root = roots.get(id) ?? String(id);
      if (!seen.has(root)) {
        seen.add(root);
        firstOfThread.push(id);
      }
    }
    const complete = ids.length < batch || (counted <= cap && counted <= batch);
    if (firstOfThread.length >= want || complete) {
      let threads = seen.size;
      let exact = complete;
      if (!complete) {
        // Threads among the first `cap` matches in index order: no ranking or sorting needed to count.
        const src =
          plan.match === null
            ? { sql: `SELECT m.id AS id FROM messages m WHERE 1 ${where.text}`, params: where.params }
            : { sql: `SELECT f.rowid AS id FROM search_fts f CROSS JOIN messages m ON m.id = f.rowid WHERE search_fts MATCH ? ${where.text}`, params: [plan.match, ...where.params] };
        threads = prepared(
          db,
          `SELECT count(DISTINCT COALESCE(t.root, m.message_id)) FROM (${src.sql} LIMIT ${cap}) x
           JOIN messages m ON m.id = x.id LEFT JOIN thread_nodes t ON t.message_id = m.message_id`,
        )
          .pluck()
          .get(...src.params) as number;
        exact = counted <= cap;
      }
      return { ids: firstOfThread.slice(opts.offset, want), counted, cap, threads, exact };
    }
    batch *= 4;
  }
}

/**
 * Runs a plan in two steps: the ids of the page (narrow rows, so sorting thousands of
 * matches never drags their bodies along), then the page's rows. With a MATCH and
 * relevance order FTS5 ranks with the bm25 weights set in the migration; without one
 * (only dates, ids...) hits are newest first.
 */
export function runSearch(db: Db, plan: SearchPlan, opts: RunSearchOptions): SearchRows {
  const where = whereOf(db, plan.filters);
  // Without a text part there is nothing to rank: newest first.
  const effective: RunSearchOptions = plan.match === null ? { ...opts, sort: 'date' } : opts;
  try {
    if (!opts.threads) {
      const { ids, counted, cap } = messagePage(db, plan, where, effective, opts.offset, opts.limit);
      return { rows: pageRows(db, ids), total: Math.min(counted, cap), totalExact: counted <= cap };
    }
    const page = threadPage(db, plan, where, effective);
    return { rows: pageRows(db, page.ids), total: Math.min(page.threads, TOTAL_CAP), totalExact: page.exact };
  } catch (e) {
    // The compiler only emits quoted terms, so this is not user syntax; still, never a 500 for a query.
    if (e instanceof Error && /fts5|MATCH/i.test(e.message)) {
      throw new LoregraphError('BAD_QUERY', `the search index rejected the query: ${e.message}`);
    }
    throw e;
  }
}

/** The rows of a page, in the page's order. */
function pageRows(db: Db, ids: number[]): SearchRow[] {
  if (ids.length === 0) return [];
  const found = prepared(
    db,
    `SELECT ${ROW_COLUMNS} FROM messages m LEFT JOIN thread_nodes t ON t.message_id = m.message_id
     WHERE m.id IN (SELECT value FROM json_each(?))`,
  ).all(JSON.stringify(ids)) as SearchRow[];
  const byId = new Map(found.map((r) => [r.rowId, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
