// The columns of the FTS5 table search_fts, in the order db/migrations/003_search.sql
// declares them. The schema owns this list; the query compiler (domain/query/fields.ts)
// maps lore's prefixes onto it and the ingest side fills it.
export const SEARCH_COLUMNS = [
  'subject',
  'from_addr',
  'to_addr',
  'cc_addr',
  'list_id',
  'body_nq',
  'body_q',
  'dfn',
  'dfhh',
  'dfa',
  'dfb',
  'dfctx',
] as const;

export type SearchColumn = (typeof SEARCH_COLUMNS)[number];
