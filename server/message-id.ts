// Message-ids arrive in paths with or without angle brackets, URL-encoded (Fastify has
// already decoded the parameter). They are stored without brackets.
import { LoregraphError } from '../domain/errors.ts';

export function messageIdParam(raw: string): string {
  let t = raw.trim();
  if (t.startsWith('<') && t.endsWith('>')) t = t.slice(1, -1).trim();
  if (t === '') throw new LoregraphError('USAGE', 'message-id is empty');
  return t;
}

/** Path parameter schema shared by every :mid route. */
export const midParamsSchema = {
  type: 'object',
  required: ['mid'],
  properties: {
    mid: { type: 'string', minLength: 1, description: 'Message-ID, with or without angle brackets, URL-encoded' },
  },
} as const;
