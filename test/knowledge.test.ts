import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildKnowledgeIndex, expandPaths, hunkFunctions, loadKnowledgeIndex, queryTerms, type KnowledgeEntity } from '../server/knowledge.ts';

const entities: KnowledgeEntity[] = [
  {
    id: 'series:fix-1@example.org',
    kind: 'series',
    title: '[PATCH v3 0/2] mm: fix lost writeback under truncate',
    paths: ['mm/truncate.c', 'mm/filemap.c:folio_wait_writeback'],
    body: 'Two patches closing a race between truncation and the writeback path.',
    url: '/api/series/fix-1%40example.org',
  },
  {
    id: 'stable-fix:6.6:abc123',
    kind: 'stable-fix',
    title: 'ext4: avoid deadlock in fallocate',
    paths: ['fs/ext4/extents.c'],
    body: 'Backport for 6.6; mentions truncate only in passing.',
    url: '/api/fix-status/abc123',
  },
  {
    id: 'scenario:folio-lock',
    kind: 'scenario',
    title: 'folio lock versus reclaim',
    paths: ['mm/vmscan.c:shrink_folio_list'],
    body: 'Two threads: one truncates, one reclaims. The writeback bit is the contested state.',
    url: '/api/scenarios/folio-lock',
  },
];

const index = buildKnowledgeIndex(entities, 'test', Date.UTC(2024, 0, 1));

describe('knowledge index', () => {
  it('ranks a title match above a body-only match', () => {
    const hits = index.search('truncate');
    expect(hits.map((h) => h.id).slice(0, 1)).toEqual(['series:fix-1@example.org']);
    expect(hits.map((h) => h.id)).toContain('stable-fix:6.6:abc123');
    const [first, ...rest] = hits;
    for (const h of rest) expect(first!.score).toBeGreaterThan(h.score);
  });

  it('finds an entity by a file name, a whole path and a function-name part', () => {
    expect(index.search('vmscan').map((h) => h.id)).toEqual(['scenario:folio-lock']);
    expect(index.search('fs/ext4/extents.c').map((h) => h.id)).toEqual(['stable-fix:6.6:abc123']);
    expect(index.search('shrink_folio_list').map((h) => h.id)).toEqual(['scenario:folio-lock']);
  });

  it('matches a prefix and a one-letter typo', () => {
    expect(index.search('falloc').map((h) => h.id)).toEqual(['stable-fix:6.6:abc123']);
    expect(index.search('deadlick').map((h) => h.id)).toEqual(['stable-fix:6.6:abc123']);
  });

  it('excludes entities with a -term and filters by kind', () => {
    expect(index.search('truncate -ext4').map((h) => h.id)).not.toContain('stable-fix:6.6:abc123');
    expect(index.search('writeback', { kind: 'scenario' }).map((h) => h.id)).toEqual(['scenario:folio-lock']);
  });

  it('answers the same after a JSON round trip of the serialized index', () => {
    const copy = loadKnowledgeIndex(JSON.parse(JSON.stringify(index.serialized)));
    expect(copy.search('writeback truncate')).toEqual(index.search('writeback truncate'));
    expect(copy.serialized.count).toBe(3);
    expect(Object.values(copy.serialized.docs)).toContainEqual({ id: 'scenario:folio-lock', kind: 'scenario', title: 'folio lock versus reclaim', url: '/api/scenarios/folio-lock' });
  });

  it('splits paths into files, bases and identifier words', () => {
    expect(expandPaths(['mm/filemap.c:folio_wait_bit']).split(' ')).toEqual(
      expect.arrayContaining(['mm/filemap.c:folio_wait_bit', 'mm', 'filemap.c', 'filemap', 'folio_wait_bit', 'folio', 'wait', 'bit']),
    );
  });

  it('refuses a query of more than 32 words', () => {
    expect(index.search(Array.from({ length: 32 }, (_, i) => `w${i}`).join(' '))).toEqual([]);
    expect(() => index.search(Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '))).toThrow('the knowledge query has 33 words, at most 32 are allowed');
  });

  it('never throws on arbitrary text that includes at least one word', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (q) => {
        const { include, exclude } = queryTerms(q);
        if (include.length + exclude.length > 32) expect(() => index.search(q)).toThrow(/at most 32/);
        else if (include.length === 0 && exclude.length > 0) expect(() => index.search(q)).toThrow(/excludes terms/);
        else expect(Array.isArray(index.search(q))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('indexes the functions named in hunk headers of an entity\'s patches', () => {
    const diff = [
      'Fix it.',
      '',
      '---',
      'diff --git a/mm/readahead.c b/mm/readahead.c',
      '--- a/mm/readahead.c',
      '+++ b/mm/readahead.c',
      '@@ -10,3 +10,4 @@ static void page_cache_ra_order(struct readahead_control *ractl,',
      ' a',
      '+b',
      ' c',
      ' d',
      '@@ -40,2 +41,2 @@ struct file_ra_state {',
      '-x',
      '+y',
      ' z',
      '',
    ].join('\n');
    expect(hunkFunctions([diff, 'no diff here'])).toEqual(['mm/readahead.c:page_cache_ra_order']);
    const idx = buildKnowledgeIndex(
      [{ id: 'series:ra@x', kind: 'series', title: 'mm: readahead order fix', paths: ['mm/readahead.c'], body: '', url: '/api/series/ra%40x', diffTexts: [diff] }],
      'test',
    );
    expect(idx.search('page_cache_ra_order').map((h) => h.id)).toEqual(['series:ra@x']);
    expect(idx.search('file_ra_state')).toEqual([]);
  });
});
