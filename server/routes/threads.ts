// A thread: as a tree (JSON) and as an mboxrd download.
import type { FastifyInstance } from 'fastify';
import { getThreadTree, type ThreadTreeNode } from '../../db/threads.ts';
import { schemaCovers } from '../schema-covers.ts';
import { LoregraphError } from '../../domain/errors.ts';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';
import { mboxBody, messageIdsByDate } from '../mbox-stream.ts';
import { threadTreeJson } from '../thread-json.ts';
import { flagSchema, isOn, type Flag } from '../flags.ts';
import type { SearchRunner } from '../search-runner.ts';
import { clientGone } from '../client-gone.ts';

export const threadNodeSchema = {
  $id: 'ThreadNode',
  type: 'object',
  required: ['messageId', 'subject', 'from', 'date', 'ghost', 'copies', 'children'],
  properties: {
    messageId: { type: 'string' },
    subject: { type: 'string' },
    from: { anyOf: [{ $ref: 'Address#' }, { type: 'null' }] },
    date: { type: ['string', 'null'], description: 'ISO 8601 UTC' },
    ghost: { type: 'boolean', description: 'referenced by a reply but not in the archive' },
    copies: { type: 'integer' },
    children: { type: 'array', items: { $ref: 'ThreadNode#' } },
  },
} as const;

schemaCovers<typeof threadNodeSchema, ThreadTreeNode>(true);

function safeFilename(mid: string): string {
  return mid.replace(/[^A-Za-z0-9._@+-]+/g, '_').slice(0, 120) || 'thread';
}

/** Accept-Encoding allows gzip (q=0 excludes it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

export function registerThreads(app: FastifyInstance, ctx: RouteContext, runner: SearchRunner): void {
  app.get<{ Params: { mid: string } }>('/api/threads/:mid', {
    schema: {
      summary: 'The whole thread containing a message, as a tree (ghosts are referenced but missing messages)',
      tags: ['threads'],
      params: midParamsSchema,
      response: {
        200: {
          type: 'object',
          required: ['threadId', 'messages', 'root'],
          properties: { threadId: { type: 'string' }, messages: { type: 'integer' }, root: { $ref: 'ThreadNode#' } },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req, reply) => {
      const mid = messageIdParam(req.params.mid);
      const root = getThreadTree(ctx.db, mid);
      if (!root) throw new LoregraphError('NOT_FOUND', `no thread contains <${mid}>`);
      const body = `{"threadId":${JSON.stringify(root.messageId)},"messages":${messageIdsByDate(root).length},"root":${threadTreeJson(root)}}`;
      // Serialized here, iteratively; the response schema above documents the shape.
      return reply.type('application/json; charset=utf-8').send(body);
    },
  });

  app.get<{ Params: { mid: string }; Querystring: { gz?: Flag } }>('/api/threads/:mid/mbox', {
    schema: {
      summary: 'The thread as an mboxrd file, oldest first; gzip with ?gz=1 (a .mbox.gz file) or Accept-Encoding: gzip',
      tags: ['threads'],
      params: midParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { gz: { ...flagSchema, description: 'download as t.mbox.gz (application/gzip)' } },
      },
      produces: ['application/mbox', 'application/gzip'],
      response: { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' }, 504: { $ref: 'ErrorBody#' } },
    },
    handler: async (req, reply) => {
      const mid = messageIdParam(req.params.mid);
      // Walking a thread of any size runs off this thread; the bytes then stream a batch at a time.
      const thread = await runner.run({ kind: 'thread-ids', messageId: mid }, clientGone(reply));
      if (!thread) throw new LoregraphError('NOT_FOUND', `no thread contains <${mid}>`);
      const ids = thread.ids;
      const name = safeFilename(thread.rootId);
      void reply.header('vary', 'Accept-Encoding');
      if (isOn(req.query.gz)) {
        void reply.type('application/gzip').header('content-disposition', `attachment; filename="${name}.mbox.gz"`);
        return reply.send(mboxBody(ctx.db, ids, true, ctx.limits.mboxBufferBytes));
      }
      void reply.type('application/mbox').header('content-disposition', `attachment; filename="${name}.mbox"`);
      if (acceptsGzip(req.headers['accept-encoding'])) {
        void reply.header('content-encoding', 'gzip');
        return reply.send(mboxBody(ctx.db, ids, true, ctx.limits.mboxBufferBytes));
      }
      return reply.send(mboxBody(ctx.db, ids, false, ctx.limits.mboxBufferBytes));
    },
  });
}
