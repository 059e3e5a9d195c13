// The parsed form of a lore-style query. Every node keeps the 1-based column where it
// started so that errors found after parsing (a bad date, an unknown status) can still
// point at the user's text.

/** A prefix the user can write before a term, e.g. `s:` or `dfn:`; 'any' for bare terms. */
export type TextField =
  | 'any'
  | 's'
  | 'f'
  | 't'
  | 'c'
  | 'tc'
  | 'a'
  | 'b'
  | 'bs'
  | 'nq'
  | 'q'
  | 'dfn'
  | 'dfa'
  | 'dfb'
  | 'dfhh'
  | 'dfctx'
  | 'l';

/** Prefixes answered from tables rather than the full-text index. */
/** race: and is: read the knowledge graph's tables (a race's function/file/lock terms; is:race). */
export type ExactField = 'mid' | 'patchid' | 'status' | 'branch' | 'n' | 'dfpre' | 'dfpost' | 'dfblob' | 'race' | 'is';

export interface TermNode {
  kind: 'term';
  field: TextField;
  text: string;
  /** Written in double quotes: the words must appear in this order. */
  phrase: boolean;
  /** Ends in `*`: the last word is a prefix. */
  prefix: boolean;
  column: number;
}

export interface DateNode {
  kind: 'date';
  /** Inclusive lower bound, ms since the epoch, or null for an open start. */
  from: number | null;
  /** Exclusive upper bound, ms since the epoch, or null for an open end. */
  to: number | null;
  column: number;
}

export interface ExactNode {
  kind: 'exact';
  field: ExactField;
  value: string;
  column: number;
}

export interface AndNode {
  kind: 'and';
  children: QueryNode[];
  column: number;
}

export interface OrNode {
  kind: 'or';
  children: QueryNode[];
  column: number;
}

export interface NotNode {
  kind: 'not';
  child: QueryNode;
  column: number;
}

export type QueryNode = TermNode | DateNode | ExactNode | AndNode | OrNode | NotNode;

/** An empty query (only whitespace) parses to null: "everything". */
export type Query = QueryNode | null;
