// Exhaustive breadth-first search over every interleaving of a compiled model.
//  - States are Int32Arrays packed into one growing arena and found again through an
//    open-addressing hash table, so a revisit costs a hash and a compare, no strings.
//  - BFS keeps parent pointers, so the first violation found is a shortest one.
//  - Partial-order reduction (static persistent/ample sets, as in SPIN): in a state
//    where some thread's next step is invisible to the properties, cannot fail, and is
//    independent (by read/write slot sets, lock words included) of everything the other
//    threads can still do from where they are, only that thread is expanded. The cycle
//    proviso for BFS: when the reduced successor is already known, expand fully, so no
//    step is postponed around a loop forever. Terminal states (deadlocks, final
//    assertions) and invariant violations are preserved.
//  - Sleep sets (option `sleep`, instead of ample sets): a step that commutes with the one
//    that led to a state is not retried from it. All states are still visited (so every
//    verdict and the coverage are kept) with far fewer transitions; with state caching,
//    a state reached again with a smaller sleep set is re-expanded for the difference.
//  - Bounds on states and time give "incomplete", never a silent "holds".
import type { State, Model, Node } from './compile.ts';
import type { Verdict, WaitEdge } from './ast.ts';

export interface ExploreOptions {
  /** Stop with "incomplete" after this many distinct states (default 2,000,000, or fewer for wide states: the arena stays under ~256 MB). */
  maxStates?: number;
  /** Stop with "incomplete" after this many milliseconds (default 20,000). */
  maxMs?: number;
  /** Partial-order reduction with ample sets (default on). */
  por?: boolean;
  /**
   * Sleep sets instead (turns `por` off): every state is still visited, but a step is not
   * retried from a state where it provably commutes with the step that led there, so far
   * fewer transitions are run. For comparison and for models where ample sets find little.
   */
  sleep?: boolean;
  /**
   * 'first' (default): stop at the first bad outcome. 'all': explore everything and record
   * the first (so shortest, in the graph searched) path to every distinct bad outcome; a
   * path still ends at its first violation, which is not expanded further.
   */
  outcomes?: 'first' | 'all';
  /** Check every incremental state hash against a full one (tests: a write missing from a transition's write set). */
  checkHash?: boolean;
}

/** One bad outcome and the first path that reached it. */
export interface Found {
  /** Distinct per outcome: `failure:<index>`, `invariant:<name>`, `final:<name>`, `deadlock`. */
  key: string;
  verdict: 'violated' | 'deadlock';
  property: string;
  message: string;
  path: number[];
  /** Index in Model.failures, for an assert or a discipline check. */
  failure?: number;
  waitFor?: WaitEdge[];
}

export interface ExploreOutcome {
  verdict: Verdict;
  property?: string;
  message?: string;
  states: number;
  transitions: number;
  ms: number;
  /** Transition gids from the initial state to the violation (empty when it holds). */
  path: number[];
  waitFor?: WaitEdge[];
  /** `thread:step` never executed in the explored part. */
  unreached: string[];
  bound?: string;
  /** Every distinct bad outcome found, in the order found (with outcomes: 'first', at most one). */
  found: Found[];
}

class StateStore {
  data: Int32Array;
  parent: Int32Array;
  via: Int32Array;
  count = 0;
  private table: Int32Array;
  private hashes: Int32Array;
  private mask: number;

  constructor(readonly width: number) {
    const cap = 1 << 12;
    this.data = new Int32Array(cap * Math.max(width, 1));
    this.parent = new Int32Array(cap);
    this.via = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.table = new Int32Array(cap * 2).fill(-1);
    this.mask = cap * 2 - 1;
  }

  /**
   * A state's hash is linear, sum of weight[k] * s[k] (mod 2^32), so a transition updates it
   * over the few slots it writes (sim/compile.ts genExpander) instead of rehashing the whole
   * state; the table scrambles it before using it as an index.
   */
  static hash(s: State, weights: Int32Array): number {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (h + Math.imul(weights[i]!, s[i]!)) | 0;
    return h;
  }

