// A stored message as the API shows it: the fields ingest recorded (text only — the body
// is the decoded text/plain part, never HTML), plus where it sits (thread, copies).
import type { StoredMessage } from '../db/message-view.ts';
import { schemaCovers } from './schema-covers.ts';

export interface MessageView {
  messageId: string;
  messageIdSynthesized: boolean;
  subject: string;
  from: { name: string; address: string } | null;
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  /** ISO 8601 UTC, or null when the mail had no plausible date. */
  date: string | null;
  dateSource: string;
  inReplyTo: string | null;
  references: string[];
  listId: string | null;
  body: string;
  attachments: { filename: string | null; contentType: string; size: number }[];
  headers: Record<string, string[]>;
  notes: string[];
  /** What the lenient reader had to guess for a saved message that is not clean RFC 5322. */
  lenient: { kind: string; guessed: Record<string, string> } | null;
  contentHash: string;
  /** Which stored copy this is (0-based) and how many copies share this Message-ID. */
  copy: number;
  copies: number;
  /** Message-ID of the thread root (possibly a ghost), or null when not threaded. */
  threadId: string | null;
}

export function messageView(m: StoredMessage, where: { copy: number; copies: number; threadId: string | null }): MessageView {
  return {
    messageId: m.messageId,
    messageIdSynthesized: m.messageIdSynthesized,
    subject: m.subject,
    from: m.from,
    to: m.to,
    cc: m.cc,
    date: m.date === null ? null : new Date(m.date).toISOString(),
    dateSource: m.dateSource,
    inReplyTo: m.inReplyTo,
    references: m.references,
    listId: m.listId,
    body: m.body,
    attachments: m.attachments,
    headers: m.headers,
    notes: m.notes,
    lenient: m.lenient ? { kind: m.lenient.kind, guessed: m.lenient.guessed } : null,
    contentHash: m.contentHash,
    ...where,
  };
}

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
export const addressSchema = {
  $id: 'Address',
  type: 'object',
  required: ['name', 'address'],
  properties: { name: str, address: str },
} as const;

export const messageViewSchema = {
  $id: 'Message',
  type: 'object',
  required: ['messageId', 'subject', 'from', 'to', 'cc', 'date', 'body', 'copy', 'copies', 'threadId', 'contentHash'],
  properties: {
    messageId: str,
    messageIdSynthesized: { type: 'boolean' },
    subject: str,
    from: { anyOf: [{ $ref: 'Address#' }, { type: 'null' }] },
    to: { type: 'array', items: { $ref: 'Address#' } },
    cc: { type: 'array', items: { $ref: 'Address#' } },
    date: { ...nullableStr, description: 'ISO 8601 UTC' },
    dateSource: str,
    inReplyTo: nullableStr,
    references: { type: 'array', items: str, description: 'ancestry chain: References oldest first, then In-Reply-To' },
    listId: nullableStr,
    body: { type: 'string', description: 'decoded text/plain body; text, never HTML' },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['filename', 'contentType', 'size'],
        properties: { filename: nullableStr, contentType: str, size: { type: 'integer' } },
      },
    },
    headers: { type: 'object', additionalProperties: { type: 'array', items: str } },
    notes: { type: 'array', items: str },
    lenient: {
      anyOf: [
        {
          type: 'object',
          required: ['kind', 'guessed'],
          properties: { kind: str, guessed: { type: 'object', additionalProperties: str, description: 'header -> how it was recovered' } },
        },
        { type: 'null' },
      ],
    },
    contentHash: str,
    copy: { type: 'integer' },
    copies: { type: 'integer' },
    threadId: nullableStr,
  },
} as const;

schemaCovers<typeof messageViewSchema, MessageView>(true);
