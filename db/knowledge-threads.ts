// What the knowledge thread pass reads: which threads new mail touched (every message row
// past the mark 'knowledge_done_upto', as with the patch passes: row ids only grow, so a
// run killed before its pass leaves its rows past the mark for the next run), the
// families those threads belong to (linked by series, Link:/Closes: targets, shared patch
// titles and the races already stored), and each thread as the pure assembler's input.
import type { Db } from './connection.ts';
import { readMeta, writeMeta, deleteMeta } from './meta.ts';
import { raceThreadsTouching } from './knowledge.ts';
import type { MessageKnowledge, ThreadInput, ThreadMessageInput } from '../domain/knowledge/types.ts';

const DONE_KEY = 'knowledge_done_upto';
/** Set by migration 008 on a database that already held messages: rows up to it have no knowledge yet. */
const BACKFILL_KEY = 'knowledge_backfill_upto';

export interface KnowledgeWork {
  /** Rows after this one are new since the last pass. */
  after: number;
  /** The newest row: the mark once the pass is done. */
  upto: number;
  /** Rows up to this one were stored before the knowledge layer existed (0: none). */
  backfillUpto: number;
}

export function knowledgeWork(db: Db): KnowledgeWork {
  const upto = (db.sql.prepare('SELECT COALESCE(MAX(id), 0) FROM messages').pluck().get() as number) ?? 0;
  return {
    after: Number(readMeta(db, DONE_KEY) ?? '0'),
    upto,
    backfillUpto: Number(readMeta(db, BACKFILL_KEY) ?? '0'),
  };
}

/** The pass has covered every row up to `upto` (and any backfill is done). */
export function markKnowledgeDone(db: Db, upto: number): void {
  writeMeta(db, DONE_KEY, String(upto));
  deleteMeta(db, BACKFILL_KEY);
}

/** Starts over: every row is pending again (a rebuild after the extraction changed). */
export function resetKnowledgeMark(db: Db): void {
  writeMeta(db, DONE_KEY, '0');
}

/** Stored rows in (after, upto] with no message_knowledge row, oldest first. */
export function rowsWithoutKnowledge(db: Db, after: number, upto: number, limit: number): number[] {
  return db.sql
    .prepare(
      `SELECT m.id FROM messages m WHERE m.id > ? AND m.id <= ? AND NOT EXISTS (SELECT 1 FROM message_knowledge k WHERE k.msg_row = m.id)
       ORDER BY m.id LIMIT ?`,
    )
    .pluck()
    .all(after, upto, limit) as number[];
}

/**
 * Roots of the threads that rows after `after` belong to, keeping only threads where some
 * message has knowledge: a thread nobody discussed a race, fix or stance in has nothing to assemble.
 */
export function pendingKnowledgeThreads(db: Db, after: number): string[] {
  return db.sql
    .prepare(
      `SELECT DISTINCT tn.root FROM message_knowledge k JOIN messages m ON m.id = k.msg_row JOIN thread_nodes tn ON tn.message_id = m.message_id
       WHERE k.knowledge IS NOT NULL
         AND tn.root IN (SELECT t2.root FROM messages m2 JOIN thread_nodes t2 ON t2.message_id = m2.message_id WHERE m2.id > ?)
       ORDER BY tn.root`,
    )
    .pluck()
    .all(after) as string[];
}

/** Patch titles shared by more patches than this are generic ("fix typo"): no family link. */
const TITLE_FANOUT = 24;
/** A family grows no larger than this many threads (a runaway chain of links). */
const MAX_FAMILY = 200;

interface ThreadLinks {
  hasKnowledge: boolean;
  neighbours: string[];
}

function threadLinks(db: Db, root: string): ThreadLinks {
  const q = (sql: string, ...p: unknown[]): string[] => db.sql.prepare(sql).pluck().all(...p) as string[];
  const rootOf = `SELECT DISTINCT root FROM thread_nodes WHERE message_id IN`;
  const members = `SELECT m.id FROM thread_nodes tn JOIN messages m ON m.message_id = tn.message_id WHERE tn.root = ?`;
  const mids = `SELECT message_id FROM thread_nodes WHERE root = ? AND ghost = 0`;
  const hasKnowledge =
    db.sql.prepare(`SELECT 1 FROM message_knowledge WHERE knowledge IS NOT NULL AND msg_row IN (${members}) LIMIT 1`).get(root) !== undefined;
  if (!hasKnowledge) return { hasKnowledge, neighbours: [] };
  const out = new Set<string>();
  const add = (roots: string[]): void => {
    for (const r of roots) if (r !== root) out.add(r);
  };
  // Link:/Closes: both ways: this thread's targets, and messages pointing into it
  add(q(`${rootOf} (SELECT target FROM message_links WHERE msg_row IN (${members}))`, root));
  add(q(`${rootOf} (SELECT m.message_id FROM message_links l JOIN messages m ON m.id = l.msg_row WHERE l.target IN (${mids}))`, root));
  // every version of a series this thread holds a patch or cover letter of
  add(
    q(
      `${rootOf} (SELECT sp.message_id FROM series s JOIN series_patches sp ON sp.series_id = s.id WHERE s.family IN (
          SELECT s2.family FROM series_patches sp2 JOIN series s2 ON s2.id = sp2.series_id WHERE sp2.message_id IN (${mids})
          UNION SELECT family FROM series WHERE cover_message_id IN (${mids}))
        UNION SELECT s.cover_message_id FROM series s WHERE s.cover_message_id IS NOT NULL AND s.family IN (
          SELECT s2.family FROM series_patches sp2 JOIN series s2 ON s2.id = sp2.series_id WHERE sp2.message_id IN (${mids})
          UNION SELECT family FROM series WHERE cover_message_id IN (${mids})))`,
      root,
      root,
      root,
      root,
    ),
  );
  // versions of one patch that series grouping did not link (another sender, a resend)
  // (as domain/knowledge/races.ts families(): no stable-process copies, no short generic titles)
  const ownPatch = `kind IN ('patch', 'cover') AND length(title_key) >= 12 AND autosel = 0 AND stable_branch IS NULL AND lane = ''`;
  for (const key of q(`SELECT DISTINCT title_key FROM patch_msgs WHERE ${ownPatch} AND msg_row IN (${members})`, root)) {
    const same = q(`SELECT message_id FROM patch_msgs WHERE title_key = ? AND ${ownPatch} LIMIT ${TITLE_FANOUT + 1}`, key);
    if (same.length <= TITLE_FANOUT) add(q(`${rootOf} (${same.map(() => '?').join(', ')})`, ...same));
  }
  add(raceThreadsTouching(db, [root]));
  return { hasKnowledge, neighbours: [...out] };
}

