// The full-text index analyzer: the text split (pure, in the parse worker) and the
// insert into search_fts (on the writer thread, in the same transaction as the message,
// so a message is never stored without being searchable).
import type { Analyzer } from './analyzer.ts';
import { extractSearchDoc, type SearchDoc } from '../domain/search/extract.ts';
import { insertSearchDoc } from '../db/search.ts';

export const searchIndexAnalyzer: Analyzer<SearchDoc> = {
  name: 'search-index',
  analyze: (msg) => extractSearchDoc(msg),
  store(db, ref, doc, m) {
    // No doc when the extraction failed in the worker (noted on the message): index the text as is.
    const from = m.fromName !== null || m.fromAddress !== null ? { name: m.fromName ?? '', address: m.fromAddress ?? '' } : null;
    insertSearchDoc(db, ref.rowId, doc ?? extractSearchDoc({ subject: m.subject, from, to: m.to, cc: m.cc, listId: m.listId, body: m.body }));
  },
};
