// Liveness and the numbers a dashboard shows.
import type { FastifyInstance } from 'fastify';
import { schemaVersion } from '../../db/connection.ts';
import { statSync } from 'node:fs';
import { collectStats } from '../../db/stats.ts';
import type { RouteContext } from '../context.ts';

export function registerHealth(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/healthz', {
    schema: {
      summary: 'Liveness: the server runs and can read its database',
      tags: ['meta'],
      response: {
        200: {
          type: 'object',
          required: ['status', 'schemaVersion', 'readonly'],
          properties: { status: { type: 'string', enum: ['ok'] }, schemaVersion: { type: 'integer' }, readonly: { type: 'boolean' } },
        },
        500: { $ref: 'ErrorBody#' },
      },
    },
    handler: async () => ({ status: 'ok' as const, schemaVersion: schemaVersion(ctx.db), readonly: ctx.db.readonly }),
  });

  app.get('/api/stats', {
    schema: {
      summary: 'Counts of what the database holds',
      tags: ['meta'],
      response: {
        200: {
          type: 'object',
          required: ['schemaVersion', 'databaseBytes', 'counts'],
          properties: {
            schemaVersion: { type: 'integer' },
            databaseBytes: { type: 'integer' },
            counts: {
              type: 'object',
              description: 'named counters (messages, threads, ghosts, malformed, ...); more appear as modules register them',
              additionalProperties: true,
            },
          },
        },
        500: { $ref: 'ErrorBody#' },
      },
    },
    handler: async () => ({ schemaVersion: schemaVersion(ctx.db), databaseBytes: fileSize(ctx.db.path), counts: collectStats(ctx.db) }),
  });
}

function fileSize(path: string): number {
  if (path === ':memory:') return 0;
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
