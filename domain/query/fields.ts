// Which index columns each lore prefix searches, with public-inbox's meanings: dfa is
// the "a" side of a diff (removed '-' lines), dfb the "b" side (added '+' lines). Column names are those of the FTS5
// table in db/migrations/003_search.sql, listed in domain/search/columns.ts.
import type { ExactField, TextField } from './ast.ts';
import { SEARCH_COLUMNS, type SearchColumn } from '../search/columns.ts';


const DIFF: SearchColumn[] = ['dfn', 'dfhh', 'dfa', 'dfb', 'dfctx'];
const NON_QUOTED: SearchColumn[] = ['body_nq', ...DIFF];
const BODY: SearchColumn[] = [...NON_QUOTED, 'body_q'];

/** null means every column (bare terms). */
export const TEXT_FIELDS: Record<TextField, readonly SearchColumn[] | null> = {
  any: null,
  s: ['subject'],
  f: ['from_addr'],
  t: ['to_addr'],
  c: ['cc_addr'],
  tc: ['to_addr', 'cc_addr'],
  a: ['from_addr', 'to_addr', 'cc_addr'],
  b: BODY,
  bs: ['subject', ...BODY],
  nq: NON_QUOTED,
  q: ['body_q'],
  dfn: ['dfn'],
  dfa: ['dfa'],
  dfb: ['dfb'],
  dfhh: ['dfhh'],
  dfctx: ['dfctx'],
  l: ['list_id'],
};

export const EXACT_FIELDS: readonly ExactField[] = ['mid', 'patchid', 'status', 'branch', 'n', 'dfpre', 'dfpost', 'dfblob', 'race', 'is'];

export type FieldKind = { kind: 'text'; field: TextField } | { kind: 'exact'; field: ExactField } | { kind: 'date' };

// d: and dt: are the Date header's time; rt: (lore's received time) is the same stored time:
// an archive keeps no arrival time of its own (ingest takes Received: only when Date: is unusable).
const DATE_PREFIXES: readonly string[] = ['d', 'dt', 'rt'];
/** lore's other names for an exact prefix. */
const ALIASES: Readonly<Record<string, ExactField>> = { m: 'mid' };

/** Looks up a prefix as written before the colon; undefined when it is not one of ours. */
export function lookupField(name: string): FieldKind | undefined {
  if (DATE_PREFIXES.includes(name)) return { kind: 'date' };
  const alias = Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
  if (alias) return { kind: 'exact', field: alias };
  if ((EXACT_FIELDS as readonly string[]).includes(name)) return { kind: 'exact', field: name as ExactField };
  if (name !== 'any' && Object.hasOwn(TEXT_FIELDS, name)) return { kind: 'text', field: name as TextField };
  return undefined;
}

/** Every prefix the language knows, for the error that names an unknown one: the lists lookupField reads. */
export function knownPrefixes(): string[] {
  return [...DATE_PREFIXES, ...Object.keys(ALIASES), ...EXACT_FIELDS, ...Object.keys(TEXT_FIELDS).filter((f) => f !== 'any')].sort();
}
