import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { extractSearchDoc, indexedBody, INDEXED_BODY_CHARS, splitBody } from '../domain/search/extract.ts';
import { dfnColumn } from '../domain/search/path-terms.ts';

const PATCH_MAIL = [
  'The race window is between unlock and relock.',
  '',
  'On Mon, someone wrote:',
  '> an earlier point',
  '>> an older point',
  '',
  '---',
  ' mm/filemap.c | 2 +-',
  '',
  'diff --git a/mm/filemap.c b/mm/filemap.c',
  'index 0123456..89abcde 100644',
  '--- a/mm/filemap.c',
  '+++ b/mm/filemap.c',
  '@@ -10,3 +10,3 @@ void folio_unlock(struct folio *folio)',
  ' 	keep_this();',
  '-	old_call();',
  '+	new_call();',
  '',
  'diff --git a/include/linux/pagemap.h b/include/linux/pagemap.h',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/include/linux/pagemap.h',
  '@@ -0,0 +1 @@',
  '+#define PAGEMAP_H',
  '-- ',
  '2.43.0',
].join('\n');

describe('search index body split', () => {
  it('separates prose, quoted lines and every part of a diff', () => {
    const p = splitBody(PATCH_MAIL);
    expect(p.quoted).toEqual(['an earlier point', 'an older point']);
    expect(p.fileNames).toEqual(['mm/filemap.c', 'include/linux/pagemap.h']);
    expect(p.hunkHeaders).toEqual(['void folio_unlock(struct folio *folio)']);
    expect(p.added).toEqual(['\tnew_call();', '#define PAGEMAP_H']);
    expect(p.removed).toEqual(['\told_call();']);
    expect(p.context).toEqual(['\tkeep_this();', '']);
    expect(p.nonQuoted).toContain('The race window is between unlock and relock.');
    expect(p.nonQuoted).toContain('2.43.0');
    expect(p.nonQuoted.join('\n')).not.toMatch(/new_call|old_call|index 0123456/);
  });

  it("indexes a diff's blob ids as one pre-image and one post-image term in dfn, not a quoted diff's", () => {
    const p = splitBody(PATCH_MAIL);
    expect(p.blobs).toEqual(['dfpre0123456', 'dfpost89abcde']);
    expect(p.nonQuoted.join('\n')).not.toMatch(/index/);
    const doc = extractSearchDoc({ subject: 's', from: null, to: [], cc: [], listId: null, body: PATCH_MAIL });
    expect(doc.dfn.split('\n').slice(-2)).toEqual(['dfpre0123456', 'dfpost89abcde']);
    expect(splitBody('diff --git a/x.c b/x.c\nindex ABCDEF0123..0000000000 100644\n').blobs).toEqual(['dfpreabcdef0123', 'dfpost0000000000']);
    expect(splitBody('> diff --git a/x.c b/x.c\n> index 0123456..89abcde 100644\n').blobs).toEqual([]);
    // an index line outside a diff header is prose
    expect(splitBody('index 0123456..89abcde 100644\n').blobs).toEqual([]);
  });

  it('ends a hunk when its line counts are used up, so the signature is prose again', () => {
    const p = splitBody('@@ -1,1 +1,1 @@\n-a\n+b\n-- \nSigned text');
    expect(p.removed).toEqual(['a']);
    expect(p.added).toEqual(['b']);
    expect(p.nonQuoted).toEqual(['-- ', 'Signed text']);
  });

  it('treats a diff inside quoted text as quoted, not as a patch', () => {
    const p = splitBody('> diff --git a/x.c b/x.c\n> @@ -1 +1 @@\n> -old\n> +new\nI disagree.');
    expect(p.fileNames).toEqual([]);
    expect(p.added).toEqual([]);
    expect(p.quoted).toEqual(['diff --git a/x.c b/x.c', '@@ -1 +1 @@', '-old', '+new']);
  });

  it('reads file names from plain unified diffs and renames', () => {
    const p = splitBody('--- a/fs/old.c\t2024-01-01\n+++ b/fs/new.c\t2024-01-02\n@@ -1 +1 @@\n-x\n+y\n');
    expect(p.fileNames).toEqual(['fs/old.c', 'fs/new.c']);
    const r = splitBody('diff --git a/a.c b/b.c\nsimilarity index 90%\nrename from a.c\nrename to b.c\n');
    expect(r.fileNames).toEqual(['a.c', 'b.c']);
  });

  it('fills every field of a SearchDoc from a message', () => {
    const doc = extractSearchDoc({
      subject: '[PATCH] fix',
      from: { name: 'Ann', address: 'ann@example.org' },
      to: [{ name: '', address: 'list@example.org' }],
      cc: [{ name: 'Bo', address: 'bo@example.org' }, { name: 'Cy', address: 'cy@example.org' }],
      listId: 'list.example.org',
      body: 'text\n> quoted\n',
    });
    expect(doc).toEqual({
      subject: '[PATCH] fix',
      from_addr: 'Ann ann@example.org',
      to_addr: 'list@example.org',
      cc_addr: 'Bo bo@example.org\nCy cy@example.org',
      list_id: 'list.example.org',
      body_nq: 'text',
      body_q: 'quoted',
      dfn: '',
      dfhh: '',
      dfa: '',
      dfb: '',
      dfctx: '',
    });
  });

  it('places each line at most once and loses no word outside diff bookkeeping lines (property)', () => {
    const line = fc.oneof(
      fc.constantFrom('diff --git a/a.c b/a.c', '--- a/a.c', '+++ b/a.c', '@@ -1,2 +1,2 @@ f()', '@@ -1 +1 @@', '\\ No newline at end of file', 'index 1..2', ''),
      fc.tuple(fc.constantFrom('', ' ', '+', '-', '>', '> ', '@'), fc.string({ maxLength: 12 })).map(([a, b]) => (a + b).replace(/[\r\n]/g, '')),
    );
    const words = (s: string): string[] => s.match(/[A-Za-z0-9_]+/g) ?? [];
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const text = lines.join('\n');
        const p = splitBody(text);
        const placed = [...p.nonQuoted, ...p.quoted, ...p.added, ...p.removed, ...p.context];
        expect(placed.length).toBeLessThanOrEqual(text.split('\n').length);
        const indexed = new Set(words([...placed, ...p.fileNames, ...p.hunkHeaders].join(' ')));
        const bookkeeping = /^(index |\\|@@ |diff --git |--- |\+\+\+ )/;
        for (const l of lines.filter((x) => !bookkeeping.test(x))) {
          for (const w of words(l)) expect(indexed.has(w)).toBe(true);
        }
        expect(p.fileNames.every((n) => n !== '' && n !== '/dev/null')).toBe(true);
      }),
    );
  });
});

