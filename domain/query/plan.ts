// What a compiled query asks of the database: one FTS5 MATCH expression for the
// full-text part (ranked with bm25), plus predicates the index cannot answer (dates,
// message-ids, patch ids, stable status). Pure data; db/search.ts turns it into SQL.

export type Predicate =
  /** Messages the FTS5 expression matches (used where it sits under OR/NOT with other predicates). */
  | { kind: 'fts'; match: string }
  /** [from, to) in ms since the epoch; either side open when null. */
  | { kind: 'date'; from: number | null; to: number | null }
  | { kind: 'mid'; value: string }
  | { kind: 'patchid'; value: string }
  | { kind: 'status'; value: string }
  | { kind: 'branch'; value: string }
  /** n: an attachment's file name contains the value; dfpre:/dfpost:/dfblob: a diff's blob id (index line) starts with it. */
  | { kind: 'n' | 'dfpre' | 'dfpost' | 'dfblob'; value: string }
  /** Stored rows (messages.id) in (after, upTo]: what a saved search has not delivered yet. */
  | { kind: 'rows'; after: number; upTo: number }
  /** Messages in the threads of a race that names this function, file or lock (domain/query/race-term.ts form). */
  | { kind: 'race'; value: string }
  /** is:race: messages in the threads of any race. */
  | { kind: 'is'; value: string }
  | { kind: 'and'; children: Predicate[] }
  | { kind: 'or'; children: Predicate[] }
  | { kind: 'not'; child: Predicate };

export interface SearchPlan {
  /** FTS5 expression every hit matches, or null when the query has no positive text part. */
  match: string | null;
  /** Further conditions, all of which hold for every hit. */
  filters: Predicate[];
  /** Set when every text term searches the subject only (s:): every match then has the query in its subject. */
  subjectOnly?: true;
}
