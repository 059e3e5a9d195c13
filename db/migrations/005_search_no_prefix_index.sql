-- search_fts without FTS5's prefix indexes (003 had prefix='2 3'). They wrote every token
-- three times, which cost 40% of the full-text insert and a fifth of the ingest writer's
-- CPU (bench/out phases on 20,000 generated messages: 196 -> 155 us per message), and
-- they served only two- and three-letter prefixes: `readah*` never used them. Prefix
-- queries of any length now scan their term range, as longer ones always did.
-- The table is recreated empty: a database with messages is marked for `loregraph reindex`
-- (a mark 004 left stays, with its reason).
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
  subject, from_addr, to_addr, cc_addr, list_id,
  body_nq, body_q, dfn, dfhh, dfa, dfb, dfctx,
  content = '',
  contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 2 tokenchars '_'"
);
-- bm25 weights as in 003_search.sql.
INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 1.0, 0.5, 2.0, 0.3, 5.0, 3.0, 1.0, 1.0, 0.5)');

INSERT OR IGNORE INTO meta (key, value)
SELECT 'search_index_stale', 'the full-text index was recreated without prefix indexes at schema 5'
WHERE EXISTS (SELECT 1 FROM messages);
