// One stored copy of a message with everything ingest recorded about it, for the API's
// message view. Read from the row (not re-parsed from the raw bytes), so what the
// lenient reader recovered for a saved message that is not clean RFC 5322 is kept (a body
// or headers the row keeps only in its raw bytes were checked to read back exactly).
import type { Db } from './connection.ts';
import type { AttachmentInfo, LenientRecovery, ParsedMessage } from '../domain/message.ts';
import { STORED_TEXT_COLUMNS, storedMessageText, type StoredTextColumns } from './messages.ts';

/**
 * A stored copy: what the parser produced, as the row keeps it. `references` is the ancestry
 * chain the copy declares (References oldest first, then In-Reply-To when not among them).
 */
export interface StoredMessage extends Omit<ParsedMessage, 'dateSource'> {
  rowId: number;
  dateSource: string;
}

interface Row extends StoredTextColumns {
  id: number;
  message_id: string;
  message_id_synthesized: number;
  content_hash: string;
  subject: string;
  from_name: string | null;
  from_address: string | null;
  date: number | null;
  date_source: string;
  in_reply_to: string | null;
  list_id: string | null;
  attachments: string;
  lenient: string | null;
  notes: string;
}

function json<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Stored copies of a Message-ID, oldest row first (the order ?copy=N counts in). */
export function storedMessageRows(db: Db, messageId: string): number[] {
  return db.sql.prepare('SELECT id FROM messages WHERE message_id = ? ORDER BY id').pluck().all(messageId) as number[];
}

export function getStoredMessage(db: Db, rowId: number): StoredMessage | null {
  const r = db.sql
    .prepare(
      `SELECT id, message_id, message_id_synthesized, content_hash, subject, from_name, from_address, date, date_source,
              in_reply_to, list_id, attachments, lenient, notes, ${STORED_TEXT_COLUMNS}
       FROM messages WHERE id = ?`,
    )
    .get(rowId) as Row | undefined;
  if (!r) return null;
  const text = storedMessageText(r);
  const addrs = db.sql
    .prepare('SELECT kind, name, address FROM message_addresses WHERE message_row = ? ORDER BY kind, pos')
    .all(rowId) as { kind: 'to' | 'cc'; name: string; address: string }[];
  const refs = db.sql.prepare('SELECT ref_id FROM message_refs WHERE message_row = ? ORDER BY pos').pluck().all(rowId) as string[];
  return {
    rowId: r.id,
    messageId: r.message_id,
    messageIdSynthesized: r.message_id_synthesized === 1,
    contentHash: r.content_hash,
    subject: r.subject,
    from: r.from_name !== null || r.from_address !== null ? { name: r.from_name ?? '', address: r.from_address ?? '' } : null,
    to: addrs.filter((a) => a.kind === 'to').map(({ name, address }) => ({ name, address })),
    cc: addrs.filter((a) => a.kind === 'cc').map(({ name, address }) => ({ name, address })),
    date: r.date,
    dateSource: r.date_source,
    inReplyTo: r.in_reply_to,
    references: refs,
    listId: r.list_id,
    body: text.body,
    attachments: json<AttachmentInfo[]>(r.attachments, []),
    headers: text.headers,
    notes: json<string[]>(r.notes, []),
    lenient: json<LenientRecovery | null>(r.lenient, null),
  };
}
