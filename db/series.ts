// Series and their versions: rebuilt from patch_msgs at the end of every ingest (the
// grouping is pure, domain/patch/series.ts), and read back whole for `loregraph series`
// and the API, with each patch's trailers and the message that gave each trailer.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import { groupSeries, type SeriesMember } from '../domain/patch/series.ts';
import { LoregraphError } from '../domain/errors.ts';
import { makeTrailer, namesSender } from '../domain/patch/am-trailers.ts';

/**
 * The read side's statements, prepared once per connection: a series view runs a trailer
 * query per patch and cover letter, and preparing each anew was a third of its time.
 */
const readStatements = new WeakMap<Db, Map<string, Statement>>();

function read(db: Db, sql: string): Statement {
  let m = readStatements.get(db);
  if (!m) readStatements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.sql.prepare(sql)));
  return s;
}

type MemberColumns = [number, string, string, string | null, number, number | null, number | null, string, string, string, number | null, string | null, string, string | null, string | null, string];

/** The queries of the series pass; exported so a test can check they seek indexes. */
export const SERIES_PASS_SQL = {
  senders: `SELECT DISTINCT COALESCE(sender_email, '') FROM patch_msgs WHERE kind IN ('patch', 'cover')`,
  // A sender's members in row order: patches and cover letters, each Message-ID's first
  // stored copy only (the one groupSeries would keep).
  members: `SELECT p.msg_row, p.message_id, p.kind, p.version, p.version_major, p.idx, p.total, p.title, p.title_key,
      COALESCE(p.sender_email, ''), p.date, p.in_reply_to, p.refs, p.change_id, p.patch_id, p.lane
    FROM patch_msgs p
    WHERE COALESCE(p.sender_email, '') = ? AND p.kind IN ('patch', 'cover')
      AND NOT EXISTS (SELECT 1 FROM patch_msgs q WHERE q.message_id = p.message_id AND q.kind IN ('patch', 'cover') AND q.msg_row < p.msg_row)
    ORDER BY p.msg_row`,
  firstCopy: `SELECT msg_row, date, idx, COALESCE(sender_email, '') FROM patch_msgs WHERE message_id = ? AND kind IN ('patch', 'cover') ORDER BY msg_row LIMIT 1`,
} as const;

function member(r: MemberColumns): SeriesMember {
  const [, messageId, kind, version, versionMajor, index, total, title, titleKey, senderEmail, date, inReplyTo, refs, changeId, patchId, lane] = r;
  return { messageId, isCover: kind === 'cover', version, versionMajor, index, total, title, titleKey, senderEmail, date, inReplyTo, refs: JSON.parse(refs) as string[], changeId, patchId, lane };
}

/**
 * Senders whose series a change-id links (the one grouping rule that crosses senders),
 * each mapped to one sender that stands for them all. Every other sender is a part alone.
 */
function linkedSenders(db: Db): Map<string, string> {
  // union-find over the few senders a change-id links; no entry for every other sender
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    return r;
  };
  const byChange = new Map<string, string>();
  const rows = db.sql
    .prepare(`SELECT DISTINCT change_id, COALESCE(sender_email, '') FROM patch_msgs WHERE kind IN ('patch', 'cover') AND change_id IS NOT NULL`)
    .raw()
    .iterate() as Iterable<[string, string]>;
  for (const [changeId, sender] of rows) {
    const other = byChange.get(changeId);
    if (other === undefined) {
      byChange.set(changeId, sender);
      continue;
    }
    const a = find(other);
    const b = find(sender);
    if (a !== b) parent.set(b, a);
  }
  const out = new Map<string, string>();
  for (const x of parent.keys()) {
    const r = find(x);
    out.set(x, r);
    out.set(r, r);
  }
  return out;
}

/**
 * Regroups every patch and cover letter into series versions (pure, domain/patch/series.ts)
 * and replaces the stored ones. Every grouping rule but the change-id link needs one
 * sender, so the members are grouped one sender (or change-id-linked set of senders) at a
 * time: the pass holds one sender's patches, not the archive's, which set a run's memory
 * peak (451 MB at 200,000 messages when grouped all at once).
 */
export function rebuildSeries(db: Db): number {
  // one transaction (a savepoint inside the ingest's): the indexes dropped come back with it
  return db.sql.transaction(() => {
    const held = holdRefilledIndexes(db);
    const n = regroupSeries(db);
    for (const sql of held) db.sql.exec(sql);
    return n;
  })();
}

