import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { rebuildSeries, SERIES_PASS_SQL, SERIES_REFILLED_INDEXES } from '../db/series.ts';
import { groupSeries, type SeriesMember, type SeriesVersion } from '../domain/patch/series.ts';
import { planOf } from './helpers/query-plan.ts';

/** A version as a reviewer sees it, whatever ids the pass gave it. */
function canonical(vs: (Omit<SeriesVersion, 'key'> & { id: number })[]): string[] {
  const keyOf = (v: (typeof vs)[number]): string => `${v.coverMessageId ?? v.patches[0]?.messageId}|${v.version}`;
  const byId = new Map(vs.map((v) => [v.id, v]));
  const families = new Map<number, string[]>();
  for (const v of vs) families.set(v.family, [...(families.get(v.family) ?? []), keyOf(v)]);
  return vs
    .map((v) =>
      JSON.stringify([keyOf(v), v.title, v.senderEmail, v.total, v.date, v.changeId, v.superseded, v.amends === null ? null : keyOf(byId.get(v.amends) as (typeof vs)[number]),
        (families.get(v.family) ?? []).sort().join(','), v.patches.map((p) => [p.index, p.messageId, p.previousMessageId, p.match])]),
    )
    .sort();
}

function stored(db: Db): string[] {
  const series = db.sql.prepare('SELECT * FROM series ORDER BY id').all() as { id: number; family: number; version: string; version_major: number; title: string; sender_email: string; cover_message_id: string | null; total: number | null; date: number | null; change_id: string | null; superseded: number; amends: number | null }[];
  const patches = db.sql.prepare('SELECT * FROM series_patches ORDER BY series_id, idx').all() as { series_id: number; idx: number; message_id: string; previous_message_id: string | null; match: 'patch-id' | 'subject' | null }[];
  return canonical(
    series.map((r) => ({
      id: r.id, family: r.family, version: r.version, versionMajor: r.version_major, title: r.title, senderEmail: r.sender_email, coverMessageId: r.cover_message_id,
      total: r.total, date: r.date, changeId: r.change_id, superseded: r.superseded === 1, amends: r.amends,
      patches: patches.filter((p) => p.series_id === r.id).map((p) => ({ index: p.idx, messageId: p.message_id, previousMessageId: p.previous_message_id, match: p.match })),
    })),
  );
}

interface Row { id: string; sender: string; kind: 'patch' | 'cover'; version: string | null; index: number | null; total: number | null; date: number | null; parent: number | null; changeId: string | null; patchId: string | null; title: string; lane: string }

const row: fc.Arbitrary<Row> = fc.record({
  id: fc.constantFrom('m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11'),
  sender: fc.constantFrom('ada@example.org', 'bo@example.org', 'cy@example.org', ''),
  kind: fc.constantFrom('patch' as const, 'patch' as const, 'cover' as const),
  version: fc.constantFrom(null, '2', '3'),
  index: fc.constantFrom(null, 1, 2, 3),
  total: fc.constantFrom(null, 2, 3),
  date: fc.constantFrom(null, 1000, 2000, 3000, 3000 + 13 * 3600 * 1000),
  parent: fc.option(fc.nat(11), { nil: null }),
  changeId: fc.constantFrom(null, null, 'change-x', 'change-y'),
  patchId: fc.constantFrom(null, 'pid-1', 'pid-2'),
  title: fc.constantFrom('mm: fix a race', 'ext4: drop a lock', 'mm: fix a race'),
  lane: fc.constantFrom('', '', '6.6'),
});

function load(rows: Row[]): { db: Db; members: SeriesMember[] } {
  const db = openDb(':memory:');
  const msg = db.sql.prepare(`INSERT INTO messages (id, message_id, content_hash, subject, base_subject, is_reply, date_source, body, raw, raw_codec, raw_size)
    VALUES (?, ?, ?, 'x', 'x', 0, 'date', '', x'00', 'none', 1)`);
  const pm = db.sql.prepare(`INSERT INTO patch_msgs (msg_row, message_id, kind, subject, title, title_key, version, version_major, idx, total, rfc, resend, autosel,
    sender_email, date, in_reply_to, refs, change_id, patch_id, lane) VALUES (?, ?, ?, 'x', ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?, ?)`);
  const members: SeriesMember[] = [];
  // References: the chain of parents, oldest first (as a mail client writes them)
  const parentOf = new Map(rows.map((r) => [r.id, r.parent === null ? null : `m${r.parent}`]));
  const chain = (id: string | null): string[] => {
    const out: string[] = [];
    for (let p = id; p !== null && !out.includes(p) && out.length < 8; p = parentOf.get(p) ?? null) out.unshift(p);
    return out;
  };
  rows.forEach((r, i) => {
    const inReplyTo = r.parent === null ? null : `m${r.parent}`;
    const refs = chain(inReplyTo);
    const versionMajor = Number(r.version ?? '1');
    const index = r.kind === 'cover' ? 0 : r.index;
    msg.run(i + 1, r.id, `h${i}`);
    pm.run(i + 1, r.id, r.kind, r.title, r.title, r.version, versionMajor, index, r.total, r.sender === '' ? null : r.sender, r.date, inReplyTo, JSON.stringify(refs), r.changeId, r.patchId, r.lane);
    members.push({ messageId: r.id, isCover: r.kind === 'cover', version: r.version, versionMajor, index, total: r.total, title: r.title, titleKey: r.title, senderEmail: r.sender, date: r.date, inReplyTo, refs, changeId: r.changeId, patchId: r.patchId, lane: r.lane });
  });
  return { db, members };
}

