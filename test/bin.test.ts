// bin/loregraph.js runs the CLI from a cached bundle of cli/main.ts (else through tsx).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/shared.ts';

const BIN = join(REPO_ROOT, 'bin', 'loregraph.js');

describe('bin/loregraph.js', () => {
  it('gives a user error raised inside a command its registry exit code, from the bundle it keeps current', () => {
    // USAGE exits 2; were LoregraphError loaded twice (the bundle's and tsx's), cli/main.ts
    // would not recognise the command's error and exit 1.
    for (let run = 0; run < 2; run++) {
      const r = spawnSync(process.execPath, [BIN, 'serve', '--port', '70000'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe("loregraph: --port must be 0..65535, got '70000'\n");
      expect(r.status).toBe(2);
    }
    const manifest = join(REPO_ROOT, 'node_modules', '.cache', 'loregraph', 'cli-main-ts.json');
    const bundle = (JSON.parse(readFileSync(manifest, 'utf8')) as { bundle: string }).bundle;
    expect(existsSync(join(REPO_ROOT, 'node_modules', '.cache', 'loregraph', bundle))).toBe(true);
  }, 120_000);
});
