// A race record's draft scenario must load with the simulator's own parser (and
// instantiate and compile, as `loregraph sim` would), whatever the mail put in it, and
// carry the diagram's columns as threads and its steps, tied to their functions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { draftScenario, loreLink } from '../domain/knowledge/scenario-draft.ts';
import type { Evidence, Fix, Interleaving, RaceRecord } from '../domain/knowledge/types.ts';
import { raceRecord } from './helpers/race-record.ts';
import { loadScenarioFile, parseScenario, runScenario, type Scenario } from '../sim/index.ts';
import type { RawStep } from '../sim/ast.ts';
import { compile } from '../sim/compile.ts';
import { instantiate } from '../sim/instantiate.ts';

const ev = (messageId: string, text = ''): Evidence => ({ messageId, block: 0, text });

function race(over: Partial<RaceRecord> = {}): RaceRecord {
  return raceRecord({
    id: 'race-report-1@example.org',
    title: 'write-open of a file with THPs vs khugepaged loses dirty data',
    outcome: 'data-loss',
    outcomeEvidence: ev('report-1@example.org', 'the write is lost'),
    confidence: 0.8,
    threads: ['report-1@example.org'],
    messages: ['report-1@example.org'],
    evidence: ['report-1@example.org'],
    ...over,
  });
}

function fix(over: Partial<Fix> = {}): Fix {
  return {
    id: 'fix-1@example.org#0',
    kind: 'patch',
    author: 'Ann Author',
    messageId: 'fix-1@example.org',
    date: null,
    summary: '[PATCH v2] mm/khugepaged: write back dirty folios before the purge',
    functions: ['collapse_file'],
    files: ['mm/khugepaged.c'],
    wip: false,
    version: 2,
    lifecycle: 'proposed',
    lifecycleEvidence: null,
    supersededBy: null,
    stances: [],
    evidence: ev('fix-1@example.org'),
    ...over,
  };
}

function diagram(columns: string[], steps: [number, string, string[]][]): Interleaving {
  return { evidence: ev('report-1@example.org'), columns, steps: steps.map(([column, text, functions]) => ({ column, text, functions })) };
}

/** Parses and instantiates + compiles every (variant, config), which is what loading a scenario file does. */
function load(yaml: string): Scenario {
  const sc = parseScenario(yaml, 'draft.yaml');
  for (const v of sc.variants.keys()) for (const c of sc.configs.keys()) compile(instantiate(sc, v, c));
  return sc;
}

type Flat = { id: string; fn: string; kind: string; lock?: string };

/** Each thread's steps with the kernel function they are tied to (their own `fn:` or the thread's). */
function flat(sc: Scenario): Record<string, Flat[]> {
  const out: Record<string, Flat[]> = {};
  for (const t of sc.threads.values()) {
    out[t.name] = t.steps.map((s: RawStep) => ({
      id: s.id,
      fn: `${(s.fn ?? t.fn)?.file}:${(s.fn ?? t.fn)?.func}`,
      kind: s.kind,
      ...('lock' in s && s.lock ? { lock: s.lock.text } : {}),
    }));
  }
  return out;
}

