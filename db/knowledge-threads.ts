// What the knowledge thread pass reads: which threads new mail touched (every message row
// past the mark 'knowledge_done_upto', as with the patch passes: row ids only grow, so a
// run killed before its pass leaves its rows past the mark for the next run), the
// families those threads belong to (linked by series, Link:/Closes: targets, shared patch
// titles, one sender's re-rolls, a lost patch's orphaned replies, a bot's report and its fixes,
// and the races already stored), and each thread as the pure assembler's input.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import { readMeta, writeMeta, deleteMeta } from './meta.ts';
import { anyRaceStored, raceRoots, racesTouching } from './knowledge.ts';
import type { MessageKnowledge, ThreadInput, ThreadMessageInput } from '../domain/knowledge/types.ts';
import { botBugOfSender, botBugsOfTrailers, orphanKey, replyTitleKey, titleStem } from '../domain/knowledge/family-keys.ts';

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

const keyCache = new WeakMap<Db, { replies: Statement; trailers: Statement; insert: Statement }>();

/**
 * Stores the family keys (migration 014) of the rows in (after, upto]: the reply title of a
 * message whose parent is missing (a thread that may have lost its root, the patch it
 * answers), the bug of a bot's per-bug sender, the bugs a patch's trailers name. Run by the
 * thread pass before it grows families, when those rows are threaded. A parent that arrives
 * later leaves the key behind: the closure then offers families() a thread it does not join,
 * which costs a look-up, never a join.
 */