  private static mix(h: number): number {
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    return h ^ (h >>> 16);
  }

  /** Index of s if stored, else -1. */
  find(s: State, h: number): number {
    const w = this.width;
    const data = this.data;
    for (let i = StateStore.mix(h) & this.mask; ; i = (i + 1) & this.mask) {
      const idx = this.table[i]!;
      if (idx < 0) return -1;
      if (this.hashes[idx] !== h) continue;
      const base = idx * w;
      let eq = true;
      for (let k = 0; k < w; k++) {
        if (data[base + k] !== s[k]) {
          eq = false;
          break;
        }
      }
      if (eq) return idx;
    }
  }

  add(s: State, h: number, parent: number, via: number): number {
    if (this.count === this.parent.length) this.grow();
    // At most half full: a miss (every new state) then probes about twice, not four times.
    if ((this.count + 1) * 2 > this.table.length) this.rehash();
    const idx = this.count++;
    // A native copy: faster than a loop for all but the narrowest states.
    this.data.set(s, idx * this.width);
    this.parent[idx] = parent;
    this.via[idx] = via;
    this.hashes[idx] = h;
    let i = StateStore.mix(h) & this.mask;
    while (this.table[i]! >= 0) i = (i + 1) & this.mask;
    this.table[i] = idx;
    return idx;
  }

  hashOf(idx: number): number {
    return this.hashes[idx]!;
  }

  load(idx: number, into: State): void {
    // A plain loop: subarray() would allocate a view per state.
    const b = idx * this.width;
    const d = this.data;
    for (let k = 0; k < this.width; k++) into[k] = d[b + k]!;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    const d = new Int32Array(cap * Math.max(this.width, 1));
    d.set(this.data);
    this.data = d;
    const p = new Int32Array(cap);
    p.set(this.parent);
    this.parent = p;
    const v = new Int32Array(cap);
    v.set(this.via);
    this.via = v;
    const hs = new Int32Array(cap);
    hs.set(this.hashes);
    this.hashes = hs;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let idx = 0; idx < this.count; idx++) {
      let i = StateStore.mix(this.hashes[idx]!) & this.mask;
      while (this.table[i]! >= 0) i = (i + 1) & this.mask;
      this.table[i] = idx;
    }
  }

  pathTo(idx: number): number[] {
    const out: number[] = [];
    for (let i = idx; i > 0; i = this.parent[i]!) out.push(this.via[i]!);
    return out.reverse();
  }
}

/**
 * conflicts[t][n][u] is a Uint8Array over thread u's nodes (plus its end): 1 when node n
 * of thread t is dependent on some step thread u can still take from that node on.
 */
function nodeDependence(m: Model) {
  const nodeSets = m.threads.map((t) =>
    t.nodes.map((n) => {
      const r = new Set<number>();
      const w = new Set<number>();
      for (const tr of n.trans) {
        tr.reads.forEach((x) => r.add(x));
        tr.writes.forEach((x) => w.add(x));
      }
      return { r, w };
    }),
  );
  const dependent = (a: { r: Set<number>; w: Set<number> }, b: { r: Set<number>; w: Set<number> }): boolean => {
    for (const x of a.w) if (b.r.has(x) || b.w.has(x)) return true;
    for (const x of b.w) if (a.r.has(x)) return true;
    return false;
  };
  return { nodeSets, dependent };
}

/** direct[t][n][u][k]: node n of thread t and node k of thread u touch a common slot, one of them writing it. */
function directTables(m: Model): Uint8Array[][][] {
  const { nodeSets, dependent } = nodeDependence(m);
  return m.threads.map((t, ti) =>
    t.nodes.map((_, ni) =>
      m.threads.map((u, ui) => {
        const out = new Uint8Array(u.nodes.length + 1);
        if (ui !== ti) u.nodes.forEach((_, k) => (out[k] = dependent(nodeSets[ti]![ni]!, nodeSets[ui]![k]!) ? 1 : 0));
        return out;
      }),
    ),
  );
}

