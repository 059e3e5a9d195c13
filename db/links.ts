// Lookups behind server/routes/links.ts (proposed fixes <-> simulator scenarios): a few
// columns of messages found by Message-ID or by reply-stripped subject. One row per
// Message-ID (its oldest stored copy), so duplicates never show twice on a page.
import type { Db } from './connection.ts';
import type { MessageHead } from './messages.ts';

export type { MessageHead };

interface Row {
  message_id: string;
  subject: string;
  base_subject: string;
  is_reply: number;
  from_name: string | null;
  from_address: string | null;
  date: number | null;
}

const COLUMNS = 'message_id, subject, base_subject, is_reply, from_name, from_address, date';

function head(r: Row): MessageHead {
  return {
    messageId: r.message_id,
    subject: r.subject,
    baseSubject: r.base_subject,
    isReply: r.is_reply !== 0,
    fromName: r.from_name,
    fromAddress: r.from_address,
    date: r.date,
  };
}

/** SQLite's default limit on bound parameters is 999 (older builds); stay well under it. */
const CHUNK = 500;

function chunked<T>(items: readonly T[], f: (part: readonly T[]) => Row[]): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...f(items.slice(i, i + CHUNK)));
  return out;
}

function firstPerId(rows: Row[]): MessageHead[] {
  const seen = new Set<string>();
  const out: MessageHead[] = [];
  for (const r of rows) {
    if (seen.has(r.message_id)) continue;
    seen.add(r.message_id);
    out.push(head(r));
  }
  return out;
}

/** The stored messages among `ids` (absent ones are left out), in the order asked. */
export function messageHeads(db: Db, ids: readonly string[]): MessageHead[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = chunked(unique, (part) =>
    db.sql.prepare(`SELECT ${COLUMNS} FROM messages WHERE message_id IN (${part.map(() => '?').join(',')}) ORDER BY id`).all(...part) as Row[],
  );
  const byId = new Map(firstPerId(rows).map((h) => [h.messageId, h]));
  return unique.flatMap((id) => byId.get(id) ?? []);
}

/**
 * Messages whose reply-stripped subject is one of `bases` (already lower case, spaces
 * collapsed): originals before replies, then oldest first; at most `limit`.
 */
export function messagesByBaseSubject(db: Db, bases: readonly string[], limit: number): MessageHead[] {
  const unique = [...new Set(bases)].filter((b) => b !== '');
  if (unique.length === 0) return [];
  const rows = chunked(unique, (part) =>
    db.sql
      .prepare(`SELECT ${COLUMNS} FROM messages WHERE base_subject IN (${part.map(() => '?').join(',')}) ORDER BY is_reply, date IS NULL, date, id LIMIT ?`)
      .all(...part, limit) as Row[],
  );
  return firstPerId(rows).slice(0, limit);
}
