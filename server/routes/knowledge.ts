// The knowledge index: searched on the server (/api/knowledge) and shipped whole for
// a page to search offline (/api/index/knowledge.json, with an ETag so it is fetched once).
import type { FastifyInstance } from 'fastify';
import { acceptsGzip } from './threads.ts';
import type { RouteContext } from '../context.ts';
import type { KnowledgeCache } from '../knowledge-cache.ts';
import type { KnowledgeHit } from '../knowledge.ts';
import { schemaCovers } from '../schema-covers.ts';

const hitSchema = {
  type: 'object',
  required: ['id', 'kind', 'title', 'url', 'score', 'matched'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    title: { type: 'string' },
    url: { type: 'string' },
    score: { type: 'number' },
    matched: {
      type: 'object',
      description: 'field -> index terms that matched in it',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
  },
} as const;

schemaCovers<typeof hitSchema, KnowledgeHit>(true);

export function registerKnowledge(app: FastifyInstance, ctx: RouteContext, cache: KnowledgeCache): void {
  app.get<{ Querystring: { q: string; limit: number; kind?: string } }>('/api/knowledge', {
    schema: {
      summary: 'Search series, stable fixes, races, their proposed fixes and scenarios (lunr: title > code paths > body, prefix and one-typo matches)',
      tags: ['knowledge'],
      querystring: {
        type: 'object',
        required: ['q'],
        additionalProperties: false,
        properties: {
          q: { type: 'string', minLength: 1, maxLength: ctx.limits.maxQueryLength, description: "words; '-word' excludes" },
          limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxPageSize, default: 20 },
          kind: { type: 'string', maxLength: 32, description: 'only entities of this kind (series, stable-fix, scenario, race, fix)' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['hits', 'total', 'took_ms'],
          properties: { hits: { type: 'array', items: hitSchema }, total: { type: 'integer' }, took_ms: { type: 'number' } },
        },
        400: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const t0 = performance.now();
      const hits = await cache.search(req.query.q, { limit: req.query.limit, ...(req.query.kind ? { kind: req.query.kind } : {}) });
      return { hits, total: hits.length, took_ms: Math.round((performance.now() - t0) * 100) / 100 };
    },
  });

  app.get('/api/index/knowledge.json', {
    schema: {
      summary: 'The prebuilt lunr knowledge index (lunr.Index.load(body.index)) with its documents',
      tags: ['knowledge'],
      response: {
        200: {
          description: 'serialized index',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['version', 'source', 'builtAt', 'count', 'docs', 'index'],
                properties: {
                  version: { type: 'integer' },
                  source: { type: 'string' },
                  builtAt: { type: 'string' },
                  count: { type: 'integer' },
                  bounded: {
                    type: 'object',
                    description: 'kinds of which only the newest were indexed, with how many (absent when every entity is in)',
                    additionalProperties: { type: 'integer' },
                  },
                  docs: { type: 'object' },
                  index: { type: 'object' },
                },
              },
            },
          },
        },
        304: { description: 'not modified since the ETag given in If-None-Match', content: {} },
      },
    },
    handler: async (req, reply) => {
      const { body, gzip, etag: plainTag } = await cache.json();
      // Megabytes of JSON, a tenth of it gzipped: compressed once per build, sent as such when accepted.
      const gz = acceptsGzip(req.headers['accept-encoding']);
      const etag = gz ? `${plainTag.slice(0, -1)}-gz"` : plainTag;
      // Kept by the browser and revalidated on use: a 304 until the database changes.
      void reply.header('etag', etag).header('cache-control', 'no-cache').header('vary', 'Accept-Encoding');
      if (req.headers['if-none-match'] === etag) return reply.status(304).send();
      void reply.type('application/json; charset=utf-8');
      // Already JSON: sent as a string so the large index is not serialized twice.
      return gz ? reply.header('content-encoding', 'gzip').send(gzip) : reply.send(body);
    },
  });
}
