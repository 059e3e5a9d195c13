// /api/search.mbox.gz: a search's matches as one gzipped mboxrd file, lore's "mbox.gz of
// the results" (its POST ?x=m). The search runs where every search does
// (server/search-runner.ts: the cost bound, the deadline, the queue), newest matches
// first up to a cap; the file lists them oldest first, as a thread download does, and
// streams a batch of raw messages at a time.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import type { SearchRunner } from '../search-runner.ts';
import { idsByDate, mboxBody } from '../mbox-stream.ts';
import { clientGone } from '../client-gone.ts';

/** 'results-' and the query's safe characters: a name a shell and a mail client take as is. */
export function resultsFilename(q: string): string {
  const words = q.replace(/[^A-Za-z0-9._@+-]+/g, '_').replace(/^[_.]+|_+$/g, '').slice(0, 60);
  return `results-${words || 'search'}.mbox.gz`;
}

export function registerSearchMbox(app: FastifyInstance, ctx: RouteContext, runner: SearchRunner): void {
  const cap = ctx.limits.maxFeedEntries;
  app.get<{ Querystring: { q: string; limit: number } }>('/api/search.mbox.gz', {
    schema: {
      summary: `A search's newest matches (at most ${cap}) as a gzipped mboxrd file, oldest first: every stored copy of each, with From-line escaping`,
      tags: ['search'],
      querystring: {
        type: 'object',
        required: ['q'],
        additionalProperties: false,
        properties: {
          q: { type: 'string', minLength: 1, maxLength: ctx.limits.maxQueryLength, description: 'lore query, as for /api/search' },
          limit: { type: 'integer', minimum: 1, maximum: cap, default: cap, description: `most matches in the file (the newest), at most ${cap}` },
        },
      },
      produces: ['application/gzip'],
      response: { 400: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' }, 504: { $ref: 'ErrorBody#' } },
    },
    handler: async (req, reply) => {
      // Runs the query before anything is sent, so a bad query is still a clean 400.
      const found = await runner.run({ kind: 'feed', query: req.query.q, limit: req.query.limit, now: ctx.now() }, clientGone(reply));
      // Newest first from the search; oldest first in the file, undated last.
      const ids = idsByDate(found.map((f) => ({ id: f.messageId, date: f.date })));
      void reply.type('application/gzip').header('content-disposition', `attachment; filename="${resultsFilename(req.query.q)}"`);
      return reply.send(mboxBody(ctx.db, [...new Set(ids)], true, ctx.limits.mboxBufferBytes));
    },
  });
}