function conflictTables(m: Model): Uint8Array[][][] {
  // Slot sets as bitsets; a node's "future" is what it or any node after it in its
  // thread's control-flow graph reads and writes (a fixpoint, loops included).
  const words = (m.width + 31) >>> 5;
  const bits = (xs: number[]): Uint32Array => {
    const b = new Uint32Array(words);
    for (const x of xs) b[x >>> 5]! |= 1 << (x & 31);
    return b;
  };
  const own = m.threads.map((t) =>
    t.nodes.map((n) => ({ r: bits(n.trans.flatMap((tr) => tr.reads)), w: bits(n.trans.flatMap((tr) => tr.writes)) })),
  );
  const future = m.threads.map((t, ti) => {
    const f = own[ti]!.map((x) => ({ r: x.r.slice(), w: x.w.slice() }));
    for (let changed = true; changed; ) {
      changed = false;
      t.nodes.forEach((node, i) => {
        for (const y of node.next) {
          if (y >= t.nodes.length) continue;
          for (let k = 0; k < words; k++) {
            // >>> 0: a Uint32Array element reads back unsigned, `|` yields signed.
            const r = (f[i]!.r[k]! | f[y]!.r[k]!) >>> 0;
            const w = (f[i]!.w[k]! | f[y]!.w[k]!) >>> 0;
            if (r !== f[i]!.r[k] || w !== f[i]!.w[k]) ((f[i]!.r[k] = r), (f[i]!.w[k] = w), (changed = true));
          }
        }
      });
    }
    return f;
  });
  return m.threads.map((t, ti) =>
    t.nodes.map((_, ni) =>
      m.threads.map((u, ui) => {
        const out = new Uint8Array(u.nodes.length + 1);
        if (ui === ti) return out;
        const a = own[ti]![ni]!;
        for (let mi = 0; mi < u.nodes.length; mi++) {
          const b = future[ui]![mi]!;
          for (let k = 0; k < words; k++) {
            if ((a.w[k]! & (b.r[k]! | b.w[k]!)) !== 0 || (a.r[k]! & b.w[k]!) !== 0) {
              out[mi] = 1;
              break;
            }
          }
        }
        return out;
      }),
    ),
  );
}

const tableCache = new WeakMap<Model, Uint8Array[][][]>();
const directCache = new WeakMap<Model, Uint8Array[][][]>();