describe('series grouped one sender at a time', () => {
  it('come out exactly as grouped all at once (property)', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 14 }), (rows) => {
        const { db, members } = load(rows);
        try {
          db.sql.transaction(() => rebuildSeries(db))();
          expect(stored(db)).toEqual(canonical(groupSeries(members).map((v) => ({ ...v, id: v.key }))));
        } finally {
          closeDb(db);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("links two senders' versions of one change-id into one family", () => {
    const base = { kind: 'cover' as const, index: 0, total: 2, parent: null, patchId: null, title: 'mm: fix a race', lane: '' };
    const { db } = load([
      { ...base, id: 'v1', sender: 'ada@example.org', version: null, date: 1000, changeId: 'change-x' },
      { ...base, id: 'v2', sender: 'bo@example.org', version: '2', date: 9_000_000_000, changeId: 'change-x' },
    ]);
    rebuildSeries(db);
    const rows = db.sql.prepare('SELECT cover_message_id, family, superseded FROM series ORDER BY date').all() as { cover_message_id: string; family: number; superseded: number }[];
    closeDb(db);
    expect(rows.map((r) => [r.cover_message_id, r.superseded])).toEqual([['v1', 1], ['v2', 0]]);
    expect(rows[0]?.family).toBe(rows[1]?.family);
  });

  it("stops at another sender's earlier patch among the ancestors, as grouping all at once does", () => {
    // Ada's cover; Bo answers it with a patch of his own; a day later Ada sends 1/2 in reply
    // to Bo's patch. Looking up its ancestors, the first one with a series is Bo's: the
    // lookup stops there (no joining Ada's cover further up), and a day is past the window.
    const day = 24 * 3600 * 1000;
    const rows: Row[] = [
      { id: 'm0', sender: 'ada@example.org', kind: 'cover', version: null, index: 0, total: 2, date: 1000, parent: null, changeId: null, patchId: null, title: 'mm: fix a race', lane: '' },
      { id: 'm1', sender: 'bo@example.org', kind: 'patch', version: null, index: 1, total: 1, date: 2000, parent: 0, changeId: null, patchId: null, title: 'mm: fix it differently', lane: '' },
      { id: 'm2', sender: 'ada@example.org', kind: 'patch', version: null, index: 1, total: 2, date: 2000 + day, parent: 1, changeId: null, patchId: null, title: 'mm: fix a race', lane: '' },
    ];
    const { db, members } = load(rows);
    rebuildSeries(db);
    const got = stored(db);
    closeDb(db);
    expect(got).toEqual(canonical(groupSeries(members).map((v) => ({ ...v, id: v.key }))));
    expect(got.filter((v) => v.includes('"ada@example.org"'))).toHaveLength(2);
  });

  it("refills the series tables without their Message-ID indexes, then builds them again as they were", () => {
    const base = { kind: 'patch' as const, version: null, total: 2, date: 1000, parent: null, changeId: null, patchId: null, title: 'mm: fix a race', lane: '' };
    const { db } = load([
      { ...base, id: 'm0', sender: 'ada@example.org', kind: 'cover', index: 0 },
      { ...base, id: 'm1', sender: 'ada@example.org', index: 1, parent: 0 },
      { ...base, id: 'm2', sender: 'bo@example.org', index: 1, total: 1 },
    ]);
    const indexes = () => db.sql.prepare(`SELECT name, sql FROM sqlite_master WHERE name IN ('series_patches_msg', 'series_cover') ORDER BY name`).raw().all();
    const before = indexes();
    rebuildSeries(db);
    const first = stored(db);
    // as each row goes in (the second rebuild also empties full tables): how many of the indexes are there
    db.sql.exec(`CREATE TEMP TABLE indexes_seen (n INTEGER);
      CREATE TEMP TRIGGER patch_stored AFTER INSERT ON main.series_patches BEGIN
        INSERT INTO indexes_seen SELECT COUNT(*) FROM main.sqlite_master WHERE name IN ('series_patches_msg', 'series_cover');
      END;`);
    rebuildSeries(db);
    expect(db.sql.prepare('SELECT n, COUNT(*) FROM indexes_seen GROUP BY n').raw().all()).toEqual([[0, 2]]);
    expect(indexes()).toEqual(before);
    expect(before.map((r) => (r as string[])[0])).toEqual([...SERIES_REFILLED_INDEXES].sort());
    expect(stored(db)).toEqual(first);
    // a pass that fails part way leaves the tables and their indexes as they were
    db.sql.exec(`DROP TRIGGER patch_stored; CREATE TEMP TRIGGER series_refused BEFORE INSERT ON main.series BEGIN SELECT RAISE(ABORT, 'refused'); END;`);
    expect(() => rebuildSeries(db)).toThrow('refused');
    expect(indexes()).toEqual(before);
    expect(stored(db)).toEqual(first);
    closeDb(db);
  });

  it.each(Object.entries(SERIES_PASS_SQL).filter(([n]) => n !== 'senders'))('%s seeks an index', (_name, query) => {
    expect(planOf(query).filter((step) => /^SCAN /.test(step))).toEqual([]);
  });
});
