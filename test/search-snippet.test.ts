import { describe, expect, it } from 'vitest';
import { findHits, highlightTerms, makeSnippet } from '../domain/query/snippet.ts';
import { parseQuery } from '../domain/query/parser.ts';

function terms(q: string) {
  return highlightTerms(parseQuery(q, { now: 0 }));
}

function marked(text: string, q: string, width?: number): string {
  return makeSnippet(text, terms(q), width)
    .map((s) => (s.hit ? `[${s.text}]` : s.text))
    .join('');
}

describe('search snippets', () => {
  it('flags whole words only, case-insensitively', () => {
    expect(marked('Race in the racer: RACE again', 'race')).toBe('[Race] in the racer: [RACE] again');
  });

  it('flags a prefix match to the end of the word', () => {
    expect(marked('writeback and writes, not rewrite', 'write*')).toBe('[writeback] and [writes], not rewrite');
  });

  it('flags a phrase as one range, words in order only', () => {
    expect(marked('the page cache, then cache page', '"page cache"')).toBe('the [page cache], then cache page');
    expect(marked('a mm/khugepaged.c b', 'dfn:mm/khugepaged.c')).toBe('a [mm/khugepaged.c] b');
  });

  it('folds accents and case the way the index does', () => {
    expect(marked('Zoë wrote', 'zoe')).toBe('[Zoë] wrote');
    expect(marked('ZOË wrote', 'Zoë')).toBe('[ZOË] wrote');
  });

  it('does not flag terms that sit under NOT or in header-only fields', () => {
    expect(marked('fix the race', 'fix -race')).toBe('[fix] the race');
    expect(marked('carol wrote this', 'f:carol')).toBe('carol wrote this');
  });

  it('keeps markup-like mail text as plain text in a segment', () => {
    const segs = makeSnippet('<b onclick=x>bold</b> & <script>race</script>', terms('race'));
    expect(segs).toEqual([
      { text: '<b onclick=x>bold</b> & <script>', hit: false },
      { text: 'race', hit: true },
      { text: '</script>', hit: false },
    ]);
  });

  it('picks the window with the most hits and marks cut ends with an ellipsis', () => {
    const text = `${'filler words here. '.repeat(30)}race race race ${'more filler text. '.repeat(30)}`;
    const out = marked(text, 'race', 80);
    expect(out.startsWith('… ')).toBe(true);
    expect(out.endsWith(' …')).toBe(true);
    expect(out.match(/\[race\]/g)?.length).toBe(3);
  });

  it('shows the start of the text, whitespace squashed, when nothing matches', () => {
    expect(marked('\n\n  first   line\nsecond', 'absent')).toBe('first line second');
    expect(makeSnippet('   ', terms('x'))).toEqual([]);
  });

  it('finds hits by character range', () => {
    expect(findHits('ab race cd race', terms('race'))).toEqual([
      [3, 7],
      [11, 15],
    ]);
  });
});
