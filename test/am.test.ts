import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { main } from '../cli/main.ts';
import { namesSender, makeTrailer, sameEmail } from '../domain/patch/am-trailers.ts';
import { buildAm, DEFAULT_AM_OPTIONS, type AmMail } from '../domain/patch/am.ts';
import { captureIO } from './helpers/cli-io.ts';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from './helpers/shared.ts';

const tmp = mkdtempSync(join(tmpdir(), 'loregraph-am-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function ingestTo(name: string, mbox: string): Promise<string> {
  const file = join(tmp, `${name}.db`);
  const db = openDb(file);
  await ingestPaths(db, [mbox], { worker: false });
  closeDb(db);
  return file;
}

async function am(dbFile: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(['am', ...args, '--db', dbFile], io);
  return { code, out: io.bytes().toString('utf8') || io.stdout(), err: io.stderr() };
}

describe('b4 trailer rules', () => {
  it('takes an address as the sender\'s when equal, without a +tag, or one domain label apart', () => {
    expect(sameEmail('Foo@Example.com', 'foo@example.com')).toBe(true);
    expect(sameEmail('foo+kernel@example.com', 'foo@example.com')).toBe(true);
    expect(sameEmail('foo@linux.intel.com', 'foo@intel.com')).toBe(true);
    expect(sameEmail('foo@a.b.intel.com', 'foo@intel.com')).toBe(false);
    expect(sameEmail('bar@example.com', 'foo@example.com')).toBe(false);
  });

  it('refuses a person trailer naming someone other than the sender, by address and by name', () => {
    const t = makeTrailer('Suggested-by', 'Ard Biesheuvel <ardb@kernel.org>');
    expect(namesSender(t, 'Someone Else', 'else@example.org')).toBe(false);
    expect(namesSender(t, 'Ard Biesheuvel', 'ard@other.example')).toBe(true);
    expect(namesSender(makeTrailer('Fixes', 'abcdef012345 ("x")'), 'Anyone', 'a@b.c')).toBe(true);
  });
});

const mail = (m: Partial<AmMail> & { messageId: string; body: string }): AmMail => ({
  subject: 'Re: [PATCH] x: fix',
  fromName: 'Ann Author',
  fromEmail: 'ann@example.org',
  dateHeader: 'Mon, 2 Nov 2026 10:00:00 +0000',
  to: [],
  cc: [],
  inReplyTo: null,
  references: [],
  ...m,
});
const PATCH = mail({
  messageId: 'p@x',
  subject: '[PATCH] x: fix',
  body: 'Fix x.\n\nCc: "David S. Miller" <davem@davemloft.net>\nSigned-off-by: Ann Author <ann@example.org>\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n',
});

describe('am folding, pure', () => {
  it('keeps the commit message\'s own trailers as written, quotes and all', () => {
    const r = buildAm({ version: '1', total: 1, patches: [{ index: 1, mail: PATCH }], cover: null, others: [] });
    expect(r.mbox).toContain('\n\nFix x.\n\nCc: "David S. Miller" <davem@davemloft.net>\nSigned-off-by: Ann Author <ann@example.org>\n');
  });

  it('takes, as b4 does, the trailers of a reply it passes on the way up from a reply that gives some', () => {
    const author = mail({ messageId: 'a@x', inReplyTo: 'r@x', body: 'Right, will add\n\nReported-by: Rob Robot <robot@example.org>\n' });
    const review = mail({ messageId: 'r@x', inReplyTo: 'p@x', fromName: 'Rob Robot', fromEmail: 'robot@example.org', body: 'Found it.\n' });
    const ack = mail({ messageId: 'k@x', inReplyTo: 'a@x', fromName: 'Kim Reviewer', fromEmail: 'kim@example.org', body: 'Reviewed-by: Kim Reviewer <kim@example.org>\n' });
    const r = buildAm({ version: '1', total: 1, patches: [{ index: 1, mail: PATCH }], cover: null, others: [review, author, ack] }, DEFAULT_AM_OPTIONS);
    expect(r.patches[0]?.added.map((t) => [t.trailer, t.givenIn])).toEqual([
      ['Reviewed-by: Kim Reviewer <kim@example.org>', 'k@x'],
      ['Reported-by: Rob Robot <robot@example.org>', 'a@x'],
    ]);
    // the author's own mail alone names someone else: refused when nobody answers it
    const alone = buildAm({ version: '1', total: 1, patches: [{ index: 1, mail: PATCH }], cover: null, others: [review, author] });
    expect(alone.refused).toEqual([{ trailer: 'Reported-by: Rob Robot <robot@example.org>', givenIn: 'a@x', sender: 'Ann Author <ann@example.org>', target: 'p@x' }]);
    expect(alone.patches[0]?.added).toEqual([]);
  });
});

// b4's own expected outputs (../shared/corpus/b4-expected/README.md maps sample -> options).
const IDENTITY = ['--identity', 'Test Override <test-override@example.com>'];
const B4_PAIRS: [string, string, string[]][] = [
  ['single', 'defaults', []],
  ['single', 'noadd', ['--no-trailers']],
  ['single', 'addmysob', ['-s']],
  ['single', 'copyccs', ['-s', '--copy-ccs']],
  ['single', 'addlink', ['-s', '-l']],
  ['single', 'addmsgid', ['-s', '-l', '--link-mask', 'Message-ID: <%s>']],
  ['single', 'ordered', ['-s', '--copy-ccs', '--trailer-order', 'Cc,Tested*,Reviewed*,*']],
  ['single', 'sloppy', ['-s', '--sloppy-trailers']],
  ['with-cover', 'defaults', ['-s']],
  ['with-cover', 'addlink', ['-s', '-l']],
  ['custody', 'unordered', ['-s', '--copy-ccs']],
  ['custody', 'ordered', ['-s', '--copy-ccs', '--trailer-order', 'Cc,Fixes*,Link*,Suggested*,Reviewed*,Tested*,*']],
  ['custody', 'with-ignored', ['-s', '--copy-ccs', '--ignore-trailers-from', 'followup-reviewer1@example.com']],
  ['partial-reroll', 'defaults', ['-s']],
  ['nore', 'defaults', []],
  ['non-git-patch', 'defaults', []],
  ['non-git-patch-with-comments', 'defaults', []],
  ['with-diffstat', 'defaults', []],
  ['name-parens', 'defaults', []],
  ['bare-address', 'defaults', []],
  ['stripped-lines', 'defaults', []],
  ['htmljunk', 'defaults', []],
];

describe.skipIf(!HAS_SHARED)(`am against b4's expected outputs${HAS_SHARED ? '' : ` (${SHARED_SKIP_REASON})`}`, () => {
  const dbs = new Map<string, string>();
  beforeAll(async () => {
    for (const source of new Set(B4_PAIRS.map((p) => p[0]))) dbs.set(source, await ingestTo(source, sharedPath('corpus', 'b4', `trailers-followup-${source}.mbox`)));
  });

  for (const [source, reference, args] of B4_PAIRS) {
    it(`trailers-followup-${source} with ${args.join(' ') || 'defaults'} gives ref-${reference}`, async () => {
      const mbox = readFileSync(sharedPath('corpus', 'b4', `trailers-followup-${source}.mbox`), 'utf8');
      const first = /^Message-Id: <([^>]+)>/im.exec(mbox)?.[1] as string;
      const r = await am(dbs.get(source) as string, [first, '-o', '-', ...IDENTITY, ...args]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(readFileSync(sharedPath('corpus', 'b4-expected', `trailers-followup-${source}-ref-${reference}.txt`), 'utf8'));
    });
  }
});

/**
 * What `git log --format=%ae[%n<committer>]%n%s%n%b---` shows once git am has applied the
 * mbox (newest first), read with git's own mailsplit and mailinfo: b4's *.verify form.
 */
function verifyForm(mbox: string, committer: string | null): string {
  const dir = mkdtempSync(join(tmp, 'split-'));
  writeFileSync(join(dir, 'in.mbx'), mbox);
  execFileSync('git', ['mailsplit', `-o${dir}`, join(dir, 'in.mbx')]);
  const parts = readdirSync(dir).filter((f) => /^\d+$/.test(f)).sort().reverse();
  let out = '';
  for (const f of parts) {
    const info = execFileSync('git', ['mailinfo', join(dir, 'msg'), join(dir, 'patch')], { input: readFileSync(join(dir, f)), encoding: 'utf8' });
    const field = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(info)?.[1] ?? '';
    out += `${field('Email')}\n${committer === null ? '' : `${committer}\n`}${field('Subject')}\n${readFileSync(join(dir, 'msg'), 'utf8')}---\n`;
  }
  return out;
}

describe.skipIf(!HAS_SHARED)(`am against b4's *.verify (git log of what b4 shazam and b4 trailers commit)${HAS_SHARED ? '' : ` (${SHARED_SKIP_REASON})`}`, () => {
  const cases: [string, string, string[], string | null][] = [
    ['shazam-git1-just-series', 'shazam-git1-just-series-defaults', [], 'test-override@example.com'],
    ['shazam-git1-just-series', 'shazam-git1-just-series-addlink', ['-l'], 'test-override@example.com'],
    ['trailers-thread-with-followups', 'trailers-thread-with-followups', ['-s'], null],
  ];
  for (const [source, verify, args, committer] of cases) {
    it(`${source} with ${args.join(' ') || 'defaults'} commits what ${verify}.verify shows`, async () => {
      const dbFile = await ingestTo(`${verify}-v`, sharedPath('corpus', 'b4', `${source}.mbox`));
      const r = await am(dbFile, ['20221025-test1-v1-1-e4f28f57990c@linuxfoundation.org', '-o', '-', ...IDENTITY, ...args]);
      expect(r.code).toBe(0);
      expect(verifyForm(r.out, committer)).toBe(readFileSync(sharedPath('corpus', 'b4-expected', `${verify}.verify`), 'utf8'));
    });
  }
});

function git(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', args, {
    cwd,
    input,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

describe('am on a two-version series (test/fixtures/am/two-versions.mbox)', () => {
  let dbFile = '';
  beforeAll(async () => {
    dbFile = await ingestTo('two-versions', join(import.meta.dirname, 'fixtures', 'am', 'two-versions.mbox'));
  });

  it('writes an mbox that git am applies, with carried, cover and refused trailers as b4 has them', async () => {
    const out = join(tmp, 'out');
    const r = await am(dbFile, ['v2-1@example.org', '-o', out, '--identity', 'Me Maintainer <me@example.org>']);
    expect(r.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['v2_20261109_louder_lib_longer_util.cover', 'v2_20261109_louder_lib_longer_util.mbx']);
    expect(r.err).toContain('+ Reviewed-by: Rita Reviewer <rita@example.org> (from <r1@example.org>, on <v1-1@example.org> of an earlier version, patch-id unchanged)');
    expect(r.err).toContain('+ Tested-by: Tom Tester <tom@example.org> (from <r3@example.org>, on the cover letter)');
    expect(r.err).toContain('- Suggested-by: Somebody Else <else@example.org> in <r1@example.org> from Rita Reviewer <rita@example.org>');

    const repo = join(tmp, 'repo');
    git(tmp, ['init', '-q', '-b', 'main', repo]);
    writeFileSync(join(repo, 'lib.c'), 'alpha\nbeta\ngamma\n');
    writeFileSync(join(repo, 'util.c'), 'one\ntwo\n');
    git(repo, ['add', '.']);
    git(repo, ['commit', '-qm', 'base']);
    git(repo, ['am', '-q', join(out, files[1] as string)]);
    const log = git(repo, ['log', '--reverse', '--format=%an <%ae>%n%s%n%b%n==', 'main~2..main']);
    expect(log).toBe(
      [
        'Ada Builder <ada@example.org>',
        'lib: shout beta',
        'Beta deserves capitals.',
        '',
        'Signed-off-by: Ada Builder <ada@example.org>',
        'Reviewed-by: Rita Reviewer <rita@example.org>',
        'Tested-by: Tom Tester <tom@example.org>',
        '',
        '==',
        'Ada Builder <ada@example.org>',
        'util: count to four',
        'Four is better than three.',
        '',
        'Signed-off-by: Ada Builder <ada@example.org>',
        'Tested-by: Tom Tester <tom@example.org>',
        '',
        '==',
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(repo, 'util.c'), 'utf8')).toBe('one\ntwo\nthree\nfour\n');
  });

  it('gives version 1 with -v 1: each patch with the review it got, nothing from v2', async () => {
    const r = await am(dbFile, ['v2-cover@example.org', '-v', '1', '-o', '-', '--identity', 'Me Maintainer <me@example.org>']);
    expect(r.code).toBe(0);
    expect(r.out.match(/^Subject: .*/gm)).toEqual(['Subject: [PATCH 1/2] lib: shout beta', 'Subject: [PATCH 2/2] util: count to three']);
    expect(r.out.match(/^Reviewed-by: .*/gm)).toEqual(['Reviewed-by: Rita Reviewer <rita@example.org>', 'Reviewed-by: Rita Reviewer <rita@example.org>']);
    expect(r.out).not.toContain('Tested-by');
  });

  it('says which versions exist when -v names none, and exits 1', async () => {
    const r = await am(dbFile, ['v2-1@example.org', '-v', '7', '-o', '-']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('loregraph: no version 7 of "louder lib, longer util" (versions: 1, 2)\n');
  });
});
