// Races and their proposed fixes in the lunr knowledge index: stored with db/knowledge.ts,
// read back as entities, and found through /api/knowledge as the server builds it (on its
// worker thread) by title, function, file, lock, outcome, fix author and fix summary.
import { describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../db/connection.ts';
import { replaceRaces } from '../db/knowledge.ts';
import type { Evidence, Fix, RaceRecord } from '../domain/knowledge/types.ts';
import { raceEntities } from '../server/knowledge-races.ts';
import { useTestApp } from './helpers/test-app.ts';

const ev = (messageId: string, text = ''): Evidence => ({ messageId, block: 0, text });

function fix(over: Partial<Fix>): Fix {
  return {
    id: 'fix@example.org#0',
    kind: 'patch',
    author: null,
    messageId: 'fix@example.org',
    date: null,
    summary: '',
    functions: [],
    files: [],
    wip: false,
    version: null,
    lifecycle: 'proposed',
    lifecycleEvidence: null,
    supersededBy: null,
    stances: [],
    evidence: ev('fix@example.org'),
    ...over,
  };
}

function race(over: Partial<RaceRecord>): RaceRecord {
  return {
    id: 'race',
    title: '',
    outcome: 'other',
    outcomeEvidence: null,
    status: 'open',
    statusEvidence: null,
    confidence: 0.7,
    reasons: [],
    functions: [],
    files: [],
    locks: [],
    versions: [],
    configs: [],
    diagram: null,
    threads: [],
    evidence: [],
    fixes: [],
    firstDate: null,
    lastDate: null,
    ...over,
  };
}

const THP = race({
  id: 'thp-open@example.org',
  title: 'write-open of a file with read-only THPs vs khugepaged',
  outcome: 'data-loss',
  functions: ['do_dentry_open', 'collapse_file'],
  files: ['fs/open.c', 'mm/khugepaged.c'],
  locks: ['invalidate_lock'],
  versions: ['6.12'],
  configs: ['CONFIG_READ_ONLY_THP_FOR_FS'],
  threads: ['thp-open@example.org'],
  evidence: ['thp-open@example.org'],
  lastDate: Date.UTC(2026, 5, 30),
  fixes: [
    fix({
      id: 'thp-open-reply@example.org#0',
      kind: 'prose',
      author: 'Quentin Reviewer',
      messageId: 'thp-open-reply@example.org',
      summary: 'perhaps filemap_write_and_wait() after the nr_thps increment in collapse_file() will do',
      functions: ['filemap_write_and_wait', 'collapse_file'],
      stances: [{ stance: 'agreement', author: 'Rita Reporter', messageId: 'thp-open-3@example.org', evidence: ev('thp-open-3@example.org', 'makes sense'), aimedBy: 'quoted' }],
    }),
  ],
});

const F2FS = race({
  id: 'f2fs-gc@example.org',
  title: 'f2fs: checkpoint vs foreground gc ABBA',
  outcome: 'deadlock',
  status: 'confirmed',
  functions: ['f2fs_write_checkpoint', 'f2fs_gc'],
  files: ['fs/f2fs/checkpoint.c'],
  locks: ['gc_lock', 'cp_rwsem'],
  threads: ['f2fs-gc@example.org'],
  evidence: ['f2fs-gc@example.org'],
  lastDate: Date.UTC(2025, 0, 2),
  fixes: [
    fix({
      id: 'f2fs-gc-v2@example.org#0',
      author: 'Sam Submitter',
      messageId: 'f2fs-gc-v2@example.org',
      summary: 'f2fs: take gc_lock before cp_rwsem in f2fs_gc',
      functions: ['f2fs_gc'],
      files: ['fs/f2fs/gc.c'],
      version: 2,
      lifecycle: 'applied',
    }),
  ],
});

const t = useTestApp(async (path) => {
  const db = openDb(path);
  try {
    db.sql.transaction(() => replaceRaces(db, [], [THP, F2FS]))();
  } finally {
    closeDb(db);
  }
});

interface Hits {
  hits: { id: string; kind: string; url: string; matched: Record<string, string[]> }[];
}

async function search(q: string, kind?: string): Promise<string[]> {
  const res = await t.app.inject({ url: `/api/knowledge?q=${encodeURIComponent(q)}${kind ? `&kind=${kind}` : ''}` });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as Hits).hits.map((h) => h.id);
}

describe('races and fixes as knowledge entities', () => {
  it('makes one entity per race and one per proposed fix, addressed at /api/races/:id and /api/fixes/:id', () => {
    const es = raceEntities(t.db);
    expect(es.map((e) => [e.id, e.kind, e.url])).toEqual([
      ['race:thp-open@example.org', 'race', '/api/races/thp-open%40example.org'],
      ['fix:thp-open-reply@example.org#0', 'fix', '/api/fixes/thp-open-reply%40example.org%230'],
      ['race:f2fs-gc@example.org', 'race', '/api/races/f2fs-gc%40example.org'],
      ['fix:f2fs-gc-v2@example.org#0', 'fix', '/api/fixes/f2fs-gc-v2%40example.org%230'],
    ]);
    const thp = es[0]!;
    expect(thp.paths).toEqual(['do_dentry_open', 'collapse_file', 'fs/open.c', 'mm/khugepaged.c', 'invalidate_lock']);
    expect(thp.body).toContain('data loss race, open');
    expect(es[3]!.body).toContain('by Sam Submitter');
    expect(es[3]!.body).toContain('patch v2, applied');
    expect(es[1]!.body).toContain('agreement Rita Reporter');
  });

  it('finds a race by a function, a file, a lock (whole or in part), its outcome and its title', async () => {
    expect(await search('collapse_file', 'race')).toEqual(['race:thp-open@example.org']);
    expect(await search('khugepaged', 'race')).toEqual(['race:thp-open@example.org']);
    expect(await search('invalidate', 'race')).toEqual(['race:thp-open@example.org']);
    expect(await search('cp_rwsem', 'race')).toEqual(['race:f2fs-gc@example.org']);
    expect(await search('deadlock', 'race')).toEqual(['race:f2fs-gc@example.org']);
    expect((await search('data loss'))[0]).toBe('race:thp-open@example.org');
    expect((await search('checkpoint gc ABBA'))[0]).toBe('race:f2fs-gc@example.org');
  });

  it('finds a fix by its summary, its author and the functions it touches', async () => {
    expect(await search('Submitter', 'fix')).toEqual(['fix:f2fs-gc-v2@example.org#0']);
    expect(await search('filemap_write_and_wait', 'fix')).toEqual(['fix:thp-open-reply@example.org#0']);
    expect(await search('quentin', 'fix')).toEqual(['fix:thp-open-reply@example.org#0']);
    // the fix touching f2fs_gc and the race naming it both answer; the kinds tell them apart
    expect((await search('f2fs_gc')).sort()).toEqual(['fix:f2fs-gc-v2@example.org#0', 'race:f2fs-gc@example.org']);
  });

  it('ships races and fixes in the prebuilt index', async () => {
    const index = (await t.app.inject({ url: '/api/index/knowledge.json' })).json() as { docs: Record<string, { id: string; kind: string }> };
    const ours = Object.values(index.docs).filter((d) => d.kind === 'race' || d.kind === 'fix');
    expect(ours.map((d) => d.id).sort()).toEqual(['fix:f2fs-gc-v2@example.org#0', 'fix:thp-open-reply@example.org#0', 'race:f2fs-gc@example.org', 'race:thp-open@example.org']);
  });
});
