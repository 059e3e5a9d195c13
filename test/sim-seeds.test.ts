import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../sim/compile.ts';
import { instantiate, listScenarios, loadScenario, runScenario, type RunResult, type Scenario } from '../sim/index.ts';
import { replayWitness } from '../sim/replay.ts';
import { sharedPath } from './helpers/shared.ts';

const SEED_IDS = ['000', '001', '002', '003', '004'];
const summaries = listScenarios();
const seeds: Scenario[] = summaries.filter((s) => SEED_IDS.includes(s.id.slice(0, 3))).map((s) => loadScenario(s.id));

const run = (sc: Scenario, variant: string, config: string, por = true): RunResult => runScenario(sc, { variant, config, por });
const seed = (prefix: string): Scenario => {
  const sc = seeds.find((s) => s.id.startsWith(prefix));
  if (!sc) throw new Error(`no seed scenario ${prefix}`);
  return sc;
};
const steps = (r: RunResult): string[] => r.witness.map((w) => `${w.thread}:${w.step}`);
/** A deadlock's wait-for graph as sorted `thread -> what it waits for -> holders` lines. */
const cycle = (r: RunResult): string[] => r.waitFor!.map((e) => `${e.thread} -> ${e.waitsFor} -> ${e.heldBy.join(',')}`).sort();

describe('seed scenarios load', () => {
  it('models each of the five seed mails in a scenario file that loads without error', () => {
    expect(summaries.filter((s) => s.error)).toEqual([]);
    expect(seeds.map((s) => s.id.slice(0, 3))).toEqual(SEED_IDS);
  });

  it.each(seeds.map((s) => [s.id, s] as const))('%s expects a verdict for every variant x config, each with its why', (_id, sc) => {
    const cells = [...sc.variants.keys()].flatMap((v) => [...sc.configs.keys()].map((c) => `${v}/${c}`));
    expect(sc.expect.map((x) => `${x.variant}/${x.config}`).sort()).toEqual(cells.sort());
    for (const x of sc.expect) expect(x.why.trim().length).toBeGreaterThan(20);
    for (const v of sc.variants.values()) if (v.name !== 'original') expect(v.fix.length).toBeGreaterThan(10);
  });
});

const cases = seeds.flatMap((sc) => sc.expect.map((x) => ({ sc, x })));

