import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectArchiveKind, readArchive } from '../ingest/read/index.ts';
import { readMbox } from '../ingest/read/mbox.ts';
import type { RawMessage } from '../domain/message.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';

// Builds public-inbox-style epochs the way public-inbox does: one commit per message,
// the tree holding only `m` (or only `d` when a message is removed).
const env = { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@example.org', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@example.org', GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() };

function git(repo: string, args: string[], input?: Buffer | string): string {
  return execFileSync('git', ['--git-dir', repo, ...args], { env, input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim();
}

function commitBlob(repo: string, name: 'm' | 'd', bytes: Buffer, parent: string | null): string {
  const blob = git(repo, ['hash-object', '-w', '--stdin'], bytes);
  const tree = git(repo, ['mktree'], `100644 blob ${blob}\t${name}\n`);
  const commit = git(repo, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'msg']);
  git(repo, ['update-ref', 'refs/heads/master', commit]);
  return commit;
}

function makeEpoch(repo: string, steps: { name: 'm' | 'd'; bytes: Buffer }[]): string[] {
  execFileSync('git', ['init', '-q', '--bare', '-b', 'master', repo], { env });
  let parent: string | null = null;
  const commits: string[] = [];
  for (const s of steps) commits.push((parent = commitBlob(repo, s.name, s.bytes, parent)));
  return commits;
}

const mail = (n: number, extra = ''): Buffer =>
  Buffer.from(`From: Ann <ann@example.org>\nSubject: message ${n}\nMessage-ID: <m${n}@example.org>\n\nbody ${n}\n${extra}`);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lg-pi-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readAll(path: string): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  await readArchive(path, (m) => void out.push(m));
  return out;
}

