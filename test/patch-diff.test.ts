import { describe, expect, it } from 'vitest';
import { HAS_GIT, gitPatchIdLines } from './helpers/git.ts';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { hasDiff, parseDiff } from '../domain/patch/diff.ts';
import { gitPatchIds, patchId } from '../domain/patch/patch-id.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';
import { readCorpusMbox } from './fixtures/patch/corpus.ts';

const SMALL_PATCH = `Fix the widget.

Signed-off-by: A Person <a@example.org>
---
 drivers/w.c | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)

diff --git a/drivers/w.c b/drivers/w.c
index 1111111..2222222 100644
--- a/drivers/w.c
+++ b/drivers/w.c
@@ -10,3 +10,4 @@ static int widget_probe(struct device *dev)
 	int a;
-	int b;
+	long b;
+	long c;
 	return 0;
-- 
2.43.0
`;

describe('diff parsing', () => {
  it('counts lines per hunk and keeps the function context', () => {
    const d = parseDiff(SMALL_PATCH);
    expect(d.files).toHaveLength(1);
    expect(d.files[0]).toMatchObject({ oldPath: 'drivers/w.c', newPath: 'drivers/w.c', change: 'modified', added: 2, removed: 1 });
    expect(d.files[0]?.hunks[0]).toMatchObject({ oldStart: 10, oldLines: 3, newStart: 10, newLines: 4, context: 'static int widget_probe(struct device *dev)' });
  });

  it('reads a plain unified diff without a diff --git line', () => {
    const d = parseDiff('commit abc upstream.\n\n--- a/fs/x.c\n+++ b/fs/x.c\n@@ -1,2 +1,2 @@ f()\n-a\n+b\n c\n');
    expect(d.files).toEqual([expect.objectContaining({ oldPath: 'fs/x.c', newPath: 'fs/x.c', added: 1, removed: 1 })]);
  });

  it('ignores a "---" line that is not followed by a diff', () => {
    expect(parseDiff('text\n---\n--- not a diff\nmore\n').files).toHaveLength(0);
  });
});

describe.skipIf(!HAS_SHARED)('diff parsing on patchwork samples', () => {
  const mail = (f: string) => readCorpusMbox(sharedPath('corpus', 'patchwork', 'mail', f)).then((m) => m[0]?.body ?? '');

  it('reads pure renames with their similarity', async () => {
    const d = parseDiff(await mail('0008-git-rename.mbox'));
    expect(d.files.map((f) => [f.change, f.similarity, f.hunks.length])).toEqual([
      ['renamed', 100, 0],
      ['renamed', 100, 0],
    ]);
    expect(d.files[0]?.newPath).toBe('package/rpi-userland/rpi-userland-000-add-pkgconfig-files.patch');
  });

  it('reads an empty new file and a mode change', async () => {
    expect(parseDiff(await mail('0021-git-empty-new-file.mbox')).files).toEqual([
      expect.objectContaining({ change: 'added', oldPath: null, newPath: 'banana', newMode: '100644', hunks: [] }),
    ]);
    expect(parseDiff(await mail('0022-git-mode-change.mbox')).files).toEqual([
      expect.objectContaining({ change: 'modified', oldMode: '100644', newMode: '100755', newPath: 'scripts/kconfig/nconf-cfg.sh' }),
    ]);
  });

  it('reads a binary file beside a text file in a --no-prefix diff', async () => {
    const d = parseDiff(await mail('0026-git-add-mixed-binary-text-files.mbox'));
    expect(d.files.map((f) => [f.newPath, f.binary, f.added])).toEqual([
      ['pixel.bmp', true, 0],
      ['quit.sh', false, 3],
    ]);
  });
});

describe('hasDiff', () => {
  it('sees hunks, binary patches and hunkless git diffs, not prose', () => {
    expect(hasDiff(SMALL_PATCH)).toBe(true);
    expect(hasDiff('x\ndiff --git a/a b/b\nsimilarity index 100%\nrename from a\nrename to b\n')).toBe(true);
    expect(hasDiff('x\nGIT binary patch\nliteral 1\n')).toBe(true);
    expect(hasDiff('I looked at the diff and the @@ markers -- fine.\n')).toBe(false);
  });
});

describe('patch-id', () => {
  it('does not depend on whitespace, file order or the trailing signature', () => {
    const a = SMALL_PATCH;
    const b = SMALL_PATCH.replace('long c;', 'long  c;').replace('-- \n2.43.0\n', '-- \n2.45.1\nthanks\n');
    expect(patchId(a)).toMatch(/^[0-9a-f]{40}$/);
    expect(patchId(b)).toBe(patchId(a));
    const two = (x: string, y: string) => `diff --git a/${x} b/${x}\n--- a/${x}\n+++ b/${x}\n@@ -1 +1 @@\n-${y}\n+${y}${y}\n`;
    expect(patchId(two('p', 'q') + two('r', 's'))).toBe(patchId(two('r', 's') + two('p', 'q')));
    expect(patchId(two('p', 'q'))).not.toBe(patchId(two('p', 'z')));
  });

  it('gives no id to a mail without a git diff, like git', () => {
    expect(patchId('just words\n--- a/x\n+++ b/x\n')).toBeNull();
  });

  it('attributes a diff to the "commit <sha>" line before it', () => {
    const sha = 'c6cd2e8d2d9aa7ee35b1fa6a668e32a22a9753da';
    const ids = gitPatchIds(`commit ${sha} upstream.\n\n${SMALL_PATCH}`);
    expect(ids).toEqual([{ patchId: patchId(SMALL_PATCH), commit: sha }]);
  });
});

