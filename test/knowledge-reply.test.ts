import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributionAuthor, blockText, parseReply, restoreLines } from '../domain/knowledge/reply.ts';

describe('attribution lines', () => {
  it.each([
    ['On Tue, Jun 30, 2026 at 07:31:07PM +0100, Pedro Falcato wrote:', 'Pedro Falcato'],
    ['On 2024/4/15 20:34, Jan Kara wrote:', 'Jan Kara'],
    ['On 1 Apr 2026, at 15:15, David Hildenbrand (Arm) wrote:', 'David Hildenbrand (Arm)'],
    ['On Mon 05-06-23 11:16:55, Jan Kara wrote:', 'Jan Kara'],
    ['On Sat, Sep 12, 2020 at 5:41 PM Dave Chinner <david@example.org> wrote:', 'Dave Chinner'],
    ['Quoting Ada Lovelace (2024-01-02 10:00:00)', 'Ada Lovelace'],
    ['Ada Lovelace <ada@example.org> writes:', 'Ada Lovelace'],
    ['Le lun. 3 juin 2024, Marie Curie a écrit :', 'Marie Curie'],
    ['Ada Lovelace <ada@example.org> 于2024年6月25日周二 22:29写道：', 'Ada Lovelace'],
    ['Ada Lovelace <ada@example.org> 於 2024年6月25日 週二 下午10:29寫道：', 'Ada Lovelace'],
  ])('reads %s', (line, who) => {
    expect(attributionAuthor(line)).toBe(who);
  });

  it('is no attribution in ordinary prose or code', () => {
    expect(attributionAuthor('I think we want to take the lock here.')).toBeNull();
    expect(attributionAuthor('if (ret) return ret;')).toBeNull();
    expect(attributionAuthor('')).toBeNull();
  });
});

describe('reply structure', () => {
  const reply = [
    'On Mon, Jan 1, 2024 at 10:00 AM Alice Example <alice@example.org> wrote:',
    '> On Sun, Dec 31, 2023 at 09:00 AM Bob Example wrote:',
    '> > The writer can run between the check and the update.',
    '> >',
    '> > Perhaps we should take the folio lock in foo_update().',
    '>',
    '> That still races with bar_evict(), I think.',
    '',
    'Agreed, and bar_evict() takes the lock in the other order.',
    '',
    'diff --git a/fs/x.c b/fs/x.c',
    '--- a/fs/x.c',
    '+++ b/fs/x.c',
    '@@ -1,3 +1,4 @@ static int foo_update(struct x *x)',
    ' int a;',
    '',
    '+	folio_lock(folio);',
    '-	old();',
    '',
    '-- ',
    'Carol',
  ].join('\n');

  it('splits own text, quotes with their depth and whom they quote, diffs and the signature', () => {
    const r = parseReply(reply);
    expect(r.restored).toBe(false);
    const summary = r.blocks.map((b) => [b.kind, b.depth, b.author]);
    expect(summary).toEqual([
      ['attribution', 0, 'Alice Example'],
      ['attribution', 1, 'Bob Example'],
      ['quote', 2, 'Bob Example'],
      ['quote', 2, 'Bob Example'],
      ['quote', 1, 'Alice Example'],
      ['own', 0, null],
      ['diff', 0, null],
      ['signature', 0, null],
    ]);
    expect(blockText(r, r.blocks[3]!)).toBe('Perhaps we should take the folio lock in foo_update().');
    // the own paragraph answers Alice's quoted paragraph right above it
    expect(r.blocks[5]!.answers).toBe(4);
    // the diff runs on across its blank context line
    expect(blockText(r, r.blocks[6]!).split('\n')).toHaveLength(8);
  });

  it('restores the lines of a body whose line breaks were lost', () => {
    const lost = 'On Tue, Jun 30, 2026 at 07:31:07PM +0100, Pedro Falcato wrote: > +CC folks > Quick note, your mail is hard to read. > > On Tue, Jun 30, 2026 at 01:01:53PM -0400, Gregg Example wrote: > > Hello, > > > > We have a reproducible data-loss issue.';
    expect(restoreLines(lost)).toEqual([
      'On Tue, Jun 30, 2026 at 07:31:07PM +0100, Pedro Falcato wrote:',
      '> +CC folks',
      '> Quick note, your mail is hard to read.',
      '>',
      '> On Tue, Jun 30, 2026 at 01:01:53PM -0400, Gregg Example wrote:',
      '> > Hello,',
      '>>',
      '> > We have a reproducible data-loss issue.',
    ]);
  });

  it('reads a 10,000-line quoted reply within its bound and without a throw', () => {
    const huge = ['On Mon, Jan 1, 2024, X wrote:', ...Array.from({ length: 10_000 }, (_, i) => `> line ${i} of a very long quote`), '', 'Thanks.'].join('\n');
    const r = parseReply(huge);
    expect(r.blocks.at(-1)?.kind).toBe('own');
    expect(r.blocks.filter((b) => b.kind === 'quote')).toHaveLength(1);
  });

  it('takes any string, HTML-only bodies and broken attributions included', () => {
    for (const body of ['', '<html><body><p>hi</p></body></html>', 'On , wrote:', '>>>>>', '\r\n\r\n> \r\n']) {
      expect(() => parseReply(body)).not.toThrow();
    }
  });

  it('keeps its invariants for any body (property)', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 30 }).map((s) => `> ${s}`),
      fc.string({ maxLength: 30 }).map((s) => `> > ${s}`),
      fc.constantFrom('', '-- ', 'On Mon, Jan 1, 2024, Someone wrote:', 'diff --git a/x b/x', '@@ -1 +1 @@', '+x', '-y'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const r = parseReply(lines.join('\n'));
        let last = -1;
        for (const [i, b] of r.blocks.entries()) {
          // blocks are in order, do not overlap, and stay inside the lines
          expect(b.start).toBeGreaterThan(last);
          expect(b.end).toBeGreaterThanOrEqual(b.start);
          expect(b.end).toBeLessThan(r.lines.length);
          last = b.end;
          if (b.kind === 'quote') expect(b.depth).toBeGreaterThan(0);
          if (b.kind === 'own') {
            expect(b.depth).toBe(0);
            if (b.answers !== null) {
              expect(b.answers).toBeLessThan(i);
              expect(r.blocks[b.answers]!.kind).toBe('quote');
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('restores run-together lines without losing a word (property)', () => {
    const word = fc.stringMatching(/^[a-z]{1,8}$/);
    const line = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(word, { minLength: 1, maxLength: 6 })).map(([d, ws]) => `${'> '.repeat(d)}${ws.join(' ')}`);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), (lines) => {
        const restored = restoreLines(lines.join(' '));
        const words = (s: string): string[] => s.split(/[\s>]+/).filter(Boolean);
        expect(words(restored.join(' '))).toEqual(words(lines.join(' ')));
      }),
      { numRuns: 300 },
    );
  });
});

describe('a mailing list footer', () => {
  it('is set apart as a signature, not read as the sender\'s words', () => {
    const r = parseReply('Looks good to me.\n\n_______________________________________________\nLinux-f2fs-devel mailing list\nLinux-f2fs-devel@lists.sourceforge.net\nhttps://lists.sourceforge.net/lists/listinfo/linux-f2fs-devel\n');
    expect(r.blocks.map((b) => [b.kind, b.start, b.end])).toEqual([['own', 0, 0], ['signature', 2, 6]]);
  });

  it('is no footer when the underscores are not followed by a list name', () => {
    const r = parseReply('Before\n______________________________\nAfter the rule.\n');
    expect(r.blocks.every((b) => b.kind === 'own')).toBe(true);
  });
});
