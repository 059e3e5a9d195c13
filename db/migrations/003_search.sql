-- Full-text index of messages, one column per lore search prefix (see server/query/fields.ts).
-- Contentless: the text lives in messages already, so the index stores only its
-- postings (about a third of the size of a content table); rowid = messages.id.
-- contentless_delete lets reindex and re-ingest replace a row.
-- unicode61 with tokenchars '_' keeps C identifiers (filemap_write_and_wait) whole;
-- a path like mm/khugepaged.c becomes the phrase "mm khugepaged c", which `dfn:` queries
-- as a phrase. prefix='2 3' makes short prefix searches (`fil*`) index lookups.
CREATE VIRTUAL TABLE search_fts USING fts5(
  subject, from_addr, to_addr, cc_addr, list_id,
  body_nq, body_q, dfn, dfhh, dfa, dfb, dfctx,
  content = '',
  contentless_delete = 1,
  tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
  prefix = '2 3'
);

-- bm25 weights in column order: a word in the subject counts most, then file names and
-- hunk headers (what a patch touches), the author, the prose; quoted text least.
-- dfa holds removed ('-') lines and dfb added ('+') ones, as public-inbox names them.
INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 1.0, 0.5, 2.0, 0.3, 5.0, 3.0, 1.0, 1.0, 0.5)');
