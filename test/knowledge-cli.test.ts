// `loregraph races`, `race`, `fix`, `knowledge` and the counters `stats` gains, on the
// embedded sample archive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { samplePaths } from '../ingest/seed.ts';
import { captureIO } from './helpers/cli-io.ts';

const V1 = '20241003-lumafs-mkwrite-v1-1-annika@example.net';
const V2 = '20241007-lumafs-mkwrite-v2-1-annika@example.net';
let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lg-knowledge-cli-'));
  db = join(dir, 'db.sqlite');
  const h = openDb(db);
  await ingestPaths(h, samplePaths(), { worker: false });
  closeDb(h);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main([...argv, '--db', db], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

async function lumafsId(): Promise<string> {
  const { out } = await run('races', '--json');
  const r = (JSON.parse(out) as { races: { id: string; title: string }[] }).races.find((x) => x.title.startsWith('lumafs:'));
  return r!.id;
}

describe('loregraph races', () => {
  it('prints a table with id, outcome, confidence, status, fixes and title, then each race’s evidence', async () => {
    const { code, out } = await run('races');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+outcome\s+conf\s+status\s+fixes\s+last\s+title$/);
    expect(lines[1]).toMatch(/^r-\w+\s+data-loss\s+\d\.\d\d\s+\w+\s+3\s+2024-10-09\s+lumafs: lost write when/);
    expect(lines[2]).toMatch(/^r-\w+\s+stale-result\s+/);
    expect(out).toContain('evidence: <lumafs-race-report@example.org>');
    expect(lines.at(-1)).toBe('2 races');
  });

  it('answers --json with id, title, outcome, confidence and evidence message-ids, and filters', async () => {
    const all = JSON.parse((await run('races', '--json')).out);
    expect(all.total).toBe(2);
    expect(all.races[0]).toEqual({
      id: expect.stringMatching(/^r-/),
      title: 'lumafs: lost write when lumafs_page_mkwrite() races with lumafs_writepages()',
      outcome: 'data-loss',
      confidence: expect.any(Number),
      status: expect.any(String),
      firstDate: Date.UTC(2024, 9, 1, 9),
      lastDate: Date.UTC(2024, 9, 9, 15),
      // the messages whose own words give a reason; not the v1 patch, whose only 'race' is
      // inside its Closes: link
      evidence: ['lumafs-race-report@example.org', 'lumafs-race-idea@example.net', 'lumafs-race-tested@example.org', 'lumafs-v1-objection@example.com'],
      fixes: 3,
    });
    const byLock = JSON.parse((await run('races', '--json', '--lock', 'rcu')).out);
    expect(byLock.races.map((r: { title: string }) => r.title)).toEqual(['mm/filemap: stale folio returned after concurrent truncate']);
    expect(JSON.parse((await run('races', '--json', '--function', 'lumafs_writepages', '--outcome', 'deadlock')).out).total).toBe(0);
  });

  it('refuses an unknown outcome or status with exit 2', async () => {
    const r = await run('races', '--outcome', 'bad-luck');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown outcome 'bad-luck'");
    expect((await run('races', '--status', 'maybe')).code).toBe(2);
  });
});

