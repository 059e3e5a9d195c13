// /api/search: lore's query language over the full-text index. The query engine is
// server/search.ts (searchMessages), run where server/search-runner.ts says; this file is
// the HTTP face: limits, schema, paging.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import type { SearchHit } from '../search.ts';
import type { SearchRunner } from '../search-runner.ts';
import { schemaCovers } from '../schema-covers.ts';
import { flagSchema, isOn, type Flag } from '../flags.ts';
import { clientGone } from '../client-gone.ts';
import { dataVersion } from '../../db/data-version.ts';
import { compileQuery } from '../../domain/query/compile.ts';
import { parseQuery } from '../../domain/query/parser.ts';
import { createSearchCache } from '../search-cache.ts';
import type { SearchOptions } from '../search.ts';

interface SearchQuery {
  q: string;
  offset: number;
  limit: number;
  sort: 'relevance' | 'date';
  threads?: Flag;
}

export const MAX_OFFSET = 100_000;

export const snippetSchema = {
  $id: 'Snippet',
  type: 'array',
  description: 'a window of the body as segments; hit=true marks matched words (data, never markup)',
  items: { type: 'object', required: ['text', 'hit'], properties: { text: { type: 'string' }, hit: { type: 'boolean' } } },
} as const;

export function searchQuerystring(ctx: RouteContext) {
  return {
    type: 'object',
    required: ['q'],
    additionalProperties: false,
    properties: {
      q: {
        type: 'string',
        minLength: 1,
        maxLength: ctx.limits.maxQueryLength,
        description: 'lore query: s: f: t: c: a: b: bs: nq: q: dfn: dfa: dfb: dfhh: mid: patchid: l: d: status: branch:, AND/OR/NOT, "phrases", prefix*',
      },
      offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
      limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxPageSize, default: 20 },
      sort: { type: 'string', enum: ['relevance', 'date'], default: 'relevance' },
      threads: { ...flagSchema, description: 'one hit per thread (its best message); total counts threads' },
    },
  } as const;
}

const searchHitSchema = {
  type: 'object',
  required: ['messageId', 'subject', 'from', 'date', 'threadId', 'snippet'],
  properties: {
    messageId: { type: 'string' },
    subject: { type: 'string' },
    from: { anyOf: [{ $ref: 'Address#' }, { type: 'null' }] },
    date: { type: ['string', 'null'] },
    threadId: { type: 'string' },
    snippet: { $ref: 'Snippet#' },
  },
} as const;
schemaCovers<typeof searchHitSchema, SearchHit>(true);

export function registerSearch(app: FastifyInstance, ctx: RouteContext, runner: SearchRunner): void {
  const cache = createSearchCache();
  const cacheKey = searchCacheKeys(ctx);
  app.get<{ Querystring: SearchQuery }>('/api/search', {
    schema: {
      summary: "Search messages with lore's query language",
      tags: ['search'],
      querystring: searchQuerystring(ctx),
      response: {
        200: {
          type: 'object',
          required: ['total', 'totalExact', 'offset', 'limit', 'hits', 'took_ms'],
          properties: {
            total: { type: 'integer' },
            totalExact: { type: 'boolean', description: 'false when counting stopped early (more matches exist)' },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
            took_ms: { type: 'number', description: "the search's own time; with cached, the time it took when it was first answered" },
            cached: { type: 'boolean', description: 'true when answered from recent answers to the same query, page and data (present only then)' },
            hits: { type: 'array', items: searchHitSchema },
          },
        },
        400: { $ref: 'ErrorBody#' },
        503: { $ref: 'ErrorBody#' },
        504: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req, reply) => {
      const { q, offset, limit, sort } = req.query;
      const opts: SearchOptions = { offset, limit, sort, threads: isOn(req.query.threads), now: ctx.now() };
      if (OBJECT_PATH) {
        const r = await runner.run({ kind: 'search', query: q, opts }, clientGone(reply));
        return { ...r, offset, limit };
      }
      const key = cacheKey(q, opts);
      // A client asking for a fresh answer (a hard reload sends no-cache) gets the search run
      // again, and the cache keeps the new answer.
      const cached = key === null || wantsFresh(req.headers['cache-control']) ? undefined : cache.get(key);
      // Sent as text: the body was made where the search ran (searchResponseParts); the schema above documents it.
      if (cached) return reply.type(JSON_TYPE).send(`${cached.head},"cached":true${cached.tail}`);
      const parts = await runner.run({ kind: 'search-json', query: q, opts }, clientGone(reply));
      if (key !== null) cache.set(key, parts);
      return reply.type(JSON_TYPE).send(parts.head + parts.tail);
    },
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Cache-Control: no-cache or max-age=0 (RFC 9111 5.2.1): the client will not take a stored answer. */
export function wantsFresh(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && /(?:^|,)\s*(?:no-cache|no-store|max-age\s*=\s*"?0"?)\s*(?:,|$)/i.test(cacheControl);
}

/**
 * LOREGRAPH_SEARCH_PATH=objects answers as before issue #17: every search run, its hits
 * copied over IPC as objects and serialized by the response schema. bench/search.ts
 * measures it against the default in the same run.
 */
const OBJECT_PATH = process.env.LOREGRAPH_SEARCH_PATH === 'objects';

/** Most distinct query strings whose clock dependence is remembered; past it the memory starts over. */
const KNOWN_QUERIES = 4096;

const DAY_MS = 86_400_000;

/**
 * What decides a search's answer, or null when the query does not parse (its error
 * comes from the query process, as for any search): the query text, the page, and the
 * data version, which changes when any connection commits. A query with relative dates
 * (`d:2.weeks.ago..`, `d:today`) also needs them resolved against the clock, which
 * takes parsing and compiling it, 30-160 us on the request thread here (a cache hit
 * costs about as much in all); so whether a text depends on the clock is found once,
 * by compiling it at two instants more than a day apart (every relative date moves
 * between them, `today` included), and remembered.
 */
function searchCacheKeys(ctx: RouteContext): (q: string, opts: SearchOptions) => string | null {
  const known = new Map<string, 'fixed' | 'clock' | 'bad'>();
  const planAt = (q: string, now: number): string | null => {
    try {
      return JSON.stringify(compileQuery(parseQuery(q, { now })));
    } catch {
      return null;
    }
  };
  return (q, opts) => {
    const now = opts.now ?? ctx.now();
    let kind = known.get(q);
    let plan: string | null = null;
    if (kind === undefined) {
      plan = planAt(q, now);
      kind = plan === null ? 'bad' : plan === planAt(q, now + DAY_MS + 1) ? 'fixed' : 'clock';
      if (known.size >= KNOWN_QUERIES) known.clear();
      known.set(q, kind);
    }
    if (kind === 'bad') return null;
    // The text alone decides a fixed query's plan; a clock-dependent one's is resolved now.
    if (kind === 'fixed') plan = null;
    else if ((plan ??= planAt(q, now)) === null) return null;
    return JSON.stringify([dataVersion(ctx.db), q, plan, opts.offset, opts.limit, opts.sort, opts.threads]);
  };
}
