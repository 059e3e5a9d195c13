// Storage of the knowledge graph (migration 008): each message's reply structure and
// knowledge, written in the ingest transaction; the race records the thread pass
// assembles, replaced family by family; and the reads behind `loregraph races/race/fix`,
// /api/races and the `race:`/`is:race` search prefixes.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import { decodeBlocks } from './knowledge-codec.ts';
import { fileTerms, raceTerm } from '../domain/query/race-term.ts';
import type { Block } from '../domain/knowledge/reply.ts';
import type { Fix, Outcome, RaceRecord, RaceStatus } from '../domain/knowledge/types.ts';
import { raceId, raceIdPrefix } from '../domain/knowledge/race-id.ts';
import { LoregraphError } from '../domain/errors.ts';

/** What the parse worker hands the writer for one message (ingest/knowledge-row.ts). */
export interface KnowledgeRow {
  /** db/knowledge-codec.ts encodeBlocks */
  blocksJson: string;
  restored: 0 | 1;
  /** MessageKnowledge as JSON, null when the message says nothing the layer keeps. */
  knowledgeJson: string | null;
  /** Message-IDs its Link:/Closes: trailers point at. */
  links: string[];
}

interface Stmts {
  knowledge: Statement;
  link: Statement;
}
const cache = new WeakMap<Db, Stmts>();

function stmts(db: Db): Stmts {
  let s = cache.get(db);
  if (!s) {
    s = {
      knowledge: db.sql.prepare('INSERT OR REPLACE INTO message_knowledge (msg_row, blocks, restored, knowledge) VALUES (?, ?, ?, ?)'),
      link: db.sql.prepare('INSERT OR IGNORE INTO message_links (msg_row, target) VALUES (?, ?)'),
    };
    cache.set(db, s);
  }
  return s;
}

/** Stores what the parse worker read from one message; call in the ingest transaction. */
export function storeMessageKnowledge(db: Db, rowId: number, row: KnowledgeRow): void {
  const s = stmts(db);
  s.knowledge.run(rowId, row.blocksJson, row.restored, row.knowledgeJson);
  for (const target of row.links) s.link.run(rowId, target);
}

/** A stored copy's reply blocks, or null when it has none stored (analysis failed, or not yet backfilled). */
export function storedReplyBlocks(db: Db, rowId: number): { blocks: Block[]; restored: boolean } | null {
  const r = db.sql.prepare('SELECT blocks, restored FROM message_knowledge WHERE msg_row = ?').get(rowId) as
    | { blocks: string; restored: number }
    | undefined;
  return r ? { blocks: decodeBlocks(r.blocks), restored: r.restored === 1 } : null;
}

// ---------------------------------------------------------------------------------------
// Race records

/** Statements reused across a pass: a root list travels as one JSON array parameter. */
interface TouchStmts {
  races: Statement;
  roots: Statement;
}
const touchCache = new WeakMap<Db, TouchStmts>();

function touchStmts(db: Db): TouchStmts {
  let s = touchCache.get(db);
  if (!s) {
    s = {
      races: db.sql
        .prepare(
          `SELECT race_id FROM race_threads WHERE root IN (SELECT value FROM json_each(@roots))
           UNION SELECT rt.race_id FROM thread_nodes tn JOIN race_threads rt ON rt.root = tn.message_id WHERE tn.root IN (SELECT value FROM json_each(@roots))`,
        )
        .pluck(),
      roots: db.sql.prepare('SELECT DISTINCT root FROM race_threads WHERE race_id IN (SELECT value FROM json_each(?))').pluck(),
    };
    touchCache.set(db, s);
  }
  return s;
}

/**
 * The races that involve any of these thread roots: stored under the root, or under a
 * message that a later one has since threaded below one of them (a root that gained a
 * parent is no root any more, but its race must still be replaced).
 */
export function racesTouching(db: Db, roots: readonly string[]): Set<string> {
  if (roots.length === 0) return new Set();
  return new Set(touchStmts(db).races.all({ roots: JSON.stringify(roots) }) as string[]);
}

/** Whether any race is stored: none on a first load, or while a rebuild's pass starts. */
export function anyRaceStored(db: Db): boolean {
  return db.sql.prepare('SELECT 1 FROM race_threads LIMIT 1').get() !== undefined;
}

/** The thread roots stored for these races. */
export function raceRoots(db: Db, raceIds: readonly string[]): string[] {
  return raceIds.length === 0 ? [] : (touchStmts(db).roots.all(JSON.stringify(raceIds)) as string[]);
}

const RACE_TABLES = ['races', 'race_threads', 'race_messages', 'race_terms', 'race_fixes', 'race_stances'] as const;

