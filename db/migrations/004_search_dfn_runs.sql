-- The dfn column now also holds each run of two or more of a path's words joined into
-- one term (db/search-path-terms.ts), and `dfn:` queries look that term up. An index
-- written before lacks the runs, so a database with messages records that its index
-- must be rebuilt: `loregraph serve` refuses it until `loregraph reindex` clears this.
INSERT OR REPLACE INTO meta (key, value)
SELECT 'search_index_stale', 'dfn: file names are indexed as joined path runs since schema 4'
WHERE EXISTS (SELECT 1 FROM messages);
