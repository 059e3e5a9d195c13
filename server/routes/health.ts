// Liveness and the numbers a dashboard shows.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import { watchedSchemaVersion } from '../../db/data-version.ts';
import { statSync } from 'node:fs';
import type { SearchRunner } from '../search-runner.ts';
import { clientGone } from '../client-gone.ts';
import { flagSchema, isOn, type Flag } from '../flags.ts';

/** What the archive holds, for a first page that reflects it (dates ISO 8601 UTC). */
const overviewSchema = {
  type: 'object',
  required: ['lists', 'firstDate', 'lastDate', 'stableBranches', 'recentSeries'],
  properties: {
    lists: { type: 'array', items: { type: 'object', required: ['list', 'messages'], properties: { list: { type: 'string', description: "List-Id, '' for mail without one" }, messages: { type: 'integer' } } } },
    firstDate: { type: ['string', 'null'] },
    lastDate: { type: ['string', 'null'] },
    stableBranches: { type: 'array', items: { type: 'object', required: ['branch', 'fixes'], properties: { branch: { type: 'string' }, fixes: { type: 'integer' } } } },
    recentSeries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['title', 'version', 'messageId', 'sender', 'senderName', 'date', 'patches'],
        properties: { title: { type: 'string' }, version: { type: 'string' }, messageId: { type: 'string' }, sender: { type: ['string', 'null'] }, senderName: { type: ['string', 'null'] }, date: { type: ['string', 'null'] }, patches: { type: 'integer' } },
      },
    },
  },
} as const;

const storagePartSchema = {
  type: 'object',
  required: ['name', 'kind', 'bytes'],
  properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['table', 'index', 'shadow'] }, bytes: { type: 'integer' } },
} as const;

/** db/storage.ts StorageStats. */
const storageSchema = {
  type: 'object',
  description: 'where the file bytes go (?storage=1): tables largest first, each with its indexes and shadow tables; they and freeBytes add up to fileBytes',
  required: ['fileBytes', 'pageSize', 'freeBytes', 'tables'],
  properties: {
    fileBytes: { type: 'integer' },
    pageSize: { type: 'integer' },
    freeBytes: { type: 'integer' },
    tables: {
      type: 'array',
      items: {
        type: 'object',
        required: ['table', 'bytes', 'parts'],
        properties: { table: { type: 'string' }, bytes: { type: 'integer' }, parts: { type: 'array', items: storagePartSchema } },
      },
    },
  },
} as const;

/**
 * healthz asks at most this often whether the database is readable. A served database is
 * read by its watch thread (server/db-watch.ts) and the answer is in memory; elsewhere
 * (tests, an app without a watch) it is a read on the request thread, which can wait on a
 * concurrent ingest's locks, and a monitor polling 50 times a second must not make that
 * 50 chances a second. A database that stops being readable still fails within seconds.
 */
const HEALTH_READ_EVERY_MS = 1_000;

export function registerHealth(app: FastifyInstance, ctx: RouteContext, runner: SearchRunner): void {
  let checked: { at: number; schemaVersion: number } | null = null;
  const schemaVersionNow = (): number => {
    const t = performance.now();
    if (checked === null || t - checked.at >= HEALTH_READ_EVERY_MS) checked = { at: t, schemaVersion: watchedSchemaVersion(ctx.db) };
    return checked.schemaVersion;
  };
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
    handler: async () => ({ status: 'ok' as const, schemaVersion: schemaVersionNow(), readonly: ctx.db.readonly }),
  });

  app.get<{ Querystring: { storage?: Flag } }>('/api/stats', {
    schema: {
      summary: 'Counts of what the database holds; with ?storage=1 also the bytes of each table',
      tags: ['meta'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { storage: { ...flagSchema, description: 'add "storage": each table with its indexes (a full-text table with its shadow tables), in bytes' } },
      },
      response: {
        200: {
          type: 'object',
          required: ['schemaVersion', 'databaseBytes', 'counts', 'overview'],
          properties: {
            schemaVersion: { type: 'integer' },
            databaseBytes: { type: 'integer' },
            counts: {
              type: 'object',
              description: 'named counters (messages, threads, ghosts, malformed, ...); more appear as modules register them',
              additionalProperties: true,
            },
            overview: overviewSchema,
            storage: storageSchema,
          },
        },
        500: { $ref: 'ErrorBody#' },
        503: { $ref: 'ErrorBody#' },
        504: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req, reply) => {
      // In the query pool: counting lenient mail and messages per list scans every message
      // row, which on the request thread stalled healthz and every other route.
      const stats = await runner.run({ kind: 'stats', storage: isOn(req.query.storage) }, clientGone(reply));
      const o = stats.overview;
      const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
      return {
        schemaVersion: stats.schemaVersion,
        databaseBytes: fileSize(ctx.db.path),
        counts: stats.counts,
        overview: { ...o, firstDate: iso(o.firstDate), lastDate: iso(o.lastDate), recentSeries: o.recentSeries.map((s) => ({ ...s, date: iso(s.date) })) },
        ...(stats.storage ? { storage: stats.storage } : {}),
      };
    },
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
