// Recent /api/search answers, as the JSON bodies sent. A search page is asked for again
// and again (the same first page of a popular word, search-as-you-type landing on the same
// text, a page reloaded), and each costs a query process several milliseconds while a
// hit here costs a map lookup. Keyed by what decides the answer: the query as compiled
// (relative dates resolved, so `d:2.weeks.ago..` moves on with the clock), the page, the
// order, and the database's data version (db/data-version.ts), so an ingest committing
// new mail makes every older entry unreachable; they age out of the LRU.

export interface CachedSearch {
  /** `{"total":…,"totalExact":…,"offset":…,"limit":…,"took_ms":…` without the closing brace. */
  head: string;
  /** `,"hits":[…]}` */
  tail: string;
}

export interface SearchCache {
  get(key: string): CachedSearch | undefined;
  set(key: string, value: CachedSearch): void;
}

export interface SearchCacheOptions {
  /** Most answers kept. */
  entries: number;
  /** Most bytes of JSON kept (a page of 200 hits with snippets is ~150 KB). */
  bytes: number;
}

export const DEFAULT_SEARCH_CACHE: SearchCacheOptions = { entries: 512, bytes: 32 * 1024 * 1024 };

export function createSearchCache(opts: SearchCacheOptions = DEFAULT_SEARCH_CACHE): SearchCache {
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  const map = new Map<string, CachedSearch>();
  let bytes = 0;
  const size = (k: string, v: CachedSearch): number => k.length + v.head.length + v.tail.length;
  return {
    get(key) {
      const v = map.get(key);
      if (v === undefined) return undefined;
      map.delete(key);
      map.set(key, v);
      return v;
    },
    set(key, value) {
      const n = size(key, value);
      if (n > opts.bytes) return;
      const old = map.get(key);
      if (old !== undefined) {
        bytes -= size(key, old);
        map.delete(key);
      }
      map.set(key, value);
      bytes += n;
      for (const [k, v] of map) {
        if (map.size <= opts.entries && bytes <= opts.bytes) break;
        map.delete(k);
        bytes -= size(k, v);
      }
    },
  };
}
