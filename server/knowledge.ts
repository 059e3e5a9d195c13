// The knowledge index: a lunr index over the entities loregraph knows about beyond raw
// mail (series, stable fixes, scenarios, races and the fixes proposed for them). Titles
// weigh most, then code paths and function names, then body text. It is built in the server
// from the database and shipped prebuilt as JSON so a page can search it offline.
import lunr from 'lunr';
import { LoregraphError } from '../domain/errors.ts';
import { hasDiff, parseDiff } from '../domain/patch/diff.ts';

/** Kinds known today ('fix': a fix proposed for a race, from the mail); the type stays open for more. */
export type KnowledgeKind = 'series' | 'stable-fix' | 'scenario' | 'race' | 'fix' | (string & {});

export interface KnowledgeEntity {
  /** Unique across kinds, e.g. 'series:<mid>', 'scenario:folio-lock'. */
  id: string;
  kind: KnowledgeKind;
  title: string;
  /** Source files and function names the entity touches. */
  paths: string[];
  body: string;
  /** API path where the entity lives, e.g. '/api/series/<mid>'. */
  url: string;
  /**
   * Patch bodies whose hunk headers name the functions touched; parsed when the index
   * is built (in its worker), not when the entities are read.
   */
  diffTexts?: string[];
}

export interface KnowledgeDoc {
  /** The entity id ('series:<mid>', ...). */
  id: string;
  kind: string;
  title: string;
  url: string;
}

export interface SerializedKnowledge {
  version: 1;
  /** Key of the database state the index was built from (see knowledge-cache.ts). */
  source: string;
  builtAt: string;
  count: number;
  /**
   * Kinds of which only the newest KNOWLEDGE_PER_KIND were indexed, with that number:
   * absent when every entity is in.
   */
  bounded?: Record<string, number>;
  /**
   * lunr ref -> document. Refs are short base-36 numbers rather than the entity ids:
   * every posting in the index repeats its ref, and long ids doubled the JSON's size.
   */
  docs: Record<string, KnowledgeDoc>;
  /** lunr.Index#toJSON(), loadable with lunr.Index.load(). */
  index: object;
}

export interface KnowledgeHit extends KnowledgeDoc {
  score: number;
  /** Terms that matched, per field (lunr's matchData): why this hit is here. */
  matched: Record<string, string[]>;
}

/**
 * The index is built in memory and shipped whole to the page, so each kind read from the
 * database is bounded: past this many, the newest series, stable fixes and races (with the
 * fixes proposed for them) are indexed. A generated 300,000-message archive's 32,573 races
 * and their series, all indexed, held the knowledge worker at 3.7 GB and over 11 minutes
 * of CPU; bounded, 4,814 entities took 1 s to read, 2.1 s to build and 6.7 MB of JSON. The
 * older ones are still found by lore queries (`race:`, `s:`, `dfn:`) and /api/races. The
 * shipped index says which kinds were bounded (SerializedKnowledge.bounded).
 */
export const KNOWLEDGE_PER_KIND = 1000;

/** The kinds read from the database with that bound. */
const BOUNDED_KINDS = ['series', 'stable-fix', 'race'];

export const FIELD_BOOSTS = { title: 10, paths: 5, body: 1 } as const;

/** Body text beyond this adds index size (it ships to browsers) for little recall. */
export const MAX_BODY_CHARS = 1000;

/**
 * Paths and identifiers are indexed whole and in parts, so `filemap`, `mm/filemap.c`,
 * `folio_wait_bit` and `wait` all find a fix touching mm/filemap.c:folio_wait_bit.
 */
export function expandPaths(paths: readonly string[]): string {
  const out = new Set<string>();
  for (const p of paths) {
    const whole = p.trim();
    if (!whole) continue;
    out.add(whole);
    for (const part of whole.split(/[/:()\s]+/)) {
      if (!part) continue;
      out.add(part);
      const base = part.replace(/\.[a-z]+$/i, '');
      if (base !== part && base) out.add(base);
      for (const word of base.split(/_+/)) if (word && word !== base) out.add(word);
    }
  }
  return [...out].join(' ');
}

/** "file:function" for every hunk whose header names a function (git's function context). */
export function hunkFunctions(diffTexts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of diffTexts) {
    if (!hasDiff(text)) continue;
    for (const f of parseDiff(text).files) {
      const path = f.newPath ?? f.oldPath ?? '';
      for (const h of f.hunks) {
        // "static int collapse_file(struct mm_struct *mm," -> collapse_file; a struct or label context has no '('.
        const m = /([A-Za-z_]\w*)\s*\(/.exec(h.context);
        if (m?.[1]) out.add(path ? `${path}:${m[1]}` : m[1]);
      }
    }
  }
  return [...out].sort();
}

export interface KnowledgeIndex {
  search(q: string, opts?: { limit?: number; kind?: string }): KnowledgeHit[];
  serialized: SerializedKnowledge;
}

