// Thread nodes in SQL: the ThreadStore the pure threader (domain/thread.ts) runs against,
// inside the same transaction as the batch of messages it threads, plus thread queries.
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.ts';
import { buildTree, updateThreads, type ThreadStore, type TreeNode } from '../domain/thread.ts';
import type { Address } from '../domain/message.ts';

export interface ThreadingOptions {
  subjectThreading?: boolean;
}

interface Stmts {
  own: Statement;
  chain: Statement;
  subjectOf: Statement;
  subjectRoot: Statement;
  repliesWithBase: Statement;
  parent: Statement;
  root: Statement;
  upsert: Statement;
  children: Statement;
  setRoot: Statement;
  markReal: Statement;
}
const cache = new WeakMap<Db, Stmts>();

function stmts(db: Db): Stmts {
  let s = cache.get(db);
  if (!s) {
    const q = (sql: string) => db.sql.prepare(sql);
    s = {
      own: q('SELECT thread_parent FROM messages WHERE message_id = ? AND thread_parent IS NOT NULL').pluck(),
      chain: q(`SELECT p.ref_id FROM message_refs c JOIN message_refs p ON p.message_row = c.message_row AND p.pos = c.pos - 1
                WHERE c.ref_id = ?`).pluck(),
      subjectOf: q('SELECT base_subject FROM messages WHERE message_id = ? AND is_reply = 1 AND base_subject <> \'\' ORDER BY id LIMIT 1').pluck(),
      subjectRoot: q(`SELECT message_id FROM messages WHERE base_subject = ? AND is_reply = 0
                      ORDER BY date IS NULL, date, message_id LIMIT 1`).pluck(),
      repliesWithBase: q('SELECT DISTINCT message_id FROM messages WHERE base_subject = ? AND is_reply = 1').pluck(),
      parent: q('SELECT parent FROM thread_nodes WHERE message_id = ?'),
      root: q('SELECT root FROM thread_nodes WHERE message_id = ?').pluck(),
      upsert: q(`INSERT INTO thread_nodes (message_id, parent, root, ghost)
                 VALUES (?, ?, ?, NOT EXISTS (SELECT 1 FROM messages WHERE message_id = ?))
                 ON CONFLICT(message_id) DO UPDATE SET parent = excluded.parent`),
      children: q('SELECT message_id FROM thread_nodes WHERE parent = ?').pluck(),
      setRoot: q('UPDATE thread_nodes SET root = ? WHERE message_id = ?'),
      markReal: q('UPDATE thread_nodes SET ghost = 0 WHERE message_id = ? AND ghost = 1'),
    };
    cache.set(db, s);
  }
  return s;
}

function sqlThreadStore(db: Db, opts: ThreadingOptions): ThreadStore {
  const s = stmts(db);
  // Parents as read or written by this store: updateThreads asks for a node's parent again
  // after setting it and while walking up. Nothing else writes thread_nodes.parent during a
  // call, so an answer stays right for the store's life (one batch's threading).
  const parents = new Map<string, string | null | undefined>();
  return {
    ownParentVotes: (id) => s.own.all(id) as string[],
    chainParentVotes: (id) => s.chain.all(id) as string[],
    subjectParent: (id) => {
      if (!opts.subjectThreading) return null;
      const base = s.subjectOf.get(id) as string | undefined;
      if (base === undefined) return null;
      const p = s.subjectRoot.get(base) as string | undefined;
      return p === undefined || p === id ? null : p;
    },
    currentParent: (id) => {
      if (parents.has(id)) return parents.get(id);
      const r = s.parent.get(id) as { parent: string | null } | undefined;
      const parent = r === undefined ? undefined : r.parent;
      parents.set(id, parent);
      return parent;
    },
    setParent: (id, parent) => {
      s.upsert.run(id, parent, id, id);
      parents.set(id, parent);
    },
    childrenOf: (id) => s.children.all(id) as string[],
    currentRoot: (id) => s.root.get(id) as string | undefined,
    setRoot: (id, root) => void s.setRoot.run(root, id),
  };
}

export interface ThreadInput {
  messageId: string;
  /** domain/thread.ts ancestryChain */
  chain: readonly string[];
  subject: string;
  /** From db/messages baseSubject. */
  base: string;
  isReply: boolean;
}

/**
 * Threads a batch of newly stored messages (rows already inserted). Call in the batch
 * transaction. Returns how many nodes changed parent.
 */
export function threadMessages(db: Db, batch: readonly ThreadInput[], opts: ThreadingOptions = {}): number {
  const s = stmts(db);
  const touched: string[] = [];
  for (const m of batch) {
    s.markReal.run(m.messageId);
    touched.push(m.messageId, ...m.chain);
    // a new original adopts earlier replies that only its subject links to it
    if (opts.subjectThreading && !m.isReply && m.base !== '') touched.push(...(s.repliesWithBase.all(m.base) as string[]));
  }
  return updateThreads(sqlThreadStore(db, opts), touched).length;
}