/**
 * The series tables' indexes on a Message-ID, a random key, which the pass empties and
 * refills whole. Emptying full tables (every ingest after the first) deletes row by row
 * (foreign keys rule out SQLite's truncation), each row's entries sought in these past the
 * page cache: 0.21 s at 100,000 generated messages, 1.0 s at 300,000 (4.8x for 3x); without
 * them 0.09 and 0.3-0.4 s. Built once, sorted, after the inserts: 0.14-0.2 s at 300,000.
 * The whole pass over full tables, medians of 12 (CPU): 1.55 -> 1.51 s at 100,000, 5.08 ->
 * 4.44 s at 300,000. Into empty tables (a first load) it changes nothing measurable.
 */
export const SERIES_REFILLED_INDEXES = ['series_patches_msg', 'series_cover'] as const;

/** Drops the refilled indexes; returns their SQL, as sqlite_master keeps it, to build them again. */
function holdRefilledIndexes(db: Db): string[] {
  const rows = db.sql
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${SERIES_REFILLED_INDEXES.map(() => '?').join(', ')}) AND sql IS NOT NULL`)
    .raw()
    .all(...SERIES_REFILLED_INDEXES) as [string, string][];
  for (const [name] of rows) db.sql.exec(`DROP INDEX ${name}`);
  return rows.map(([, sql]) => sql);
}

function regroupSeries(db: Db): number {
  const partOf = linkedSenders(db);
  const firstCopy = db.sql.prepare(SERIES_PASS_SQL.firstCopy).raw();
  const membersOf = db.sql.prepare(SERIES_PASS_SQL.members).raw();
  db.sql.exec('DELETE FROM series_patches; DELETE FROM series;');
  const insS = db.sql.prepare(
    `INSERT INTO series (id, family, version, version_major, title, sender_email, cover_message_id, total, date, change_id, superseded, amends)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insP = db.sql.prepare('INSERT OR IGNORE INTO series_patches (series_id, idx, message_id, previous_message_id, match) VALUES (?, ?, ?, ?, ?)');
  let base = 0;
  const group = (part: string, rows: MemberColumns[]): void => {
    const rowOf = new Map(rows.map((r) => [r[1], r[0]]));
    // groupSeries sorts by date, then index, then input (row) order: the same order here
    const earlierElsewhere = (ref: string, m: SeriesMember): boolean => {
      const r = firstCopy.get(ref) as [number, number | null, number | null, string] | undefined;
      if (r === undefined || (partOf.get(r[3]) ?? r[3]) === part) return false;
      const c = (r[1] ?? Infinity) - (m.date ?? Infinity) || (r[2] ?? 1) - (m.index ?? 1);
      return c < 0 || (c === 0 && r[0] < (rowOf.get(m.messageId) ?? 0));
    };
    const versions = groupSeries(rows.map(member), { earlierElsewhere });
    for (const v of versions) {
      const id = base + v.key + 1;
      insS.run(id, base + v.family + 1, v.version, v.versionMajor, v.title, v.senderEmail, v.coverMessageId, v.total, v.date, v.changeId, v.superseded ? 1 : 0, v.amends === null ? null : base + v.amends + 1);
      for (const p of v.patches) insP.run(id, p.index, p.messageId, p.previousMessageId, p.match);
    }
    base += versions.length;
  };
  const linked = new Map<string, MemberColumns[]>();
  for (const sender of db.sql.prepare(SERIES_PASS_SQL.senders).pluck().all() as string[]) {
    const rows = membersOf.all(sender) as MemberColumns[];
    const part = partOf.get(sender);
    if (part === undefined) {
      group(sender, rows);
      continue;
    }
    const gathered = linked.get(part) ?? [];
    for (const r of rows) gathered.push(r); // not push(...rows): a large sender would overflow the argument list
    linked.set(part, gathered);
  }
  // senders a change-id links are grouped together, their members in row order
  for (const [part, rows] of linked) group(part, rows.sort((a, b) => a[0] - b[0]));
  return base;
}

/**
 * The statements the follow-up pass runs once per reply; each must seek an index (a scan
 * here made the pass quadratic). Exported so a test can check their query plans.
 */
export const FOLLOWUP_PER_ROW_SQL = {
  isTarget: `SELECT 1 FROM patch_msgs WHERE message_id = ? AND kind IN ('patch', 'cover') LIMIT 1`,
  setTarget: 'UPDATE trailers SET target_message_id = ? WHERE msg_row = ? AND followup = 1',
} as const;

