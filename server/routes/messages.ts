// One message: as ingest stored it (JSON) and raw (the stored bytes, exactly). A Message-ID can have
// several stored copies (different bytes, same id); ?copy=N picks one, oldest first.
import type { FastifyInstance } from 'fastify';
import { rawCopies } from '../../db/messages.ts';
import { getStoredMessage, storedMessageRows } from '../../db/message-view.ts';
import { threadRootOf } from '../../db/threads.ts';
import { LoregraphError } from '../../domain/errors.ts';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';
import { messageView } from '../message-json.ts';

const copyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { copy: { type: 'integer', minimum: 0, maximum: 10_000, default: 0, description: 'which stored copy, 0 = oldest' } },
} as const;

interface Req {
  Params: { mid: string };
  Querystring: { copy: number };
}

/** Copies in storage order (oldest row first), so ?copy=N is stable as more mail arrives. */
function pickRow(ctx: RouteContext, rawMid: string, copy: number): { mid: string; rowId: number; count: number } {
  const mid = messageIdParam(rawMid);
  const rows = storedMessageRows(ctx.db, mid);
  if (rows.length === 0) throw new LoregraphError('NOT_FOUND', `no message <${mid}>`);
  const rowId = rows[copy];
  if (rowId === undefined) throw new LoregraphError('NOT_FOUND', `message <${mid}> has ${rows.length} stored cop${rows.length === 1 ? 'y' : 'ies'}, no copy ${copy}`);
  return { mid, rowId, count: rows.length };
}

export function registerMessages(app: FastifyInstance, ctx: RouteContext): void {
  app.get<Req>('/api/messages/:mid', {
    schema: {
      summary: 'A message, parsed: headers, addresses, decoded text body',
      tags: ['messages'],
      params: midParamsSchema,
      querystring: copyQuery,
      response: { 200: { $ref: 'Message#' }, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
    handler: async (req) => {
      const { mid, rowId, count } = pickRow(ctx, req.params.mid, req.query.copy);
      const stored = getStoredMessage(ctx.db, rowId);
      if (!stored) throw new LoregraphError('NOT_FOUND', `no message <${mid}>`);
      return messageView(stored, { copy: req.query.copy, copies: count, threadId: threadRootOf(ctx.db, mid) });
    },
  });

  app.get<Req>('/api/messages/:mid/raw', {
    schema: {
      summary: 'A message exactly as stored (the bytes read from the archive), as text/plain',
      tags: ['messages'],
      params: midParamsSchema,
      querystring: copyQuery,
      produces: ['text/plain'],
      response: { 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
    },
    handler: async (req, reply) => {
      const { mid, rowId } = pickRow(ctx, req.params.mid, req.query.copy);
      const chosen = rawCopies(ctx.db, [mid]).find((c) => c.rowId === rowId);
      if (!chosen) throw new LoregraphError('NOT_FOUND', `no message <${mid}>`);
      // No charset: the bytes are whatever the mail was; labelling them utf-8 would be a guess.
      return reply.type('text/plain').header('content-length', chosen.bytes.length).send(chosen.bytes);
    },
  });
}