describe('loregraph race <id>', () => {
  it('prints every fact with the mail it came from, and each fix with lifecycle, stances and scenario links', async () => {
    const id = await lumafsId();
    const { code, out } = await run('race', id);
    expect(code).toBe(0);
    expect(out).toContain(`race ${id}: lumafs: lost write when lumafs_page_mkwrite() races with lumafs_writepages()`);
    expect(out).toMatch(/outcome: data-loss ".*" <lumafs-race-report@example\.org>/);
    expect(out).toContain('configs: CONFIG_LUMAFS_COMPRESS');
    expect(out).toContain(`threads: <lumafs-race-report@example.org> <${V1}> <${V2}>`);
    expect(out).toMatch(new RegExp(`fix ${V1}#0: patch v1 by Annika Berg, superseded by ${V2}#0`));
    expect(out).toMatch(/objection\s+Jun Park \(quoted\): "I don't think this is enough, there is still a race with/);
    expect(out).toMatch(new RegExp(`fix ${V2}#0: patch v2 by Annika Berg, applied`));
    expect(out).toMatch(/applied because: "Applied to lumafs\/for-next, thanks!" <lumafs-v2-applied@example\.org>/);
    expect(out).toMatch(/reviewed\s+Jun Park \(trailer\)/);
  });

  it('gives the whole record as --json, each fix with its scenario links', async () => {
    const id = await lumafsId();
    const r = JSON.parse((await run('race', id, '--json')).out);
    expect(r).toMatchObject({ id, outcome: 'data-loss', threads: ['lumafs-race-report@example.org', V1, V2] });
    expect(r.fixes.map((f: { id: string; lifecycle: string }) => [f.id, f.lifecycle])).toEqual([
      ['lumafs-race-idea@example.net#0', expect.any(String)],
      [`${V1}#0`, 'superseded'],
      [`${V2}#0`, 'applied'],
    ]);
    for (const f of r.fixes) expect(Array.isArray(f.scenarios)).toBe(true);
  });

  it('writes a scenario draft from the race', async () => {
    const { code, out } = await run('race', await lumafsId(), '--scenario-draft');
    expect(code).toBe(0);
    expect(out).toContain('lumafs');
    expect(out).toContain('TODO');
  });

  it('exits 1 for an unknown race and 2 without an id', async () => {
    const r = await run('race', 'r-nothing');
    expect(r.code).toBe(1);
    expect(r.err).toBe('loregraph: no race r-nothing\n');
    expect((await run('race')).code).toBe(2);
  });
});

describe('loregraph fix <id>', () => {
  it('prints one fix, its stances and its race; --json gives the record', async () => {
    const { code, out } = await run('fix', `${V1}#0`);
    expect(code).toBe(0);
    expect(out).toMatch(/objection\s+Jun Park/);
    expect(out).toMatch(/race r-\w+: lumafs: lost write .* \(data-loss, \w+\)/);
    const j = JSON.parse((await run('fix', `<${V2}>#0`, '--json')).out);
    expect(j.fix).toMatchObject({ id: `${V2}#0`, lifecycle: 'applied', version: 2 });
    expect(j.race.title).toMatch(/^lumafs:/);
    expect((await run('fix', 'nobody@x#0')).code).toBe(1);
  });
});

describe('loregraph stats and knowledge', () => {
  it('counts races, fixes and stances', async () => {
    const s = JSON.parse((await run('stats', '--json')).out);
    expect(s).toMatchObject({ races: 2, fixes: expect.any(Number), stances: expect.any(Number) });
    expect(s.fixes).toBeGreaterThanOrEqual(4);
    expect(s.stances).toBeGreaterThanOrEqual(3);
  });

  it('brings the knowledge up to date: nothing to do after an ingest, everything again with --rebuild', async () => {
    const before = JSON.parse((await run('races', '--json')).out);
    expect((await run('knowledge')).out).toMatch(/^analysed 0 messages, assembled 0 threads into 0 races in [\d.]+ s\n$/);
    const rebuilt = await run('knowledge', '--rebuild');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toMatch(/^analysed 41 messages, assembled \d+ threads into 2 races/);
    expect(JSON.parse((await run('races', '--json')).out)).toEqual(before);
  });
});

describe('a patch fix carries its stable status per branch', () => {
  it('reads the commit the patch became through fix-status: released, in review, backported, wanted', async () => {
    const { out } = await run('races', '--json');
    const id = (JSON.parse(out) as { races: { id: string; title: string }[] }).races.find((x) => x.title.startsWith('mm/filemap:'))!.id;
    const race = JSON.parse((await run('race', id, '--json')).out) as { fixes: { kind: string; messageId: string; stable: { upstream: string | null; branches: Record<string, { status: string; messageId: string | null }> } | null }[] };
    const patch = race.fixes.find((f) => f.kind === 'patch')!;
    expect(patch.messageId).toBe('20240904-filemap-recheck-v1-1-ines@example.org');
    expect(patch.stable?.upstream).toBe('f53fddcf4fb819e21ff25072bc8f1ae3a54e0755');
    expect(Object.fromEntries(Object.entries(patch.stable!.branches).map(([b, s]) => [b, s.status]))).toEqual({
      '6.12': 'in-review',
      '6.10': 'wanted',
      '6.6': 'released',
      '6.1': 'backport-posted',
    });
    expect(patch.stable!.branches['6.6']!.messageId).toBe('2024101509-CVE-2024-90001-cve-desk@example.org');
    // an inline diff is no commit: no stable status of its own
    expect(race.fixes.find((f) => f.kind === 'inline-diff')!.stable).toBeNull();
  });
});

describe('a fix as loregraph race prints it', () => {
  it('names the stable copies that carry it', async () => {
    const { formatFix } = await import('../cli/race-format.ts');
    const ev = { messageId: 'as1@x', block: null, text: '[PATCH AUTOSEL 6.16-6.1] foo: fix race' };
    const lines = formatFix(
      { id: 'as1@x#0', kind: 'patch', author: 'Ana', messageId: 'as1@x', date: null, summary: 'foo: fix race', functions: [], files: [], wip: false, version: 1, lifecycle: 'merged', lifecycleEvidence: ev, supersededBy: null, stances: [], evidence: ev, copies: ['as2@x', 'as3@x'] },
      [],
    );
    expect(lines).toContain('  stable copies: <as2@x> <as3@x>');
  });
});