export function threadRootOf(db: Db, messageId: string): string | null {
  const r = db.sql.prepare('SELECT root FROM thread_nodes WHERE message_id = ?').pluck().get(messageId) as string | undefined;
  return r ?? null;
}

export function countThreads(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(DISTINCT root) AS n FROM thread_nodes').get() as { n: number }).n;
}

export function countGhosts(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(*) AS n FROM thread_nodes WHERE ghost = 1').get() as { n: number }).n;
}

/** Message-ID -> thread root, for every node: what "same threads" means in tests and digests. */
export function threadAssignments(db: Db): { messageId: string; parent: string | null; root: string; ghost: boolean }[] {
  return (db.sql.prepare('SELECT message_id, parent, root, ghost FROM thread_nodes ORDER BY message_id').all() as {
    message_id: string;
    parent: string | null;
    root: string;
    ghost: number;
  }[]).map((r) => ({ messageId: r.message_id, parent: r.parent, root: r.root, ghost: r.ghost === 1 }));
}

export interface ThreadTreeNode {
  messageId: string;
  subject: string;
  from: Address | null;
  /** ISO 8601 UTC, null when the message has no plausible date (and for ghosts). */
  date: string | null;
  ghost: boolean;
  /** Stored copies with this Message-ID (0 for a ghost, 2+ for duplicates). */
  copies: number;
  children: ThreadTreeNode[];
}

interface NodeInfo {
  subject: string;
  from: Address | null;
  date: number | null;
  copies: number;
}

/** Message-IDs of a thread, ghosts excluded. */
export function threadMessageIds(db: Db, root: string): string[] {
  return db.sql.prepare('SELECT message_id FROM thread_nodes WHERE root = ? AND ghost = 0 ORDER BY message_id').pluck().all(root) as string[];
}

/** The whole thread containing `messageId`, or null when the id is unknown. */
export function getThreadTree(db: Db, messageId: string): ThreadTreeNode | null {
  const root = threadRootOf(db, messageId);
  if (root === null) return null;
  const rows = db.sql
    .prepare(`SELECT n.message_id, n.parent, n.ghost,
                (SELECT COUNT(*) FROM messages m WHERE m.message_id = n.message_id) AS copies,
                m.subject, m.from_name, m.from_address, m.date
              FROM thread_nodes n
              LEFT JOIN messages m ON m.id = (SELECT MIN(id) FROM messages WHERE message_id = n.message_id)
              WHERE n.root = ?`)
    .all(root) as { message_id: string; parent: string | null; ghost: number; copies: number; subject: string | null; from_name: string | null; from_address: string | null; date: number | null }[];
  const nodes = new Map<string, { parent: string | null; value: NodeInfo | null }>();
  for (const r of rows) {
    nodes.set(r.message_id, {
      parent: r.parent,
      value: r.ghost
        ? null
        : {
            subject: r.subject ?? '',
            from: r.from_address !== null || r.from_name !== null ? { name: r.from_name ?? '', address: r.from_address ?? '' } : null,
            date: r.date,
            copies: r.copies,
          },
    });
  }
  const tree = buildTree<NodeInfo>(root, nodes, (a, b) => (a.value?.date ?? Infinity) - (b.value?.date ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const convert = (t: TreeNode<NodeInfo>): ThreadTreeNode => ({
    messageId: t.id,
    subject: t.value?.subject ?? '',
    from: t.value?.from ?? null,
    date: t.value?.date != null ? new Date(t.value.date).toISOString() : null,
    ghost: t.value === null,
    copies: t.value?.copies ?? 0,
    children: [],
  });
  // iterative conversion: threads can be thousands deep
  const out = convert(tree);
  const stack: [TreeNode<NodeInfo>, ThreadTreeNode][] = [[tree, out]];
  while (stack.length > 0) {
    const [src, dst] = stack.pop() as [TreeNode<NodeInfo>, ThreadTreeNode];
    for (const c of src.children) {
      const d = convert(c);
      dst.children.push(d);
      stack.push([c, d]);
    }
  }
  return out;
}

/** (message, its In-Reply-To) for every stored message whose In-Reply-To names a stored message. */
export function inReplyToPairs(db: Db): { messageId: string; inReplyTo: string }[] {
  return db.sql
    .prepare(`SELECT DISTINCT m.message_id AS messageId, m.in_reply_to AS inReplyTo FROM messages m
              WHERE m.in_reply_to IS NOT NULL AND EXISTS (SELECT 1 FROM messages p WHERE p.message_id = m.in_reply_to)`)
    .all() as { messageId: string; inReplyTo: string }[];
}
