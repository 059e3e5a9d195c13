// Witnesses that tell the story: steps that touch nothing the failure depends on are folded
// (the full witness still replays), the breaking step is marked, the failed expression comes
// with its values; and `sim replay` renders a witness file (JSON from `sim run --json`, or
// the plain text form, whose parser is property-tested here).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimError } from '../sim/errors.ts';
import {
  formatWitnessText,
  loadScenario,
  parseScenario,
  parseWitnessFile,
  renderOutcome,
  renderRun,
  renderWitnessFile,
  replayWitnessFile,
  runScenario,
  type Outcome,
  type WitnessFile,
} from '../sim/index.ts';

const seed = (id: string) => loadScenario(id);
const shown = (o: Outcome): string[] => o.story.shown.map((i) => `${o.witness[i]!.thread}:${o.witness[i]!.step}`);
const breaking = (o: Outcome): string => `${o.witness[o.story.breaking!]!.thread}:${o.witness[o.story.breaking!]!.step}`;

describe('the story of a witness', () => {
  it("tells 000's lost write in 13 of its 41 steps: the collapse passes its checks and counts the THP, the opener purges the dirty folio", () => {
    const r = runScenario(seed('000-thp-write-open-purge'), { config: 'dirty_before_open' });
    const o = r.outcomes[0]!;
    expect(o.witness.length).toBe(41);
    expect(shown(o)).toEqual([
      'collapse:scan_check',
      'collapse:trylock_T',
      'collapse:locked_T',
      'collapse:dirty_check',
      'collapse:nr_thps_inc',
      'collapse:writer_check',
      'opener:check_thps',
      'opener:purge/try[O]',
      'opener:purge/took[O]',
      'opener:purge/wb_busy[O]',
      'opener:purge/tr/drop[O]',
      'opener:purge/tr/remove[O]',
      // The second truncate pass had nothing left to drop: a decision that could have mattered.
      'opener:purge/tr2/drop[O]',
    ]);
    expect(breaking(o)).toBe('opener:purge/tr/remove[O]');
    // Only the part of the final that is false, with the values that make it false.
    expect(o.story.failed).toEqual({
      expr: '(((w_T == 0) || (T.present && (T.data == w_T))) || (disk_T == w_T)) && (((w_O == 0) || (O.present && (O.data == w_O))) || (disk_O == w_O))',
      values: { w_O: 1, 'O.present': 0, 'O.data': 0, disk_O: 0 },
      text: 'false: ((w_O == 0) || (O.present && (O.data == w_O))) || (disk_O == w_O) with w_O = 1, O.present = 0, O.data = 0, disk_O = 0',
    });
  });

  it("tells Pedro's race: the writeback finds O clean, the other opener dirties it, then the truncate drops it", () => {
    const o = runScenario(seed('000-thp-write-open-purge'), { variant: 'writeback_before_purge', config: 'second_opener_writes' }).outcomes[0]!;
    const s = shown(o);
    const b = breaking(o);
    const victim = b.split(':')[0]!;
    const writer = victim === 'opener1' ? 'opener2' : 'opener1';
    expect(b).toMatch(/^opener[12]:purge\/tr2?\/remove\[O\]$/);
    const waited = s.indexOf(`${victim}:write_and_wait/tagged[O]`);
    const dirtied = s.indexOf(`${writer}:write/copy`);
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(dirtied).toBeGreaterThan(waited);
    expect(s.indexOf(b)).toBeGreaterThan(dirtied);
    expect(s.length).toBeLessThan(o.witness.length / 2);
  });

  it('marks the step that closes a deadlock cycle, and keeps the lock acquisitions of the cycle', () => {
    const o = runScenario(seed('003-ext4-inline-mkwrite'), { variant: 'mkwrite_under_inode_lock', config: 'with_mmap_writer' }).outcomes[0]!;
    expect(shown(o)).toEqual(['writer:lock_inode', 'writer:lock_inode', 'faulter:mm_read', 'faulter:lock_inode', 'mmap_writer:mm_write']);
    expect(breaking(o)).toBe('mmap_writer:mm_write');
    expect(o.story.failed).toBeUndefined();
  });

  it("gives a failed assert's condition with the values it read there", () => {
    const o = runScenario(loadScenario('refcount-freeze', 'sim/examples'), { variant: 'unfrozen_check', config: 'race' }).outcomes[0]!;
    expect(o.story.failed).toEqual({ expr: 'seen != 0', values: { seen: 0 }, text: 'seen != 0 with seen = 0' });
    expect(breaking(o)).toBe('reader:check');
  });

  it('folds the steps of a thread that touches nothing the failure reads, though the witness must run them', () => {
    const sc = parseScenario(
      `
id: noise
title: noise
vars: { x: 0, y: 0, noise: 0 }
threads:
  a: { fn: a.c:a, steps: [ { id: r, do: ["y = x"] }, { id: w, do: ["x = y + 1"] } ] }
  b: { fn: a.c:b, steps: [ { id: r, do: ["y = x"] }, { id: w, do: ["x = y + 1"] } ] }
  n: { fn: a.c:n, steps: [ { id: n1, do: ["noise = 1"] }, { id: n2, do: ["noise = 2"] }, { id: n3, do: ["noise = 3"] } ] }
finals: [ { name: both, expr: "x == 2" } ]
configs: { c: { run: [a, b, n] } }
`,
      'noise.yaml',
    );
    const o = runScenario(sc).outcomes[0]!;
    expect(o.witness.map((w) => w.thread)).toContain('n');
    // The lost update itself: both read 0, both write 1 (the second write changes nothing, and matters).
    expect(shown(o)).toEqual(['a:r', 'b:r', 'a:w', 'b:w']);
    expect(breaking(o)).toBe('b:w');
    const text = renderRun(runScenario(sc));
    expect(text).toContain('... 3 folded: n:n1, n:n2, n:n3');
  });
});

