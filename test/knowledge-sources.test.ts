import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { seedSample, useTestApp } from './helpers/test-app.ts';
import { fixEntities, seriesEntities } from '../server/knowledge-sources.ts';
import { raceEntities } from '../server/knowledge-races.ts';
import { buildKnowledgeIndex, KNOWLEDGE_PER_KIND, type KnowledgeEntity } from '../server/knowledge.ts';

const t = useTestApp(seedSample);

describe('knowledge entities from the embedded sample', () => {
  it('makes one entity per series, its latest version, with the files its patches touch', () => {
    const swap = seriesEntities(t.db).find((e) => e.title === 'mm/swap: batch swap cache lookups in swapin readahead');
    expect(swap).toBeDefined();
    expect(swap!.id).toBe('series:20240910-swap-batch-v2-0-ravi@example.com');
    expect(swap!.url).toBe('/api/series/20240910-swap-batch-v2-0-ravi%40example.com');
    expect(swap!.body).toContain('v2 (2 versions)');
    expect(swap!.paths.length).toBeGreaterThan(0);
    for (const p of swap!.paths) expect(p).toMatch(/^[\w./-]+$/);
  });

  it('makes one entity per stable fix, addressed by its upstream commit, with its branch statuses', () => {
    const fix = fixEntities(t.db).find((e) => e.url === '/api/fix-status/f53fddcf4fb819e21ff25072bc8f1ae3a54e0755');
    expect(fix).toBeDefined();
    expect(fix!.title).toBe('mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()');
    expect(fix!.body).toContain('6.1 backport-posted');
    expect(fix!.paths).toContain('mm/filemap.c');
  });

  it('finds series, fixes, races, their proposed fixes and scenarios through /api/knowledge, and every hit url answers 200', async () => {
    const res = (await t.app.inject({ url: '/api/knowledge?q=filemap_get_pages' })).json() as { hits: { kind: string; url: string }[] };
    expect(new Set(res.hits.map((h) => h.kind))).toContain('stable-fix');
    const swap = (await t.app.inject({ url: '/api/knowledge?q=swapin+readahead&kind=series' })).json() as { hits: { id: string }[] };
    expect(swap.hits[0]!.id).toBe('series:20240910-swap-batch-v2-0-ravi@example.com');
    const index = (await t.app.inject({ url: '/api/index/knowledge.json' })).json() as { docs: Record<string, { kind: string; url: string }> };
    const kinds = new Set(Object.values(index.docs).map((d) => d.kind));
    // the sample's race thread gives a race and the fixes proposed in it
    expect([...kinds].sort()).toEqual(['fix', 'race', 'scenario', 'series', 'stable-fix']);
    for (const d of Object.values(index.docs)) expect((await t.app.inject({ url: d.url })).statusCode, d.url).toBe(200);
  });

  it('keeps, past a bound, the series sent last, the fixes whose stable mail came last and the races last active', () => {
    const all = seriesEntities(t.db, Infinity);
    expect(all.length).toBeGreaterThan(1);
    const newest = seriesEntities(t.db, 1);
    expect(newest).toHaveLength(1);
    // the sample's newest series (2024-10-07), whatever its place in the listing
    expect(newest[0]!.title).toBe('lumafs: lock the folio and wait for writeback in lumafs_page_mkwrite()');
    expect(all.map((e) => e.id)).toContain(newest[0]!.id);
    const fixes = fixEntities(t.db, Infinity);
    expect(fixes.length).toBeGreaterThan(1);
    expect(fixEntities(t.db, 1)).toHaveLength(1);
    const races = raceEntities(t.db).filter((e) => e.kind === 'race');
    expect(races.length).toBeGreaterThan(0);
    expect(raceEntities(t.db, 0)).toEqual([]);
    // the embedded sample is far under the bound: everything is in, and the index says nothing is left out
    expect(seriesEntities(t.db)).toHaveLength(all.length);
    expect(buildKnowledgeIndex(all, 'test').serialized.bounded).toBeUndefined();
  });

  it("names each proposed fix with its version and where it stands, so a patch's versions read apart", () => {
    const fixes = raceEntities(t.db).filter((e) => e.kind === 'fix');
    expect(fixes.length).toBeGreaterThan(0);
    for (const f of fixes) expect(f.title).toMatch(/ \((?:v\d+, )?(?:proposed|under review|objected|changes requested|reviewed|applied|superseded|merged)\)$/);
    // no two fixes of a race carry the same title
    expect(new Set(fixes.map((f) => f.title)).size).toBe(fixes.length);
  });

  it('says which kinds the shipped index holds only the newest of', () => {
    const races: KnowledgeEntity[] = Array.from({ length: KNOWLEDGE_PER_KIND }, (_, i) => ({ id: `race:r${i}`, kind: 'race', title: `race ${i}`, paths: [], body: '', url: `/api/races/r${i}` }));
    expect(buildKnowledgeIndex(races, 'test').serialized.bounded).toEqual({ race: KNOWLEDGE_PER_KIND });
  });
});
