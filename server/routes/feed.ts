// /api/feed.atom: a search as an Atom feed, newest first, streamed.
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import type { RouteContext } from '../context.ts';
import { feedMessages } from '../search.ts';
import { atomFeed, type FeedEntry } from '../atom.ts';
import { coalesce } from '../coalesce.ts';

/** The absolute root URL as the client addressed us (Host header), for Atom ids and links. */
function baseUrl(protocol: string, host: string | undefined): string {
  const h = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : 'localhost';
  return `${protocol}://${h}/`;
}

export function registerFeed(app: FastifyInstance, ctx: RouteContext): void {
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
      response: { 400: { $ref: 'ErrorBody#' } },
    },
    handler: async (req, reply) => {
      const now = ctx.now();
      // Runs the query before anything is sent, so a bad query is still a clean 400.
      const found = feedMessages(ctx.db, req.query.q, req.query.limit, now);
      const base = baseUrl(req.protocol, req.headers.host);
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
