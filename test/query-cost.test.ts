// The queries issue #13 measured at 5 to 14 s on 20,000 messages are refused before they
// run, each with a 400 LIMIT that names the bound it broke and where; queries people
// write still pass.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseQuery } from '../domain/query/parser.ts';
import { checkQueryCost, DEFAULT_QUERY_BOUNDS, termWords } from '../domain/query/cost.ts';
import { LoregraphError } from '../domain/errors.ts';
import { buildApp } from '../server/app.ts';
import { openDb } from '../db/connection.ts';

function refusal(q: string): LoregraphError {
  try {
    checkQueryCost(parseQuery(q));
  } catch (e) {
    if (e instanceof LoregraphError) return e;
    throw e;
  }
  throw new Error(`'${q.slice(0, 40)}' was accepted`);
}

const words = (n: number, w = 'the') => Array.from({ length: n }, () => w).join(' ');

describe('query cost bounds', () => {
  it('refuses the reproducers of issue #13, naming the bound', () => {
    const cases: [string, string, RegExp][] = [
      [`"${words(1000, 'a')}"`.slice(0, 2047), 'maxPhraseWords', /phrase of \d+ words is longer than the bound of 16 words per phrase at column 1/],
      [`"${'the '.repeat(500)}"`, 'maxPhraseWords', /phrase of 500 words/],
      [`dfn:${Array.from({ length: 900 }, (_, i) => `d${i}`).join('/')}`, 'maxPhraseWords', /phrase of 900 words/],
      [Array.from({ length: 64 }, (_, i) => `wr${String.fromCharCode(97 + (i % 26))}${i}*`).join(' '), 'maxPrefixTerms', /more than the bound of 8 prefix \(\*\) terms at column \d+/],
      ['a*', 'minPrefixChars', /at least 2 characters before '\*', 'a\*' has 1 at column 1/],
      [Array.from({ length: 5 }, () => `"${words(15)}"`).join(' '), 'maxWords', /more than the bound of 64 words/],
    ];
    for (const [q, bound, message] of cases) {
      const e = refusal(q);
      expect(e.code, q.slice(0, 30)).toBe('LIMIT');
      expect(e.details?.['bound']).toBe(bound);
      expect(e.message).toMatch(message);
    }
  });

  it('lets through the queries people write', () => {
    for (const q of [
      's:"mm: fix a race in filemap_fault"',
      'dfn:mm/filemap.c dfhh:filemap_fault',
      'dfn:ext4/x*',
      'writeb* s:readah* f:akpm',
      `"${words(16)}"`,
      'd:2.weeks.ago.. AND (s:folio OR b:"page cache") -f:bot',
    ]) {
      expect(() => checkQueryCost(parseQuery(q)), q).not.toThrow();
    }
  });

  it('counts a dfn: path of 2 to 16 parts as one joined term, and one past that as a phrase of its parts', () => {
    const term = (q: string) => {
      const t = parseQuery(q);
      if (t?.kind !== 'term') throw new Error('not a term');
      return termWords(t);
    };
    expect(term('dfn:mm/filemap.c')).toBe(1);
    expect(term(`dfn:${Array.from({ length: 16 }, (_, i) => `p${i}`).join('/')}`)).toBe(1);
    expect(term(`dfn:${Array.from({ length: 17 }, (_, i) => `p${i}`).join('/')}`)).toBe(17);
    expect(term('"page cache folio"')).toBe(3);
  });

  it('never accepts a query that breaks a bound, whatever its shape', () => {
    const word = fc.constantFrom('the', 'a', 'folio', 'mm', 'x', 'writeback');
    const term = fc.oneof(
      fc.array(word, { minLength: 1, maxLength: 30 }).map((w) => `"${w.join(' ')}"`),
      fc.tuple(word, fc.boolean()).map(([w, star]) => (star ? `${w}*` : w)),
      fc.array(word, { minLength: 1, maxLength: 30 }).map((w) => `dfn:${w.join('/')}`),
    );
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 20 }), (terms) => {
        const q = parseQuery(terms.join(' '));
        let ok = true;
        try {
          checkQueryCost(q);
        } catch {
          ok = false;
        }
        // Recount independently: accepted means within every bound.
        const stack = q ? [q] : [];
        let total = 0;
        let prefixes = 0;
        let longest = 0;
        while (stack.length > 0) {
          const n = stack.pop()!;
          if (n.kind === 'and' || n.kind === 'or') stack.push(...n.children);
          else if (n.kind === 'not') stack.push(n.child);
          else if (n.kind === 'term') {
            const w = termWords(n);
            total += w;
            longest = Math.max(longest, w);
            if (n.prefix) prefixes++;
          }
        }
        const b = DEFAULT_QUERY_BOUNDS;
        if (ok) expect(total <= b.maxWords && longest <= b.maxPhraseWords && prefixes <= b.maxPrefixTerms).toBe(true);
      }),
    );
  });

  it('answers an over-bound search and feed with a JSON 400 LIMIT naming the bound', async () => {
    const app = buildApp({ db: openDb(':memory:') });
    try {
      for (const url of [`/api/search?q=${encodeURIComponent(`"${'the '.repeat(500)}"`)}`, `/api/feed.atom?q=${encodeURIComponent('a* b* c*')}`]) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().code).toBe('LIMIT');
        expect(res.json().message).toMatch(/bound|at least 2 characters/);
      }
    } finally {
      await app.close();
    }
  });
});
