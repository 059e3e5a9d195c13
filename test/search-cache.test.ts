import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSearchCache, type CachedSearch } from '../server/search-cache.ts';

const answer = (hits: string): CachedSearch => ({ head: '{"total":1', tail: `,"hits":[${hits}]}` });
/** What the cache counts against its byte bound for one entry. */
const bytesOf = (key: string, v: CachedSearch): number => key.length + v.head.length + v.tail.length;

describe('recent search answers (server/search-cache.ts)', () => {
  it('gives back what was set under a key, and nothing under another', () => {
    const c = createSearchCache({ entries: 4, bytes: 1000 });
    c.set('a', answer('1'));
    expect(c.get('a')).toEqual(answer('1'));
    expect(c.get('b')).toBeUndefined();
  });

  it('replaces an answer set again under the same key', () => {
    const c = createSearchCache({ entries: 4, bytes: 1000 });
    c.set('a', answer('1'));
    c.set('a', answer('2'));
    expect(c.get('a')).toEqual(answer('2'));
  });

  it('drops the least recently used answer past the entry bound, a read counting as use', () => {
    const c = createSearchCache({ entries: 2, bytes: 1000 });
    c.set('a', answer('1'));
    c.set('b', answer('2'));
    expect(c.get('a')).toEqual(answer('1'));
    c.set('c', answer('3'));
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toEqual(answer('1'));
    expect(c.get('c')).toEqual(answer('3'));
  });

  it('drops the oldest answers past the byte bound, and never keeps one larger than the bound', () => {
    const one = bytesOf('a', answer('1'));
    const c = createSearchCache({ entries: 100, bytes: 2 * one });
    c.set('a', answer('1'));
    c.set('b', answer('2'));
    c.set('c', answer('3'));
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, answer('2'), answer('3')]);
    c.set('big', answer('x'.repeat(2 * one)));
    expect(c.get('big')).toBeUndefined();
    // An answer too large to keep evicts nothing.
    expect([c.get('b'), c.get('c')]).toEqual([answer('2'), answer('3')]);
  });

  it('counts a replaced answer once against the byte bound', () => {
    const one = bytesOf('a', answer('1'));
    const c = createSearchCache({ entries: 100, bytes: 2 * one });
    c.set('a', answer('1'));
    for (let i = 0; i < 5; i++) c.set('b', answer(String(i)));
    expect(c.get('a')).toEqual(answer('1'));
    expect(c.get('b')).toEqual(answer('4'));
  });

  it('holds, after any sequence of sets and gets, exactly the most recently used answers that fit both bounds', () => {
    const op = fc.oneof(
      fc.record({ set: fc.constantFrom('a', 'b', 'c', 'd', 'e'), hits: fc.string({ maxLength: 12 }) }),
      fc.record({ get: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 20, max: 80 }), (ops, entries, bytes) => {
        const c = createSearchCache({ entries, bytes });
        // The model: most recently used last.
        let model: [string, CachedSearch][] = [];
        for (const o of ops) {
          if ('set' in o) {
            const v = answer(JSON.stringify(o.hits));
            if (bytesOf(o.set, v) > bytes) {
              c.set(o.set, v);
              continue;
            }
            model = [...model.filter(([k]) => k !== o.set), [o.set, v]];
            while (model.length > entries || model.reduce((n, [k, x]) => n + bytesOf(k, x), 0) > bytes) model.shift();
            c.set(o.set, v);
          } else {
            const hit = model.find(([k]) => k === o.get);
            expect(c.get(o.get)).toEqual(hit?.[1]);
            if (hit) model = [...model.filter(([k]) => k !== o.get), hit];
          }
        }
      }),
    );
  });
});