describe('the search doc of a body', () => {
  // what extractSearchDoc made of splitBody's line lists before it stopped splitting the body into lines
  const reference = (body: string) => {
    const b = splitBody(body);
    return {
      body_nq: b.nonQuoted.join('\n').trim(),
      body_q: b.quoted.join('\n'),
      dfn: b.blobs.length === 0 ? dfnColumn(b.fileNames) : [dfnColumn(b.fileNames), ...b.blobs].join('\n'),
      dfhh: b.hunkHeaders.join('\n'),
      dfa: b.removed.join('\n'),
      dfb: b.added.join('\n'),
      dfctx: b.context.join('\n'),
    };
  };
  const line = fc.oneof(
    fc.constantFrom('diff --git a/a.c b/a.c', 'diff --git "a/x y.c" b/z.c', '--- a/a.c', '+++ b/a.c', '--- /dev/null', '@@ -1,2 +1,2 @@ f()', '@@ -1 +1 @@', '@@ -3,0 +4 @@', '\\ No newline at end of file'),
    fc.constantFrom('index 0123abc..4567def 100644', 'rename from a.c', 'copy to b.c', 'new file mode 100644', 'similarity index 90%', 'Binary files a and b differ', '', ' ', '>', '> > x', ' > y', '\t>z', '-- ', 'prose'),
    fc.tuple(fc.constantFrom('', ' ', '+', '-', '>', '> ', '@', '\t', '\\'), fc.string({ maxLength: 12 })).map(([a, b]) => a + b),
  );
  const ending = fc.constantFrom('\n', '\r\n', '\r');

  it("is what splitBody's lines joined make, for any mix of prose, quotes, diffs and line breaks (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(line, ending), { maxLength: 40 }), fc.boolean(), (lines, last) => {
        const body = lines.map(([l, e]) => l + e).join('').slice(0, last ? undefined : -1);
        const doc = extractSearchDoc({ subject: '', from: null, to: [], cc: [], listId: null, body });
        const { subject: _s, from_addr: _f, to_addr: _t, cc_addr: _c, list_id: _l, ...columns } = doc;
        expect(columns).toEqual(reference(body));
      }),
      { numRuns: Number(process.env['RUNS'] ?? 2000) },
    );
  });
});

describe('the indexed part of a very large body', () => {
  const line = 'a line of a very long kernel log about writeback\n';
  // whole lines ending within 100 characters of the cap
  const head = line.repeat(Math.floor((INDEXED_BODY_CHARS - 100) / line.length));
  const msg = (body: string) => ({ subject: 'big', from: null, to: [], cc: [], listId: null, body });

  it('is the whole body up to INDEXED_BODY_CHARS', () => {
    const body = `${head}lastword`;
    expect(body.length).toBeLessThanOrEqual(INDEXED_BODY_CHARS);
    expect(indexedBody(body)).toBe(body);
    expect(extractSearchDoc(msg(body)).body_nq.endsWith('lastword')).toBe(true);
  });

  it('past it, ends after the last whole line within the cap, so no word is cut in two', () => {
    const body = `${head}${'x'.repeat(200)}\nquokka beyond the cap\n+added beyond\n`;
    const kept = indexedBody(body);
    expect(kept).toBe(head.slice(0, -1));
    const doc = extractSearchDoc(msg(body));
    expect(doc.body_nq.length).toBe(kept.trim().length);
    expect(doc.body_nq).not.toContain('quokka');
    expect(doc.body_nq.endsWith('about writeback')).toBe(true);
  });

  it('cuts a single line longer than the cap at the cap', () => {
    expect(indexedBody('y'.repeat(INDEXED_BODY_CHARS + 10))).toHaveLength(INDEXED_BODY_CHARS);
  });
});
