import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { samplePaths } from '../ingest/seed.ts';
import { main } from '../cli/main.ts';
import type { CliIO } from '../cli/command.ts';
import { formatFixStatus, formatMatrix } from '../cli/stable-format.ts';
import type { FixStatus, StableMatrix } from '../db/stable.ts';
import type { BranchStatus } from '../domain/patch/stable-status.ts';

// The embedded sample archive, ingested with the analyzers every ingest runs, read back
// through the CLI contract of issue 4.
let dir: string;
let dbPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-stable-cli-'));
  dbPath = join(dir, 'sample.db');
  const db = openDb(dbPath);
  try {
    await ingestPaths(db, samplePaths(), { worker: false });
  } finally {
    closeDb(db);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += s), err: (s) => void (err += s), writeBytes: () => undefined, isTTY: false };
  const code = await main([...argv, '--db', dbPath], io);
  return { code, out, err };
}

const FIX = 'f53fddcf4fb819e21ff25072bc8f1ae3a54e0755';

describe('loregraph fix-status', () => {
  it('gives each branch its status with the messages that justify it', async () => {
    const r = await run('fix-status', FIX, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { fix: Record<string, unknown>; branches: Record<string, { status: string; evidence: string[]; rc: string | null; version: string | null }> };
    expect(j.fix).toMatchObject({ upstreamCommit: FIX, patchMessageId: '20240904-filemap-recheck-v1-1-ines@example.org', patchMatch: 'subject+author' });
    // (No stable mail of the sample carries the patch's diff: the join is by subject and author, and says so.)
    expect(Object.fromEntries(Object.entries(j.branches).map(([b, s]) => [b, [s.status, s.evidence, s.rc ?? s.version]]))).toEqual({
      '6.12': ['in-review', ['20241001-6.12-013-gregor@example.org'], '6.12.2-rc1'],
      // "Cc: stable # 6.6+" on 2024-09-03: 6.6 and 6.10 were the branches maintained then.
      '6.10': ['wanted', ['20240904-filemap-recheck-v1-1-ines@example.org'], null],
      '6.6': ['released', ['2024101509-CVE-2024-90001-cve-desk@example.org'], '6.6.54'],
      '6.1': ['backport-posted', ['20240925-backport-6.1-ines@example.org'], null],
    });
  });

  it('finds the fix from the original patch mail and from an abbreviated commit', async () => {
    const a = JSON.parse((await run('fix-status', '<20240904-filemap-recheck-v1-1-ines@example.org>', '--json')).out) as { fix: { upstreamCommit: string } };
    const b = JSON.parse((await run('fix-status', 'f53fddcf4fb8', '--json')).out) as { fix: { upstreamCommit: string } };
    expect([a.fix.upstreamCommit, b.fix.upstreamCommit]).toEqual([FIX, FIX]);
  });

  it('marks an AUTOSEL pick that a maintainer asked to drop as not needed', async () => {
    const j = JSON.parse((await run('fix-status', 'f931b6620df9', '--json')).out) as { branches: Record<string, { status: string; evidence: string[] }> };
    expect(j.branches['6.12']).toMatchObject({ status: 'not-needed', evidence: ['20241006-autosel-nak@example.org'] });
  });

  it('prints a release once, and no dates a mail did not give', () => {
    const at = (iso: string): number => Date.parse(iso);
    const branch = (b: Partial<BranchStatus>): BranchStatus => ({
      status: 'queued', evidence: [], since: null, firstDate: null, lastDate: null, rc: null, version: null, base: null, release: { state: 'unknown' }, history: [], ...b,
    });
    const f: FixStatus = {
      fix: { key: 'k', upstreamCommit: null, title: 'widget: fix it', author: null, patchMessageId: null, patchMatch: null },
      links: [],
      branches: {
        // A CVE mail has no date.
        '7.1': branch({ status: 'released', version: '7.1.3', release: { state: 'released', version: '7.1.3', source: 'CVE announcement' } }),
        '6.6': branch({ status: 'queued', since: at('2024-01-06'), firstDate: at('2023-12-11'), lastDate: at('2024-01-06') }),
        '6.1': branch({ status: 'backport-posted', since: at('2024-11-25'), firstDate: at('2024-11-25'), lastDate: at('2024-11-25') }),
      },
    };
    expect(formatFixStatus(f).split('\n').filter((l) => /^ {2}\d/.test(l))).toEqual([
      '  7.1    released in 7.1.3 (CVE announcement)',
      '  6.6    queued since 2024-01-06; release unknown; first 2023-12-11, last 2024-01-06',
      '  6.1    backport-posted since 2024-11-25; release unknown; all on 2024-11-25',
    ]);
  });

  it('says clearly when nothing is known', async () => {
    const r = await run('fix-status', 'no-such-message@example.org', '--json');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no stable history for no-such-message@example.org/);
  });
});