describe('runs as text', () => {
  it('prints every outcome, the breaking step marked and the folded steps counted', () => {
    const text = renderRun(runScenario(loadScenario('two-outcomes', 'sim/examples')));
    expect(text).toContain('2 outcomes: deadlock, no_lost_write');
    expect(text).toContain('outcome 1 of 2\ndeadlock: deadlock [deadlock]');
    expect(text).toMatch(/ {2}>> {2}\d+\. flusher: folio .*<- closes the cycle/);
    expect(text).toMatch(/ {2}>> {2}\d+\. flusher: clean .*<- breaks no_lost_write/);
    expect(text).toContain('  fails: (!written || (disk == 1)) || A.dirty with written = 1, disk = 0, A.dirty = 0');
  });
});

describe('sim replay: witness files', () => {
  const sc = seed('000-thp-write-open-purge');
  const load = () => sc;

  it('replays what `sim run --json` prints, every outcome, to what it recorded', () => {
    const report = runScenario(sc, { variant: 'writeback_before_purge', config: 'second_opener_writes' });
    const file = parseWitnessFile(JSON.stringify(report, null, 2), 'run.json');
    expect(file.witnesses.length).toBe(report.outcomes.length);
    const res = renderWitnessFile(file, load);
    expect(res.ok).toBe(true);
    expect(res.witnesses.map((w) => `${w.verdict} ${w.property}`)).toEqual(report.outcomes.map((o) => `${o.verdict} ${o.property}`));
    expect(res.text).toContain('replays to violated (no_lost_write), as recorded');
    expect(res.text).toContain('<- breaks no_lost_write');
  });

  it('tells every outcome of a run as `sim run` told it, the message of the very check that failed included', () => {
    // Each of these steps carries two checks of the same property: the reader ends holding
    // sem for read, not for write; the mutex_lock sleeps holding a spinlock, not inside RCU.
    const disc = loadScenario('discipline', 'sim/examples');
    for (const [variant, config] of [['extra_down_read', 'rw'], ['mutex_under_spinlock', 'atomic']] as const) {
      const report = runScenario(disc, { variant, config });
      const res = renderWitnessFile(parseWitnessFile(JSON.stringify(report), 'run.json'), () => disc);
      for (const o of report.outcomes) expect(res.text).toContain(renderOutcome(o).join('\n'));
    }
    const run000 = runScenario(sc, { config: 'dirty_before_open' });
    const res000 = renderWitnessFile(parseWitnessFile(JSON.stringify(run000), 'run.json'), load);
    expect(res000.text).toContain("  final assertion 'no_lost_write' fails\n");
    expect(res000.text).toContain(renderOutcome(run000.outcomes[0]!).join('\n'));
  });

  it('reads the text form, and says when a witness does not reach what it recorded or does not replay', () => {
    const text = `# a witness typed by hand
scenario 000-thp-write-open-purge
variant original
config dirty_before_open
expect deadlock
step collapse scan_check
step opener later
expect violated no_lost_write
step opener later
step collapse scan_check
step collapse replace
`;
    const res = renderWitnessFile(parseWitnessFile(text, 'w.txt'), load);
    expect(res.ok).toBe(false);
    expect(res.witnesses[0]).toMatchObject({ verdict: 'holds', matches: false });
    expect(res.witnesses[1]!.error).toMatch(/witness step 3: thread 'collapse' is at 'trylock_T', not 'replace'/);
    expect(res.text).toContain('DOES NOT MATCH: recorded deadlock, replays to holds');
    expect(res.text).toContain('DOES NOT REPLAY');
  });

  it('reads a file from disk, finding the scenario by id or by a path next to the witness', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-replay-'));
    const report = runScenario(loadScenario('two-outcomes', 'sim/examples'));
    writeFileSync(join(dir, 'run.json'), JSON.stringify(report));
    const byId = replayWitnessFile(join(dir, 'run.json'));
    expect(byId.ok).toBe(true);
    expect(byId.scenario).toBe('two-outcomes');
    writeFileSync(join(dir, 'w.txt'), `scenario ${process.cwd()}/sim/examples/when-do.yaml\nvariant split\nexpect violated no_hidden_store\nstep store check\nstep unmap clear\nstep unmap transfer\nstep store write\n`);
    expect(replayWitnessFile(join(dir, 'w.txt')).ok).toBe(true);
    expect(() => replayWitnessFile(join(dir, 'missing.json'))).toThrow(SimError);
  });

  it('refuses a file that is not a witness, with its line', () => {
    expect(() => parseWitnessFile('scenario x\nstep a\n', 'w.txt')).toThrow("w.txt:2:1: expected 'step <thread> <step> [<branch>]'");
    expect(() => parseWitnessFile('{"scenario": "x"}', 'w.json')).toThrow("w.json:1:1: a witness file needs 'witness' (or 'outcomes')");
    expect(() => parseWitnessFile('variant v\nstep a b\n', 'w.txt')).toThrow("a witness file needs a 'scenario' line");
  });
});

