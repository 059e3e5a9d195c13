// The full-text index (search_fts, db/migrations/003_search.sql) and the queries that run
// a compiled SearchPlan against it. Plans come from server/query/compile.ts; every user
// word arrives here already quoted inside the FTS5 expression and is bound as a parameter.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import { LoregraphError } from '../errors.ts';
import type { SearchDoc } from '../ingest/search-index-extract.ts';
import type { Predicate, SearchPlan } from '../server/query/plan.ts';

export const SEARCH_DOC_COLUMNS = [
  'subject',
  'from_addr',
  'to_addr',
  'cc_addr',
  'list_id',
  'body_nq',
  'body_q',
  'dfn',
  'dfhh',
  'dfa',
  'dfb',
  'dfctx',
] as const satisfies readonly (keyof SearchDoc)[];

/** Counting stops here: past it the API says "more than", and a broad query stays cheap. */
export const TOTAL_CAP = 10_000;

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

export function insertSearchDoc(db: Db, rowId: number, doc: SearchDoc): void {
  prepared(
    db,
    `INSERT INTO search_fts (rowid, ${SEARCH_DOC_COLUMNS.join(', ')}) VALUES (?, ${SEARCH_DOC_COLUMNS.map(() => '?').join(', ')})`,
  ).run(rowId, ...SEARCH_DOC_COLUMNS.map((c) => doc[c]));
}

export function deleteSearchDoc(db: Db, rowId: number): void {
  prepared(db, 'DELETE FROM search_fts WHERE rowid = ?').run(rowId);
}

/** Empties the index (reindex starts from here). */
export function clearSearchIndex(db: Db): void {
  db.sql.prepare(`INSERT INTO search_fts (search_fts) VALUES ('delete-all')`).run();
}

/** Merges the index segments into one: smaller and faster to query after a bulk load. */
export function optimizeSearchIndex(db: Db): void {
  db.sql.prepare(`INSERT INTO search_fts (search_fts) VALUES ('optimize')`).run();
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
    `SELECT id AS rowId, subject, from_name AS fromName, from_address AS fromAddress, list_id AS listId, body
     FROM messages WHERE id > ? ORDER BY id LIMIT ?`,
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
}

export interface SearchRow {
  rowId: number;
  messageId: string;
  subject: string;
  fromName: string | null;
  fromAddress: string | null;
  date: number | null;
  threadId: string;
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

/** patchid:, status: and branch: read the patches engineer's tables; a database without them says so. */
function knowledgePredicate(db: Db, kind: 'patchid' | 'status' | 'branch', value: string): Sql {
  const needs = kind === 'patchid' ? 'patches' : 'stable_status';
  if (!tableExists(db, needs)) {
    throw new LoregraphError('BAD_QUERY', `${kind}: needs ${kind === 'patchid' ? 'patch' : 'stable'} data, which this database does not have`, {
      field: kind,
    });
  }
  throw new LoregraphError('BAD_QUERY', `${kind}: is not supported by this database yet`, { field: kind });
}

function whereOf(db: Db, filters: Predicate[]): Sql {
  const parts = filters.map((f) => predicateSql(db, f));
  return { text: parts.map((x) => `AND ${x.text}`).join(' '), params: parts.flatMap((x) => x.params) };
}

const ROW_COLUMNS = `m.id AS rowId, m.message_id AS messageId, m.subject AS subject, m.from_name AS fromName,
  m.from_address AS fromAddress, m.date AS date, COALESCE(t.root, m.message_id) AS threadId, m.body AS body`;

/**
 * Runs a plan. With a MATCH and relevance order, FTS5 ranks with the bm25 weights set in
 * the migration; without one (only dates, ids...) hits are newest first.
 */
export function runSearch(db: Db, plan: SearchPlan, opts: RunSearchOptions): SearchRows {
  const where = whereOf(db, plan.filters);
  const from = plan.match
    ? `(SELECT rowid AS id, rank FROM search_fts WHERE search_fts MATCH ?) f JOIN messages m ON m.id = f.id`
    : `messages m`;
  const fromParams = plan.match ? [plan.match] : [];
  const byRank = plan.match !== null && opts.sort === 'relevance';
  const order = byRank ? 'f.rank, m.date DESC, m.id DESC' : 'm.date DESC, m.id DESC';
  const base = `FROM ${from} LEFT JOIN thread_nodes t ON t.message_id = m.message_id WHERE 1 ${where.text}`;
  const params = [...fromParams, ...where.params];

  let rows: SearchRow[];
  let counted: number;
  try {
    if (!opts.threads) {
      rows = prepared(db, `SELECT ${ROW_COLUMNS} ${base} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
        ...params,
        opts.limit,
        opts.offset,
      ) as SearchRow[];
      const countFrom = plan.match ? `FROM search_fts f JOIN messages m ON m.id = f.rowid WHERE search_fts MATCH ? ${where.text}` : `FROM messages m WHERE 1 ${where.text}`;
      counted = (prepared(db, `SELECT count(*) AS n FROM (SELECT 1 ${countFrom} LIMIT ${TOTAL_CAP + 1})`).get(...params) as { n: number }).n;
    } else {
      // Best message of each thread: number the hits within their thread in result order.
      const ranked = `SELECT ${ROW_COLUMNS}, ${byRank ? 'f.rank' : '0'} AS r,
        ROW_NUMBER() OVER (PARTITION BY COALESCE(t.root, m.message_id) ORDER BY ${order}) AS n ${base}`;
      const outerOrder = byRank ? 'r, date DESC, rowId DESC' : 'date DESC, rowId DESC';
      rows = prepared(
        db,
        `SELECT rowId, messageId, subject, fromName, fromAddress, date, threadId, body FROM (${ranked}) WHERE n = 1
         ORDER BY ${outerOrder} LIMIT ? OFFSET ?`,
      ).all(...params, opts.limit, opts.offset) as SearchRow[];
      counted = (prepared(db, `SELECT count(*) AS n FROM (SELECT DISTINCT COALESCE(t.root, m.message_id) ${base} LIMIT ${TOTAL_CAP + 1})`).get(
        ...params,
      ) as { n: number }).n;
    }
  } catch (e) {
    // The compiler only emits quoted terms, so this is not user syntax; still, never a 500 for a query.
    if (e instanceof Error && /fts5|MATCH/i.test(e.message)) {
      throw new LoregraphError('BAD_QUERY', `the search index rejected the query: ${e.message}`);
    }
    throw e;
  }
  return { rows, total: Math.min(counted, TOTAL_CAP), totalExact: counted <= TOTAL_CAP };
}
