// The diff summary and patch-id over a text too large to hold whole: read from its UTF-8
// bytes line by line (a body past ingest's BODY_ANALYSED_BYTES), and a file's lines hashed
// in runs rather than joined whole. Each gives what the whole string gives.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffSummary, parseDiff } from '../domain/patch/diff.ts';
import { LineCursor } from '../domain/patch/line-cursor.ts';
import { gitPatchIds, patchId } from '../domain/patch/patch-id.ts';

function all(c: LineCursor): string[] {
  const out: string[] = [];
  for (let i = 0; c.at(i) !== undefined; i++) out.push(c.at(i) as string);
  return out;
}

/** Text without lone surrogates: its UTF-8 bytes read back as itself. */
const text = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\n', '\r', ' ') });

describe('the line cursor over UTF-8 bytes', () => {
  it('gives the lines it gives over the decoded text', () => {
    fc.assert(
      fc.property(text, fc.boolean(), fc.boolean(), (t, keepNewline, stripCr) => {
        expect(all(new LineCursor(Buffer.from(t), { keepNewline, stripCr }))).toEqual(all(new LineCursor(t, { keepNewline, stripCr })));
      }),
    );
  });
});

const diffLine = fc.constantFrom('diff --git a/x b/x\n', '--- a/x\n', '+++ b/x\n', '@@ -1,2 +1,2 @@ f()\n', '-old é\n', '+new 😀\n', ' ctx\n', '\n', 'new file mode 100644\n', '--- /dev/null\n', 'index 1234567..89abcde\n', 'text\n');

describe('the diff summary', () => {
  it("is parseDiff's files and counts without hunks, from the text or its bytes", () => {
    fc.assert(
      fc.property(fc.array(diffLine, { maxLength: 60 }), (lines) => {
        const t = lines.join('');
        const full = parseDiff(t);
        const want = { ...full, files: full.files.map((f) => ({ ...f, hunks: [] })) };
        expect(diffSummary(t)).toEqual(want);
        expect(diffSummary(Buffer.from(t))).toEqual(want);
        expect(full.files.map((f) => [f.added, f.removed])).toEqual(full.files.map((f) => [f.hunks.reduce((n, h) => n + h.added, 0), f.hunks.reduce((n, h) => n + h.removed, 0)]));
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * One file whose hunk has `n` lines `line(i)`, removed then added (or, with `context`, as
 * context lines, whose leading space goes with the spaces): its patch-id is the SHA-1 of
 * its hashed lines without spaces.
 */
function oneFile(n: number, line: (i: number) => string, context = false): { text: string; want: string } {
  const lines = context
    ? Array.from({ length: n }, (_, i) => ` ${line(i)}\n`).join('')
    : Array.from({ length: n }, (_, i) => `-${line(i)}\n`).join('') + Array.from({ length: n }, (_, i) => `+${line(i)}!\n`).join('');
  const hashed = `diff --git a/f b/f\n--- a/f\n+++ b/f\n${lines}`;
  const want = createHash('sha1').update(hashed.replace(/[ \t\n\v\f\r]/g, ''), 'utf8').digest('hex');
  return { text: `diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,${n} +1,${n} @@\n${lines}`, want };
}

describe('the patch-id of a file of several MiB', () => {
  const N = 60_000; // some 4 MiB of lines: several runs of hashed lines

  it('is the SHA-1 of all its lines, from the text or its bytes', () => {
    const { text: t, want } = oneFile(N, (i) => `\tline ${i} of a large file, é € 😀 and spaces   `);
    expect(patchId(t)).toBe(want);
    expect(patchId(Buffer.from(t))).toBe(want);
  });

  it('is the SHA-1 of the whole text where a lone surrogate comes late, or two pair up once spaces go', () => {
    for (const at of [3, N / 2, N - 2]) {
      // a high surrogate ending one line's text and a low one starting the next: git (and the
      // whole string) drop the space between, pairing them; hashed apart they would not pair
      const { text: t, want } = oneFile(2 * N, (i) => (i === at ? `x \ud83d ` : i === at + 1 ? ` \ude00 y` : `line ${i} of a large file`), true);
      expect(patchId(t)).toBe(want);
      // the pair is there to be made: hashed as two lone halves the id differs
      expect(want).not.toBe(oneFile(2 * N, (i) => (i === at ? `x \ud83d ` : i === at + 1 ? ` y \ude00 y` : `line ${i} of a large file`), true).want);
    }
  });

  it('sums per file as before when several large files follow each other', () => {
    const a = oneFile(N, (i) => `a ${i}`);
    const b = oneFile(N, (i) => `b ${i}`);
    const sum = new Uint8Array(20);
    let carry = 0;
    const da = Buffer.from(a.want, 'hex');
    const db = Buffer.from(b.want, 'hex');
    for (let i = 0; i < 20; i++) {
      carry += (da[i] ?? 0) + (db[i] ?? 0);
      sum[i] = carry & 0xff;
      carry >>= 8;
    }
    expect(gitPatchIds(a.text + b.text)).toEqual([{ patchId: Buffer.from(sum).toString('hex'), commit: '0'.repeat(40) }]);
  });
});
