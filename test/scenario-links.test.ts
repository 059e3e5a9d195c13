// A proposed fix and the scenarios about it: explicit links when a variant names the fix
// (carrying that variant's expected verdicts), coverage links when a scenario only models
// the functions the fix touches, each labelled as what it is.
import { describe, expect, it } from 'vitest';
import type { Fix } from '../domain/knowledge/types.ts';
import { fixScenarioLinks, scenarioLinks, variantNamesFix, type LinkableScenario } from '../server/scenario-links.ts';
import { createScenarioStore } from '../server/scenario-store.ts';

function fix(over: Partial<Fix> = {}): Fix {
  return {
    id: 'fix-1@example.org#0',
    kind: 'patch',
    author: 'Ann Author',
    messageId: 'fix-1@example.org',
    date: null,
    summary: 'mm/filemap: recheck the mapping after the batch lookup',
    functions: [],
    files: [],
    wip: false,
    version: 1,
    lifecycle: 'proposed',
    lifecycleEvidence: null,
    supersededBy: null,
    stances: [],
    evidence: { messageId: 'fix-1@example.org', block: null, text: '' },
    ...over,
  };
}

const expectRow = (variant: string, config: string, verdict: string) => ({ variant, config, verdict, property: 'p', why: `${variant} in ${config}` });

const lookup: LinkableScenario = {
  id: 'lookup-vs-truncate',
  title: 'batch lookup vs truncate',
  variants: [
    { name: 'original', fix: '', description: '' },
    { name: 'recheck', fix: '[PATCH v2 1/3] mm/filemap: recheck the mapping after the batch lookup <other@example.org>', description: '' },
    { name: 'by_id', fix: 'the reporter\'s idea <fix-1@example.org>', description: '' },
  ],
  expect: [expectRow('original', 'plain', 'violated'), expectRow('recheck', 'plain', 'holds'), expectRow('recheck', 'two_readers', 'holds'), expectRow('by_id', 'plain', 'violated')],
  kernelRefs: ['mm/filemap.c:filemap_get_pages', 'mm/filemap.c:filemap_get_read_batch', 'mm/truncate.c:truncate_inode_pages_range'],
};

const collapse: LinkableScenario = {
  id: 'collapse-vs-open',
  title: 'khugepaged collapse vs write-open',
  variants: [
    { name: 'original', fix: '', description: '' },
    { name: 'writeback_before_purge', fix: 'open-writeback-before-purge.patch ([BUG] purge can discard dirty page cache)', description: '' },
    { name: 'write_and_wait', fix: 'Re: [BUG] purge can discard dirty page cache (Pat Reviewer: filemap_write_and_wait() after the increment in collapse_file())', description: '' },
  ],
  expect: [expectRow('original', 'dirty', 'violated'), expectRow('writeback_before_purge', 'dirty', 'holds'), expectRow('write_and_wait', 'dirty', 'violated')],
  kernelRefs: ['mm/khugepaged.c:collapse_file', 'fs/open.c:do_dentry_open', 'mm/filemap.c:filemap_write_and_wait_range'],
};

