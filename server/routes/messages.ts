// One message: parsed (JSON) and raw (the stored bytes, exactly). A Message-ID can have
// several stored copies (different bytes, same id); ?copy=N picks one, oldest first.
import type { FastifyInstance } from 'fastify';
import { rawCopies } from '../../db/messages.ts';
import { threadRootOf } from '../../db/threads.ts';
import { parseMessage } from '../../ingest/parse.ts';
import { LoregraphError } from '../../errors.ts';
import type { RouteContext } from '../context.ts';
import { messageIdParam, midParamsSchema } from '../message-id.ts';
import { messageView } from '../message-json.ts';
import type { RawCopy } from '../../db/messages.ts';

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
function pickCopy(ctx: RouteContext, rawMid: string, copy: number): { mid: string; chosen: RawCopy; count: number } {
  const mid = messageIdParam(rawMid);
  const copies = rawCopies(ctx.db, [mid]).sort((a, b) => a.rowId - b.rowId);
  if (copies.length === 0) throw new LoregraphError('NOT_FOUND', `no message <${mid}>`);
  const chosen = copies[copy];
  if (!chosen) throw new LoregraphError('NOT_FOUND', `message <${mid}> has ${copies.length} stored cop${copies.length === 1 ? 'y' : 'ies'}, no copy ${copy}`);
  return { mid, chosen, count: copies.length };
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
      const { mid, chosen, count } = pickCopy(ctx, req.params.mid, req.query.copy);
      const parsed = await parseMessage({
        bytes: chosen.bytes,
        position: { source: ctx.db.path, offset: 0, index: chosen.rowId },
        ...(chosen.envelope ? { envelope: chosen.envelope } : {}),
      });
      return messageView(parsed, { copy: req.query.copy, copies: count, threadId: threadRootOf(ctx.db, mid) });
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
      const { chosen } = pickCopy(ctx, req.params.mid, req.query.copy);
      // No charset: the bytes are whatever the mail was; labelling them utf-8 would be a guess.
      return reply.type('text/plain').header('content-length', chosen.bytes.length).send(chosen.bytes);
    },
  });
}