describe('seed scenarios reach their expected verdicts', () => {
  it.each(cases.map((c) => [`${c.sc.id.slice(0, 3)} ${c.x.variant} x ${c.x.config} -> ${c.x.verdict}`, c] as const))('%s', (_name, { sc, x }) => {
    const r = run(sc, x.variant, x.config);
    expect(r.verdict).toBe(x.verdict);
    if (x.property) expect(r.property).toBe(x.property);
    if (x.verdict === 'holds') {
      expect(r.witness).toEqual([]);
      return;
    }
    // The witness names the kernel code of every step and replays to the same outcome.
    expect(r.witness.length).toBeGreaterThan(0);
    // (A memory pseudo-thread's steps are the memory model's, not kernel code.)
    for (const w of r.witness.filter((x) => !x.thread.endsWith('~mem'))) {
      expect(w.file).toMatch(/^[a-z0-9_/.-]+\.[ch]$/);
      expect(w.function).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
    const replay = replayWitness(compile(instantiate(sc, x.variant, x.config)), r.witness);
    expect(replay.verdict).toBe(r.verdict);
    expect(replay.property).toBe(r.property);
    if (x.verdict === 'deadlock') {
      // A closed wait-for cycle: each thread waits for a lock held by the next one.
      const cyc = r.waitFor!;
      expect(cyc.length).toBeGreaterThanOrEqual(2);
      cyc.forEach((e, i) => expect(e.heldBy).toContain(cyc[(i + 1) % cyc.length]!.thread));
      expect(replay.waitFor).toEqual(r.waitFor);
    }
  });

  it.each(cases.map((c) => [`${c.sc.id.slice(0, 3)} ${c.x.variant} x ${c.x.config}`, c] as const))(
    'partial-order reduction keeps the verdict of %s (and explores no more when it holds)',
    (_name, { sc, x }) => {
      const full = run(sc, x.variant, x.config, false);
      const por = run(sc, x.variant, x.config, true);
      expect(por.verdict).toBe(full.verdict);
      expect(por.property).toBe(full.property);
      // Only a complete search has a comparable state count: BFS stops at the first violation.
      if (full.verdict === 'holds') expect(por.states).toBeLessThanOrEqual(full.states);
    },
  );
});

describe('000: write-open THP purge', () => {
  const sc = seed('000');

  it('loses the dirty folio when the opener purges after a successful collapse', () => {
    const r = run(sc, 'original', 'dirty_before_open');
    const s = steps(r);
    expect(s).toContain('collapse:replace');
    const purge = s.findIndex((x) => /^opener:purge\/tr2?\/remove\[O\]$/.test(x));
    expect(purge).toBeGreaterThan(s.indexOf('collapse:nr_thps_inc'));
  });

  it("shows Pedro's race against the writeback-before-purge patch: write and wait, another opener dirties, truncate", () => {
    const r = run(sc, 'writeback_before_purge', 'second_opener_writes');
    const s = steps(r);
    // Some opener X writes back; then the other opener Y completes its write; then X truncates the folio Y dirtied.
    const dirtied = s.findIndex((x) => /^opener[12]:write\/copy$/.test(x));
    expect(dirtied).toBeGreaterThan(0);
    const writer = s[dirtied]!.split(':')[0]!;
    const victim = writer === 'opener1' ? 'opener2' : 'opener1';
    const waited = s.findIndex((x) => x.startsWith(`${victim}:write_and_wait/`));
    const truncated = s.findIndex((x, i) => i > dirtied && new RegExp(`^${victim}:purge/tr2?/remove\\[O\\]$`).test(x));
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(waited).toBeLessThan(dirtied);
    expect(truncated).toBeGreaterThan(dirtied);
  });

  it('closes the dirty-before-open case with the reporters\' patch, and really writes the folio back', () => {
    const r = run(sc, 'writeback_before_purge', 'dirty_before_open');
    expect(r.verdict).toBe('holds');
    expect(r.unreached).not.toContain('opener:write_and_wait/done[O]');
    expect(r.unreached).not.toContain('opener:purge/tr/remove[T]');
  });

  it("shows collapse_file()'s own writeback coming too late: the opener purges O before it", () => {
    const r = run(sc, 'collapse_write_and_wait', 'dirty_before_open');
    const s = steps(r);
    const purged = s.findIndex((x) => /^opener:purge\/tr2?\/remove\[O\]$/.test(x));
    expect(purged).toBeGreaterThan(s.indexOf('collapse:nr_thps_inc'));
    expect(s.slice(0, purged)).not.toContain('collapse:write_and_wait/done[O]');
  });

  it('keeps both configs safe when only THPs are yanked, while some opener still drops the THP', () => {
    for (const c of ['dirty_before_open', 'second_opener_writes']) {
      const r = run(sc, 'yank_only_thps', c);
      expect(r.verdict).toBe('holds');
      const drops = ['opener', 'opener1', 'opener2'].flatMap((t) => [`${t}:purge/tr/remove_thp[T]`, `${t}:purge/tr2/remove_thp[T]`]);
      const model = compile(instantiate(sc, 'yank_only_thps', c));
      const exist = drops.filter((d) => model.transitions.some((tr) => `${model.threads[tr.thread]!.name}:${tr.step}` === d));
      expect(exist.length).toBeGreaterThan(0);
      expect(exist.filter((d) => !r.unreached.includes(d)).length).toBeGreaterThan(0);
    }
  });
});

describe('001: collapse vs SEEK_DATA and mincore', () => {
  const sc = seed('001');

  it('reports a hole while the locked hpage is in the page cache but not yet uptodate', () => {
    const s = steps(run(sc, 'original', 'seek'));
    expect(s.indexOf('seeker:seek')).toBeGreaterThan(s.indexOf('collapse:store_hpage'));
    expect(s).toContain('seeker:found_hole');
    if (s.includes('collapse:copy')) expect(s.indexOf('collapse:copy')).toBeGreaterThan(s.indexOf('seeker:seek'));
  });

  it("makes the seeker wait for the fill under Hugh's alternative, yet leaves mincore's transient", () => {
    const seek = run(sc, 'fix_seek_hole_data', 'seek');
    expect(seek.verdict).toBe('holds');
    expect(seek.unreached).not.toContain('seeker:wait_fill');
    expect(seek.unreached).not.toContain('seeker:look_again');
    expect(run(sc, 'fix_seek_hole_data', 'mincore').property).toBe('mincore_sees_page');
  });
});

describe('002: collapse vs a store through a writable PTE', () => {
  const sc = seed('002');

  it('lets the store land between folio_test_dirty() and try_to_unmap(), leaving the data in a clean THP', () => {
    const s = steps(run(sc, 'original', 'writable_pte_clean'));
    expect(s.indexOf('mmap_store:hw_store')).toBeGreaterThan(s.indexOf('collapse:dirty_check'));
    expect(s.indexOf('mmap_store:hw_store')).toBeLessThan(s.indexOf('collapse:unmap'));
    expect(s).toContain('collapse:transfer_dirty');
    expect(s).toContain('collapse:copy_replace');
  });

  it('aborts the collapse once the dirty check follows try_to_unmap()', () => {
    const r = run(sc, 'dirty_check_after_unmap', 'writable_pte_clean');
    expect(r.verdict).toBe('holds');
    expect(r.unreached).not.toContain('collapse:late_scan_fail');
    expect(r.unreached).not.toContain('mmap_store:mkwrite_H');
  });
});

describe('003: ext4 inline data vs page_mkwrite', () => {
  const sc = seed('003');

  it('closes the ABBA cycle through the queued mmap_lock writer when page_mkwrite takes inode_lock', () => {
    const r = run(sc, 'mkwrite_under_inode_lock', 'with_mmap_writer');
    expect(cycle(r)).toEqual([
      'faulter -> inode_lock (write) -> writer',
      'mmap_writer -> mmap_lock (write) -> faulter',
      'writer -> mmap_lock (read) -> mmap_writer',
    ]);
  });

  it('deadlocks the VM_FAULT_RETRY idea only for a fault without FAULT_FLAG_ALLOW_RETRY', () => {
    const ok = run(sc, 'vm_fault_retry', 'with_mmap_writer');
    expect(ok.verdict).toBe('holds');
    expect(ok.unreached).not.toContain('faulter:refault');
    const gup = run(sc, 'vm_fault_retry', 'gup_no_retry');
    expect(gup.verdict).toBe('deadlock');
    expect(gup.waitFor!.find((e) => e.thread === 'faulter')!.waitsFor).toBe('inode_lock (write)');
  });
});

describe('004: hole punch vs page fault', () => {
  const sc = seed('004');

  it('with the page lock alone, re-creates the page from the not-yet-freed block after the invalidation', () => {
    const s = steps(run(sc, 'page_lock', 'uncached'));
    expect(s.indexOf('fault:read_l')).toBeGreaterThan(s.indexOf('punch:unlock_P'));
    expect(s.indexOf('fault:read_l')).toBeLessThan(s.indexOf('punch:free_blocks'));
  });
});

describe('000: the smp_mb() pairing under the memory models', () => {
  const sc = seed('000');

  it('lets an opener and khugepaged miss each other under lkmm-lite once the barrier is gone: store buffering', () => {
    const r = run(sc, 'no_smp_mb', 'open_races_collapse_lkmm');
    expect(r.property).toBe('no_write_into_thp');
    const s = steps(r);
    const inc = s.indexOf('collapse:nr_thps_inc');
    const checked = s.indexOf('collapse:writer_check');
    const saw = s.indexOf('opener:check_thps');
    // The increment is issued, the opener's check reads nr_thps == 0 before it is committed.
    const committed = r.witness.findIndex((w) => w.thread === 'collapse~mem' && w.changes.includes('nr_thps: 0 -> 1'));
    expect(inc).toBeGreaterThanOrEqual(0);
    expect(inc).toBeLessThan(checked);
    expect(saw).toBeGreaterThan(inc);
    expect(committed).toBeGreaterThan(saw);
    expect(r.witness[saw]!.changes).toEqual(['(READ_ONCE(nr_thps) > 0) is false']);
    expect(r.witness[checked]!.changes).toEqual(['(READ_ONCE(i_writecount) > 0) is false']);
  });

  it('keeps the barrier necessary only under lkmm-lite: tso and sc hold without it, and so does a file with another THP', () => {
    for (const c of ['open_races_collapse', 'open_races_collapse_tso', 'other_thp_present_lkmm']) expect(run(sc, 'no_smp_mb', c).verdict).toBe('holds');
    expect(run(sc, 'original', 'open_races_collapse_lkmm').verdict).toBe('holds');
  });
});

describe('001: shmem reads against the unfrozen refcount check', () => {
  const sc = seed('001');
  it('sends a read that took its reference too late back to the page cache, and makes the collapse give up on one that came first', () => {
    const r = run(sc, 'uptodate_before_insert', 'shmem_read');
    expect(r.verdict).toBe('holds');
    expect(r.unreached).not.toContain('shmem_reader:again_P');
    expect(r.unreached).not.toContain('collapse:scan_page_count');
    expect(run(sc, 'original', 'shmem_read').unreached).not.toContain('shmem_reader:retry_P');
  });
});

describe("002: Zi's open-for-write bail-out", () => {
  it('closes the writable-PTE hole by itself: a writable shared mapping keeps the file open for write', () => {
    const r = run(seed('002'), 'open_for_write_bailout', 'writable_pte_clean');
    expect(r.verdict).toBe('holds');
    expect(r.unreached).not.toContain('collapse:open_scan_fail');
    expect(r.unreached).toContain('collapse:copy_replace');
  });
});

describe('003: the writepages ideas', () => {
  const sc = seed('003');
  it('deadlocks writeback under inode_lock against direct reclaim in write(2), as Jan says', () => {
    const r = run(sc, 'writepages_under_inode_lock', 'with_writeback');
    expect(cycle(r)).toEqual([
      'flusher -> inode_lock (write) -> writer',
      'writer -> mutex folio_writeback -> flusher',
    ]);
  });
  it("makes Baokun's retry safe for get_user_pages() once every caller allows it", () => {
    const r = run(sc, 'always_retry', 'gup_no_retry');
    expect(r.verdict).toBe('holds');
    expect(r.unreached).not.toContain('faulter:refault');
  });
});

describe("004: Linus's range of page locks", () => {
  it('protects a cached page but not a hole: the fault reads the block the punch has not freed yet', () => {
    const sc = seed('004');
    expect(run(sc, 'range_page_locks', 'cached').verdict).toBe('holds');
    const s = steps(run(sc, 'range_page_locks', 'uncached'));
    expect(s.indexOf('fault:read_l')).toBeGreaterThan(s.indexOf('punch:range_find'));
    expect(s.indexOf('fault:read_l')).toBeLessThan(s.indexOf('punch:free_blocks'));
  });
});

// The `why` of every expectation quotes the mail it models; the quotes must be the mail's words.
const SEEDS_DIR = sharedPath('seeds');
const norm = (t: string): string =>
  t
    .replace(/[>"'\u201c\u201d\u2018\u2019]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe.skipIf(!existsSync(SEEDS_DIR))('expected verdicts quote the seed mails', () => {
  it.each(seeds.map((s) => [s.id, s] as const))('every quotation in the whys of %s is in its seed mail', (_id, sc) => {
    const file = readdirSync(SEEDS_DIR).find((f) => f.startsWith(`${sc.id.slice(0, 3)}_`));
    expect(file).toBeDefined();
    const mail = norm(readFileSync(`${SEEDS_DIR}/${file}`, 'utf8'));
    let quoted = 0;
    for (const x of sc.expect) {
      for (const m of x.why.matchAll(/"([^"]{12,})"/g)) {
        for (const piece of m[1]!.split('...').map((p) => norm(p)).filter((p) => p.length >= 8)) {
          quoted++;
          expect(mail, `${x.variant} x ${x.config}`).toContain(piece);
        }
      }
    }
    expect(quoted).toBeGreaterThan(0);
  });
});
