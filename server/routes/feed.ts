// /api/feed.atom: a search as an Atom feed, newest first, streamed. The search runs where
// every search does (server/search-runner.ts); its absolute links come from the
// configured base URL, never from the client's Host header.
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import type { RouteContext } from '../context.ts';
import type { SearchRunner } from '../search-runner.ts';
import { atomFeed, type FeedEntry } from '../atom.ts';
import { coalesce } from '../coalesce.ts';
import { clientGone } from '../client-gone.ts';

export function registerFeed(app: FastifyInstance, ctx: RouteContext, runner: SearchRunner): void {
  app.get<{ Querystring: { q: string; limit: number } }>('/api/feed.atom', {
    schema: {
      summary: 'A search as an Atom feed, newest first (text content only)',
      tags: ['search'],
      querystring: {
        type: 'object',
        required: ['q'],
        additionalProperties: false,
        properties: {
          q: { type: 'string', minLength: 1, maxLength: ctx.limits.maxQueryLength, description: 'lore query, as for /api/search' },
          limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxFeedEntries, default: 50 },
        },
      },
      produces: ['application/atom+xml'],
      response: { 400: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' }, 504: { $ref: 'ErrorBody#' } },
    },
    handler: async (req, reply) => {
      const now = ctx.now();
      // Runs the query before anything is sent, so a bad query is still a clean 400.
      const found = await runner.run({ kind: 'feed', query: req.query.q, limit: req.query.limit, now }, clientGone(reply));
      const base = ctx.baseUrl();
      const entries = (function* (): Generator<FeedEntry> {
        for (const f of found) {
          yield {
            messageId: f.messageId,
            subject: f.subject,
            from: f.from,
            date: f.date === null ? null : Date.parse(f.date),
            summary: f.snippet.map((s) => s.text).join(''),
          };
        }
      })();
      const meta = {
        title: `loregraph search: ${req.query.q}`,
        selfUrl: `${base}api/feed.atom?q=${encodeURIComponent(req.query.q)}`,
        baseUrl: base,
        now,
      };
      return reply.type('application/atom+xml; charset=utf-8').send(Readable.from(coalesce(atomFeed(meta, entries)), { objectMode: false }));
    },
  });
}