export function explore(m: Model, opts: ExploreOptions = {}): ExploreOutcome {
  const t0 = performance.now();
  const maxStates = opts.maxStates ?? Math.min(2_000_000, Math.floor(64_000_000 / Math.max(m.width, 1)));
  const maxMs = opts.maxMs ?? 20_000;
  const sleepSets = (opts.sleep ?? false) && m.threads.length <= 31;
  const por = !sleepSets && (opts.por ?? true);
  const W = m.width;
  const weights = m.hashWeights;
  const hashSlots = m.hashSlots;
  const threads = m.threads;
  const T = threads.length;
  const store = new StateStore(W);
  const covered = new Uint8Array(m.transitions.length);
  let conflicts: Uint8Array[][][] = [];
  if (por) {
    conflicts = tableCache.get(m) ?? conflictTables(m);
    tableCache.set(m, conflicts);
  }
  let direct: Uint8Array[][][] = [];
  if (sleepSets) {
    direct = directCache.get(m) ?? directTables(m);
    directCache.set(m, direct);
  }
  // Sleep sets, one bitmask of threads per state (a thread whose next step is a single
  // transition that need not be tried from here).
  let sleep = new Int32Array(sleepSets ? 1024 : 0);
  const reopen: number[] = []; // pairs (state, threads to try again)
  let succSleep = 0;
  const cur = new Int32Array(W);
  const next = new Int32Array(W);
  let transitions = 0;

  const firstOnly = opts.outcomes !== 'all';
  const found: Found[] = [];
  const seen = new Set<string>();
  // States that broke an invariant: recorded, kept (so they are not found again), never expanded.
  let terminal = new Uint8Array(1024);
  /**
   * The result, the search having ended or hit `bound`: its verdict is that of the first
   * outcome found (even when a bound then cut the search short), else holds or incomplete.
   */
  const done = (bound?: string): ExploreOutcome => {
    const first = found[0];
    const head: Pick<ExploreOutcome, 'verdict' | 'property' | 'message' | 'path' | 'waitFor'> = first
      ? { verdict: first.verdict, property: first.property, message: first.message, path: first.path, ...(first.waitFor ? { waitFor: first.waitFor } : {}) }
      : { verdict: bound === undefined ? 'holds' : 'incomplete', path: [] };
    return {
      ...head,
      ...(bound !== undefined ? { bound } : {}),
      states: store.count,
      transitions,
      ms: Math.round((performance.now() - t0) * 100) / 100,
      unreached: unreached(m, covered),
      found,
    };
  };
  /**
   * Records an outcome the first time it is reached (BFS: by a shortest path in the graph
   * searched; `make` runs only then); true when that ends the search.
   */
  const record = (key: string, make: () => Omit<Found, 'key'>): boolean => {
    if (seen.has(key)) return false;
    seen.add(key);
    found.push({ key, ...make() });
    return firstOnly;
  };
  const expanders = m.expanders;
  let head = 0;
  /** The state being expanded (head, or a reopened one). */
  let from = 0;
  let stop: ExploreOutcome | undefined;
  // Called by the generated expanders with each successor, built in `next`.
  const visit = (gid: number, fail: number, h: number): boolean => {
    transitions++;
    covered[gid] = 1;
    if (fail >= 0) {
      const f = m.failures[fail]!;
      if (!record(`failure:${fail}`, () => ({ verdict: 'violated', property: f.property, message: f.message, path: [...store.pathTo(from), gid], failure: fail }))) return false;
      stop = done();
      return true;
    }
    if (opts.checkHash && h !== StateStore.hash(next, weights)) throw new Error(`internal: transition ${gid} hashes its successor wrongly (a write missing from its write set)`);
    const known = store.find(next, h);
    if (known >= 0) {
      if (sleepSets) {
        // Reached again with a smaller sleep set: what it no longer excuses must be tried,
        // now if the state was already expanded, else when its turn comes.
        const old = sleep[known]!;
        const now = old & succSleep;
        if (now !== old) {
          sleep[known] = now;
          if (known <= head) reopen.push(known, old & ~now);
        }
      }
      return false;
    }
    const idx = store.add(next, h, from, gid);
    if (sleepSets) {
      if (idx >= sleep.length) {
        const bigger = new Int32Array(sleep.length * 2);
        bigger.set(sleep);
        sleep = bigger;
      }
      sleep[idx] = succSleep;
    }
    if (m.brokenInvariant(next) >= 0) {
      if (idx >= terminal.length) {
        const bigger = new Uint8Array(terminal.length * 2);
        bigger.set(terminal);
        terminal = bigger;
      }
      terminal[idx] = 1;
      // Every invariant broken here is an outcome of its own.
      for (const inv of m.invariants) {
        if (inv.check(next)) continue;
        if (record(`invariant:${inv.name}`, () => ({ verdict: 'violated', property: inv.name, message: `invariant '${inv.name}' fails`, path: store.pathTo(idx) }))) {
          stop = done();
          return true;
        }
      }
    }
    if (store.count >= maxStates) {
      stop = done(`maxStates=${maxStates}`);
      return true;
    }
    return false;
  };

  const other = new Int32Array(W);
  // Expands the threads in `only` that are not asleep in `asleep`; each successor's sleep
  // set is what slept here or was tried before it, less what depends on the step taken.
  const expandAsleep = (c: State, asleep: number, only: number): number => {
    let tried = 0;
    let ran = 0;
    for (let t = 0; t < T; t++) {
      const bit = 1 << t;
      if ((asleep & bit) !== 0 || (only & bit) === 0) continue;
      const th = threads[t]!;
      const pc = c[th.pcSlot]!;
      if (pc >= th.end) continue;
      const dep = direct[t]![pc]!;
      let keep = asleep | tried;
      for (let u = 0; u < T; u++) if ((keep & (1 << u)) !== 0 && dep[u]![c[threads[u]!.pcSlot]!]) keep &= ~(1 << u);
      succSleep = keep;
      const r = expanders[t]!(c, next, visit, store.hashOf(from));
      if (r < 0) return -1;
      ran += r;
      if (r > 0 && th.nodes[pc]!.trans.length === 1) tried |= bit;
    }
    return ran;
  };

  const h0 = StateStore.hash(m.init, weights);
  store.add(m.init, h0, -1, -1);
  const bad0 = m.invariants[m.brokenInvariant(m.init)];
  if (bad0) {
    record(`invariant:${bad0.name}`, () => ({ verdict: 'violated', property: bad0.name, message: `invariant '${bad0.name}' fails in the initial state`, path: [] }));
    return done();
  }

  for (head = 0; head < store.count; head++) {
    if ((head & 1023) === 0 && head > 0 && performance.now() - t0 > maxMs) {
      return done(`maxMs=${maxMs}`);
    }
    if (head < terminal.length && terminal[head]) continue;
    store.load(head, cur);
    const curHash = store.hashOf(head);

    // Pick the ample thread, if any (see the header comment).
    let ample = -1;
    if (por) {
      for (let t = 0; t < T && ample < 0; t++) {
        const th = threads[t]!;
        const pc = cur[th.pcSlot]!;
        if (pc >= th.end) continue;
        const node = th.nodes[pc]!;
        if (node.visible) continue;
        // Cheapest test first: table lookups, then guards, then the proviso's successors.
        let ok = true;
        const conf = conflicts[t]![pc]!;
        for (let u = 0; u < T && ok; u++) {
          if (u === t) continue;
          const pu = cur[threads[u]!.pcSlot]!;
          if (conf[u]![pu]) ok = false;
        }
        if (!ok) continue;
        for (const tr of node.trans) if (tr.guard && !tr.guard(cur)) ok = false;
        if (!ok) continue;
        // Cycle proviso: every reduced successor must be new (its hash updated as the expanders do).
        for (const tr of node.trans) {
          next.set(cur);
          tr.exec(next);
          let h = curHash;
          const hs = hashSlots[tr.gid]!;
          for (let k = 0; k < hs.length; k++) h = (h + Math.imul(weights[hs[k]!]!, next[hs[k]!]! - cur[hs[k]!]!)) | 0;
          if (store.find(next, h) >= 0) {
            ok = false;
            break;
          }
        }
        if (ok) ample = t;
      }
    }

    from = head;
    let enabled = 0;
    if (sleepSets) {
      const r = expandAsleep(cur, sleep[head]!, ~0);
      if (r < 0) return stop!;
      enabled = r + (sleep[head] !== 0 ? 1 : 0); // sleeping steps are enabled ones
      while (reopen.length > 0) {
        const again = reopen.shift()!;
        const mask = reopen.shift()!;
        from = again;
        store.load(again, other);
        if (expandAsleep(other, sleep[again]!, mask) < 0) return stop!;
        from = head;
      }
    } else {
      for (let t = 0; t < T; t++) {
        if (ample >= 0 && t !== ample) continue;
        const r = expanders[t]!(cur, next, visit, curHash);
        if (r < 0) return stop!;
        enabled += r;
      }
    }
    if (enabled > 0) continue;

    let allDone = true;
    // A memory pseudo-thread with work always has a move: here it has none, so it is idle.
    for (let t = 0; t < T; t++) if (!threads[t]!.aux && cur[threads[t]!.pcSlot]! < threads[t]!.end) allDone = false;
    if (!allDone) {
      if (record('deadlock', () => ({ verdict: 'deadlock', property: 'deadlock', message: 'no thread can move', path: store.pathTo(head), waitFor: waitFor(m, cur) }))) return done();
      continue;
    }
    for (const f of m.finals) {
      if (!f.check(cur) && record(`final:${f.name}`, () => ({ verdict: 'violated', property: f.name, message: `final assertion '${f.name}' fails`, path: store.pathTo(head) }))) return done();
    }
  }
  return done();
}

