// `--scenario-draft [FILE]`: an option whose value is optional, taken out of argv before
// parseArgs sees it, and a draft written to stdout or to a new file, never over one.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeScenarioDraft, writeScenarioDraft } from '../cli/race-draft.ts';
import { main } from '../cli/main.ts';
import { closeDb, openDb } from '../db/connection.ts';
import { replaceRaces } from '../db/knowledge.ts';
import type { CliIO } from '../cli/command.ts';
import type { RaceRecord } from '../domain/knowledge/types.ts';
import { raceRecord } from './helpers/race-record.ts';
import { parseScenario } from '../sim/index.ts';

describe('takeScenarioDraft', () => {
  it('reads the option with and without its file, wherever it stands', () => {
    expect(takeScenarioDraft(['r-1', '--json'])).toEqual({ argv: ['r-1', '--json'], draft: null });
    expect(takeScenarioDraft(['r-1', '--scenario-draft'])).toEqual({ argv: ['r-1'], draft: { file: null } });
    expect(takeScenarioDraft(['r-1', '--scenario-draft', 'x.yaml'])).toEqual({ argv: ['r-1'], draft: { file: 'x.yaml' } });
    expect(takeScenarioDraft(['r-1', '--scenario-draft=x.yaml', '--db', 'a.db'])).toEqual({ argv: ['r-1', '--db', 'a.db'], draft: { file: 'x.yaml' } });
    expect(takeScenarioDraft(['r-1', '--scenario-draft', '-'])).toEqual({ argv: ['r-1'], draft: { file: null } });
    // the word after the option is the race id when nothing else could be
    expect(takeScenarioDraft(['--scenario-draft', 'r-1'])).toEqual({ argv: ['r-1'], draft: { file: null } });
    expect(takeScenarioDraft(['--scenario-draft', '--db', 'a.db', 'r-1'])).toEqual({ argv: ['--db', 'a.db', 'r-1'], draft: { file: null } });
  });
});

describe('writeScenarioDraft', () => {
  const race: RaceRecord = raceRecord({ functions: ['f2fs_gc'] });
  const io = (): CliIO & { stdout: string; stderr: string } => {
    const o = { stdout: '', stderr: '', isTTY: false, out: (s: string) => void (o.stdout += s), err: (s: string) => void (o.stderr += s), writeBytes: () => {} };
    return o;
  };

  it('prints the draft without a file, and writes a new file with one, refusing to overwrite', () => {
    const a = io();
    writeScenarioDraft(race, null, a);
    expect(parseScenario(a.stdout, 'stdout.yaml').id).toBe('draft-r-0000abcd');
    const dir = mkdtempSync(join(tmpdir(), 'lg-race-draft-'));
    try {
      const file = join(dir, 'draft.yaml');
      const b = io();
      writeScenarioDraft(race, file, b);
      expect(readFileSync(file, 'utf8')).toBe(a.stdout);
      expect(b.stdout).toBe('');
      expect(b.stderr).toContain(`wrote ${file}`);
      writeFileSync(file, 'finished by hand\n');
      expect(() => writeScenarioDraft(race, file, io())).toThrow(/exists/);
      expect(readFileSync(file, 'utf8')).toBe('finished by hand\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what `loregraph race <id> --scenario-draft [FILE]` does with a stored race', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-race-draft-cli-'));
    try {
      const dbPath = join(dir, 'k.db');
      const db = openDb(dbPath);
      db.sql.transaction(() => replaceRaces(db, [], [race]))();
      closeDb(db);
      const scenarios = join(dir, 'scenarios');
      mkdirSync(scenarios);
      const printed = io();
      expect(await main(['race', race.id, '--db', dbPath, '--scenarios', scenarios, '--scenario-draft'], printed)).toBe(0);
      expect(parseScenario(printed.stdout, 'x.yaml').threads.get('f2fs_gc')?.fn).toEqual({ file: 'TODO', func: 'f2fs_gc' });
      // a scenario that models f2fs_gc() says where it lives (and one that does not parse is skipped)
      writeFileSync(join(scenarios, 'gc.yaml'), 'id: gc\ntitle: gc\nthreads:\n  t:\n    fn: fs/f2fs/gc.c:f2fs_gc\n    steps: [ { id: s, do: [] } ]\nconfigs: { c: { run: [t] } }\n');
      writeFileSync(join(scenarios, 'broken.yaml'), 'id: [\n');
      const located = io();
      expect(await main(['race', race.id, '--db', dbPath, '--scenarios', scenarios, '--scenario-draft'], located)).toBe(0);
      expect(parseScenario(located.stdout, 'x.yaml').threads.get('f2fs_gc')?.fn).toEqual({ file: 'fs/f2fs/gc.c', func: 'f2fs_gc' });
      const file = join(dir, 'out.yaml');
      const written = io();
      expect(await main(['race', race.id, '--scenario-draft', file, '--db', dbPath, '--scenarios', scenarios], written)).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(located.stdout);
      expect(await main(['race', race.id, '--scenario-draft', file, '--db', dbPath], io())).toBe(2);
      expect(await main(['race', 'r-nosuchid', '--scenario-draft', '--db', dbPath], io())).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
