// The full-text index analyzer: the text split (pure, in the parse worker) and the
// insert into search_fts (on the writer thread, in the same transaction as the message,
// so a message is never stored without being searchable).
import type { Analyzer } from './analyzer.ts';
import { extractSearchDoc, type SearchDoc } from './search-index-extract.ts';
import { insertSearchDoc } from '../db/search.ts';

export const searchIndexAnalyzer: Analyzer<SearchDoc> = {
  name: 'search-index',
  analyze: (msg) => extractSearchDoc(msg),
  store(db, ref, doc, msg) {
    insertSearchDoc(db, ref.rowId, doc ?? extractSearchDoc(msg));
  },
};