/** Attaches follow-up trailers (sent in replies) to the patch or cover letter they answer. */
export function resolveFollowupTrailers(db: Db): void {
  const pending = db.sql
    .prepare(
      `SELECT DISTINCT t.msg_row, p.in_reply_to, p.refs FROM trailers t JOIN patch_msgs p ON p.msg_row = t.msg_row
       WHERE t.followup = 1 AND t.target_message_id IS NULL`,
    )
    .all() as { msg_row: number; in_reply_to: string | null; refs: string }[];
  const isTarget = db.sql.prepare(FOLLOWUP_PER_ROW_SQL.isTarget);
  const set = db.sql.prepare(FOLLOWUP_PER_ROW_SQL.setTarget);
  for (const r of pending) {
    // Nearest ancestor that is a patch or a cover: a Reviewed-by in a reply to a reply
    // is still about the patch the thread discusses.
    const chain = [...(JSON.parse(r.refs) as string[])].reverse();
    if (r.in_reply_to && chain[0] !== r.in_reply_to) chain.unshift(r.in_reply_to);
    const target = chain.find((id) => isTarget.get(id) !== undefined);
    if (target) set.run(target, r.msg_row);
  }
}

export interface TrailerView {
  name: string;
  value: string;
  person: { name: string; email: string } | null;
  commit: string | null;
  url: string | null;
  /** The message the trailer was written in (the patch itself, or a reply). */
  givenIn: string;
  /** Sent in a reply rather than written in the patch. */
  followup: boolean;
  /** Given on the cover letter: applies to every patch of the version. */
  fromCover: boolean;
  /** Given on this patch in an earlier version whose patch-id is unchanged (that patch mail), as b4 carries it forward; null otherwise. */
  carriedFrom: string | null;
}

export interface SeriesPatchView {
  index: number;
  messageId: string;
  subject: string;
  patchId: string | null;
  previousMessageId: string | null;
  match: string | null;
  trailers: TrailerView[];
}

export interface SeriesVersionView {
  id: number;
  version: string;
  title: string;
  sender: string | null;
  coverMessageId: string | null;
  total: number | null;
  date: string | null;
  changeId: string | null;
  superseded: boolean;
  /** For a partial re-roll: the version it amends. */
  amends: string | null;
  coverTrailers: TrailerView[];
  patches: SeriesPatchView[];
}

export interface SeriesView {
  title: string;
  /** The version the asked-for message belongs to. */
  requested: string;
  versions: SeriesVersionView[];
}

interface TrailerRow {
  name: string;
  value: string;
  person_name: string | null;
  person_email: string | null;
  commit_sha: string | null;
  url: string | null;
  message_id: string;
  followup: number;
  sender_name: string | null;
  sender_email: string | null;
}

/**
 * The trailers given on each of `messageIds`, in one query: a series view asked one per
 * patch and cover letter, and a family of many versions made that thousands.
 */
function trailerRowsFor(db: Db, messageIds: string[]): Map<string, TrailerRow[]> {
  const out = new Map<string, TrailerRow[]>();
  if (messageIds.length === 0) return out;
  const rows = read(
    db,
    `SELECT t.target_message_id AS target, t.name, t.value, t.person_name, t.person_email, t.commit_sha, t.url, t.message_id, t.followup,
       p.sender_name, p.sender_email
     FROM trailers t LEFT JOIN patch_msgs p ON p.msg_row = t.msg_row
     WHERE t.target_message_id IN (SELECT value FROM json_each(?)) ORDER BY t.followup, t.id`,
  ).all(JSON.stringify(messageIds)) as (TrailerRow & { target: string })[];
  for (const r of rows) {
    const list = out.get(r.target);
    if (list) list.push(r);
    else out.set(r.target, [r]);
  }
  return out;
}

