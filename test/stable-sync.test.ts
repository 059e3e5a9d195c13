// `loregraph stable-sync --git-dir DIR`: "released" from a local stable git tree, read
// with git itself. The test builds a small tree of its own: a v6.1 base, two releases
// whose commits say "commit <sha> upstream." (and "[ Upstream commit <sha> ]"), and a
// v6.6 branch; then checks which release first carries each fix, the honest "not yet"
// for a fix the tree does not carry, and "unknown" before any sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { patchAnalyzer } from '../ingest/patch-analyzer.ts';
import type { Analyzer } from '../ingest/analyzer.ts';
import { parseReleaseLog, parseStableLog, parseStableTags, releasesByBranch } from '../domain/patch/stable-git-log.ts';

const IN_61_2 = 'a1'.repeat(20);
const IN_61_3 = 'b2'.repeat(20);
const NOT_CARRIED = 'c3'.repeat(20);

let dir: string;
let repo: string;
let dbPath: string;

function git(...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org' },
  });
}

function commit(file: string, message: string): void {
  writeFileSync(join(repo, file), message);
  git('add', file);
  git('commit', '-q', '-m', message);
}

function backportMail(id: string, branch: string, sha: string, title: string, date: string): string {
  return `From mboxrd@z Thu Jan  1 00:00:00 1970
From: Ann Porter <ann@example.org>
Date: ${date}
Subject: [PATCH ${branch}.y] ${title}
Message-ID: <${id}>

commit ${sha} upstream.

${title}.

Signed-off-by: Ann Porter <ann@example.org>
`;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main([...argv, '--db', dbPath], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-stable-sync-'));
  repo = join(dir, 'linux-stable');
  execFileSync('git', ['init', '-q', repo]);
  commit('Makefile', 'Linux 6.1');
  git('tag', 'v6.1');
  commit('a.c', `widget: fix the first thing\n\ncommit ${IN_61_2} upstream.\n\nSigned-off-by: Greg`);
  commit('Makefile', 'Linux 6.1.1');
  git('tag', 'v6.1.1');
  commit('b.c', `widget: fix the second thing\n\n[ Upstream commit ${IN_61_3} ]\n\nSigned-off-by: Sasha`);
  commit('Makefile', 'Linux 6.1.2');
  git('tag', 'v6.1.2');
  commit('Makefile', 'Linux 6.6-base');
  git('tag', 'v6.6');
  commit('c.c', `widget: fix the first thing\n\ncommit ${IN_61_2} upstream.`);
  commit('Makefile', 'Linux 6.6.1');
  git('tag', 'v6.6.1');
  // Not a stable release: ignored.
  git('tag', 'v6.7-rc1');

  const mbox = join(dir, 'mail.mbox');
  writeFileSync(
    mbox,
    backportMail('bp-1@example.org', '6.1', IN_61_2, 'widget: fix the first thing', 'Mon, 2 Jan 2023 10:00:00 +0000') +
      backportMail('bp-2@example.org', '6.1', IN_61_3, 'widget: fix the second thing', 'Tue, 3 Jan 2023 10:00:00 +0000') +
      backportMail('bp-3@example.org', '6.1', NOT_CARRIED, 'widget: fix the third thing', 'Wed, 4 Jan 2023 10:00:00 +0000'),
  );
  dbPath = join(dir, 'db.sqlite');
  const db = openDb(dbPath);
  try {
    await ingestPaths(db, [mbox], { analyzers: [patchAnalyzer as Analyzer], worker: false });
  } finally {
    closeDb(db);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a stable git tree', () => {
  it('parses tags and log records as git prints them', () => {
    const tags = parseStableTags('v6.1\t1670000000\nv6.1.2\t1670200000\nv6.1.1\t1670100000\nv6.7-rc1\t1\nnot-a-tag\t2\n');
    expect([...releasesByBranch(tags).get('6.1')!.map((t) => t.version)]).toEqual(['6.1', '6.1.1', '6.1.2']);
    expect(parseStableLog(`${'9'.repeat(40)}\x1fwidget: x\n\ncommit ${IN_61_2} upstream.\n\x1e\n${'8'.repeat(40)}\x1fMerge tag\n\x1e`)).toEqual([
      { commit: '9'.repeat(40), upstream: IN_61_2 },
    ]);
  });

  it('gives each commit of a one-log read to the first release tagged after it', () => {
    const rec = (c: string, refs: string, body: string): string => `${c.repeat(40)}\x1f${refs}\x1f${body}\x1e\n`;
    const log =
      rec('1', '', `a\n\ncommit ${IN_61_2} upstream.\n`) +
      rec('2', 'tag: v6.1.1', 'Linux 6.1.1\n') +
      rec('3', '', `b\n\n[ Upstream commit ${IN_61_3} ]\n`) +
      rec('4', 'HEAD -> linux-6.1.y, tag: v6.1.2, origin/linux-6.1.y', 'Linux 6.1.2\n') +
      rec('5', '', `c\n\ncommit ${NOT_CARRIED} upstream.\n`);
    expect(Object.fromEntries(parseReleaseLog(log, new Set(['v6.1.1', 'v6.1.2'])))).toEqual({
      'v6.1.1': [{ commit: '1'.repeat(40), upstream: IN_61_2 }],
      'v6.1.2': [{ commit: '3'.repeat(40), upstream: IN_61_3 }],
    });
  });

  it('says "unknown" before any sync', async () => {
    const j = JSON.parse((await run('fix-status', IN_61_2, '--json')).out) as { branches: Record<string, { release: unknown }> };
    expect(j.branches['6.1']?.release).toEqual({ state: 'unknown' });
  });

  it('records the first release of each branch that carries each fix, with a real git', async () => {
    const r = await run('stable-sync', '--git-dir', repo, '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { branches: { branch: string; newest: string; releasesRead: number; fixes: number }[] };
    expect(s.branches.sort((a, b) => a.branch.localeCompare(b.branch))).toEqual([
      { branch: '6.1', newest: '6.1.2', releasesRead: 2, fixes: 2 },
      { branch: '6.6', newest: '6.6.1', releasesRead: 1, fixes: 1 },
    ]);
    const first = JSON.parse((await run('fix-status', IN_61_2, '--json')).out) as {
      branches: Record<string, { status: string; release: unknown; history: { kind: string; messageId: string | null }[] }>;
    };
    expect(first.branches['6.1']).toMatchObject({ status: 'released', release: { state: 'released', version: '6.1.1', source: 'stable git tree' } });
    expect(first.branches['6.1']?.history.at(-1)).toMatchObject({ kind: 'git', messageId: null });
    // On 6.6 no mail was about it; the tree alone says it was released there.
    expect(first.branches['6.6']).toMatchObject({ status: 'released', release: { version: '6.6.1' } });
    const second = JSON.parse((await run('fix-status', IN_61_3, '--json')).out) as { branches: Record<string, { release: unknown }> };
    expect(second.branches['6.1']?.release).toMatchObject({ state: 'released', version: '6.1.2' });
    const third = JSON.parse((await run('fix-status', NOT_CARRIED, '--json')).out) as { branches: Record<string, { status: string; release: unknown }> };
    expect(third.branches['6.1']).toMatchObject({ status: 'backport-posted', release: { state: 'not-yet', asOf: '6.1.2' } });
  });

  it('reads only new releases the second time, and says clearly what is wrong with a bad directory', async () => {
    const again = JSON.parse((await run('stable-sync', '--git-dir', repo, '--json')).out) as { branches: { releasesRead: number }[] };
    expect(again.branches.map((b) => b.releasesRead)).toEqual([0, 0]);
    const bad = await run('stable-sync', '--git-dir', join(dir, 'nowhere'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/no such directory/);
    const usage = await run('stable-sync');
    expect(usage.code).toBe(2);
  });

  it('reads a release tagged since the last sync, and only it', async () => {
    git('checkout', '-q', 'v6.1.2');
    commit('d.c', `widget: fix the third thing\n\ncommit ${NOT_CARRIED} upstream.`);
    commit('Makefile', 'Linux 6.1.3');
    git('tag', 'v6.1.3');
    const s = JSON.parse((await run('stable-sync', '--git-dir', repo, '--json')).out) as { branches: { branch: string; releasesRead: number; fixes: number }[] };
    expect(s.branches.find((b) => b.branch === '6.1')).toMatchObject({ releasesRead: 1, fixes: 1 });
    const third = JSON.parse((await run('fix-status', NOT_CARRIED, '--json')).out) as { branches: Record<string, { status: string; release: unknown }> };
    expect(third.branches['6.1']).toMatchObject({ status: 'released', release: { state: 'released', version: '6.1.3' } });
  });
});
