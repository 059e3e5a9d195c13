import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';


const FIX = 'test/fixtures/sim';
const tmp = mkdtempSync(join(tmpdir(), 'loregraph-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loregraph sim', () => {
  it('lists scenarios with their variants and configs as JSON', async () => {
    const c = captureIO();
    expect(await main(['sim', 'list', '--json', '--dir', FIX], c)).toBe(0);
    const list = JSON.parse(c.stdout()) as { id: string; variants: { name: string; fix: string }[]; configs: { name: string }[] }[];
    const lu = list.find((s) => s.id === 'lost-update')!;
    expect(lu.variants).toEqual([
      { name: 'original', fix: '', description: 'the code as it is' },
      { name: 'locked', fix: '[PATCH] counter: take the mutex around the increment' },
    ]);
    expect(lu.configs).toEqual([{ name: 'two' }]);
  });

  it('runs a scenario and prints the contract JSON', async () => {
    const c = captureIO();
    expect(await main(['sim', 'run', 'lost-update', '--config', 'two', '--json', '--dir', FIX], c)).toBe(0);
    const r = JSON.parse(c.stdout()) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['verdict', 'property', 'states', 'transitions', 'ms', 'witness', 'unreached']));
    expect(r.verdict).toBe('violated');
    expect(r.property).toBe('both_counted');
    expect((r.witness as Record<string, unknown>[])[0]).toEqual({ thread: 'a', step: 'load', function: 'counter_inc', file: 'lib/counter.c', changes: [] });
  });

  it('runs a scenario given as a file path and prints the witness for people', async () => {
    const c = captureIO();
    expect(await main(['sim', 'run', `${FIX}/philosophers.yaml`], c)).toBe(0);
    expect(c.stdout()).toMatch(/^philosophers \/ original \/ three: deadlock \(deadlock\)\n/);
    expect(c.stdout()).toContain('p0 -> mutex f1 -> p1');
  });

  it('checks every expectation and exits 0 when all hold', async () => {
    const c = captureIO();
    expect(await main(['sim', 'check', '--dir', FIX], c)).toBe(0);
    expect(c.stdout()).toMatch(/10\/10 expectations met\n$/);
  });

  it('exits 1 from check when a verdict differs from the expectation', async () => {
    const wrong = readFileSync(`${FIX}/lost-update.yaml`, 'utf8').replace('verdict: holds', 'verdict: violated');
    writeFileSync(join(tmp, 'wrong.yaml'), wrong);
    const c = captureIO();
    expect(await main(['sim', 'check', '--dir', tmp, '--json'], c)).toBe(1);
    const rep = JSON.parse(c.stdout()) as { ok: boolean; rows: { variant: string; ok: boolean; got: string }[] };
    expect(rep.ok).toBe(false);
    expect(rep.rows.map((r) => [r.variant, r.ok, r.got])).toEqual([['original', true, 'violated'], ['locked', false, 'holds']]);
  });

  it('shows both sets of outcomes on a check line where the expectation lists them', async () => {
    const yaml = readFileSync('sim/examples/discipline.yaml', 'utf8');
    const wrong = yaml.replace('outcomes: [deadlock, lock_held_at_exit]', 'outcomes: [deadlock]');
    expect(wrong).not.toBe(yaml);
    const dir = mkdtempSync(join(tmp, 'outcomes-'));
    writeFileSync(join(dir, 'discipline.yaml'), wrong);
    const c = captureIO();
    expect(await main(['sim', 'check', '--dir', dir], c)).toBe(1);
    expect(c.stdout()).toContain(
      'FAIL discipline / extra_down_read / rw: expected deadlock, outcomes deadlock, got deadlock (deadlock), outcomes deadlock, lock_held_at_exit  [',
    );
    expect(c.stdout()).toMatch(/^ok {3}discipline \/ original \/ rw: expected holds, got holds {2}\[/m);
  });

  it('reports an invalid scenario with its position and the scenario exit code', async () => {
    writeFileSync(join(tmp, 'bad.yaml'), 'id: bad\ntitle: b\nthreads:\n  t: { fn: a.c:t, steps: [ { id: s, do: ["q = 1"] } ] }\nconfigs: { c: { run: [t] } }\n');
    const c = captureIO();
    expect(await main(['sim', 'run', join(tmp, 'bad.yaml')], c)).toBe(1);
    expect(c.stderr()).toBe(`loregraph: ${join(tmp, 'bad.yaml')}:4:43: unknown name 'q' (not a variable, local or folio) in 'q = 1'\n`);
  });

  it('lists a scenario that does not load with its error, and exits 1', async () => {
    writeFileSync(join(tmp, 'broken.yaml'), 'id: broken\ntitle: b\nthreads: {}\n');
    const c = captureIO();
    expect(await main(['sim', 'list', '--dir', tmp], c)).toBe(1);
    expect(c.stdout()).toContain(`broken: DOES NOT LOAD: ${join(tmp, 'broken.yaml')}:1:1: a scenario needs 'configs'`);
  });

  it('rejects an unknown scenario, variant and a bad bound', async () => {
    const a = captureIO();
    expect(await main(['sim', 'run', 'nope', '--dir', FIX], a)).toBe(1);
    expect(a.stderr()).toMatch(/^loregraph: no scenario 'nope'/);
    const b = captureIO();
    expect(await main(['sim', 'run', 'lost-update', '--variant', 'zzz', '--dir', FIX], b)).toBe(1);
    expect(b.stderr()).toBe("loregraph: lost-update: no variant 'zzz' (have: original, locked)\n");
    const d = captureIO();
    expect(await main(['sim', 'run', 'lost-update', '--max-states', '-3', '--dir', FIX], d)).toBe(2);
  });

  it('exports Promela for a scenario', async () => {
    const c = captureIO();
    expect(await main(['sim', 'export', 'lost-update', '--variant', 'locked', '--config', 'two', '--dir', FIX], c)).toBe(0);
    expect(c.stdout()).toContain('proctype');
  });

  it('prints every outcome of a run as a story, the breaking step marked', async () => {
    const c = captureIO();
    expect(await main(['sim', 'run', '000-thp-write-open-purge', '--variant', 'original'], c)).toBe(0);
    const out = c.stdout();
    expect(out).toMatch(/^000-thp-write-open-purge \/ original \/ dirty_before_open: violated \(no_lost_write\)\n/);
    expect(out).toMatch(/witness: \d+ steps, \d+ folded/);
    expect(out).toContain('fails: false:');
  });

  it('replays a witness that sim run --json printed, and exits 1 on one that does not reach its verdict', async () => {
    const ran = captureIO();
    expect(await main(['sim', 'run', '000-thp-write-open-purge', '--variant', 'original', '--json'], ran)).toBe(0);
    const file = join(tmp, 'witness.json');
    writeFileSync(file, ran.stdout());
    const ok = captureIO();
    expect(await main(['sim', 'replay', file], ok)).toBe(0);
    expect(ok.stdout()).toContain('000-thp-write-open-purge / original / dirty_before_open');
    expect(ok.stdout()).toContain('violated: no_lost_write');
    // the same steps cut short no longer reach the lost write
    const cut = JSON.parse(ran.stdout()) as { witness: unknown[]; outcomes?: { witness: unknown[] }[] };
    cut.witness = cut.witness.slice(0, 3);
    for (const o of cut.outcomes ?? []) o.witness = o.witness.slice(0, 3);
    const short = join(tmp, 'short.json');
    writeFileSync(short, JSON.stringify(cut));
    const bad = captureIO();
    expect(await main(['sim', 'replay', short], bad)).toBe(1);
  });

  it('says what is wrong with a replay file that cannot be read', async () => {
    const c = captureIO();
    expect(await main(['sim', 'replay', join(tmp, 'missing.json')], c)).toBeGreaterThan(0);
    expect(c.stderr()).toMatch(/missing\.json/);
  });
});
