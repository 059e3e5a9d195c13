// A thread named by its root, as a listing shows it: the subject and sender it started with,
// when, and how many messages it holds. A race's family of threads is stored as bare roots;
// a reader needs to see which thread is which before opening one.
import type { Db } from './connection.ts';

export interface ThreadHead {
  root: string;
  /** The message the head is read from: the root, or the oldest stored message when the root is a ghost (never received); null for an empty thread. */
  messageId: string | null;
  subject: string | null;
  fromName: string | null;
  fromAddress: string | null;
  /** Epoch milliseconds of that message, null when undated. */
  date: number | null;
  /** Stored messages of the thread (ghosts, the ids only referenced, excluded). */
  messages: number;
  /** Epoch milliseconds of the newest dated message, null when none is dated. */
  lastDate: number | null;
}

interface Row {
  message_id: string;
  subject: string;
  from_name: string | null;
  from_address: string | null;
  date: number | null;
}

/** One head per root, in the order asked; a root unknown to thread_nodes still gets one (with no messages). */
export function threadHeads(db: Db, roots: readonly string[]): ThreadHead[] {
  const count = db.sql.prepare('SELECT COUNT(*) AS n, MAX(m.date) AS last FROM thread_nodes n JOIN messages m ON m.id = (SELECT MIN(id) FROM messages WHERE message_id = n.message_id) WHERE n.root = ? AND n.ghost = 0');
  // the root itself when stored, else the oldest message of the thread: a ghost root has no subject of its own
  const first = db.sql.prepare(`SELECT m.message_id, m.subject, m.from_name, m.from_address, m.date
                                FROM thread_nodes n JOIN messages m ON m.message_id = n.message_id
                                WHERE n.root = ? AND n.ghost = 0
                                ORDER BY n.message_id <> n.root, m.date IS NULL, m.date, m.id LIMIT 1`);
  return roots.map((root) => {
    const c = count.get(root) as { n: number; last: number | null };
    const r = first.get(root) as Row | undefined;
    return {
      root,
      messageId: r?.message_id ?? null,
      subject: r?.subject ?? null,
      fromName: r?.from_name ?? null,
      fromAddress: r?.from_address ?? null,
      date: r?.date ?? null,
      messages: c.n,
      lastDate: c.last,
    };
  });
}