describe('draftScenario', () => {
  it('turns a two-column CPU diagram into two threads whose steps are tied to the functions, with the lock calls as lock steps', () => {
    const r = race({
      functions: ['do_dentry_open', 'collapse_file'],
      locks: ['i_rwsem', 'mmap_lock'],
      diagram: diagram(['CPU0', 'CPU1'], [
        [0, 'do_dentry_open()', ['do_dentry_open']],
        [1, 'collapse_file()', ['collapse_file']],
        [0, 'inode_lock(inode);', ['inode_lock']],
        [1, 'folio_lock(folio)', ['folio_lock']],
        [1, 'filemap_nr_thps_inc(mapping)', ['filemap_nr_thps_inc']],
        [0, 'truncate_inode_pages(inode->i_mapping, 0)', ['truncate_inode_pages']],
        [1, 'folio_unlock(folio)', ['folio_unlock']],
        [0, 'inode_unlock(inode);', ['inode_unlock']],
      ]),
      fixes: [fix(), fix({ id: 'idea@example.org#1', kind: 'prose', author: 'Pat Reviewer', messageId: 'idea@example.org', summary: 'perhaps filemap_write_and_wait() after the nr_thps increment in collapse_file()', functions: ['filemap_write_and_wait', 'collapse_file'], files: [], version: null })],
    });
    const yaml = draftScenario(r);
    const sc = load(yaml);
    expect([...sc.threads.keys()]).toEqual(['cpu0', 'cpu1']);
    expect(flat(sc)).toEqual({
      cpu0: [
        { id: 'do_dentry_open', fn: 'TODO:do_dentry_open', kind: 'do' },
        { id: 'down_write_i_rwsem', fn: 'TODO:do_dentry_open', kind: 'down_write', lock: 'i_rwsem' },
        { id: 'truncate_inode_pages', fn: 'TODO:truncate_inode_pages', kind: 'do' },
        { id: 'up_write_i_rwsem', fn: 'TODO:do_dentry_open', kind: 'up_write', lock: 'i_rwsem' },
      ],
      // the patch touches one file, so collapse_file() is known to live there
      cpu1: [
        { id: 'collapse_file', fn: 'mm/khugepaged.c:collapse_file', kind: 'do' },
        { id: 'lock_folio', fn: 'mm/khugepaged.c:collapse_file', kind: 'lock', lock: 'folio' },
        { id: 'filemap_nr_thps_inc', fn: 'TODO:filemap_nr_thps_inc', kind: 'do' },
        { id: 'unlock_folio', fn: 'mm/khugepaged.c:collapse_file', kind: 'unlock', lock: 'folio' },
      ],
    });
    expect(sc.locks.map((l) => [l.name, l.kind])).toEqual([['i_rwsem', 'rwsem']]);
    expect(sc.folios.map((f) => f.name)).toEqual(['folio']);
    expect(sc.source).toEqual(['https://lore.kernel.org/r/report-1@example.org']);
    expect(sc.id).toBe('draft-race-report-1-example-org');
    expect(sc.title).toBe(r.title);
    expect([...sc.configs.values()].map((c) => [c.name, c.run.map((x) => x.as)])).toEqual([['draft', ['cpu0', 'cpu1']]]);
    // each fix is a variant naming its mail, so the scenario links find it once edits are written
    const variants = [...sc.variants.values()].filter((v) => v.name !== 'original');
    expect(variants.map((v) => v.fix)).toEqual([
      '[PATCH v2] mm/khugepaged: write back dirty folios before the purge <fix-1@example.org>',
      'Pat Reviewer: perhaps filemap_write_and_wait() after the nr_thps increment in collapse_file() <idea@example.org>',
    ]);
    expect(variants.every((v) => v.edits.length === 0)).toBe(true);
    // the TODOs a reviewer has to fill in are there, and the mail's unmodelled lock is named
    for (const todo of ['folios:', 'vars: {}   # TODO', 'TODO: the mail names mmap_lock', 'TODO: what must hold', 'TODO: the fix as edits', 'TODO: the file of do_dentry_open()']) {
      expect(yaml).toContain(todo);
    }
    expect(yaml).toContain('# diagram: "truncate_inode_pages(inode->i_mapping, 0)"');
  });

  it('loads from a file and runs: locks balanced per thread, so the skeleton is no lock-discipline violation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-draft-'));
    try {
      const file = join(dir, 'draft.yaml');
      writeFileSync(file, draftScenario(race({
        diagram: diagram(['Thread A', 'Thread B'], [
          [0, 'mutex_lock(&sbi->gc_lock)', ['mutex_lock']],
          [1, 'down_write(&mapping->i_mmap_rwsem)', ['down_write']],
          [0, 'f2fs_gc()', ['f2fs_gc']],
          [1, 'up_write(&mapping->i_mmap_rwsem)', ['up_write']],
          [0, 'mutex_unlock(&sbi->gc_lock)', ['mutex_unlock']],
        ]),
      })));
      const sc = loadScenarioFile(file);
      expect(sc.locks.map((l) => [l.name, l.kind])).toEqual([['gc_lock', 'mutex'], ['i_mmap_rwsem', 'rwsem']]);
      const r = runScenario(sc, { config: 'draft' });
      expect(r.verdict).toBe('holds');
      expect(r.unreached).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a ragged three-column diagram: steps past the headings, empty columns, repeated functions, unmatched unlocks', () => {
    const sc = load(draftScenario(race({
      diagram: diagram(['Thread A', '', 'Thread A'], [
        [0, 'f2fs_write_begin()', ['f2fs_write_begin']],
        [0, 'f2fs_write_begin() again', ['f2fs_write_begin()']],
        [0, 'folio_unlock(page)', ['folio_unlock']],
        [3, 'smp_mb();', ['smp_mb']],
        [3, 'WRITE_ONCE(x, 1)', []],
        [0, 'spin_lock(&ci->i_lock); f2fs_drop(); spin_unlock(&ci->i_lock)', ['spin_lock', 'f2fs_drop', 'spin_unlock']],
        [0, 'spin_lock(&ci->i_lock)', ['spin_lock']],
        [0, 'spin_lock(&ci->i_lock)', ['spin_lock']],
        [-1, 'nowhere', ['lost']],
        [1.5, 'between columns', ['lost']],
        [Number.NaN, 'no column', ['lost']],
      ]),
    })));
    expect([...sc.threads.keys()]).toEqual(['thread_a', 'column1', 'thread_a_2', 'column3']);
    const f = flat(sc);
    expect(f['thread_a']!.map((s) => [s.id, s.kind, s.fn])).toEqual([
      ['f2fs_write_begin', 'do', 'TODO:f2fs_write_begin'],
      ['f2fs_write_begin_2', 'do', 'TODO:f2fs_write_begin'],
      // the column never took the folio: an unlock would be a lock-discipline violation, so it stays a TODO
      ['folio_unlock', 'do', 'TODO:f2fs_write_begin'],
      ['f2fs_drop', 'do', 'TODO:f2fs_drop'],
      ['lock_i_lock', 'lock', 'TODO:f2fs_write_begin'],
      // a second take of a held spinlock would deadlock the thread on itself
      ['spin_lock', 'do', 'TODO:f2fs_write_begin'],
    ]);
    expect(f['column1']!.map((s) => [s.id, s.kind, s.fn])).toEqual([['todo', 'do', 'TODO:unknown']]);
    expect(f['thread_a_2']!.map((s) => s.id)).toEqual(['todo']);
    expect(f['column3']!.map((s) => [s.id, s.fn])).toEqual([['smp_mb', 'TODO:unknown'], ['step2', 'TODO:unknown']]);
    expect(sc.locks.map((l) => [l.name, l.kind])).toEqual([['i_lock', 'mutex']]);
  });

  it('reads functions a diagram names without parentheses, a filesystem\'s rwsem wrappers, and ties no step to a macro', () => {
    const sc = load(draftScenario(race({
      diagram: diagram(['Thread A', 'Thread B'], [
        [0, 'f2fs_ioc_commit_atomic_write', []],
        [0, '- f2fs_do_sync_file // atomic = true', []],
        [0, ': f2fs_down_read(&sbi->node_write) // blocks', ['f2fs_down_read']],
        [1, '- block_operations', []],
        [1, ': {struct nat_entry}->flag |= BIT(IS_CHECKPOINTED)', ['BIT']],
        [1, 'schedule before the flush', []],
        [1, ': last_folio = inode folio', []],
        [1, 'nat_entry->flag |= 1', []],
        [0, 'f2fs_up_read(&sbi->node_write)', ['f2fs_up_read']],
      ]),
    })));
    const f = flat(sc);
    expect(f['thread_a']!.map((s) => [s.id, s.kind, s.fn])).toEqual([
      ['f2fs_ioc_commit_atomic_write', 'do', 'TODO:f2fs_ioc_commit_atomic_write'],
      ['f2fs_do_sync_file', 'do', 'TODO:f2fs_do_sync_file'],
      ['down_read_node_write', 'down_read', 'TODO:f2fs_ioc_commit_atomic_write'],
      ['up_read_node_write', 'up_read', 'TODO:f2fs_ioc_commit_atomic_write'],
    ]);
    expect(f['thread_b']!.map((s) => [s.id, s.fn])).toEqual([
      ['block_operations', 'TODO:block_operations'],
      ['BIT', 'TODO:block_operations'],
      ['step3', 'TODO:block_operations'],
      ['step4', 'TODO:block_operations'],
      ['step5', 'TODO:block_operations'],
    ]);
    expect(sc.locks.map((l) => [l.name, l.kind])).toEqual([['node_write', 'rwsem']]);
  });

  it('drafts the first columns and steps of an outsized diagram and says what it left out', () => {
    const steps: [number, string, string[]][] = [];
    for (let i = 0; i < 45; i++) steps.push([0, `step_fn_${i}()`, [`step_fn_${i}`]]);
    for (let c = 1; c < 9; c++) steps.push([c, `col_fn_${c}()`, [`col_fn_${c}`]]);
    const yaml = draftScenario(race({ diagram: diagram(Array.from({ length: 9 }, (_, i) => `CPU${i}`), steps) }));
    const sc = load(yaml);
    expect([...sc.threads.keys()]).toEqual(['cpu0', 'cpu1', 'cpu2', 'cpu3', 'cpu4', 'cpu5']);
    expect(sc.threads.get('cpu0')!.steps).toHaveLength(40);
    expect(yaml).toContain('# TODO: 5 more diagram step(s) of this column, not drafted');
    expect(sc.description).toContain('(its first 6 of 9 columns)');
  });

  it('without a diagram: a thread per function the mail names and a config per pair; one function races itself; none gives two TODO threads', () => {
    const three = load(draftScenario(race({ functions: ['collapse_file()', 'do_dentry_open', 'mm/truncate.c:truncate_inode_pages', 'spin_lock'] })));
    expect(flat(three)).toEqual({
      collapse_file: [{ id: 'collapse_file', fn: 'TODO:collapse_file', kind: 'do' }],
      do_dentry_open: [{ id: 'do_dentry_open', fn: 'TODO:do_dentry_open', kind: 'do' }],
      truncate_inode_pages: [{ id: 'truncate_inode_pages', fn: 'mm/truncate.c:truncate_inode_pages', kind: 'do' }],
    });
    expect([...three.configs.values()].map((c) => c.run.map((x) => x.as))).toEqual([
      ['collapse_file', 'do_dentry_open'],
      ['collapse_file', 'truncate_inode_pages'],
      ['do_dentry_open', 'truncate_inode_pages'],
    ]);
    const one = load(draftScenario(race({ functions: ['ext4_page_mkwrite'] })));
    expect([...one.configs.values()].map((c) => c.run.map((x) => `${x.thread} as ${x.as}`))).toEqual([['ext4_page_mkwrite as ext4_page_mkwrite', 'ext4_page_mkwrite as ext4_page_mkwrite_2']]);
    const none = load(draftScenario(race({ threads: [], evidence: [] })));
    expect(flat(none)).toEqual({
      thread_a: [{ id: 'todo', fn: 'TODO:unknown', kind: 'do' }],
      thread_b: [{ id: 'todo', fn: 'TODO:unknown', kind: 'do' }],
    });
    expect(none.source).toEqual([]);
  });

  it('gives functions the files known from scenario steps and from a one-file diff\'s first hunk, never a callee\'s', () => {
    const r = race({
      diagram: diagram(['CPU0', 'CPU1'], [
        [0, 'do_dentry_open()', ['do_dentry_open']],
        [0, 'folio_put(folio)', ['folio_put']],
        [1, 'collapse_file()', ['collapse_file']],
        [1, 'ext4_helper()', ['ext4_helper']],
        [1, 'filemap_get_pages()', ['filemap_get_pages']],
      ]),
      functions: ['include/linux/mm.h:folio_put'],
      fixes: [fix({ functions: ['collapse_file', 'folio_put', 'do_dentry_open'], files: ['mm/khugepaged.c'] })],
    });
    const refs = ['fs/open.c:do_dentry_open', 'fs/ext4/inode.c:ext4_helper', 'fs/ext4/super.c:ext4_helper', 'mm/filemap.c:filemap_get_pages', 'mm/filemap.c:filemap_get_pages'];
    const f = flat(load(draftScenario(r, { kernelRefs: refs })));
    expect([...f['cpu0']!, ...f['cpu1']!].map((s) => s.fn)).toEqual([
      'fs/open.c:do_dentry_open',
      // the race names the file outright, which beats the fix's file (folio_put is only called there)
      'include/linux/mm.h:folio_put',
      'mm/khugepaged.c:collapse_file',
      // two known files define it: left for the reviewer
      'TODO:ext4_helper',
      'mm/filemap.c:filemap_get_pages',
    ]);
    // without the known locations, only the diff's first hunk function gets the fix's file
    const bare = flat(load(draftScenario({ ...r, functions: [] })));
    expect([...bare['cpu0']!, ...bare['cpu1']!].map((s) => s.fn)).toEqual(['TODO:do_dentry_open', 'TODO:folio_put', 'mm/khugepaged.c:collapse_file', 'TODO:ext4_helper', 'TODO:filemap_get_pages']);
  });

  it('writes lore links that survive characters a path would split on', () => {
    expect(loreLink('<a/b?c#d@x.example>')).toBe('https://lore.kernel.org/r/a%2Fb%3Fc%23d@x.example');
    expect(loreLink('20260630184917.12345-1-someone@example.org')).toBe('https://lore.kernel.org/r/20260630184917.12345-1-someone@example.org');
  });

  it('loads whatever the mail put in the diagram, the title, the ids and the fixes (property)', () => {
    const text = fc.string({ maxLength: 40, unit: fc.constantFrom('a', 'Z', '_', '0', ' ', '(', ')', '&', '-', '>', ':', '#', '"', "'", '\n', '{', '}', '[', ']', ',', '*', 'é', '\u2028') });
    const fnName = fc.oneof(fc.constantFrom('mutex_lock', 'mutex_unlock', 'folio_lock', 'folio_unlock', 'down_read', 'up_read', 'inode_lock', 'spin_lock', 'collapse_file', 'f()', 'true', 'x:y'), text);
    const step = fc.record({
      column: fc.integer({ min: -1, max: 8 }),
      text: fc.oneof(text, fc.tuple(fnName, text).map(([f, a]) => `${f}(${a})`)),
      functions: fc.array(fnName, { maxLength: 3 }),
    });
    const arbRace = fc.record({
      id: text,
      title: text,
      functions: fc.array(fnName, { maxLength: 6 }),
      locks: fc.array(text, { maxLength: 3 }),
      diagram: fc.option(fc.record({ columns: fc.array(text, { maxLength: 8 }), steps: fc.array(step, { maxLength: 30 }) }), { nil: null }),
      fixes: fc.array(fc.record({ summary: text, author: fc.option(text, { nil: null }), messageId: text, functions: fc.array(fnName, { maxLength: 3 }), files: fc.array(text, { maxLength: 2 }), kind: fc.constantFrom('patch', 'prose', 'attachment', 'inline-diff') as fc.Arbitrary<Fix['kind']> }), { maxLength: 4 }),
      threads: fc.array(text, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(arbRace, (a) => {
        const r = race({
          ...a,
          diagram: a.diagram ? { evidence: ev('d@x'), ...a.diagram } : null,
          fixes: a.fixes.map((f, i) => fix({ ...f, id: `${f.messageId}#${i}` })),
        });
        const sc = load(draftScenario(r));
        expect(sc.title).toBe(r.title.trim() || `race ${r.id}`);
        expect(sc.threads.size).toBeGreaterThan(0);
        expect(sc.variants.size).toBe(1 + r.fixes.length);
      }),
      { numRuns: 60 },
    );
  });
});