describe('scenarioLinks', () => {
  it('links a variant that names the fix by Message-ID, and one that quotes its patch subject under its tags, with their verdicts per config', () => {
    const links = scenarioLinks(fix({ functions: ['filemap_get_pages'] }), [lookup, collapse]);
    expect(links.map((l) => [l.kind, l.scenario, l.variant, l.match])).toEqual([
      ['explicit', 'lookup-vs-truncate', 'by_id', 'message-id'],
      ['explicit', 'lookup-vs-truncate', 'recheck', 'subject'],
    ]);
    const recheck = links[1]!;
    expect(recheck.verdicts).toEqual([
      { config: 'plain', verdict: 'holds', property: 'p', why: 'recheck in plain', original: 'violated' },
      { config: 'two_readers', verdict: 'holds', property: 'p', why: 'recheck in two_readers', original: '' },
    ]);
    expect(recheck.covers).toEqual(['mm/filemap.c:filemap_get_pages']);
    expect(recheck.label).toBe('modelled by lookup-vs-truncate variant recheck (named by subject): expected holds in plain (original: violated); holds in two_readers');
    // an explicitly linked scenario is not listed again for coverage
    expect(links.filter((l) => l.kind === 'coverage')).toEqual([]);
  });

  it('labels a scenario that only models the functions the fix touches as coverage, unchecked, without verdicts', () => {
    const links = scenarioLinks(fix({ messageId: 'unrelated@example.org', summary: 'mm/khugepaged: something else entirely', functions: ['collapse_file()', 'truncate_inode_pages_range', 'do_dentry_open'] }), [lookup, collapse]);
    expect(links).toEqual([
      {
        kind: 'coverage',
        scenario: 'collapse-vs-open',
        title: 'khugepaged collapse vs write-open',
        variant: null,
        match: null,
        fixText: '',
        covers: ['mm/khugepaged.c:collapse_file', 'fs/open.c:do_dentry_open'],
        verdicts: [],
        label: 'collapse-vs-open covers collapse_file(), do_dentry_open(), not checked',
      },
      {
        kind: 'coverage',
        scenario: 'lookup-vs-truncate',
        title: 'batch lookup vs truncate',
        variant: null,
        match: null,
        fixText: '',
        covers: ['mm/truncate.c:truncate_inode_pages_range'],
        verdicts: [],
        label: 'lookup-vs-truncate covers truncate_inode_pages_range(), not checked',
      },
    ]);
  });

  it('names an attachment by its file name and a prose idea by its author with every function it names', () => {
    const attachment = fix({ kind: 'attachment', summary: 'open-writeback-before-purge.patch', messageId: 'report@example.org' });
    expect(scenarioLinks(attachment, [collapse]).map((l) => [l.variant, l.match])).toEqual([['writeback_before_purge', 'attachment']]);
    const idea = fix({ kind: 'prose', author: 'Pat Reviewer', summary: 'perhaps doing filemap_write_and_wait() after the increment will Just Work', functions: ['filemap_write_and_wait', 'collapse_file'], messageId: 'reply@example.org' });
    const links = scenarioLinks(idea, [collapse]);
    expect(links.map((l) => [l.kind, l.variant, l.match])).toEqual([['explicit', 'write_and_wait', 'author+functions']]);
    expect(links[0]!.verdicts.map((v) => [v.config, v.verdict, v.original])).toEqual([['dirty', 'violated', 'violated']]);
    // the same functions from someone else, or the same person on other functions, is no naming: coverage only
    expect(scenarioLinks({ ...idea, author: 'Someone Else' }, [collapse]).map((l) => l.kind)).toEqual(['coverage']);
    expect(variantNamesFix(collapse.variants[2]!.fix, { ...idea, functions: ['collapse_file', 'khugepaged_scan_file'] })).toBeNull();
    // a subject too short to tell one patch from another is never matched
    expect(variantNamesFix('fix a race', fix({ summary: 'fix a race' }))).toBeNull();
    expect(variantNamesFix('', fix())).toBeNull();
  });

  it('finds nothing for a fix that names no function and that no variant names', () => {
    expect(scenarioLinks(fix({ messageId: 'x@y', summary: 'mm: an unrelated cleanup of the page allocator' }), [lookup, collapse])).toEqual([]);
  });

  it('counts a function a fix with a diff only calls from another file as nothing it covers', () => {
    const f2fs = fix({ messageId: 'f@y', summary: 'f2fs: grab the folio earlier', functions: ['f2fs_write_begin', 'filemap_get_pages'], files: ['fs/f2fs/data.c'] });
    expect(scenarioLinks(f2fs, [lookup])).toEqual([]);
    const filemap = { ...f2fs, files: ['a/mm/filemap.c', 'fs/f2fs/data.c'] };
    expect(scenarioLinks(filemap, [lookup]).map((l) => [l.kind, l.covers])).toEqual([['coverage', ['mm/filemap.c:filemap_get_pages']]]);
  });

  it('does not count the lock helpers a fix calls as code it covers', () => {
    const withLocks: LinkableScenario = { ...lookup, kernelRefs: [...lookup.kernelRefs, 'mm/filemap.c:folio_lock', 'include/linux/fs.h:filemap_invalidate_lock'] };
    const lumafs = fix({ messageId: 'l@y', summary: 'lumafs: lock the folio in page_mkwrite', functions: ['lumafs_page_mkwrite', 'folio_lock', 'filemap_invalidate_lock', 'smp_mb'] });
    expect(scenarioLinks(lumafs, [withLocks])).toEqual([]);
    expect(scenarioLinks({ ...lumafs, functions: [...lumafs.functions, 'filemap_get_read_batch'] }, [withLocks]).map((l) => l.covers)).toEqual([['mm/filemap.c:filemap_get_read_batch']]);
  });

  it('links fixes to the scenarios in sim/scenarios through the store', async () => {
    const store = createScenarioStore();
    const reporters = fix({ kind: 'attachment', author: 'A Reporter', summary: 'thp-open-writeback-before-purge.patch', messageId: 'bug-report@example.org' });
    const link = (await fixScenarioLinks(reporters, store)).find((l) => l.kind === 'explicit');
    expect(link).toMatchObject({ scenario: '000-thp-write-open-purge', variant: 'writeback_before_purge', match: 'attachment' });
    expect(link!.verdicts.length).toBeGreaterThan(0);
    for (const v of link!.verdicts) expect(['holds', 'violated', 'deadlock', 'incomplete']).toContain(v.verdict);
    const idea = fix({ kind: 'prose', author: 'Pedro Falcato', summary: 'filemap_write_and_wait() after the nr_thps increment in collapse_file()', functions: ['filemap_write_and_wait', 'collapse_file'], messageId: 'reply@example.org' });
    const links = await fixScenarioLinks(idea, store);
    expect(links.find((l) => l.kind === 'explicit')).toMatchObject({ scenario: '000-thp-write-open-purge', variant: 'collapse_write_and_wait', match: 'author+functions' });
    // other scenarios modelling collapse_file() are offered as coverage, labelled unchecked
    const other = links.filter((l) => l.kind === 'coverage');
    expect(other.length).toBeGreaterThan(0);
    for (const l of other) {
      expect(l.scenario).not.toBe('000-thp-write-open-purge');
      expect(l.label).toMatch(/covers .*collapse_file\(\).*, not checked$/);
    }
  });
});