/**
 * The families (connected sets of threads) that the seed threads belong to, each family's
 * threads sorted; only threads with knowledge are kept. Every thread appears in one family.
 */
export function threadFamilies(db: Db, seeds: readonly string[]): string[][] {
  const family = new Map<string, number>();
  const families: string[][] = [];
  for (const seed of seeds) {
    if (family.has(seed)) continue;
    const id = families.length;
    const members: string[] = [];
    const queue = [seed];
    family.set(seed, id);
    while (queue.length > 0) {
      const root = queue.shift() as string;
      const links = threadLinks(db, root);
      if (!links.hasKnowledge) continue;
      members.push(root);
      for (const n of links.neighbours) {
        if (family.has(n) || members.length + queue.length >= MAX_FAMILY) continue;
        family.set(n, id);
        queue.push(n);
      }
    }
    families.push(members.sort());
  }
  return families.filter((f) => f.length > 0);
}

interface MessageRowOut {
  id: number;
  message_id: string;
  parent: string | null;
  parent_ghost: number | null;
  subject: string;
  from_name: string | null;
  from_address: string | null;
  date: number | null;
  knowledge: string | null;
  kind: ThreadMessageInput['patch'] extends infer P ? (P extends { kind: infer K } ? K : never) | null : never;
  version: string | null;
  version_major: number | null;
  title_key: string | null;
  family: number | null;
  stable: number | null;
}

/** One thread as the pure assembler reads it: its real messages (first stored copy each), oldest first. */
export function threadInput(db: Db, root: string): ThreadInput {
  const rows = db.sql
    .prepare(
      `SELECT m.id, m.message_id, tn.parent, p.ghost AS parent_ghost, m.subject, m.from_name, m.from_address, m.date, k.knowledge,
              pm.kind, pm.version, pm.version_major, pm.title_key,
              COALESCE((SELECT s.family FROM series_patches sp JOIN series s ON s.id = sp.series_id WHERE sp.message_id = m.message_id LIMIT 1),
                       (SELECT s.family FROM series s WHERE s.cover_message_id = m.message_id LIMIT 1)) AS family,
              (pm.autosel = 1 OR pm.stable_branch IS NOT NULL OR pm.kind = 'other' OR pm.lane <> ''
                OR EXISTS (SELECT 1 FROM stable_events e WHERE e.msg_row = m.id)) AS stable
       FROM thread_nodes tn
       JOIN messages m ON m.id = (SELECT MIN(id) FROM messages WHERE message_id = tn.message_id)
       LEFT JOIN thread_nodes p ON p.message_id = tn.parent
       LEFT JOIN message_knowledge k ON k.msg_row = m.id
       LEFT JOIN patch_msgs pm ON pm.msg_row = m.id
       WHERE tn.root = ? AND tn.ghost = 0
       ORDER BY m.date IS NULL, m.date, m.id`,
    )
    .all(root) as MessageRowOut[];
  const trailers = db.sql.prepare('SELECT name, value FROM trailers WHERE msg_row = ? ORDER BY id');
  const messages = rows.map((r): ThreadMessageInput => ({
    messageId: r.message_id,
    subject: r.subject,
    from: r.from_name || r.from_address,
    fromAddress: r.from_address,
    date: r.date,
    // a reply to a message the archive does not hold has no parent inside the thread
    parent: r.parent !== null && r.parent_ghost === 0 ? r.parent : null,
    patch:
      r.kind === null
        ? null
        : {
            kind: r.kind,
            version: r.kind === 'patch' || r.kind === 'cover' ? (r.version_major ?? 1) : null,
            titleKey: r.title_key ?? '',
            seriesId: r.family,
            stable: r.stable === 1,
          },
    trailers: r.kind === null ? [] : (trailers.all(r.id) as { name: string; value: string }[]),
    knowledge: r.knowledge === null ? null : (JSON.parse(r.knowledge) as MessageKnowledge),
  }));
  return { root, messages };
}