// The text form round-trips through its parser, and the parser fails only with SimError.
const word = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./[\]-]{0,12}$/);
const fileArb: fc.Arbitrary<WitnessFile> = fc.record({
  scenario: word,
  variant: word,
  config: fc.option(word, { nil: undefined }),
  witnesses: fc.array(
    fc.record({
      verdict: fc.constantFrom('holds', 'violated', 'deadlock') as fc.Arbitrary<'holds'>,
      property: fc.option(word, { nil: undefined }),
      steps: fc.array(fc.record({ thread: word, step: word, branch: fc.option(word, { nil: undefined }) }), { maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
}).map((w) => JSON.parse(JSON.stringify(w)) as WitnessFile);

describe('witness file parser (property tests)', () => {
  it('reads back what formatWitnessText writes', () => {
    fc.assert(
      fc.property(fileArb, (w) => {
        expect(parseWitnessFile(formatWitnessText(w), 'w.txt')).toEqual(w);
      }),
      { numRuns: 300 },
    );
  });

  it('reads back the JSON form of a single witness', () => {
    fc.assert(
      fc.property(fileArb, (w) => {
        const one = w.witnesses[0]!;
        const json = { scenario: w.scenario, variant: w.variant, ...(w.config !== undefined ? { config: w.config } : {}), verdict: one.verdict, ...(one.property !== undefined ? { property: one.property } : {}), witness: one.steps };
        expect(parseWitnessFile(JSON.stringify(json), 'w.json')).toEqual({ ...w, witnesses: [one] });
      }),
      { numRuns: 200 },
    );
  });

  it('either parses arbitrary text or throws a SimError naming the file', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: fc.constantFrom(...'scenario step expect variant config {}[]":, \n#ab1'.split('')) }), (text) => {
        try {
          parseWitnessFile(text, 'f.txt');
        } catch (e) {
          expect(e).toBeInstanceOf(SimError);
          expect((e as Error).message).toMatch(/^f\.txt:\d+:1: /);
        }
      }),
      { numRuns: 500 },
    );
  });
});