function trailersFor(rows: readonly TrailerRow[], fromCover: boolean): TrailerView[] {
  const seen = new Set<string>();
  const out: TrailerView[] = [];
  for (const r of rows) {
    // b4 refuses a trailer a reply gives on someone else's behalf ("Suggested-by: Ard" in another's mail)
    if (r.followup === 1 && r.person_email && !namesSender(makeTrailer(r.name, r.value), r.sender_name ?? '', r.sender_email ?? '')) continue;
    // b4 does not add a follow-up trailer the patch already carries.
    const key = `${r.name}\0${(r.person_email ?? r.value).toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      name: r.name,
      value: r.value,
      person: r.person_email !== null || r.person_name !== null ? { name: r.person_name ?? '', email: r.person_email ?? '' } : null,
      commit: r.commit_sha,
      url: r.url,
      givenIn: r.message_id,
      followup: r.followup === 1,
      fromCover: fromCover,
      carriedFrom: null,
    });
  }
  return out;
}

/**
 * A review given on a patch stays with it while the patch does not change: each patch
 * matched to the previous version's by patch-id gets that one's follow-up trailers (its own
 * carried ones too), as b4 carries them; versions come oldest first.
 */
function carryForward(versions: SeriesVersionView[]): void {
  const reviewOf = new Map<string, TrailerView[]>();
  for (const v of versions) {
    for (const p of v.patches) {
      const earlier = p.match === 'patch-id' && p.previousMessageId ? (reviewOf.get(p.previousMessageId) ?? []) : [];
      const has = (t: TrailerView) => p.trailers.some((o) => o.name === t.name && o.value.toLowerCase() === t.value.toLowerCase());
      for (const t of earlier) if (!has(t)) p.trailers.push({ ...t, carriedFrom: t.carriedFrom ?? p.previousMessageId });
      reviewOf.set(p.messageId, p.trailers.filter((t) => t.followup));
    }
  }
}

/** Every version of the series a message (cover, patch, or a reply to either) belongs to. */
export function getSeries(db: Db, messageId: string): SeriesView {
  let row = read(db, 'SELECT series_id FROM series_patches WHERE message_id = ? ORDER BY series_id DESC LIMIT 1').get(messageId) as
    | { series_id: number }
    | undefined;
  row ??= read(db, 'SELECT id AS series_id FROM series WHERE cover_message_id = ? LIMIT 1').get(messageId) as { series_id: number } | undefined;
  if (!row) {
    const t = read(db, 'SELECT target_message_id FROM trailers WHERE message_id = ? AND target_message_id IS NOT NULL LIMIT 1').get(messageId) as
      | { target_message_id: string }
      | undefined;
    if (t) return getSeries(db, t.target_message_id);
    throw new LoregraphError('NOT_FOUND', `no series contains message ${messageId}`);
  }
  const fam = read(db, 'SELECT family, version FROM series WHERE id = ?').get(row.series_id) as { family: number; version: string };
  const list = read(db, 'SELECT * FROM series WHERE family = ? ORDER BY version_major, CAST(version AS REAL), date, id').all(fam.family) as {
    id: number;
    version: string;
    title: string;
    sender_email: string | null;
    cover_message_id: string | null;
    total: number | null;
    date: number | null;
    change_id: string | null;
    superseded: number;
    amends: number | null;
  }[];
  const versionOf = new Map(list.map((s) => [s.id, s.version]));
  const patchStmt = read(
    db,
    `SELECT sp.idx, sp.message_id, sp.previous_message_id, sp.match,
       (SELECT subject FROM patch_msgs p WHERE p.message_id = sp.message_id LIMIT 1) AS subject,
       (SELECT patch_id FROM patch_msgs p WHERE p.message_id = sp.message_id LIMIT 1) AS patch_id
     FROM series_patches sp WHERE sp.series_id = ? ORDER BY sp.idx`,
  );
  type PatchRow = { idx: number; message_id: string; previous_message_id: string | null; match: string | null; subject: string; patch_id: string | null };
  const patchesOf = list.map((s) => patchStmt.all(s.id) as PatchRow[]);
  const trailerRows = trailerRowsFor(db, [
    ...list.flatMap((s) => (s.cover_message_id ? [s.cover_message_id] : [])),
    ...patchesOf.flatMap((ps) => ps.map((p) => p.message_id)),
  ]);
  const given = (id: string): TrailerRow[] => trailerRows.get(id) ?? [];
  const versions: SeriesVersionView[] = list.map((s, i) => ({
    id: s.id,
    version: s.version,
    title: s.title,
    sender: s.sender_email,
    coverMessageId: s.cover_message_id,
    total: s.total,
    date: s.date === null ? null : new Date(s.date).toISOString(),
    changeId: s.change_id,
    superseded: s.superseded === 1,
    amends: s.amends === null ? null : (versionOf.get(s.amends) ?? null),
    coverTrailers: s.cover_message_id ? trailersFor(given(s.cover_message_id), true).filter((t) => t.followup) : [],
    patches: (patchesOf[i] ?? []).map((p) => ({
      index: p.idx,
      messageId: p.message_id,
      subject: p.subject,
      patchId: p.patch_id,
      previousMessageId: p.previous_message_id,
      match: p.match,
      trailers: trailersFor(given(p.message_id), false),
    })),
  }));
  carryForward(versions);
  const requested = versions.find((v) => v.id === row.series_id);
  return { title: requested?.title ?? '', requested: fam.version, versions };
}
