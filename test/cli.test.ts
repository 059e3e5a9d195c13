import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';

describe('loregraph command line', () => {
  it('prints usage and exits 2 when no command is given', async () => {
    const io = captureIO();
    expect(await main([], io)).toBe(2);
    expect(io.stdout()).toMatch(/usage: loregraph <command>/);
  });

  it('rejects an unknown command with a one-line error and exit code 2', async () => {
    const io = captureIO();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr()).toBe("loregraph: unknown command 'frobnicate' (try: ingest, stats, thread, export, serve, sim, series, fix-status, stable, stable-sync, reindex, compact, am, diff, dig, search, watch, races, race, fix, knowledge)\n");
  });
});
