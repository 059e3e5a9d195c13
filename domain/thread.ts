// JWZ-style threading, made incremental and independent of arrival order.
//
// Every node (a Message-ID, real or ghost) has a *parent* that is a pure function of the
// set of messages stored so far:
//   1. the parent its own headers declare (last of References, or In-Reply-To when that
//      is not among them); with several stored copies, the most common answer wins, ties
//      to the smallest id;
//   2. otherwise the predecessor it has in other messages' ancestry chains (how ghosts
//      get linked to each other), by the same vote;
//   3. otherwise, only with subject threading on, the earliest non-reply message with
//      the same base subject.
// A node's *root* is its topmost ancestor; on a cycle (forged or broken References) the
// smallest id on the cycle is the root, which cuts the cycle the same way whatever the
// order. Thread identity is the root id, so it too depends only on the set of messages.
//
// All walks are iterative: References come from strangers and can be arbitrarily deep.

export interface ThreadHeaders {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
}

/** The ancestry a message declares, oldest first: References, then In-Reply-To if it was not among them. */
export function ancestryChain(msg: ThreadHeaders): string[] {
  const chain: string[] = [];
  const seen = new Set<string>([msg.messageId]);
  for (const id of msg.references) {
    if (!seen.has(id)) {
      seen.add(id);
      chain.push(id);
    }
  }
  if (msg.inReplyTo !== null && !seen.has(msg.inReplyTo)) chain.push(msg.inReplyTo);
  return chain;
}

/** Most votes wins; ties go to the smallest id, so the answer does not depend on vote order. */
export function chooseParent(votes: readonly string[]): string | null {
  if (votes.length === 0) return null;
  const counts = new Map<string, number>();
  for (const v of votes) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [id, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== null && id < best)) {
      best = id;
      bestCount = n;
    }
  }
  return best;
}

const REPLY_PREFIX = /^\s*(?:(?:re|fwd?|aw|sv|antw)(?:\[\d+\])?\s*:\s*)+/i;

/** Subject without reply/forward prefixes, whitespace collapsed, lower case; and whether it had any. */
export function baseSubject(subject: string): { base: string; isReply: boolean } {
  const m = REPLY_PREFIX.exec(subject);
  const rest = m ? subject.slice(m[0].length) : subject;
  return { base: rest.replace(/\s+/g, ' ').trim().toLowerCase(), isReply: m !== null };
}

/** What the threader needs to know about the stored messages; db/threads.ts implements it in SQL. */
export interface ThreadStore {
  /** Parents declared by the stored copies of `id` (empty for ghosts). */
  ownParentVotes(id: string): string[];
  /** Predecessors of `id` in the ancestry chains of stored messages. */
  chainParentVotes(id: string): string[];
  /** Subject-threading parent, or null (always null when subject threading is off). */
  subjectParent(id: string): string | null;
  /** The node's parent, null for a root, undefined when there is no node yet. */
  currentParent(id: string): string | null | undefined;
  /** Creates the node when absent. */
  setParent(id: string, parent: string | null): void;
  childrenOf(id: string): string[];
  /** The stored root, undefined when there is no node. */
  currentRoot(id: string): string | undefined;
  setRoot(id: string, root: string): void;
}

export function resolveParent(store: ThreadStore, id: string): string | null {
  return chooseParent(store.ownParentVotes(id)) ?? chooseParent(store.chainParentVotes(id)) ?? store.subjectParent(id);
}

/** Topmost ancestor; on a cycle, the smallest id on the cycle. */
export function findRoot(id: string, parentOf: (id: string) => string | null | undefined): string {
  const order = new Map<string, number>();
  const path: string[] = [];
  let cur = id;
  for (;;) {
    const seenAt = order.get(cur);
    if (seenAt !== undefined) {
      let min = cur;
      for (let i = seenAt; i < path.length; i++) {
        const n = path[i] as string;
        if (n < min) min = n;
      }
      return min;
    }
    order.set(cur, path.length);
    path.push(cur);
    const p = parentOf(cur);
    if (p === null || p === undefined) return cur;
    cur = p;
  }
}