export function fillKnowledgeKeys(db: Db, after: number, upto: number): number {
  let s = keyCache.get(db);
  if (!s) {
    s = {
      // every new row: its subject when its parent is a ghost (or never threaded), its sender
      replies: db.sql
        .prepare(
          `SELECT m.id, CASE WHEN tn.parent IS NOT NULL AND COALESCE(p.ghost, 1) = 1 THEN m.subject END, m.from_address
           FROM messages m JOIN thread_nodes tn ON tn.message_id = m.message_id LEFT JOIN thread_nodes p ON p.message_id = tn.parent
           WHERE m.id > ? AND m.id <= ?`,
        )
        .raw(),
      // the trailers botBugsOfTrailers reads, of patches and cover letters (as families() reads them)
      trailers: db.sql
        .prepare(
          `SELECT t.msg_row, t.name, t.value FROM trailers t JOIN patch_msgs pm ON pm.msg_row = t.msg_row
           WHERE t.msg_row > ? AND t.msg_row <= ? AND pm.kind IN ('patch', 'cover') AND t.name IN ('Reported-by', 'Closes', 'Link')
             AND (t.value LIKE '%syzbot+%' OR t.value LIKE '%syzkaller.appspot.com/bug%')`,
        )
        .raw(),
      insert: db.sql.prepare('INSERT OR IGNORE INTO knowledge_keys (key, msg_row) VALUES (?, ?)'),
    };
    keyCache.set(db, s);
  }
  // gathered, then written: better-sqlite3 writes nothing while a statement iterates (few
  // rows have a key: replies whose parent is missing, a bot's mail, fixes naming a bug)
  const found: [string, number][] = [];
  const put = (key: string | null, row: number): void => {
    if (key !== null) found.push([key, row]);
  };
  for (const [row, subject, from] of s.replies.iterate(after, upto) as Iterable<[number, string | null, string | null]>) {
    if (subject !== null) {
      const title = replyTitleKey(subject);
      if (title !== null) put(orphanKey(title), row);
    }
    put(botBugOfSender(from), row);
  }
  for (const [row, name, value] of s.trailers.iterate(after, upto) as Iterable<[number, string, string]>) {
    for (const bug of botBugsOfTrailers([{ name, value }])) put(bug, row);
  }
  let n = 0;
  for (const [key, row] of found) n += s.insert.run(key, row).changes;
  return n;
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

interface LinkStmts {
  hasKnowledge: Statement;
  linksOut: Statement;
  linksIn: Statement;
  families: Statement;
  familyRoots: Statement;
  titleKeys: Statement;
  sameTitle: Statement;
  ownPatches: Statement;
  senderPatches: Statement;
  keys: Statement;
  keyRoots: Statement;
}
const linkCache = new WeakMap<Db, LinkStmts>();

// Each look-up answers for a whole thread in one statement, through the indexes on
// thread_nodes.root, message_links.target, series_patches.message_id and series.cover_message_id.
function linkStmts(db: Db): LinkStmts {
  let s = linkCache.get(db);
  if (!s) {
    const q = (sql: string): Statement => db.sql.prepare(sql).pluck();
    // at least what domain/knowledge/races.ts families() joins (it decides within what is
    // handed to it): patches by title, stable-process copies included, which join the
    // patch they copy; no short generic titles
    const titled = `pm.kind IN ('patch', 'cover') AND length(pm.title_key) >= 12`;
    const threadRows = 'thread_nodes tn JOIN messages m ON m.message_id = tn.message_id';
    s = {
      hasKnowledge: q(`SELECT 1 FROM ${threadRows} JOIN message_knowledge k ON k.msg_row = m.id WHERE tn.root = ? AND k.knowledge IS NOT NULL LIMIT 1`),
      // Link:/Closes: both ways: this thread's targets, and messages pointing into it
      linksOut: q(`SELECT DISTINCT t2.root FROM ${threadRows} JOIN message_links l ON l.msg_row = m.id JOIN thread_nodes t2 ON t2.message_id = l.target
        WHERE tn.root = ?`),
      linksIn: q(`SELECT DISTINCT t2.root FROM thread_nodes tn JOIN message_links l ON l.target = tn.message_id JOIN messages m ON m.id = l.msg_row
        JOIN thread_nodes t2 ON t2.message_id = m.message_id WHERE tn.root = ?`),
      families: q(`SELECT s.family FROM thread_nodes tn JOIN series_patches sp ON sp.message_id = tn.message_id JOIN series s ON s.id = sp.series_id
        WHERE tn.root = ? UNION SELECT s.family FROM thread_nodes tn JOIN series s ON s.cover_message_id = tn.message_id WHERE tn.root = ?`),
      familyRoots: q(`SELECT t2.root FROM series s JOIN series_patches sp ON sp.series_id = s.id JOIN thread_nodes t2 ON t2.message_id = sp.message_id WHERE s.family = ?
        UNION SELECT t2.root FROM series s JOIN thread_nodes t2 ON t2.message_id = s.cover_message_id WHERE s.family = ?`),
      titleKeys: q(`SELECT DISTINCT pm.title_key FROM ${threadRows} JOIN patch_msgs pm ON pm.msg_row = m.id WHERE tn.root = ? AND ${titled}`),
      sameTitle: q(`SELECT t2.root FROM patch_msgs pm JOIN thread_nodes t2 ON t2.message_id = pm.message_id WHERE pm.title_key = ? AND ${titled}
        LIMIT ${TITLE_FANOUT + 1}`),
      // one sender's patches re-rolled under another prefix (races.ts families(): same address, same stem, a From: no list rewrote)
      ownPatches: db.sql.prepare(`SELECT pm.title, pm.sender_email, pm.sender_name FROM ${threadRows} JOIN patch_msgs pm ON pm.msg_row = m.id WHERE tn.root = ? AND pm.kind = 'patch'`).raw(),
      senderPatches: db.sql.prepare(`SELECT pm.title, t2.root FROM patch_msgs pm JOIN thread_nodes t2 ON t2.message_id = pm.message_id
        WHERE COALESCE(pm.sender_email, '') = ? AND pm.kind IN ('patch', 'cover')`).raw(),
      // the family keys of a thread's messages, and the threads holding a key (fillKnowledgeKeys)
      keys: q(`SELECT DISTINCT k.key FROM ${threadRows} JOIN knowledge_keys k ON k.msg_row = m.id WHERE tn.root = ?`),
      keyRoots: q(`SELECT DISTINCT t2.root FROM knowledge_keys k JOIN messages m ON m.id = k.msg_row JOIN thread_nodes t2 ON t2.message_id = m.message_id
        WHERE k.key = ?`),
    };
    linkCache.set(db, s);
  }
  return s;
}

/** What one pass has already followed: every thread it leads to is in a family by then. */
/**
 * What one family's search has followed: every thread it leads to is in the family by then.
 * Kept per family, not per pass: a family is closed (links run both ways), so a later one
 * following the same key finds only threads already placed. Kept for the whole pass, these
 * held every title, stem and race the pass met: 179 MB live at 300k generated messages,
 * some 600 MB at 1M, the ingest's memory peak.
 */
interface Seen {
  families: Set<number>;
  titles: Set<string>;
  /** bot bugs followed */
  bugs: Set<string>;
  races: Set<string>;
  /** sender + stem followed */
  stems: Set<string>;
  senders: SenderStems;
  /** Whether any race was stored when the search began (none on a first load or a rebuild). */
  racesStored: boolean;
}

/** Roots kept in the senders' stem maps (threadFamilies' senderStemRoots); past it the least recently used sender is read again when met. */
const SENDER_STEM_ROOTS = 200_000;

/**
 * Each sender's patch threads by title stem, read once and kept for the sender's next
 * family. Only stems of two threads or more are kept (a re-rolled patch), and only so
 * many roots (least recently used senders go first, read again when met): a read costs
 * one indexed statement, while keeping every stem of every sender cost a root per patch.
 */
class SenderStems {
  private readonly map = new Map<string, Map<string, string[]>>();
  private roots = 0;
  constructor(
    private readonly read: (sender: string) => Iterable<[string, string]>,
    private readonly bound: number,
  ) {}

  get(sender: string): Map<string, string[]> {
    let byStem = this.map.get(sender);
    if (byStem) {
      this.map.delete(sender);
      this.map.set(sender, byStem);
      return byStem;
    }
    byStem = new Map();
    let n = 0;
    for (const [title, root] of this.read(sender)) {
      const st = titleStem(title);
      if (!st?.specific) continue;
      const list = byStem.get(st.stem);
      if (list) list.push(root);
      else byStem.set(st.stem, [root]);
    }
    // A stem only this thread's own patch has links nothing (a thread is not its own neighbour).
    for (const [stem, roots] of byStem) {
      if (new Set(roots).size < 2) byStem.delete(stem);
      else n += roots.length;
    }
    this.map.set(sender, byStem);
    this.roots += n;
    for (const [k, v] of this.map) {
      if (this.roots <= this.bound || k === sender) break;
      this.map.delete(k);
      for (const l of v.values()) this.roots -= l.length;
    }
    return byStem;
  }
}

interface ThreadLinks {
  hasKnowledge: boolean;
  neighbours: string[];
}

/** Whether a thread holds knowledge, and the threads it is linked to. `seen` memoizes family, title and race look-ups over one family's search. */
function threadLinks(db: Db, root: string, seen: Seen): ThreadLinks {
  const s = linkStmts(db);
  if (s.hasKnowledge.get(root) === undefined) return { hasKnowledge: false, neighbours: [] };
  const out = new Set<string>();
  const add = (roots: Iterable<string>): void => {
    for (const r of roots) if (r !== root) out.add(r);
  };
  add(s.linksOut.all(root) as string[]);
  add(s.linksIn.all(root) as string[]);
  // every version of a series this thread holds a patch or cover letter of
  for (const fam of s.families.all(root, root) as number[]) {
    if (seen.families.has(fam)) continue;
    seen.families.add(fam);
    add(s.familyRoots.all(fam, fam) as string[]);
  }
  // versions of one patch that series grouping did not link (another sender, a resend); and
  // both ways between a patch and the replies to it whose thread lost its root (races.ts
  // families() joins such a thread to one sender's patch of its title: followed here for any)
  const keys = s.keys.all(root) as string[];
  const titles = new Set(s.titleKeys.all(root) as string[]);
  for (const k of keys) if (k.startsWith('re:')) titles.add(k.slice(3));
  for (const key of titles) {
    if (seen.titles.has(key)) continue;
    seen.titles.add(key);
    const same = s.sameTitle.all(key) as string[];
    if (same.length > TITLE_FANOUT) continue;
    add(same);
    // replies only join a patch: a title no patch holds links no orphans to each other
    if (same.length > 0) add(s.keyRoots.all(orphanKey(key)) as string[]);
  }
  // a bot's report and the patches naming its bug (one bug per key, whatever its fan-out)
  for (const bug of keys) {
    if (!bug.startsWith('bot:') || seen.bugs.has(bug)) continue;
    seen.bugs.add(bug);
    add(s.keyRoots.all(bug) as string[]);
  }
  // a patch re-rolled under another prefix by its sender
  for (const [title, sender, name] of s.ownPatches.all(root) as [string, string | null, string | null][]) {
    const stem = titleStem(title);
    if (!sender || !stem?.specific || /\svia\s/i.test(name ?? '')) continue;
    const key = `${sender}|${stem.stem}`;
    if (seen.stems.has(key)) continue;
    seen.stems.add(key);
    add(seen.senders.get(sender).get(stem.stem) ?? []);
  }
  // the threads of the races stored for it: a family re-assembled whole (each race's roots read once a pass)
  // with no race stored (the search writes none) there is none to look up for each thread
  const races = seen.racesStored ? [...racesTouching(db, [root])].filter((id) => !seen.races.has(id)) : [];
  for (const id of races) seen.races.add(id);
  add(raceRoots(db, races));
  return { hasKnowledge: true, neighbours: [...out] };
}

/**
 * The families (connected sets of threads) that the seed threads belong to, each family's
 * threads sorted; only threads with knowledge are kept. Every thread appears in one family.
 */
export function threadFamilies(db: Db, seeds: readonly string[], opts: { senderStemRoots?: number } = {}): string[][] {
  const family = new Map<string, number>();
  const families: string[][] = [];
  const s = linkStmts(db);
  const senders = new SenderStems((sender) => s.senderPatches.iterate(sender) as Iterable<[string, string]>, opts.senderStemRoots ?? SENDER_STEM_ROOTS);
  const racesStored = anyRaceStored(db);
  for (const seed of seeds) {
    if (family.has(seed)) continue;
    const seen: Seen = { families: new Set<number>(), titles: new Set<string>(), bugs: new Set<string>(), races: new Set<string>(), stems: new Set<string>(), senders, racesStored };
    const id = families.length;
    const members: string[] = [];
    const queue = [seed];
    family.set(seed, id);
    while (queue.length > 0) {
      const root = queue.shift() as string;
      const links = threadLinks(db, root, seen);
      if (!links.hasKnowledge) continue;
      members.push(root);
      for (const n of links.neighbours) {
        // No size cap: a family cut short would be assembled differently by an incremental
        // run than by a clean one. Generic titles (TITLE_FANOUT) keep families from running away.
        if (family.has(n)) continue;
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

const inputCache = new WeakMap<Db, { rows: Statement; trailers: Statement }>();

function inputStmts(db: Db): { rows: Statement; trailers: Statement } {
  let s = inputCache.get(db);
  if (!s) {
    s = {
      // every stored copy, lowest row first: the first copy of each Message-ID is kept
      rows: db.sql.prepare(
        `SELECT m.id, m.message_id, tn.parent, p.ghost AS parent_ghost, m.subject, m.from_name, m.from_address, m.date, k.knowledge,
                pm.kind, pm.version, pm.version_major, pm.title_key,
                CASE WHEN pm.kind IN ('patch', 'cover') THEN
                  COALESCE((SELECT s.family FROM series_patches sp JOIN series s ON s.id = sp.series_id WHERE sp.message_id = m.message_id LIMIT 1),
                           (SELECT s.family FROM series s WHERE s.cover_message_id = m.message_id LIMIT 1)) END AS family,
                -- a stable-process mail; a patch that only asks for stable (Cc: stable) is the patch itself
                CASE WHEN pm.kind IS NOT NULL THEN (pm.autosel = 1 OR pm.stable_branch IS NOT NULL OR pm.kind = 'other' OR pm.lane <> ''
                  OR EXISTS (SELECT 1 FROM stable_events e WHERE e.message_id = m.message_id AND e.kind <> 'cc-stable')) END AS stable
         FROM thread_nodes tn
         JOIN messages m ON m.message_id = tn.message_id
         LEFT JOIN thread_nodes p ON p.message_id = tn.parent
         LEFT JOIN message_knowledge k ON k.msg_row = m.id
         LEFT JOIN patch_msgs pm ON pm.msg_row = m.id
         WHERE tn.root = ? AND tn.ghost = 0
         ORDER BY m.id`,
      ),
      trailers: db.sql.prepare('SELECT name, value FROM trailers WHERE msg_row = ? ORDER BY id'),
    };
    inputCache.set(db, s);
  }
  return s;
}

/** One thread as the pure assembler reads it: its real messages (first stored copy each), oldest first. */
export function threadInput(db: Db, root: string): ThreadInput {
  const s = inputStmts(db);
  const seen = new Set<string>();
  const rows = (s.rows.all(root) as MessageRowOut[]).filter((r) => !seen.has(r.message_id) && seen.add(r.message_id));
  rows.sort((a, b) => (a.date === null ? 1 : 0) - (b.date === null ? 1 : 0) || (a.date ?? 0) - (b.date ?? 0) || a.id - b.id);
  const messages = rows.map((r): ThreadMessageInput => ({
    messageId: r.message_id,
    subject: r.subject,
    from: r.from_name || r.from_address,
    fromAddress: r.from_address,
    date: r.date,
    // a reply to a message the archive does not hold has no parent inside the thread; the
    // root has none either, though a cycle (a stranger's References in the wrong order) gives
    // it one in thread_nodes: the cycle is cut at the root, as the thread view cuts it
    parent: r.message_id !== root && r.parent !== null && r.parent_ghost === 0 ? r.parent : null,
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
    trailers: r.kind === null ? [] : (s.trailers.all(r.id) as { name: string; value: string }[]),
    knowledge: r.knowledge === null ? null : (JSON.parse(r.knowledge) as MessageKnowledge),
  }));
  return { root, messages };
}

/**
 * Forgets every message's knowledge and every race, and marks all stored rows for the
 * backfill: `loregraph knowledge --rebuild` after the extraction changed. A rebuild cut
 * short leaves the mark, so the next ingest or rebuild finishes it.
 */
export function clearKnowledgeForRebuild(db: Db): number {
  const upto = (db.sql.prepare('SELECT COALESCE(MAX(id), 0) FROM messages').pluck().get() as number) ?? 0;
  db.sql.exec(`DELETE FROM message_knowledge; DELETE FROM message_links; DELETE FROM races; DELETE FROM race_threads;
    DELETE FROM race_messages; DELETE FROM race_terms; DELETE FROM race_fixes; DELETE FROM race_stances; DELETE FROM knowledge_keys;`);
  writeMeta(db, DONE_KEY, '0');
  if (upto > 0) writeMeta(db, BACKFILL_KEY, String(upto));
  return upto;
}