describe('public-inbox reader', () => {
  it('walks one bare epoch oldest first and reports a deletion with the bytes of d', async () => {
    const repo = join(root, 'single.git');
    const third = Buffer.from('Subject: no trailing newline\n\nFrom a line that would need quoting in mbox');
    const commits = makeEpoch(repo, [
      { name: 'm', bytes: mail(1) },
      { name: 'm', bytes: mail(2) },
      { name: 'd', bytes: mail(1) },
      { name: 'm', bytes: third },
    ]);
    expect(await detectArchiveKind(repo)).toBe('public-inbox');
    const ms = await readAll(repo);
    expect(ms.map((m) => m.bytes.toString())).toEqual([mail(1), mail(2), mail(1), third].map((b) => b.toString()));
    expect(ms.map((m) => m.deleted === true)).toEqual([false, false, true, false]);
    expect(ms.map((m) => m.position.commit)).toEqual(commits);
    expect(ms.map((m) => m.position.index)).toEqual([0, 1, 2, 3]);
  });

  it('reads v2 epochs in numeric order (git/2.git before git/10.git), ignoring other files in the inbox', async () => {
    const inbox = join(root, 'inbox');
    mkdirSync(join(inbox, 'git'), { recursive: true });
    makeEpoch(join(inbox, 'git', '10.git'), [{ name: 'm', bytes: mail(30) }]);
    makeEpoch(join(inbox, 'git', '0.git'), [
      { name: 'm', bytes: mail(1) },
      { name: 'm', bytes: mail(2) },
    ]);
    makeEpoch(join(inbox, 'git', '2.git'), [{ name: 'm', bytes: mail(20) }]);
    // all.git and other files beside the epochs are not epochs
    writeFileSync(join(inbox, 'inbox.lock'), '');
    expect(await detectArchiveKind(inbox)).toBe('public-inbox');
    const ms = await readAll(inbox);
    expect(ms.map((m) => /Subject: (.*)/.exec(m.bytes.toString())?.[1])).toEqual(['message 1', 'message 2', 'message 20', 'message 30']);
    expect(ms.map((m) => m.position.file)).toEqual(['git/0.git', 'git/0.git', 'git/2.git', 'git/10.git']);
    expect(ms.every((m) => m.position.source === inbox && /^[0-9a-f]{40}$/.test(m.position.commit ?? ''))).toBe(true);
  });

  it('reads an epoch with no commits yet as empty', async () => {
    const repo = join(root, 'empty.git');
    execFileSync('git', ['init', '-q', '--bare', repo], { env });
    expect(await readAll(repo)).toEqual([]);
  });

  it('fails with SOURCE_UNREADABLE, not an empty read, when git cannot read the repository', async () => {
    const fake = join(root, 'fake.git');
    mkdirSync(join(fake, 'objects'), { recursive: true });
    mkdirSync(join(fake, 'refs'), { recursive: true });
    writeFileSync(join(fake, 'HEAD'), 'garbage\n');
    await expect(readAll(fake)).rejects.toMatchObject({ code: 'SOURCE_UNREADABLE' });
  });

  it('reads a v1 repository, where each message is a file named by its hash', async () => {
    const repo = join(root, 'v1.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'master', repo], { env });
    const a = git(repo, ['hash-object', '-w', '--stdin'], mail(1));
    const b = git(repo, ['hash-object', '-w', '--stdin'], mail(2));
    const t1 = git(repo, ['mktree'], `040000 tree ${git(repo, ['mktree'], `100644 blob ${a}\t0123\n`)}\tab\n`);
    const c1 = git(repo, ['commit-tree', t1, '-m', 'a']);
    const t2 = git(repo, ['mktree'], `040000 tree ${git(repo, ['mktree'], `100644 blob ${a}\t0123\n`)}\tab\n040000 tree ${git(repo, ['mktree'], `100644 blob ${b}\t4567\n`)}\tcd\n`);
    const c2 = git(repo, ['commit-tree', t2, '-p', c1, '-m', 'b']);
    const t3 = git(repo, ['mktree'], `040000 tree ${git(repo, ['mktree'], `100644 blob ${b}\t4567\n`)}\tcd\n`);
    const c3 = git(repo, ['commit-tree', t3, '-p', c2, '-m', 'rm a']);
    git(repo, ['update-ref', 'refs/heads/master', c3]);
    const ms = await readAll(repo);
    expect(ms.map((m) => [m.bytes.toString(), m.deleted === true])).toEqual([
      [mail(1).toString(), false],
      [mail(2).toString(), false],
      [mail(1).toString(), true],
    ]);
  });

  it('stops between messages when aborted', async () => {
    const repo = join(root, 'abort.git');
    makeEpoch(repo, [1, 2, 3, 4].map((n) => ({ name: 'm' as const, bytes: mail(n) })));
    const ac = new AbortController();
    const seen: number[] = [];
    await expect(
      readArchive(repo, (m) => {
        seen.push(m.position.index);
        if (seen.length === 2) ac.abort(new Error('enough'));
      }, { signal: ac.signal }),
    ).rejects.toThrow('enough');
    expect(seen).toEqual([0, 1]);
  });
});

describe.skipIf(!HAS_SHARED)('public-inbox and mboxrd agree', () => {
  it('a v2 epoch rebuilt from the linux-ppp mboxrd reads back the very bytes the mbox reader gives', async () => {
    const fromMbox: RawMessage[] = [];
    await readMbox(sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'), (m) => void fromMbox.push(m));
    // One commit per message holding blob `m`, as public-inbox writes them (git fast-import for speed).
    const repo = join(root, 'ppp', 'git', '0.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'master', repo], { env });
    const parts: Buffer[] = [];
    fromMbox.forEach((m, i) => {
      parts.push(Buffer.from(`commit refs/heads/master\ncommitter a <a@example.org> ${1600000000 + i} +0000\ndata 1\nm\nM 100644 inline m\ndata ${m.bytes.length}\n`));
      parts.push(m.bytes, Buffer.from('\n'));
    });
    execFileSync('git', ['--git-dir', repo, 'fast-import', '--quiet'], { env, input: Buffer.concat(parts), maxBuffer: 1 << 26 });
    const fromGit = await readAll(join(root, 'ppp'));
    expect(fromGit).toHaveLength(1046);
    expect(fromGit.every((m, i) => m.bytes.equals(fromMbox[i]?.bytes ?? Buffer.alloc(0)))).toBe(true);
  });
});
