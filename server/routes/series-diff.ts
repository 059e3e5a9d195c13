// /api/series/:mid/diff: a range-diff between two versions of a series (server/series-diff.ts).
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';
import { seriesRangeDiff } from '../series-diff.ts';

const sideSchema = {
  type: ['object', 'null'],
  required: ['index', 'messageId', 'subject'],
  properties: { index: { type: 'integer' }, messageId: { type: 'string' }, subject: { type: 'string' } },
} as const;

export function registerSeriesDiff(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Params: { mid: string }; Querystring: { range?: string } }>('/api/series/:mid/diff', {
    schema: {
      summary: 'Range-diff between two versions of a series: patches matched by patch-id, then subject; interdiff per changed patch; added and dropped',
      tags: ['patches'],
      params: midParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { range: { type: 'string', maxLength: 32, description: "versions 'A..B' (default: the newest against the one before)" } },
      },
      response: {
        200: {
          type: 'object',
          required: ['title', 'from', 'to', 'pairs'],
          properties: {
            title: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            pairs: {
              type: 'array',
              items: {
                type: 'object',
                required: ['from', 'to', 'status', 'match', 'interdiff'],
                properties: {
                  from: sideSchema,
                  to: sideSchema,
                  status: { type: 'string', enum: ['unchanged', 'changed', 'added', 'dropped'] },
                  match: { type: ['string', 'null'], enum: ['patch-id', 'subject', null] },
                  interdiff: { type: 'string', description: 'unified diff of commit message and diff, for a changed patch' },
                },
              },
            },
          },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => seriesRangeDiff(ctx.db, messageIdParam(req.params.mid), req.query.range),
  });
}