export function buildKnowledgeIndex(entities: readonly KnowledgeEntity[], source: string, now = Date.now()): KnowledgeIndex {
  const docs: Record<string, KnowledgeDoc> = {};
  const seen = new Set<string>();
  const index = lunr(function () {
    this.ref('ref');
    this.field('title', { boost: FIELD_BOOSTS.title });
    this.field('paths', { boost: FIELD_BOOSTS.paths });
    this.field('body', { boost: FIELD_BOOSTS.body });
    // Paths must survive as written (mm/filemap.c): no stemming there would be nicer, but
    // lunr's pipeline is per index, so path parts are also indexed split (expandPaths).
    this.metadataWhitelist = [];
    for (const e of entities) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      const ref = seen.size.toString(36);
      docs[ref] = { id: e.id, kind: e.kind, title: e.title, url: e.url };
      const paths = e.diffTexts?.length ? [...e.paths, ...hunkFunctions(e.diffTexts)] : e.paths;
      this.add({ ref, title: e.title, paths: expandPaths(paths), body: e.body.slice(0, MAX_BODY_CHARS) });
    }
  });
  const serialized: SerializedKnowledge = {
    version: 1,
    source,
    builtAt: new Date(now).toISOString(),
    count: Object.keys(docs).length,
    ...boundedKinds(docs),
    docs,
    index: index.toJSON(),
  };
  return { serialized, search: (q, opts) => searchIndex(index, docs, q, opts) };
}

function boundedKinds(docs: Record<string, KnowledgeDoc>): { bounded?: Record<string, number> } {
  const perKind = new Map<string, number>();
  for (const d of Object.values(docs)) perKind.set(d.kind, (perKind.get(d.kind) ?? 0) + 1);
  const bounded = Object.fromEntries(BOUNDED_KINDS.filter((k) => (perKind.get(k) ?? 0) >= KNOWLEDGE_PER_KIND).map((k) => [k, KNOWLEDGE_PER_KIND]));
  return Object.keys(bounded).length > 0 ? { bounded } : {};
}

export function loadKnowledgeIndex(s: SerializedKnowledge): KnowledgeIndex {
  const index = lunr.Index.load(s.index);
  return { serialized: s, search: (q, opts) => searchIndex(index, s.docs, q, opts) };
}

/** Words of a user query; '-word' excludes. Built through lunr's Query API, never its query syntax. */
export function queryTerms(q: string): { include: string[]; exclude: string[] } {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const raw of q.split(/\s+/)) {
    if (!raw) continue;
    const neg = raw.startsWith('-') && raw.length > 1;
    // The same split lunr's tokenizer applies at index time, plus punctuation lunr would keep.
    for (const t of lunr.tokenizer(neg ? raw.slice(1) : raw)) {
      const word = t.toString().replace(/^[^\p{L}\p{N}_./]+|[^\p{L}\p{N}_]+$/gu, '');
      if (word) (neg ? exclude : include).push(word);
    }
  }
  return { include, exclude };
}

/** Each word becomes three lunr clauses (exact, prefix, one typo); fuzzy ones are not cheap. */
export const MAX_QUERY_WORDS = 32;

function searchIndex(
  index: lunr.Index,
  docs: Record<string, KnowledgeDoc>,
  q: string,
  opts: { limit?: number; kind?: string } = {},
): KnowledgeHit[] {
  const { include, exclude } = queryTerms(q);
  if (include.length + exclude.length > MAX_QUERY_WORDS) {
    throw new LoregraphError('BAD_QUERY', `the knowledge query has ${include.length + exclude.length} words, at most ${MAX_QUERY_WORDS} are allowed`);
  }
  if (include.length === 0) {
    if (exclude.length > 0) throw new LoregraphError('BAD_QUERY', 'the knowledge query excludes terms but includes none');
    return [];
  }
  const results = index.query((query) => {
    for (const term of include) {
      // Exact (through the stemmer), then prefix, then one typo: best match ranks first.
      query.term(term, { boost: 10 });
      query.term(term, { boost: 3, usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING });
      if (term.length >= 4) query.term(term, { boost: 1, usePipeline: false, editDistance: 1 });
    }
    for (const term of exclude) query.term(term, { presence: lunr.Query.presence.PROHIBITED });
  });
  const hits: KnowledgeHit[] = [];
  for (const r of results) {
    const doc = docs[r.ref];
    if (!doc || (opts.kind && doc.kind !== opts.kind)) continue;
    const matched: Record<string, string[]> = {};
    for (const [term, fields] of Object.entries(r.matchData.metadata)) {
      for (const field of Object.keys(fields)) (matched[field] ??= []).push(term);
    }
    hits.push({ ...doc, score: Math.round(r.score * 1000) / 1000, matched });
    if (hits.length >= (opts.limit ?? 20)) break;
  }
  return hits;
}