interface RaceStmts {
  exists: Statement;
  record: Statement;
  deletes: Statement[];
  race: Statement;
  thread: Statement;
  messages: Statement;
  evidence: Statement;
  term: Statement;
  fix: Statement;
  stance: Statement;
}
const raceCache = new WeakMap<Db, RaceStmts>();

function raceStmts(db: Db): RaceStmts {
  let s = raceCache.get(db);
  if (!s) {
    const q = (sql: string): Statement => db.sql.prepare(sql);
    s = {
      exists: q('SELECT 1 FROM races WHERE id = ?'),
      record: q('SELECT record FROM races WHERE id = ?').pluck(),
      deletes: RACE_TABLES.map((t) => q(`DELETE FROM ${t} WHERE ${t === 'races' ? 'id' : 'race_id'} = ?`)),
      race: q(`INSERT INTO races (id, title, outcome, confidence, status, first_date, last_date, evidence, fixes, record)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      thread: q('INSERT OR IGNORE INTO race_threads (race_id, root, pos) VALUES (?, ?, ?)'),
      // the family's own messages, not every message of its threads: a review series thread holds 150 other patches
      messages: q('INSERT OR IGNORE INTO race_messages (msg_row, race_id, evidence) SELECT id, ?, 0 FROM messages WHERE message_id = ?'),
      evidence: q(`INSERT INTO race_messages (msg_row, race_id, evidence) SELECT id, ?, 1 FROM messages WHERE message_id = ?
        ON CONFLICT (msg_row, race_id) DO UPDATE SET evidence = 1`),
      term: q('INSERT INTO race_terms (term, race_id, kind) VALUES (?, ?, ?)'),
      fix: q('INSERT OR REPLACE INTO race_fixes (id, race_id, message_id, kind, lifecycle, fix) VALUES (?, ?, ?, ?, ?, ?)'),
      stance: q('INSERT OR REPLACE INTO race_stances (race_id, fix_id, pos, message_id, stance, author) VALUES (?, ?, ?, ?, ?, ?)'),
    };
    raceCache.set(db, s);
  }
  return s;
}

function deleteRace(db: Db, id: string): void {
  for (const d of raceStmts(db).deletes) d.run(id);
}

function insertRace(db: Db, r: RaceRecord): void {
  const s = raceStmts(db);
  s.race.run(r.id, r.title, r.outcome, r.confidence, r.status, r.firstDate, r.lastDate, JSON.stringify(r.evidence), r.fixes.length, JSON.stringify(r));
  r.threads.forEach((root, i) => s.thread.run(r.id, root, i));
  for (const mid of r.messages) s.messages.run(r.id, mid);
  for (const mid of r.evidence) s.evidence.run(r.id, mid);
  // distinct per race: the table has no key to ignore a repeat by (015_race_terms_rowid.sql)
  const terms = (kind: 'function' | 'file' | 'lock', values: Iterable<string>): void => {
    for (const v of new Set(values)) if (v !== '') s.term.run(v, r.id, kind);
  };
  // a fix's functions and files are the race's code paths too
  terms('function', [...r.functions, ...r.fixes.flatMap((f) => f.functions)].map(raceTerm));
  terms('file', [...r.files, ...r.fixes.flatMap((f) => f.files)].flatMap(fileTerms));
  terms('lock', r.locks.map(raceTerm));
  for (const f of r.fixes) {
    s.fix.run(f.id, r.id, f.messageId, f.kind, f.lifecycle, JSON.stringify(f));
    f.stances.forEach((st, i) => s.stance.run(r.id, f.id, i, st.messageId, st.stance, st.author));
  }
}

/**
 * The Message-ID a race's id was hashed from (domain/knowledge/race-id.ts: its first
 * thread's first message), when its record names it: null when it does not (a record from
 * before races kept their messages, or one stored by hand).
 */
function idSource(r: Pick<RaceRecord, 'threads' | 'messages'>, id: string): string | null {
  for (const m of r.threads) if (raceId(m) === id) return m;
  for (const m of r.messages ?? []) if (raceId(m) === id) return m;
  return null;
}

/**
 * The id each race of an answer is stored under, and the stored races it replaces beyond
 * `gone`. A race stored under another thread with the id of one this answer gives is the
 * same race when its id was hashed from the same message (or either record cannot say),
 * and is replaced. Else two families' first messages hashed alike: the stored race stays,
 * and the newcomer takes the id with the first free suffix ("r-…-2"), so neither is lost
 * and the clash shows in the id. Rare enough that only a stored id costs the look-up.
 */
function placeRaces(db: Db, gone: Set<string>, races: readonly RaceRecord[]): RaceRecord[] {
  const s = raceStmts(db);
  const taken = new Set<string>();
  return races.map((r) => {
    let id = r.id;
    for (let n = 2; ; n++) {
      if (!taken.has(id)) {
        const record = gone.has(id) ? undefined : (s.record.get(id) as string | undefined);
        if (record === undefined) break;
        const was = idSource(JSON.parse(record) as Pick<RaceRecord, 'threads' | 'messages'>, r.id);
        const is = idSource(r, r.id);
        if (was === null || is === null || was === is) {
          gone.add(id);
          break;
        }
      }
      id = `${r.id}-${n}`;
    }
    taken.add(id);
    return id === r.id ? r : { ...r, id };
  });
}

/**
 * Replaces every stored race that involves any of `threadRoots` with `races` (the thread
 * pass's answer for those threads and their families). Call in a transaction: a pass cut
 * short leaves the old records, and its threads pending, for the next run.
 */
export function replaceRaces(db: Db, threadRoots: readonly string[], races: readonly RaceRecord[]): void {
  const gone = racesTouching(db, threadRoots);
  // a race stored under another thread that this answer gives anew (placeRaces); most new
  // ids are not stored at all, and one look-up is cheaper than a delete from each of the six tables
  const placed = placeRaces(db, gone, races);
  for (const id of gone) deleteRace(db, id);
  for (const r of placed) insertRace(db, r);
}

/** Drops every race record (a rebuild starts from nothing). */
export function clearRaces(db: Db): void {
  db.sql.exec('DELETE FROM races; DELETE FROM race_threads; DELETE FROM race_messages; DELETE FROM race_terms; DELETE FROM race_fixes; DELETE FROM race_stances;');
}

export interface RaceSummary {
  id: string;
  title: string;
  outcome: Outcome;
  confidence: number;
  status: RaceStatus;
  firstDate: number | null;
  lastDate: number | null;
  /** Message-IDs whose reasons made it a race, oldest first. */
  evidence: string[];
  fixes: number;
}

export interface RaceFilters {
  /** A file the race names (path or base name). */
  file?: string;
  function?: string;
  lock?: string;
  outcome?: Outcome;
  status?: RaceStatus;
  /** Races active in [from, to): their first mail before `to`, their last at or after `from` (ms). */
  from?: number;
  to?: number;
  offset?: number;
  limit?: number;
}

interface SummaryRow {
  id: string;
  title: string;
  outcome: string;
  confidence: number;
  status: string;
  first_date: number | null;
  last_date: number | null;
  evidence: string;
  fixes: number;
}

const SUMMARY_COLUMNS = 'r.id, r.title, r.outcome, r.confidence, r.status, r.first_date, r.last_date, r.evidence, r.fixes';

function summary(r: SummaryRow): RaceSummary {
  return {
    id: r.id,
    title: r.title,
    outcome: r.outcome as Outcome,
    confidence: r.confidence,
    status: r.status as RaceStatus,
    firstDate: r.first_date,
    lastDate: r.last_date,
    evidence: JSON.parse(r.evidence) as string[],
    fixes: r.fixes,
  };
}

/** Races matching every given filter, newest activity first, with the total before paging. */
export function listRaces(db: Db, filters: RaceFilters = {}): { total: number; races: RaceSummary[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const term = (kind: 'function' | 'file' | 'lock', value: string | undefined, normalize: (v: string) => string): void => {
    if (value === undefined) return;
    where.push(`r.id IN (SELECT race_id FROM race_terms WHERE term = ? AND kind = ?)`);
    params.push(normalize(value), kind);
  };
  term('file', filters.file, (v) => raceTerm(v.replace(/^[ab]\//, '')));
  term('function', filters.function, raceTerm);
  term('lock', filters.lock, raceTerm);
  if (filters.outcome !== undefined) {
    where.push('r.outcome = ?');
    params.push(filters.outcome);
  }
  if (filters.status !== undefined) {
    where.push('r.status = ?');
    params.push(filters.status);
  }
  if (filters.from !== undefined) {
    where.push('COALESCE(r.last_date, r.first_date) >= ?');
    params.push(filters.from);
  }
  if (filters.to !== undefined) {
    where.push('COALESCE(r.first_date, r.last_date) < ?');
    params.push(filters.to);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const total = (db.sql.prepare(`SELECT COUNT(*) AS n FROM races r ${clause}`).get(...params) as { n: number }).n;
  const rows = db.sql
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM races r ${clause} ORDER BY r.last_date IS NULL, r.last_date DESC, r.id LIMIT ? OFFSET ?`)
    .all(...params, filters.limit ?? -1, filters.offset ?? 0) as SummaryRow[];
  return { total, races: rows.map(summary) };
}

export function getRace(db: Db, id: string): RaceRecord | null {
  const r = db.sql.prepare('SELECT record FROM races WHERE id = ?').pluck().get(id) as string | undefined;
  if (r === undefined) return null;
  // records stored before the family's messages were kept have none to give
  const record = JSON.parse(r) as Partial<RaceRecord> & Omit<RaceRecord, 'messages'>;
  return { ...record, messages: record.messages ?? [] };
}

/** At most this many candidates name an ambiguous prefix: enough to pick from, few enough to read. */
const PREFIX_CANDIDATES = 10;

/**
 * The race ids a user's id names: the exact id alone when one is stored, else every stored
 * id the text is a prefix of (up to PREFIX_CANDIDATES + 1, so a caller knows there are more),
 * when the text is long enough to abbreviate one (domain/knowledge/race-id.ts). Ids were
 * once 8 digits, today's id of the same race starts with them: this is how old ids resolve.
 */
export function raceIdsMatching(db: Db, text: string): string[] {
  const exact = text.trim();
  if (raceStmts(db).exists.get(exact) !== undefined) return [exact];
  const prefix = raceIdPrefix(exact);
  if (prefix === null) return [];
  // a range on the primary key; ids are ASCII [0-9a-z] after "r-", all below DEL
  return db.sql
    .prepare('SELECT id FROM races WHERE id >= ? AND id < ? ORDER BY id LIMIT ?')
    .pluck()
    .all(prefix, `${prefix}\x7f`, PREFIX_CANDIDATES + 1) as string[];
}

/**
 * The stored id a user's race id (exact, or a unique prefix) names, null when none does.
 * Several: AMBIGUOUS, with the candidates in its message and in details.candidates.
 */
export function resolveRaceId(db: Db, text: string): string | null {
  const ids = raceIdsMatching(db, text);
  if (ids.length <= 1) return ids[0] ?? null;
  const candidates = ids.slice(0, PREFIX_CANDIDATES);
  const more = ids.length > PREFIX_CANDIDATES ? ' and more' : '';
  throw new LoregraphError('AMBIGUOUS', `race id '${text.trim()}' is ambiguous: it begins ${candidates.join(', ')}${more}; give more of it`, { candidates });
}

/** A proposed fix with the race it was proposed for. */
export interface FixView {
  race: RaceSummary;
  fix: Fix;
}

export function getFix(db: Db, id: string): FixView | null {
  const r = db.sql
    .prepare(`SELECT f.fix, ${SUMMARY_COLUMNS} FROM race_fixes f JOIN races r ON r.id = f.race_id WHERE f.id = ? ORDER BY r.first_date, r.id LIMIT 1`)
    .get(id) as (SummaryRow & { fix: string }) | undefined;
  return r ? { race: summary(r), fix: JSON.parse(r.fix) as Fix } : null;
}

/** Race summaries, oldest first, of the races a message leads to: `fromWhere` is the FROM … WHERE that binds it as ?. */
function racesVia(db: Db, fromWhere: string, messageId: string): RaceSummary[] {
  const rows = db.sql.prepare(`SELECT DISTINCT ${SUMMARY_COLUMNS} FROM ${fromWhere} ORDER BY r.first_date, r.id`).all(messageId) as SummaryRow[];
  return rows.map(summary);
}

/** The races a message belongs to (any stored copy of it): the messages of each race's family. */
export function racesOfMessage(db: Db, messageId: string): RaceSummary[] {
  return racesVia(db, 'messages m JOIN race_messages rm ON rm.msg_row = m.id JOIN races r ON r.id = rm.race_id WHERE m.message_id = ?', messageId);
}

/** The races stored under the thread that holds a message: of a stable review series or AUTOSEL bundle, the race of each patch in it. */
export function racesOfThread(db: Db, messageId: string): RaceSummary[] {
  return racesVia(db, 'thread_nodes tn JOIN race_threads t ON t.root = tn.root JOIN races r ON r.id = t.race_id WHERE tn.message_id = ?', messageId);
}

export interface KnowledgeCounts {
  races: number;
  fixes: number;
  stances: number;
  /** Stored copies whose knowledge is not null. */
  messagesWithKnowledge: number;
}

export function knowledgeCounts(db: Db): KnowledgeCounts {
  const n = (sql: string): number => (db.sql.prepare(sql).get() as { n: number }).n;
  return {
    races: n('SELECT COUNT(*) AS n FROM races'),
    fixes: n('SELECT COUNT(*) AS n FROM race_fixes'),
    stances: n('SELECT COUNT(*) AS n FROM race_stances'),
    messagesWithKnowledge: n('SELECT COUNT(*) AS n FROM message_knowledge WHERE knowledge IS NOT NULL'),
  };
}