/**
 * Brings the nodes in `touched` (ids of new messages and every id in their ancestry
 * chains, plus anything else whose parent vote may have changed) up to date, then
 * re-roots every subtree whose upward path changed. Returns the ids whose parent changed.
 */
export function updateThreads(store: ThreadStore, touched: Iterable<string>): string[] {
  const changed: string[] = [];
  for (const id of new Set(touched)) {
    const parent = resolveParent(store, id);
    const before = store.currentParent(id);
    if (before === undefined || before !== parent) {
      // a parent that is not yet a node becomes a ghost node; its own parent is resolved too
      store.setParent(id, parent);
      changed.push(id);
    }
  }
  // parents named above but never touched themselves (cannot happen for chains, can for
  // subject parents of older messages) still need a node
  for (const id of changed) {
    let p = store.currentParent(id);
    while (p !== null && p !== undefined && store.currentParent(p) === undefined) {
      const pp = resolveParent(store, p);
      store.setParent(p, pp);
      changed.push(p);
      p = pp;
    }
  }
  // Every node whose upward path changed lies below a changed node ("dirty"). A clean
  // node's stored root is still right (a changed ancestor would have made it dirty), so
  // walks stop at the first clean node: a reply to a deep thread costs one step, not its depth.
  const dirty = new Set<string>();
  for (const id of changed) {
    const stack = [id];
    while (stack.length > 0) {
      const n = stack.pop() as string;
      if (dirty.has(n)) continue;
      dirty.add(n);
      for (const c of store.childrenOf(n)) if (!dirty.has(c)) stack.push(c);
    }
  }
  const roots = new Map<string, string>();
  for (const id of dirty) {
    if (roots.has(id)) continue;
    const path: string[] = [];
    const at = new Map<string, number>();
    let cur = id;
    let root: string;
    for (;;) {
      const known = roots.get(cur);
      if (known !== undefined) {
        root = known;
        break;
      }
      if (!dirty.has(cur)) {
        root = store.currentRoot(cur) ?? cur;
        break;
      }
      const seenAt = at.get(cur);
      if (seenAt !== undefined) {
        // a cycle among the dirty nodes: its smallest id is the root, as findRoot says
        root = path.slice(seenAt).reduce((m, n) => (n < m ? n : m));
        break;
      }
      at.set(cur, path.length);
      path.push(cur);
      const p = store.currentParent(cur);
      if (p === null || p === undefined) {
        root = cur;
        break;
      }
      cur = p;
    }
    for (const n of path) roots.set(n, root);
  }
  for (const [n, r] of roots) if (store.currentRoot(n) !== r) store.setRoot(n, r);
  return changed;
}

/** A node in a displayed tree: the effective parent is cut on the cycle's root. */
export interface TreeNode<T> {
  id: string;
  value: T | null;
  children: TreeNode<T>[];
}

/**
 * Builds the tree for one thread from its nodes (id -> parent), iteratively. Children are
 * ordered by `order` (e.g. date then id), roots first by the same order.
 */
export function buildTree<T>(
  root: string,
  nodes: ReadonlyMap<string, { parent: string | null; value: T | null }>,
  order: (a: TreeNode<T>, b: TreeNode<T>) => number,
): TreeNode<T> {
  const made = new Map<string, TreeNode<T>>();
  for (const [id, n] of nodes) made.set(id, { id, value: n.value, children: [] });
  const top = made.get(root) ?? { id: root, value: null, children: [] };
  for (const [id, n] of nodes) {
    if (id === root || n.parent === null) continue;
    const parent = made.get(n.parent);
    const self = made.get(id);
    if (parent && self) parent.children.push(self);
  }
  const stack = [top];
  while (stack.length > 0) {
    const n = stack.pop() as TreeNode<T>;
    n.children.sort(order);
    for (const c of n.children) stack.push(c);
  }
  return top;
}