describe('loregraph stable', () => {
  it('lists every fix seen for a branch with its status', async () => {
    const j = JSON.parse((await run('stable', '6.12', '--json')).out) as { branch: string; fixes: { fix: { title: string }; status: { status: string } }[] };
    expect(j.branch).toBe('6.12');
    expect(j.fixes.map((f) => [f.fix.title, f.status.status])).toEqual([
      ['mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()', 'in-review'],
      ['mm/swap: add swap_cache_get_folios() for a range of entries', 'in-review'],
      ['mm/swap: drop the now unused swap_cache_lookup_one()', 'not-needed'],
    ]);
  });

  it('shows every fix against every branch with --matrix, and only some columns with --branches', async () => {
    const j = JSON.parse((await run('stable', '--matrix', '--json')).out) as {
      branches: { branch: string; counts: Record<string, number> }[];
      fixes: { fix: { title: string }; cells: Record<string, { status: string }> }[];
    };
    expect(j.branches.map((b) => b.branch)).toEqual(['6.12', '6.10', '6.6', '6.1']);
    expect(j.branches[0]?.counts).toEqual({ 'in-review': 2, 'not-needed': 1 });
    expect(j.fixes.find((f) => f.fix.title.startsWith('mm/filemap'))?.cells['6.6']?.status).toBe('released');
    const text = (await run('stable', '--matrix', '--branches', '6.1.y,6.6')).out;
    expect(text.split('\n')[0]).toMatch(/^commit\s+6\.6\s+6\.1\s+title$/);
    expect(text).toContain('1 fixes x 2 branches');
    expect((await run('stable', '6.1', '--branches', '6.1')).code).toBe(2);
  });

  it('fits a terminal: the busiest branches get a column, the others are named under the matrix', () => {
    const fix = (title: string, ...branches: string[]): StableMatrix['fixes'][number] => ({
      fix: { key: title, upstreamCommit: null, title, author: null, patchMessageId: null, patchMatch: null },
      cells: Object.fromEntries(branches.map((b) => [b, { status: 'autosel', since: null, evidence: [], release: { state: 'unknown' } }])),
    });
    const m: StableMatrix = {
      branches: [
        { branch: '6.12', counts: { autosel: 1 }, synced: null },
        { branch: '6.6', counts: { autosel: 3 }, synced: null },
        { branch: '6.1', counts: { autosel: 2 }, synced: null },
        { branch: '5.4', counts: { autosel: 1 }, synced: null },
      ],
      fixes: [fix('only on the newest branch', '6.12'), fix('a longterm fix', '6.6', '6.1'), fix('another one', '6.6', '6.1', '5.4'), fix('a third', '6.6')],
    };
    // Commit, two columns of five and a title of forty.
    const text = formatMatrix(m, 64);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^commit\s+6\.6\s+6\.1\s+title$/);
    expect(lines.filter((l) => l.startsWith('-')).map((l) => l.slice(24))).toEqual(['a longterm fix', 'another one', 'a third']);
    expect(text).toContain('3 fixes x 2 branches');
    expect(text.replace(/\s+/g, ' ')).toContain('2 quieter branches have no column at 64 columns (1 fixes are only there): 6.12 5.4;');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(64);
    // Piped: every branch, every fix.
    expect(formatMatrix(m).split('\n')[0]).toMatch(/^commit\s+6\.12\s+6\.6\s+6\.1\s+5\.4\s+title$/);
  });

  it('rejects something that is not a branch', async () => {
    const r = await run('stable', 'mm-stable');
    expect(r.code).toBe(2);
  });
});

describe('loregraph series', () => {
  it('shows the patch with its own trailers and a reply trailer with its provenance', async () => {
    const r = await run('series', '20240904-filemap-recheck-v1-1-ines@example.org', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { versions: { version: string; superseded: boolean; patches: { trailers: { name: string; givenIn: string; followup: boolean }[] }[] }[] };
    expect(j.versions.map((v) => [v.version, v.superseded])).toEqual([['1', false]]);
    const followups = j.versions[0]?.patches[0]?.trailers.filter((t) => t.followup);
    expect(followups).toEqual([expect.objectContaining({ name: 'Reviewed-by', givenIn: 'fix-review-7@example.org' })]);
  });
});

describe('loregraph stats', () => {
  it('counts patches, series, trailers and stable events', async () => {
    const j = JSON.parse((await run('stats', '--json')).out) as Record<string, number>;
    expect(j['patches']).toBeGreaterThan(5);
    expect(j['series']).toBeGreaterThan(3);
    expect(j['trailers']).toBeGreaterThan(20);
    expect(j['stableEvents']).toBeGreaterThanOrEqual(10);
  });
});
