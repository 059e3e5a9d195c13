import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'loregraph-dig-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const dbPath = join(tmp, 'db.sqlite');
const repo = join(tmp, 'repo');

function git(args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Ada Builder', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

async function dig(rev: string, json = false): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['dig', rev, '--git-dir', repo, '--db', dbPath, ...(json ? ['--json'] : [])], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeAll(async () => {
  const db = openDb(dbPath);
  await ingestPaths(db, [join(import.meta.dirname, 'fixtures', 'am', 'two-versions.mbox')], { worker: false });
  closeDb(db);
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'lib.c'), 'alpha\nbeta\ngamma\n');
  writeFileSync(join(repo, 'util.c'), 'one\ntwo\n');
  git(['add', '.']);
  git(['commit', '-qm', 'base']);
  // the fixture's "lib: shout beta", as it was applied
  writeFileSync(join(repo, 'lib.c'), 'alpha\nBETA\ngamma\n');
  git(['commit', '-qam', 'lib: shout beta']);
  // "util: count to four", but applied with a different change than any mail had
  writeFileSync(join(repo, 'util.c'), 'one\ntwo\nfour\n');
  git(['commit', '-qam', 'util: count to four']);
  writeFileSync(join(repo, 'util.c'), 'zero\n');
  git(['commit', '-qam', 'util: start over']);
});

describe('loregraph dig', () => {
  it('finds a commit\'s patch mails by patch-id, with the review each version got', async () => {
    const r = await dig('HEAD~2', true);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { how: string; patches: { messageId: string }[]; series: { versions: { version: string }[] }; review: { trailers: { trailer: string; stance: string }[]; replies: { messageId: string; answers: string }[] } };
    expect(j.how).toBe('patch-id');
    expect(j.patches.map((p) => p.messageId)).toEqual(['v1-1@example.org', 'v2-1@example.org']);
    expect(j.series.versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(j.review.trailers[0]).toEqual({ trailer: 'Reviewed-by: Rita Reviewer <rita@example.org>', givenIn: 'r1@example.org', stance: 'reviewed' });
    expect(j.review.replies.map((x) => [x.messageId, x.answers])).toEqual([['r1@example.org', 'v1-1@example.org']]);
  });

  it('falls back to subject and author when the applied diff differs from every mail', async () => {
    const r = await dig('HEAD~1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('found by subject+author: 1 patch mail(s)\n  <v2-2@example.org> 2026-11-09 [PATCH v2 2/2] util: count to four\n');
    expect(r.out).toContain('stable: no stable history for this commit\n');
  });

  it('says so and exits 1 when nothing in the store matches; a bad commit name is a clear error', async () => {
    const r = await dig('HEAD');
    expect(r.code).toBe(1);
    expect(r.out).toContain('no patch mail found by patch-id, nor by subject');
    const bad = await dig('no-such-branch');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^loregraph: git rev-parse in .*: /);
    expect(bad.err).toMatch(/: no commit named 'no-such-branch'\n$/);
  });
});

describe('dig reaches the race a commit fixes', () => {
  it('names the race whose family holds the patch mail', async () => {
    const { samplePaths } = await import('../ingest/seed.ts');
    const { dig } = await import('../cli/commands/dig.ts');
    const dir = mkdtempSync(join(tmpdir(), 'lg-dig-race-'));
    const h = openDb(join(dir, 'db.sqlite'));
    try {
      await ingestPaths(h, samplePaths(), { worker: false });
      const r = dig(h, {
        sha: 'f53fddcf4fb819e21ff25072bc8f1ae3a54e0755',
        subject: 'mm/filemap: recheck folio->mapping after the batch lookup in filemap_get_pages()',
        authorName: 'Ines Okafor',
        authorEmail: 'ines.okafor@example.org',
        patchId: null,
      });
      expect(r.how).toBe('subject+author');
      expect(r.races.map((x) => x.title)).toEqual(['mm/filemap: stale folio returned after concurrent truncate']);
    } finally {
      closeDb(h);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
