// Saved searches at the API: the list, each one's Atom feed (its query's newest matches)
// and what is new since the last `loregraph watch up` ("new since your last visit").
// The server reads only: `watch add` and `watch up` (cli/commands/watch.ts) write.
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { getWatch, listWatches, newestRow } from '../../db/watches.ts';
import type { RouteContext } from '../context.ts';
import { atomFeed, type FeedEntry } from '../atom.ts';
import { coalesce } from '../coalesce.ts';
import type { SearchRunner } from '../search-runner.ts';
import { clientGone } from '../client-gone.ts';

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } },
} as const;

const watchSchema = {
  type: 'object',
  required: ['name', 'query', 'createdAt', 'seenRow', 'lastRunAt'],
  properties: {
    name: { type: 'string' },
    query: { type: 'string' },
    createdAt: { type: 'integer', description: 'ms since the epoch' },
    seenRow: { type: 'integer', description: 'the stored row the last watch up read up to' },
    lastRunAt: { type: ['integer', 'null'] },
  },
} as const;

export function registerWatches(app: FastifyInstance, ctx: RouteContext, runner: SearchRunner): void {
  app.get('/api/watches', {
    schema: {
      summary: 'Saved searches (loregraph watch add NAME QUERY)',
      tags: ['search'],
      response: { 200: { type: 'array', items: watchSchema } },
    },
    handler: async () => listWatches(ctx.db),
  });

  app.get<{ Params: { name: string }; Querystring: { limit: number } }>('/api/watches/:name/new', {
    schema: {
      summary: 'Messages a saved search matches that arrived since its last `watch up`, in arrival order',
      tags: ['search'],
      params: nameParams,
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } } },
      response: {
        200: {
          type: 'object',
          required: ['watch', 'new'],
          properties: {
            watch: watchSchema,
            new: {
              type: 'array',
              items: {
                type: 'object',
                required: ['messageId', 'subject', 'from', 'date'],
                properties: {
                  messageId: { type: 'string' },
                  subject: { type: 'string' },
                  from: { type: ['object', 'null'], properties: { name: { type: 'string' }, address: { type: 'string' } } },
                  date: { type: ['string', 'null'] },
                },
              },
            },
          },
        },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req, reply) => {
      const w = getWatch(ctx.db, req.params.name);
      // Off the request thread and bounded like every search (server/query-pool.ts): a run over
      // more matches than the limit reads several row windows
      const job = { kind: 'watch-new' as const, query: w.query, after: w.seenRow, upTo: newestRow(ctx.db), limit: req.query.limit, now: ctx.now() };
      const found = await runner.run(job, clientGone(reply));
      return { watch: w, new: found.map((m) => ({ messageId: m.messageId, subject: m.subject, from: m.from, date: m.date === null ? null : new Date(m.date).toISOString() })) };
    },
  });

  app.get<{ Params: { name: string }; Querystring: { limit: number } }>('/api/watches/:name/feed.atom', {
    schema: {
      summary: "A saved search as an Atom feed, newest first (text content only)",
      tags: ['search'],
      params: nameParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: ctx.limits.maxFeedEntries, default: 50 } },
      },
      produces: ['application/atom+xml'],
      response: { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
    handler: async (req, reply) => {
      const w = getWatch(ctx.db, req.params.name);
      const now = ctx.now();
      // Off the request thread, bounded like every feed (server/query-pool.ts).
      const found = await runner.run({ kind: 'feed', query: w.query, limit: req.query.limit, now }, clientGone(reply));
      const base = ctx.baseUrl();
      const entries: FeedEntry[] = found.map((f) => ({
        messageId: f.messageId,
        subject: f.subject,
        from: f.from,
        date: f.date === null ? null : Date.parse(f.date),
        summary: f.snippet.map((s) => s.text).join(''),
      }));
      const meta = { title: `loregraph saved search ${w.name}: ${w.query}`, selfUrl: `${base}api/watches/${encodeURIComponent(w.name)}/feed.atom`, baseUrl: base, now };
      return reply.type('application/atom+xml; charset=utf-8').send(Readable.from(coalesce(atomFeed(meta, entries)), { objectMode: false }));
    },
  });
}