describe.skipIf(!HAS_SHARED || !HAS_GIT)('patch-id equals git patch-id --stable', () => {
  // Bodies are joined with "From <40 hex>" lines, which end a patch unconditionally in git,
  // so one git run covers a whole archive and both sides see the same stream.
  async function compare(files: string[]): Promise<{ ids: number; ours: string[]; git: string[] }> {
    const msgs = [];
    for (const f of files) msgs.push(...(await readCorpusMbox(f)));
    let text = '';
    msgs.forEach((m, i) => {
      text += `From ${i.toString(16).padStart(40, '0')} Mon Sep 17 00:00:00 2001\n${m.body}${m.body.endsWith('\n') ? '' : '\n'}`;
    });
    const git = gitPatchIdLines(text);
    const ours = gitPatchIds(text).map((r) => `${r.patchId} ${r.commit}`);
    return { ids: git.length, ours, git };
  }

  it.each([
    ['lore-linux-cifs/linux-cifs.stable-threads.mboxrd', 1034],
    ['lore-linux-cifs/linux-cifs.2024-01-to-02.mboxrd', 296],
    ['lore-linux-ppp/linux-ppp.vger.kernel.org.0.mboxrd', 293],
  ])('for every patch in %s', async (file, expected) => {
    const r = await compare([sharedPath('corpus', file)]);
    expect(r.ids).toBe(expected);
    expect(r.ours).toEqual(r.git);
  });

  it('for the patchwork, b4 and git test mails (binary files, renames, NUL bytes)', async () => {
    const dirs = ['patchwork/mail', 'patchwork/series', 'b4', 'git-mailinfo'];
    const files = dirs.flatMap((d) =>
      readdirSync(sharedPath('corpus', d))
        .filter((f) => /\.(mbox|mboxrd|in)$|^000\dmboxrd$/.test(f))
        .map((f) => sharedPath('corpus', d, f)),
    );
    const r = await compare(files);
    expect(r.ids).toBeGreaterThan(130);
    expect(r.ours).toEqual(r.git);
  });
});

// Generated diffs: files with hunks whose line counts are known, formatted as git does.
const line = fc.stringMatching(/^[a-z0-9 (){};=+*-]{0,30}$/);
const hunkArb = fc.record({
  context: fc.array(line, { minLength: 0, maxLength: 3 }),
  removed: fc.array(line, { minLength: 0, maxLength: 4 }),
  added: fc.array(line, { minLength: 0, maxLength: 4 }),
  func: fc.stringMatching(/^[a-z_]{0,12}$/),
});
const fileArb = fc.record({ name: fc.stringMatching(/^[a-z]{1,8}\/[a-z]{1,8}\.c$/), hunks: fc.array(hunkArb, { minLength: 1, maxLength: 3 }) });

function formatFile(f: { name: string; hunks: { context: string[]; removed: string[]; added: string[]; func: string }[] }, ws = ''): string {
  let out = `diff --git a/${f.name} b/${f.name}\nindex 1111111..2222222 100644\n--- a/${f.name}\n+++ b/${f.name}\n`;
  let at = 1;
  for (const h of f.hunks) {
    const oldN = h.context.length + h.removed.length;
    const newN = h.context.length + h.added.length;
    out += `@@ -${at},${oldN} +${at},${newN} @@${h.func ? ` ${h.func}` : ''}\n`;
    for (const c of h.context) out += ` ${c}${ws}\n`;
    for (const r of h.removed) out += `-${r}${ws}\n`;
    for (const a of h.added) out += `+${a}${ws}\n`;
    at += oldN + 10;
  }
  return out;
}

describe('diff parser properties', () => {
  it('counts exactly the added and removed lines of generated diffs, and keeps the function context', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fileArb, { minLength: 1, maxLength: 3, selector: (f) => f.name }), (files) => {
        const d = parseDiff(`Subject line\n\n---\n${files.map((f) => formatFile(f)).join('')}-- \n2.43.0\n`);
        expect(d.files.map((f) => f.newPath)).toEqual(files.map((f) => f.name));
        files.forEach((f, i) => {
          expect(d.files[i]?.added).toBe(f.hunks.reduce((n, h) => n + h.added.length, 0));
          expect(d.files[i]?.removed).toBe(f.hunks.reduce((n, h) => n + h.removed.length, 0));
          expect(d.files[i]?.hunks.map((h) => h.context)).toEqual(f.hunks.map((h) => h.func));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('hashes a line as git does: its UTF-8 bytes without space, tab, LF, VT, FF or CR', () => {
    // any UTF-16 text, lone surrogates included (both sides write them as U+FFFD)
    const piece = fc.constantFrom(' ', '\t', '\v', '\f', '\r', 'x', '\u00e9', '\u20ac', '\ud83d\ude00', '\ud800', '\udfff', '\u00a0', '\u2028');
    const lineText = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 20 }).map((a) => a.join('').replace(/[\n\0]/g, ''));
    fc.assert(
      fc.property(lineText, lineText, (old, neu) => {
        const hashed = `diff --git a/f b/f\n--- a/f\n+++ b/f\n-${old}\n+${neu}\n`;
        const want = createHash('sha1').update(hashed.replace(/[ \t\n\v\f\r]/g, ''), 'utf8').digest('hex');
        expect(patchId(`diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-${old}\n+${neu}\n`)).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same patch-id whatever the file order and trailing whitespace', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fileArb, { minLength: 1, maxLength: 3, selector: (f) => f.name }), (files) => {
        const a = patchId(files.map((f) => formatFile(f)).join(''));
        const b = patchId([...files].reverse().map((f) => formatFile(f, '  ')).join(''));
        expect(a).not.toBeNull();
        expect(b).toBe(a);
      }),
      { numRuns: 200 },
    );
  });
});