export function unreached(m: Model, covered: Uint8Array): string[] {
  const seen = new Set<string>();
  const all = new Set<string>();
  for (const tr of m.transitions) {
    if (m.threads[tr.thread]!.aux) continue;
    const key = `${m.threads[tr.thread]!.name}:${tr.step}`;
    all.add(key);
    if (covered[tr.gid]) seen.add(key);
  }
  return [...all].filter((k) => !seen.has(k));
}

/** Who each stuck thread waits for, reduced to the cycle when there is one. */
export function waitFor(m: Model, s: State): WaitEdge[] {
  const edges: WaitEdge[] = [];
  const names = m.threads.map((t) => t.name);
  const owner = (v: number): string[] => (v > 0 ? [names[v - 1]!] : []);
  m.threads.forEach((th) => {
    const pc = s[th.pcSlot]!;
    if (pc >= th.end || th.aux) return;
    const node: Node = th.nodes[pc]!;
    if (node.awaits !== undefined) {
      edges.push({ thread: th.name, waitsFor: `condition ${node.awaits} (${node.step})`, heldBy: [] });
      return;
    }
    if (node.gp !== undefined) {
      const mask = s[node.gp]!;
      edges.push({ thread: th.name, waitsFor: 'an RCU grace period (synchronize_rcu)', heldBy: names.filter((_, u) => (mask & (1 << u)) !== 0) });
      return;
    }
    if (!node.waits) return;
    const L = node.waits.lock;
    if (L.type === 'folio') {
      edges.push({ thread: th.name, waitsFor: `folio lock ${L.name}`, heldBy: owner(s[m.slotOf.get(`${L.name}#owner`)!]!) });
    } else if (L.type === 'mutex' || L.type === 'spinlock') {
      edges.push({ thread: th.name, waitsFor: `${L.type} ${L.name}`, heldBy: owner(s[m.slotOf.get(`${L.name}#owner`)!]!) });
    } else {
      const w = s[m.slotOf.get(`${L.name}#writer`)!]!;
      const readers = names.filter((n) => s[m.slotOf.get(`${L.name}#read.${n}`)!]! > 0);
      if (node.waits.mode === 'read') {
        // A writer-fair rwsem also makes readers wait for queued writers.
        const queued = m.threads
          .filter((u) => {
            const p = s[u.pcSlot]!;
            const n = p < u.end ? u.nodes[p]! : undefined;
            return n !== undefined && n.kind === 'lock' && n.waits?.mode === 'write' && n.waits.lock.name === L.name && n.waits.decl?.fair === 'writer';
          })
          .map((u) => u.name);
        edges.push({ thread: th.name, waitsFor: `${L.name} (read)`, heldBy: [...owner(w), ...queued] });
      } else {
        edges.push({ thread: th.name, waitsFor: `${L.name} (write)`, heldBy: [...owner(w), ...readers] });
      }
    }
  });
  const by = new Map(edges.map((e) => [e.thread, e]));
  // Depth-first search for a cycle thread -> holder -> ...
  for (const start of edges) {
    const path: string[] = [];
    const find = (t: string): string[] | undefined => {
      const i = path.indexOf(t);
      if (i >= 0) return path.slice(i);
      const e = by.get(t);
      if (!e) return undefined;
      path.push(t);
      for (const h of e.heldBy) {
        const c = find(h);
        if (c) return c;
      }
      path.pop();
      return undefined;
    };
    const cyc = find(start.thread);
    if (cyc) return cyc.map((t) => by.get(t)!);
  }
  return edges;
}
