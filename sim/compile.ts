// Program -> a compiled transition system the explorer runs on its hot path: the state
// is one Int32Array (thread pcs, globals, folio fields, lock words, xarray slots, RCU
// state, locals) and every step is a guard and an effect written once as JavaScript source
// over it, from which come both per-step closures (replay, reduction) and one generated
// switch per thread (the search), so exploring never interprets the AST. Each transition
// also carries its static read/write slot sets, from which the explorer's partial-order
// reduction derives independence.
//
// A transition's effect is: its prechecks (a use-after-free, a sleeping lock in atomic
// context: each fires before the step would block), then the step's body, then its
// epilogue (at the thread's end: locks still held). Each check that fails returns the
// index of a Failure; the explorer reports it with its thread, step and lock.
import { FOLIO_FIELDS, type Expr, type KernelRef, type Leaf, type LValue, type LockDecl, type LockRef, type Program, type Stmt } from './ast.ts';
import { SimError } from './errors.ts';
import { leaves, showExpr } from './expr.ts';
import * as mem from './memory.ts';

export type State = Int32Array;

export interface Transition {
  /** Global index in Model.transitions. */
  gid: number;
  thread: number;
  node: number;
  step: string;
  fn: KernelRef;
  branch?: string;
  /** undefined: always enabled (once the thread is at this node). */
  guard: ((s: State) => boolean) | undefined;
  /** Mutates s (including the pc); returns -1, or the index in Model.failures of the violation it hit. */
  exec: (s: State) => number;
  /** The same, as JavaScript source: a boolean expression over `c`, statements over `n`. */
  guardJs: string | undefined;
  execJs: string;
  reads: number[];
  writes: number[];
  /**
   * For an assignment step: what each slot it writes was computed from (its own reads, the
   * `when:` condition's included), so a witness's story can follow one value, not the step.
   */
  deps?: Map<number, number[]>;
  /** For a `when:` step: whether it assigns anything from this state. */
  applies?: (s: State) => boolean;
}

export type NodeKind = Stmt['kind'] | 'queue' | 'gp_wait' | 'memory';

export interface Node {
  thread: number;
  index: number;
  step: string;
  kind: NodeKind;
  trans: Transition[];
  /** Writes something a property reads, or may fail: never reduced away. */
  visible: boolean;
  /** Nodes control can go to from here (the thread's end is `nodes.length`). */
  next: number[];
  /** For a blocking lock step: what it waits for. */
  waits?: { lock: LockRef; mode: 'exclusive' | 'read' | 'write' | 'queued-write'; decl?: LockDecl };
  /** For an await step: the condition text. */
  awaits?: string;
  /** For synchronize_rcu's wait: the slot holding the readers it waits for. */
  gp?: number;
  /** For if/while: the condition text, to say in a witness which way it went. */
  cond?: string;
  /** if/while/choice steps of the same thread whose branch this node is inside (for witness slicing). */
  within: number[];
  /** What the weak memory model asks of this node (the Promela export renders the same rules). */
  mem?: MemReq;
}

/** A node's memory-model requirements and effects (slots are state slots). */
export interface MemReq {
  /** Both buffers empty first (a fence, a release, an atomic). */
  drained: boolean;
  /** No pending loads first (smp_rmb, a release store). */
  loadsDone: boolean;
  /** Store-buffer entries the step adds. */
  room: number;
  /** It waits while a pending load reads one of these locations or writes one of these registers. */
  locs: number[];
  regs: number[];
  /** A deferred load: queued, not performed. */
  issue?: { reg: number; loc: number };
  /** smp_wmb under lkmm-lite: a new epoch. */
  wmb?: boolean;
  /** Per assignment of a `do`: buffered (with entry flags), or straight to memory. */
  assigns?: { buffered: boolean; flags: number; delta?: { e: Expr; neg: boolean } }[];
}

export interface Slot {
  name: string;
  kind:
    | 'pc'
    | 'global'
    | 'field'
    | 'owner'
    | 'writer'
    | 'readers'
    | 'read'
    | 'queued'
    | 'local'
    | 'xa'
    | 'xaorder'
    | 'freed'
    | 'rcu'
    | 'gp'
    | 'rcufree'
    | 'sb'
    | 'lb';
  thread?: number;
}

/** A named violation a step can hit: a failed assert, or a discipline check. */
export interface Failure {
  property: string;
  message: string;
  kind: 'assert' | 'discipline';
  thread: string;
  step: string;
  /** The lock, refcount or object involved. */
  lock?: string;
  /** For an assert: the condition. */
  cond?: Expr;
}

export interface Model {
  /** Per thread: the generated successor function (see genExpander). */
  expanders: Expander[];
  /** The weights of the linear state hash the expanders update incrementally. */
  hashWeights: Int32Array;
  /** Per transition (by gid): the slots it may change, its thread's pc included; the hash is updated over them. */
  hashSlots: Int32Array[];
  /** Index of the first invariant broken in a state, or -1. */
  brokenInvariant: (s: State) => number;
  program: Program;
  width: number;
  init: State;
  /**
   * The program's threads, then (under a weak memory model) one memory pseudo-thread per
   * thread, `aux`: it commits buffered stores and satisfies pending loads, never "ends",
   * and always has a move while it has work (sim/memory.ts).
   */
  threads: { name: string; pcSlot: number; nodes: Node[]; end: number; aux?: true }[];
  /** The weak memory model's layout, when there is one. */
  memory?: mem.MemLayout;
  transitions: Transition[];
  slots: Slot[];
  failures: Failure[];
  invariants: { name: string; check: (s: State) => boolean }[];
  finals: { name: string; check: (s: State) => boolean }[];
  /** Slot index of each folio field, lock word and variable, by display name. */
  slotOf: Map<string, number>;
  /** Slot of a leaf as seen from a thread (locals are per thread). */
  leafSlot: (x: Leaf, thread: number) => number;
}

function walkStmts(ss: Stmt[], f: (s: Stmt) => void): void {
  for (const s of ss) {
    f(s);
    if (s.kind === 'if') (walkStmts(s.then, f), walkStmts(s.else, f));
    else if (s.kind === 'while') walkStmts(s.body, f);
    else if (s.kind === 'choice') for (const b of s.branches) walkStmts(b.body, f);
  }
}

function someStmt(ss: Stmt[], f: (s: Stmt) => boolean): boolean {
  let found = false;
  walkStmts(ss, (s) => {
    if (f(s)) found = true;
  });
  return found;
}

/** What the program uses, to lay out only the state it needs. */
export function features(p: Program) {
  const freeable = new Set<string>();
  const rcuFreed = new Set<string>();
  const syncers = new Set<number>();
  let rcu = false;
  const walk = (ss: Stmt[], ti: number): void => {
    for (const s of ss) {
      if (s.kind === 'free') {
        freeable.add(s.folio);
        if (s.rcu) (rcuFreed.add(s.folio), (rcu = true));
      }
      if (s.kind === 'ref' && s.op === 'put' && s.target.k === 'field') freeable.add(s.target.folio);
      if (s.kind === 'rcu_read_lock' || s.kind === 'rcu_read_unlock') rcu = true;
      if (s.kind === 'synchronize_rcu') (syncers.add(ti), (rcu = true));
      if (s.kind === 'if') (walk(s.then, ti), walk(s.else, ti));
      else if (s.kind === 'while') walk(s.body, ti);
      else if (s.kind === 'choice') for (const b of s.branches) walk(b.body, ti);
    }
  };
  p.threads.forEach((t, i) => walk(t.body, i));
  return { freeable, rcuFreed, syncers, rcu };
}

/** Folios a statement's own step touches (not its branches'): for use-after-free checks. */
export function touchedFolios(s: Stmt): Set<string> {
  const out = new Set<string>();
  const ex = (e: Expr | undefined): void => {
    if (e) for (const l of leaves(e)) if (l.k === 'field') out.add(l.folio);
  };
  const lv = (l: LValue | undefined): void => {
    if (l && l.k === 'field') out.add(l.folio);
  };
  switch (s.kind) {
    case 'do':
      ex(s.when);
      for (const a of s.assigns) (ex(a.value), lv(a.target));
      break;
    case 'lock':
    case 'unlock':
    case 'trylock':
      if (s.lock.type === 'folio') out.add(s.lock.name);
      if (s.kind === 'trylock') lv(s.into);
      break;
    case 'ref':
      lv(s.target);
      lv(s.into);
      break;
    case 'await':
    case 'assert':
    case 'if':
    case 'while':
      ex(s.cond);
      break;
    case 'xa_store':
      ex(s.value);
      break;
    default:
      break;
  }
  return out;
}

/** `x = x + e` / `x = x - e`: the addition a relaxed atomic buffers. */
function relaxedDelta(target: LValue, v: Expr): { e: Expr; neg: boolean } | undefined {
  const same = (a: Expr): boolean => {
    const b = a.k === 'load' ? a.e : a;
    return JSON.stringify(b) === JSON.stringify(target);
  };
  if (v.k !== 'bin' || (v.op !== '+' && v.op !== '-')) return undefined;
  if (same(v.l)) return { e: v.r, neg: v.op === '-' };
  if (v.op === '+' && same(v.r)) return { e: v.l, neg: false };
  return undefined;
}

/** Every lock a thread body takes (lock, down_*, trylocks): what it may hold at its end. */
export function locksTaken(ss: Stmt[], out = new Map<string, LockRef>()): LockRef[] {
  for (const s of ss) {
    if (s.kind === 'lock' || s.kind === 'trylock') out.set(s.lock.name, s.lock);
    if (s.kind === 'if') (locksTaken(s.then, out), locksTaken(s.else, out));
    else if (s.kind === 'while') locksTaken(s.body, out);
    else if (s.kind === 'choice') for (const b of s.branches) locksTaken(b.body, out);
  }
  return [...out.values()];
}

/**
 * The sleeping operation a node performs, if any: mutex, folio and rwsem acquisitions (a
 * writer-fair down_write at its queueing transition) and synchronize_rcu's snapshot.
 * Spinlocks spin, trylocks never wait.
 */
export function sleepingWhat(s: Stmt, sub: 'queue' | 'gp_wait' | undefined, locks: ReadonlyMap<string, LockDecl>): string | undefined {
  if (s.kind === 'synchronize_rcu') return sub === 'gp_wait' ? undefined : 'synchronize_rcu';
  if (s.kind !== 'lock' || s.lock.type === 'spinlock') return undefined;
  if (s.lock.type === 'rwsem' && s.mode === 'write') {
    const queued = locks.get(s.lock.name)?.fair !== 'reader';
    if (queued !== (sub === 'queue')) return undefined;
    return `down_write ${s.lock.name}`;
  }
  if (s.lock.type === 'rwsem') return `down_read ${s.lock.name}`;
  return s.lock.type === 'folio' ? `folio_lock ${s.lock.name}` : `mutex_lock ${s.lock.name}`;
}

export function compile(p: Program): Model {
  const slots: Slot[] = [];
  const slotOf = new Map<string, number>();
  const add = (s: Slot, key = s.name): number => {
    slots.push(s);
    slotOf.set(key, slots.length - 1);
    return slots.length - 1;
  };
  const feat = features(p);
  const T = p.threads.length;
  if (feat.rcu && T > 30) throw new SimError('SIM_INVALID', 'RCU is modelled for at most 30 threads');
  // Locals are keyed apart from folio fields: a thread may share a folio's name.
  const localKey = (thread: string, local: string): string => `${thread}#local.${local}`;
  p.threads.forEach((t, i) => add({ name: `${t.name}.pc`, kind: 'pc', thread: i }));
  for (const v of p.vars) add({ name: v.name, kind: 'global' });
  for (const f of p.folios) {
    for (const fld of FOLIO_FIELDS) add({ name: `${f.name}.${fld}`, kind: 'field' });
    add({ name: `${f.name}#owner`, kind: 'owner' });
    if (feat.freeable.has(f.name)) add({ name: `${f.name}#freed`, kind: 'freed' });
    if (feat.rcuFreed.has(f.name)) add({ name: `${f.name}#rcufree`, kind: 'rcufree' });
  }
  for (const l of p.locks) {
    if (l.kind !== 'rwsem') add({ name: `${l.name}#owner`, kind: 'owner' });
    else {
      add({ name: `${l.name}#writer`, kind: 'writer' });
      // Total read holds (what a writer waits on) and each thread's own, so a
      // recursive down_read is counted and the wait-for graph knows the holders.
      add({ name: `${l.name}#readers`, kind: 'readers' });
      p.threads.forEach((t, i) => add({ name: `${l.name}#read.${t.name}`, kind: 'read', thread: i }));
      add({ name: `${l.name}#queued`, kind: 'queued' });
    }
  }
  for (const x of p.xarrays) {
    for (let j = 0; j < x.size; j++) {
      add({ name: `${x.name}[${j}]`, kind: 'xa' });
      add({ name: `${x.name}[${j}]#order`, kind: 'xaorder' });
    }
  }
  if (feat.rcu) p.threads.forEach((t, i) => add({ name: `${t.name}#rcu`, kind: 'rcu', thread: i }));
  p.threads.forEach((t, i) => {
    if (feat.syncers.has(i)) add({ name: `${t.name}#gp`, kind: 'gp', thread: i });
  });
  p.threads.forEach((t, i) => {
    for (const l of t.locals) add({ name: `${t.name}.${l.name}`, kind: 'local', thread: i }, localKey(t.name, l.name));
  });
  // Weak memory: a store buffer per thread (and under lkmm-lite a buffer of pending loads),
  // sized to hold every store of the largest step.
  const weak = p.memory.model !== 'sc';
  const ghosts = new Set(p.memory.ghost);
  const isLocName = (x: Leaf): boolean => (x.k === 'var' && x.scope === 'global' && !ghosts.has(x.name)) || (x.k === 'field' && x.field !== 'locked');
  let ML: mem.MemLayout | undefined;
  if (weak) {
    let most = 0;
    for (const t of p.threads) walkStmts(t.body, (st) => {
      if (st.kind === 'do' && !(st.atomic === 'mb' || (st.atomic === 'relaxed' && p.memory.model === 'tso'))) most = Math.max(most, st.assigns.filter((a) => isLocName(a.target)).length);
    });
    const K = Math.max(p.memory.storeBuffer, most);
    const P = p.memory.model === 'lkmm-lite' ? p.memory.loadBuffer : 0;
    const adds = p.memory.model === 'lkmm-lite' && p.threads.some((t) => someStmt(t.body, (st) => st.kind === 'do' && st.atomic === 'relaxed'));
    const tms = p.threads.map((t, i): mem.ThreadMem => {
      const pc = add({ name: `${t.name}~mem.pc`, kind: 'pc', thread: p.threads.length + i });
      const sbLen = add({ name: `${t.name}#sb.len`, kind: 'sb', thread: i });
      const sbEpoch = add({ name: `${t.name}#sb.epoch`, kind: 'sb', thread: i });
      const sbBase = slots.length;
      for (let k = 0; k < K; k++) for (const f of ['loc', 'val', 'ep', 'fl']) add({ name: `${t.name}#sb[${k}].${f}`, kind: 'sb', thread: i });
      const lbLen = P > 0 ? add({ name: `${t.name}#lb.len`, kind: 'lb', thread: i }) : -1;
      const lbBase = slots.length;
      for (let k = 0; k < P; k++) for (const f of ['reg', 'loc']) add({ name: `${t.name}#lb[${k}].${f}`, kind: 'lb', thread: i });
      return { sbLen, sbEpoch, sbBase, lbLen, lbBase, pc };
    });
    ML = { model: p.memory.model, weak, K, P, adds, threads: tms };
  }

  const width = slots.length;
  const init = new Int32Array(width);
  for (const v of p.vars) init[slotOf.get(v.name)!] = v.init;
  for (const f of p.folios) for (const fld of FOLIO_FIELDS) init[slotOf.get(`${f.name}.${fld}`)!] = f.init[fld];
  for (const x of p.xarrays) {
    for (const e of x.entries) {
      for (let j = e.index; j < e.index + (1 << e.order); j++) {
        init[slotOf.get(`${x.name}[${j}]`)!] = e.entry;
        init[slotOf.get(`${x.name}[${j}]#order`)!] = e.order;
      }
    }
  }
  p.threads.forEach((t) => {
    for (const l of t.locals) init[slotOf.get(localKey(t.name, l.name))!] = l.init;
  });

  const failures: Failure[] = [];
  const failureIndex = new Map<string, number>();
  const fail = (f: Failure): number => {
    const key = `${f.property}\0${f.thread}\0${f.step}\0${f.lock ?? ''}\0${f.message}`;
    const known = failureIndex.get(key);
    if (known !== undefined && f.kind === 'discipline') return known;
    failures.push(f);
    failureIndex.set(key, failures.length - 1);
    return failures.length - 1;
  };
  const transitions: Transition[] = [];
  const lockDecl = new Map(p.locks.map((l) => [l.name, l]));
  const spinlocks = p.locks.filter((l) => l.kind === 'spinlock').map((l) => l.name);
  const folioIndex = new Map(p.folios.map((f, i) => [f.name, i + 1]));

  const varSlot = (name: string, scope: 'global' | 'local', thread: number): number =>
    scope === 'local' ? slotOf.get(localKey(p.threads[thread]!.name, name))! : slotOf.get(name)!;
  const leafSlot = (x: Leaf, thread: number): number =>
    x.k === 'var' ? varSlot(x.name, x.scope, thread) : x.k === 'field' ? slotOf.get(`${x.folio}.${x.field}`)! : slotOf.get(`${x.xa}[${x.index}]`)!;
  const lvSlot = (lv: LValue, thread: number): number => leafSlot(lv, thread);
  const readsOf = (e: Expr, thread: number, out: Set<number>): void => {
    for (const l of leaves(e)) out.add(leafSlot(l, thread));
  };
  const gslot = (x: Leaf): number => leafSlot(x, 0);
  const rcuSlot = (ti: number): number => slotOf.get(`${p.threads[ti]!.name}#rcu`)!;
  const gpSlot = (ti: number): number | undefined => slotOf.get(`${p.threads[ti]!.name}#gp`);
  const freedSlot = (f: string): number | undefined => slotOf.get(`${f}#freed`);
  const rcuFreeSlot = (f: string): number | undefined => slotOf.get(`${f}#rcufree`);
  const xaSlots = (xa: string): number[] => {
    const x = p.xarrays.find((y) => y.name === xa)!;
    return Array.from({ length: x.size }, (_, j) => [slotOf.get(`${xa}[${j}]`)!, slotOf.get(`${xa}[${j}]#order`)!]).flat();
  };

  const propReads = new Set<number>();
  for (const pr of p.invariants) readsOf(pr.expr, 0, propReads);
  // Under a weak memory model: the slots that are memory locations (buffered, forwarded).
  const locSlots = new Set<number>();
  if (ML) {
    for (const v of p.vars) if (!ghosts.has(v.name)) locSlots.add(slotOf.get(v.name)!);
    for (const f of p.folios) for (const fld of FOLIO_FIELDS) if (fld !== 'locked') locSlots.add(slotOf.get(`${f.name}.${fld}`)!);
  }
  const isLocLeaf = (x: Leaf, thread: number): boolean => ML !== undefined && locSlots.has(leafSlot(x, thread));

  const threads: Model['threads'] = p.threads.map((t, ti) => {
    const pcSlot = ti;
    const me = ti + 1;
    const bit = 1 << ti;
    const tm = ML?.threads[ti];
    // The thread's buffer slots, for the read/write sets partial-order reduction relies on.
    const sbSlots = tm ? [tm.sbLen, tm.sbEpoch, ...Array.from({ length: ML!.K * mem.SB_STRIDE }, (_, k) => tm.sbBase + k)] : [];
    const lbSlots = tm && ML!.P > 0 ? [tm.lbLen, ...Array.from({ length: ML!.P * mem.LB_STRIDE }, (_, k) => tm.lbBase + k)] : [];
    // lkmm-lite: `r = x` / `r = READ_ONCE(x)` into a local is issued now and satisfied later.
    const deferred = new Map<Stmt, { reg: number; loc: number }>();
    if (ML && ML.P > 0) {
      walkStmts(t.body, (st) => {
        if (st.kind !== 'do' || st.when || st.atomic || st.assigns.length !== 1) return;
        const a = st.assigns[0]!;
        const v = a.value.k === 'load' && a.value.order === 'once' ? a.value.e : a.value;
        if (a.target.k !== 'var' || a.target.scope !== 'local' || a.order !== undefined) return;
        if ((v.k === 'var' || v.k === 'field') && isLocLeaf(v, ti)) deferred.set(st, { reg: leafSlot(a.target, ti), loc: leafSlot(v, ti) });
      });
    }
    const regsD = new Set([...deferred.values()].map((d) => d.reg));
    const locsD = new Set([...deferred.values()].map((d) => d.loc));
    let forwarded = false;
    const X = (e: Expr, arr: string): string =>
      exprJs(e, arr, (x) => leafSlot(x, ti), folioIndex, ML ? (slot) => {
        if (!locSlots.has(slot)) return `${arr}[${slot}]`;
        forwarded = true;
        return mem.forwardJs(ML!, ti, arr, String(slot));
      } : undefined);
    const taken = locksTaken(t.body);
    /** What this thread may still hold when it ends, each as a test over `n` and its failure. */
    const heldAtExit = (step: string): { held: string; slot: number; fail: number }[] => {
      const out: { held: string; slot: number; fail: number }[] = [];
      const f = (lock: string, what: string): number =>
        fail({ property: 'lock_held_at_exit', kind: 'discipline', thread: t.name, step, lock, message: `${t.name} ends (after ${step}) holding ${what}` });
      for (const L of taken) {
        if (L.type !== 'rwsem') {
          const ow = slotOf.get(`${L.name}#owner`)!;
          out.push({ held: `n[${ow}] === ${me}`, slot: ow, fail: f(L.name, `${L.type === 'folio' ? 'the folio lock of' : L.type} ${L.name}`) });
        } else {
          const w = slotOf.get(`${L.name}#writer`)!;
          const mine = slotOf.get(`${L.name}#read.${t.name}`)!;
          out.push({ held: `n[${w}] === ${me}`, slot: w, fail: f(L.name, `${L.name} for write`) });
          out.push({ held: `n[${mine}] > 0`, slot: mine, fail: f(L.name, `${L.name} for read`) });
        }
      }
      if (feat.rcu) {
        const ns = rcuSlot(ti);
        out.push({ held: `n[${ns}] > 0`, slot: ns, fail: f('rcu_read_lock', 'an RCU read-side section') });
      }
      return out;
    };
    // Pass 1: lay out nodes with symbolic jumps.
    type Raw =
      | { j: 'node'; stmt: Stmt; targets: (number | string)[]; sub?: 'queue' | 'gp_wait'; within: Stmt[] }
      | { j: 'jump'; to: number | string };
    const raw: Raw[] = [];
    const labelAt = new Map<string, number>();
    const END = 'END';
    const emit = (ss: Stmt[], within: Stmt[]): void => {
      for (const s of ss) {
        labelAt.set(s.id, raw.length);
        switch (s.kind) {
          case 'if': {
            const node: Raw = { j: 'node', stmt: s, targets: [], within };
            raw.push(node);
            const thenAt = raw.length;
            emit(s.then, [...within, s]);
            const jEnd: Raw = { j: 'jump', to: -1 };
            raw.push(jEnd);
            const elseAt = raw.length;
            emit(s.else, [...within, s]);
            node.targets = [thenAt, elseAt];
            jEnd.to = raw.length;
            break;
          }
          case 'while': {
            const at = raw.length;
            const node: Raw = { j: 'node', stmt: s, targets: [], within };
            raw.push(node);
            emit(s.body, [...within, s]);
            raw.push({ j: 'jump', to: at });
            node.targets = [at + 1, raw.length];
            break;
          }
          case 'choice': {
            const node: Raw = { j: 'node', stmt: s, targets: [], within };
            raw.push(node);
            const ends: Raw[] = [];
            for (const b of s.branches) {
              node.targets.push(raw.length);
              emit(b.body, [...within, s]);
              const j: Raw = { j: 'jump', to: -1 };
              ends.push(j);
              raw.push(j);
            }
            for (const j of ends) if (j.j === 'jump') j.to = raw.length;
            break;
          }
          case 'goto':
            raw.push({ j: 'jump', to: s.target });
            break;
          case 'exit':
            raw.push({ j: 'jump', to: END });
            break;
          case 'lock':
            if (s.lock.type === 'rwsem' && s.mode === 'write' && lockDecl.get(s.lock.name)!.fair === 'writer') {
              // A writer-fair down_write first queues (blocking new readers), then acquires.
              raw.push({ j: 'node', stmt: s, targets: [raw.length + 1], sub: 'queue', within });
            }
            raw.push({ j: 'node', stmt: s, targets: [raw.length + 1], within });
            break;
          case 'synchronize_rcu':
            // Takes a snapshot of the readers it must wait for, then waits for them to leave.
            raw.push({ j: 'node', stmt: s, targets: [raw.length + 1], within });
            raw.push({ j: 'node', stmt: s, targets: [raw.length + 1], sub: 'gp_wait', within });
            break;
          default:
            raw.push({ j: 'node', stmt: s, targets: [raw.length + 1], within });
        }
      }
    };
    emit(t.body, []);
    // Pass 2: resolve jump chains to real nodes; renumber real nodes densely.
    const realIndex: number[] = [];
    let n = 0;
    for (const r of raw) realIndex.push(r.j === 'node' ? n++ : -1);
    const endPc = n;
    const resolve = (target: number | string, from: Stmt): number => {
      const seen = new Set<number>();
      let at: number | string = target;
      for (;;) {
        if (at === END) return endPc;
        const idx: number = typeof at === 'string' ? labelAt.get(at)! : at;
        if (idx >= raw.length) return endPc;
        const r: Raw = raw[idx]!;
        if (r.j === 'node') return realIndex[idx]!;
        if (seen.has(idx)) throw new SimError('SIM_INVALID', `thread '${t.name}': gotos loop without a step in between`, from.pos);
        seen.add(idx);
        at = r.to;
      }
    };
    // The first node of each if/while/choice statement: what `within` points at.
    const nodeOfStmt = new Map<Stmt, number>();
    raw.forEach((r, i) => {
      if (r.j === 'node' && !nodeOfStmt.has(r.stmt)) nodeOfStmt.set(r.stmt, realIndex[i]!);
    });

    const nodes: Node[] = [];
    for (const r of raw) {
      if (r.j !== 'node') continue;
      const s = r.stmt;
      const index = nodes.length;
      const targets = r.targets.map((x) => resolve(x, s));
      const node: Node = {
        thread: ti,
        index,
        step: s.id,
        kind: r.sub ?? s.kind,
        trans: [],
        visible: false,
        next: targets,
        within: r.within.map((w) => nodeOfStmt.get(w)!),
      };
      const reads = new Set<number>();
      const writes = new Set<number>();
      const rw = (x: number): void => {
        reads.add(x);
        writes.add(x);
      };
      forwarded = false;
      // What this node needs from the memory model before it may run (over `c`).
      const memGuard: string[] = [];
      const req: MemReq = { drained: false, loadsDone: false, room: 0, locs: [], regs: [] };
      if (ML) node.mem = req;
      let buffered = 0;
      const storeJs = (target: LValue, valueJs: string, flags = 0): string => {
        const slot = lvSlot(target, ti);
        writes.add(slot);
        if (target.k === 'xa') {
          for (const x of xaSlots(target.xa)) rw(x);
          return xaStoreJs(target.xa, target.index, 0, valueJs);
        }
        if (!ML || !locSlots.has(slot) || atomicDirect) return `n[${slot}] = ${valueJs};`;
        buffered++;
        for (const x of sbSlots) rw(x);
        return mem.bufferStoreJs(ML, ti, slot, valueJs, flags);
      };
      // A full fence, or a release: both buffers empty first.
      const drained = (): void => {
        if (!ML) return;
        req.drained = true;
        memGuard.push(mem.drainedJs(ML, ti, 'c'));
        reads.add(tm!.sbLen);
        if (ML.P > 0) reads.add(tm!.lbLen);
      };
      let atomicDirect = false;
      // Prechecks: conditions (over `A`, the state array) under which taking this step is
      // a violation, whether or not it could otherwise proceed.
      const pre: { js: (arr: string) => string; fail: number }[] = [];
      if (r.sub !== 'gp_wait' && r.sub !== 'queue') {
        for (const f of touchedFolios(s)) {
          const fr = freedSlot(f);
          if (fr === undefined) continue;
          reads.add(fr);
          pre.push({ js: (a) => `${a}[${fr}] !== 0`, fail: fail({ property: 'use_after_free', kind: 'discipline', thread: t.name, step: s.id, lock: f, message: `${t.name}:${s.id} touches folio ${f} after it was freed` }) });
        }
      }
      // might_sleep(): a sleeping lock or a grace period wait, inside an RCU read-side
      // section or holding a spinlock, is a violation before it would block.
      const sleeps = sleepingWhat(s, r.sub, lockDecl);
      if (sleeps !== undefined) {
        if (feat.rcu) {
          const ns = rcuSlot(ti);
          reads.add(ns);
          pre.push({ js: (a) => `${a}[${ns}] > 0`, fail: fail({ property: 'sleep_in_atomic', kind: 'discipline', thread: t.name, step: s.id, lock: sleeps, message: `${t.name}:${s.id} may sleep (${sleeps}) inside an RCU read-side section` }) });
        }
        for (const sp of spinlocks) {
          const ow = slotOf.get(`${sp}#owner`)!;
          reads.add(ow);
          pre.push({ js: (a) => `${a}[${ow}] === ${me}`, fail: fail({ property: 'sleep_in_atomic', kind: 'discipline', thread: t.name, step: s.id, lock: sleeps, message: `${t.name}:${s.id} may sleep (${sleeps}) holding spinlock ${sp}` }) });
        }
      }
      // At the thread's end: every lock it could hold must be released.
      const exitChecks = targets.includes(endPc) ? heldAtExit(s.id) : [];
      for (const x of exitChecks) reads.add(x.slot);
      // Guards and effects are written once, as JavaScript source over a state array:
      // `c` (the current state, for guards) and `n` (the successor being built). The
      // closures come from that source, and so does the explorer's generated expander,
      // so there is exactly one definition of each step's meaning.
      const mk = (guardJs0: string | undefined, body: string, branch?: string): void => {
        let guardJs = guardJs0;
        if (ML) {
          // A step that reads a pending register or touches a location a pending load reads waits for it.
          const touched = [...reads, ...writes];
          req.locs = [...new Set(touched.filter((x) => locsD.has(x) && !(isIssue && x === isIssue.loc)))];
          req.regs = [...new Set(touched.filter((x) => regsD.has(x)))];
          req.room = buffered;
          const np = mem.noPendingJs(ML, ti, 'c', req.locs, req.regs);
          if (np) for (const x of lbSlots) reads.add(x);
          if (forwarded) for (const x of sbSlots) reads.add(x);
          if (buffered > 0) memGuard.push(mem.roomJs(ML, ti, 'c', buffered));
          const parts = [...memGuard, np].filter((x) => x !== '');
          if (parts.length) guardJs = guardJs === undefined ? parts.join(' && ') : `${parts.join(' && ')} && (${guardJs})`;
        }
        const preGuard = pre.map((x) => x.js('c'));
        const guard = guardJs === undefined ? undefined : preGuard.length ? `(${[...preGuard, `(${guardJs})`].join(' || ')})` : guardJs;
        const checks = pre.map((x) => `if (${x.js('n')}) return ${x.fail};`).join(' ');
        const atExit = exitChecks.length ? ` if (n[${pcSlot}] === ${endPc}) { ${exitChecks.map((x) => `if (${x.held}) return ${x.fail};`).join(' ')} }` : '';
        const execJs = `${checks} ${body}${atExit} return -1;`;
        const tr: Transition = {
          gid: transitions.length,
          thread: ti,
          node: index,
          step: s.id,
          fn: s.fn,
          ...(branch !== undefined ? { branch } : {}),
          guard: guard === undefined ? undefined : (new Function('c', `return ${guard};`) as (c: State) => boolean),
          exec: new Function('n', execJs) as (n: State) => number,
          guardJs: guard,
          execJs,
          reads: [...reads],
          writes: [...writes],
          ...(pendingDeps ? { deps: pendingDeps } : {}),
          ...(pendingApplies ? { applies: pendingApplies } : {}),
        };
        transitions.push(tr);
        node.trans.push(tr);
      };
      let pendingDeps: Map<number, number[]> | undefined;
      let pendingApplies: ((c: State) => boolean) | undefined;
      const isIssue = s.kind === 'do' ? deferred.get(s) : undefined;
      const next = targets[0]!;
      const PC = `n[${pcSlot}] = ${next};`;
      const mask = (arr: string, include: (u: number) => boolean): string => {
        const parts = p.threads.map((_, u) => u).filter(include).map((u) => `(${arr}[${rcuSlot(u)}] > 0 ? ${1 << u} : 0)`);
        return parts.length ? parts.join(' | ') : '0';
      };
      switch (s.kind) {
        case 'do': {
          if (isIssue && ML && tm) {
            // A deferred load: queued now, satisfied by the memory pseudo-thread later.
            memGuard.push(`c[${tm.lbLen}] < ${ML.P}`);
            req.issue = isIssue;
            for (const x of lbSlots) rw(x);
            writes.add(isIssue.reg);
            pendingDeps = new Map([[isIssue.reg, [isIssue.loc]]]);
            mk(undefined, `${mem.bufferLoadJs(ML, ti, isIssue.reg, isIssue.loc)} ${PC}`);
            break;
          }
          // A fully ordered atomic (and, on x86, every locked instruction) drains both buffers and works on memory.
          if (ML && (s.atomic === 'mb' || (s.atomic === 'relaxed' && ML.model === 'tso'))) {
            drained();
            atomicDirect = true;
          }
          if (ML && s.assigns.some((a) => a.order === 'release') && ML.P > 0) {
            req.loadsDone = true;
            memGuard.push(mem.loadsDoneJs(ML, ti, 'c'));
            reads.add(tm!.lbLen);
          }
          req.assigns = [];
          const relaxedAdd = ML !== undefined && ML.model === 'lkmm-lite' && s.atomic === 'relaxed';
          // Assignments run in order: a later one reading an earlier one's target depends on what that one read.
          const deps = new Map<number, Set<number>>();
          const cond = new Set<number>();
          if (s.when) readsOf(s.when, ti, cond);
          const body = s.assigns.map((asg) => {
            const own = new Set<number>(cond);
            for (const l of leaves(asg.value)) {
              const x = leafSlot(l, ti);
              for (const y of deps.get(x) ?? [x]) own.add(y);
            }
            readsOf(asg.value, ti, reads);
            let js: string;
            if (relaxedAdd && asg.target.k !== 'xa' && locSlots.has(lvSlot(asg.target, ti))) {
              // A relaxed atomic_add/atomic_sub: buffered as an addition, applied to memory when it leaves.
              const delta = relaxedDelta(asg.target, asg.value);
              if (!delta) throw new SimError('SIM_INVALID', `'atomic: relaxed' under lkmm-lite buffers additions: write '${showExpr(asg.target as Expr)} = ${showExpr(asg.target as Expr)} + e' or '- e'; use 'atomic: mb' for others`, s.pos);
              const before = buffered;
              js = storeJs(asg.target, delta.neg ? `((-${X(delta.e, 'n')}) | 0)` : X(delta.e, 'n'), mem.F_ADD);
              req.assigns!.push({ buffered: buffered > before, flags: mem.F_ADD, delta });
            } else {
              const before = buffered;
              const flags = asg.order === 'release' && ML?.model === 'lkmm-lite' ? mem.F_RELEASE : 0;
              js = storeJs(asg.target, X(asg.value, 'n'), flags);
              req.assigns!.push({ buffered: buffered > before, flags });
            }
            for (const w of asg.target.k === 'xa' ? xaSlots(asg.target.xa) : [lvSlot(asg.target, ti)]) deps.set(w, own);
            return js;
          });
          pendingDeps = new Map([...deps].map(([k, v]) => [k, [...v]]));
          if (s.when) pendingApplies = new Function('c', `return ${X(s.when, 'c')} !== 0;`) as (c: State) => boolean;
          if (s.when) {
            readsOf(s.when, ti, reads);
            mk(undefined, `if (${X(s.when, 'n')} !== 0) { ${body.join(' ')} } ${PC}`);
          } else mk(undefined, `${body.join(' ')} ${PC}`);
          break;
        }
        case 'await':
          readsOf(s.cond, ti, reads);
          node.awaits = showExpr(s.cond);
          mk(`${X(s.cond, 'c')} !== 0`, PC);
          break;
        case 'assert': {
          readsOf(s.cond, ti, reads);
          const f = fail({ property: `assert:${t.name}:${s.id}`, kind: 'assert', thread: t.name, step: s.id, cond: s.cond, message: `assertion at ${s.fn.file}:${s.fn.func} (${t.name}:${s.id}) failed` });
          node.visible = true;
          mk(undefined, `if (${X(s.cond, 'n')} === 0) return ${f}; ${PC}`);
          break;
        }
        case 'if':
        case 'while':
          readsOf(s.cond, ti, reads);
          node.cond = showExpr(s.cond);
          mk(undefined, `n[${pcSlot}] = ${X(s.cond, 'n')} !== 0 ? ${targets[0]} : ${targets[1]};`);
          break;
        case 'choice':
          s.branches.forEach((br, k) => mk(undefined, `n[${pcSlot}] = ${targets[k]};`, br.label));
          break;
        case 'barrier':
          // Under sequential consistency every barrier is a step that does nothing.
          if (ML && s.barrier === 'smp_mb') drained();
          if (ML && s.barrier === 'smp_rmb' && ML.P > 0) {
            req.loadsDone = true;
            memGuard.push(mem.loadsDoneJs(ML, ti, 'c'));
            reads.add(tm!.lbLen);
          }
          if (ML && s.barrier === 'smp_wmb' && ML.model === 'lkmm-lite') {
            req.wmb = true;
            rw(tm!.sbEpoch);
            reads.add(tm!.sbLen);
            mk(undefined, `${mem.wmbJs(ML, ti)} ${PC}`);
            break;
          }
          mk(undefined, PC);
          break;
        case 'lock':
        case 'unlock':
        case 'trylock': {
          // An unlock is a release; on x86 every lock operation is a locked instruction.
          if (ML && (s.kind === 'unlock' || ML.model === 'tso')) drained();
          const L = s.lock;
          const decl = lockDecl.get(L.name);
          // Releasing what nobody holds (in that mode) is a double unlock; what someone else holds, a non-owner's.
          const side = s.mode === 'exclusive' ? '' : ` for ${s.mode}`;
          const failDouble = (): number =>
            fail({ property: 'double_unlock', kind: 'discipline', thread: t.name, step: s.id, lock: L.name, message: `${t.name}:${s.id} releases ${L.name}${side}, which nobody holds${side}` });
          const failOwner = (): number =>
            fail({ property: 'unlock_not_owner', kind: 'discipline', thread: t.name, step: s.id, lock: L.name, message: `${t.name}:${s.id} releases ${L.name}${side}, which another thread holds${side}` });
          if (L.type !== 'rwsem') {
            // A folio's bit lock is its `locked` field plus a hidden owner; a mutex or spinlock is an owner.
            const ow = slotOf.get(`${L.name}#owner`)!;
            const lk = L.type === 'folio' ? slotOf.get(`${L.name}.locked`)! : undefined;
            const take = lk === undefined ? `n[${ow}] = ${me};` : `n[${lk}] = 1; n[${ow}] = ${me};`;
            const drop = lk === undefined ? `n[${ow}] = 0;` : `n[${lk}] = 0; n[${ow}] = 0;`;
            for (const x of lk === undefined ? [ow] : [lk, ow]) rw(x);
            if (s.kind === 'lock') {
              node.waits = lk === undefined ? { lock: L, mode: 'exclusive', decl: decl! } : { lock: L, mode: 'exclusive' };
              mk(`c[${ow}] === 0`, `${take} ${PC}`);
            } else if (s.kind === 'unlock') {
              mk(undefined, `if (n[${ow}] === 0) return ${failDouble()}; if (n[${ow}] !== ${me}) return ${failOwner()}; ${drop} ${PC}`);
            } else {
              const into = lvSlot(s.into, ti);
              writes.add(into);
              mk(undefined, `if (n[${ow}] === 0) { ${take} n[${into}] = 1; } else { n[${into}] = 0; } ${PC}`);
            }
          } else {
            const w = slotOf.get(`${L.name}#writer`)!;
            const rd = slotOf.get(`${L.name}#readers`)!;
            const mine = slotOf.get(`${L.name}#read.${t.name}`)!;
            const q = slotOf.get(`${L.name}#queued`)!;
            for (const x of [w, rd, q, mine]) rw(x);
            const fair = decl!.fair === 'writer';
            // down_read_trylock fails while a writer holds or (writer-fair) waits, as RWSEM_READ_FAILED_MASK says.
            const readOk = (a: string): string => (fair ? `${a}[${w}] === 0 && ${a}[${q}] === 0` : `${a}[${w}] === 0`);
            const writeOk = (a: string): string => `${a}[${w}] === 0 && ${a}[${rd}] === 0`;
            const takeRead = `n[${rd}] = n[${rd}] + 1; n[${mine}] = n[${mine}] + 1;`;
            if (s.kind === 'lock' && s.mode === 'read') {
              node.waits = { lock: L, mode: 'read', decl: decl! };
              mk(readOk('c'), `${takeRead} ${PC}`);
            } else if (s.kind === 'lock' && r.sub === 'queue') {
              node.waits = { lock: L, mode: 'queued-write', decl: decl! };
              mk(undefined, `n[${q}] = n[${q}] + 1; ${PC}`);
            } else if (s.kind === 'lock') {
              node.waits = { lock: L, mode: 'write', decl: decl! };
              mk(writeOk('c'), `n[${w}] = ${me}; ${fair ? `n[${q}] = n[${q}] - 1;` : ''} ${PC}`);
            } else if (s.kind === 'trylock') {
              const into = lvSlot(s.into, ti);
              writes.add(into);
              const ok = s.mode === 'read' ? readOk('n') : `${writeOk('n')}${fair ? ` && n[${q}] === 0` : ''}`;
              const take = s.mode === 'read' ? takeRead : `n[${w}] = ${me};`;
              mk(undefined, `if (${ok}) { ${take} n[${into}] = 1; } else { n[${into}] = 0; } ${PC}`);
            } else if (s.mode === 'read') {
              mk(undefined, `if (n[${mine}] === 0) return n[${rd}] === 0 ? ${failDouble()} : ${failOwner()}; n[${rd}] = n[${rd}] - 1; n[${mine}] = n[${mine}] - 1; ${PC}`);
            } else {
              mk(undefined, `if (n[${w}] !== ${me}) return n[${w}] === 0 ? ${failDouble()} : ${failOwner()}; n[${w}] = 0; ${PC}`);
            }
          }
          if (s.kind === 'unlock') node.visible = true; // may fail
          break;
        }
        case 'ref': {
          // Refcount operations are taken as fully ordered atomics (the value-returning ones are).
          drained();
          atomicDirect = true;
          const v = lvSlot(s.target, ti);
          rw(v);
          const name = showExpr(s.target as Expr);
          const fr = s.target.k === 'field' ? freedSlot(s.target.folio) : undefined;
          const into = s.into ? lvSlot(s.into, ti) : undefined;
          if (into !== undefined) writes.add(into);
          const f = (property: string, what: string): number => fail({ property, kind: 'discipline', thread: t.name, step: s.id, lock: name, message: `${t.name}:${s.id} ${what}` });
          switch (s.op) {
            case 'get':
              mk(undefined, `if (n[${v}] <= 0) return ${f('refcount_inc_on_zero', `takes a reference on ${name} at 0 (freed or frozen)`)}; n[${v}] = n[${v}] + 1; ${PC}`);
              break;
            case 'put': {
              // The last reference frees the folio it counts.
              if (fr !== undefined) writes.add(fr);
              const free = fr !== undefined ? ` if (n[${v}] === 0) n[${fr}] = 1;` : '';
              mk(undefined, `if (n[${v}] <= 0) return ${f('refcount_underflow', `drops a reference on ${name} at 0`)}; n[${v}] = n[${v}] - 1;${free} ${PC}`);
              break;
            }
            case 'try_get':
              mk(undefined, `if (n[${v}] > 0) { n[${v}] = n[${v}] + 1; n[${into}] = 1; } else { n[${into}] = 0; } ${PC}`);
              break;
            case 'freeze':
              mk(undefined, `if (n[${v}] === ${s.n}) { n[${v}] = 0; n[${into}] = 1; } else { n[${into}] = 0; } ${PC}`);
              break;
            case 'unfreeze':
              mk(undefined, `if (n[${v}] !== 0) return ${f('refcount_unfreeze_nonzero', `unfreezes ${name}, which is not frozen`)}; n[${v}] = ${s.n}; ${PC}`);
              break;
          }
          if (s.op !== 'try_get' && s.op !== 'freeze') node.visible = true;
          break;
        }
        case 'rcu_read_lock': {
          const ns = rcuSlot(ti);
          rw(ns);
          mk(undefined, `n[${ns}] = n[${ns}] + 1; ${PC}`);
          break;
        }
        case 'rcu_read_unlock': {
          // The section's accesses are done before it ends (what a grace period waits for).
          drained();
          const ns = rcuSlot(ti);
          rw(ns);
          // The outermost unlock ends this reader's section: every grace period and every
          // call_rcu waiting for it stops waiting; a callback with nobody left frees its folio.
          const release: string[] = [];
          p.threads.forEach((_, u) => {
            const g = gpSlot(u);
            if (g === undefined) return;
            rw(g);
            release.push(`n[${g}] = n[${g}] & ${~bit};`);
          });
          for (const f of feat.rcuFreed) {
            const rf = rcuFreeSlot(f)!;
            const fr = freedSlot(f)!;
            rw(rf);
            writes.add(fr);
            release.push(`if ((n[${rf}] & ${bit}) !== 0) { n[${rf}] = n[${rf}] & ${~bit}; if (n[${rf}] === 0) n[${fr}] = 1; }`);
          }
          const bad = fail({ property: 'double_unlock', kind: 'discipline', thread: t.name, step: s.id, lock: 'rcu_read_lock', message: `${t.name}:${s.id} calls rcu_read_unlock() outside a read-side section` });
          mk(undefined, `if (n[${ns}] <= 0) return ${bad}; n[${ns}] = n[${ns}] - 1; if (n[${ns}] === 0) { ${release.join(' ')} } ${PC}`);
          node.visible = true;
          break;
        }
        case 'synchronize_rcu': {
          const g = gpSlot(ti)!;
          if (r.sub !== 'gp_wait') drained();
          if (r.sub === 'gp_wait') {
            reads.add(g);
            node.gp = g;
            mk(`c[${g}] === 0`, PC);
          } else {
            writes.add(g);
            p.threads.forEach((_, u) => {
              if (u !== ti) reads.add(rcuSlot(u));
            });
            mk(undefined, `n[${g}] = ${mask('n', (u) => u !== ti)}; ${PC}`);
          }
          break;
        }
        case 'free': {
          drained();
          const fr = freedSlot(s.folio)!;
          rw(fr);
          const rf = rcuFreeSlot(s.folio);
          const pending = rf !== undefined ? ` || n[${rf}] !== 0` : '';
          const dbl = fail({ property: 'double_free', kind: 'discipline', thread: t.name, step: s.id, lock: s.folio, message: `${t.name}:${s.id} frees folio ${s.folio} a second time` });
          if (s.rcu) {
            rw(rf!);
            p.threads.forEach((_, u) => reads.add(rcuSlot(u)));
            mk(undefined, `if (n[${fr}] !== 0${pending}) return ${dbl}; { const m = ${mask('n', () => true)}; if (m === 0) n[${fr}] = 1; else n[${rf}] = m; } ${PC}`);
          } else {
            if (rf !== undefined) reads.add(rf);
            mk(undefined, `if (n[${fr}] !== 0${pending}) return ${dbl}; n[${fr}] = 1; ${PC}`);
          }
          node.visible = true;
          break;
        }
        case 'xa_store': {
          readsOf(s.value, ti, reads);
          for (const x of xaSlots(s.xa)) rw(x);
          mk(undefined, `${xaStoreJs(s.xa, s.index, s.order, X(s.value, 'n'))} ${PC}`);
          break;
        }
        case 'xa_split': {
          for (const x of xaSlots(s.xa)) rw(x);
          mk(undefined, `${xaSplitJs(s.xa, s.index, s.order)} ${PC}`);
          break;
        }
        case 'goto':
        case 'exit':
          throw new Error('unreachable: gotos are resolved to jumps');
      }
      if (pre.length > 0) node.visible = true;
      for (const tr of node.trans) if (tr.writes.some((x) => propReads.has(x))) node.visible = true;
      nodes.push(node);
    }
    return { name: t.name, pcSlot, nodes, end: endPc };
  });

  // The memory pseudo-threads: each commits its thread's buffered stores and satisfies its
  // pending loads, one transition each, in any order the model allows.
  if (ML) {
    p.threads.forEach((t, ti) => {
      const tm = ML!.threads[ti]!;
      const index = threads.length;
      const node: Node = { thread: index, index: 0, step: 'flush', kind: 'memory', trans: [], visible: false, next: [0], within: [] };
      const sb = [tm.sbLen, tm.sbEpoch, ...Array.from({ length: ML!.K * mem.SB_STRIDE }, (_, k) => tm.sbBase + k)];
      const lb = ML!.P > 0 ? [tm.lbLen, ...Array.from({ length: ML!.P * mem.LB_STRIDE }, (_, k) => tm.lbBase + k)] : [];
      const regs = t.locals.map((l) => slotOf.get(localKey(t.name, l.name))!);
      const add = (branch: string, guardJs: string, body: string, reads: number[], writes: number[], func: string): void => {
        const execJs = `${body} return -1;`;
        const tr: Transition = {
          gid: transitions.length,
          thread: index,
          node: 0,
          step: 'flush',
          fn: { file: 'memory-model', func },
          branch,
          guard: new Function('c', `return ${guardJs};`) as (c: State) => boolean,
          exec: new Function('n', execJs) as (n: State) => number,
          guardJs,
          execJs,
          reads,
          writes,
        };
        transitions.push(tr);
        node.trans.push(tr);
        if (writes.some((x) => propReads.has(x))) node.visible = true;
      };
      const locs = [...locSlots];
      for (let i = 0; i < (ML!.model === 'tso' ? 1 : ML!.K); i++) {
        add(`store${i}`, mem.commitOkJs(ML!, ti, 'c', i), mem.commitJs(ML!, ti, i), [...sb, ...locs], [...sb, ...locs], 'commit_store');
      }
      for (let i = 0; i < ML!.P; i++) {
        add(`load${i}`, mem.satisfyOkJs(ML!, ti, 'c', i), mem.satisfyJs(ML!, ti, i), [...sb, ...lb, ...locs], [...lb, ...regs], 'satisfy_load');
      }
      threads.push({ name: `${t.name}~mem`, pcSlot: tm.pc, nodes: [node], end: 1, aux: true });
    });
  }

  function xaSize(xa: string): number {
    return p.xarrays.find((x) => x.name === xa)!.size;
  }
  function xaEntry(xa: string, j: number): number {
    return slotOf.get(`${xa}[${j}]`)!;
  }
  function xaOrder(xa: string, j: number): number {
    return slotOf.get(`${xa}[${j}]#order`)!;
  }
  /**
   * An order-`order` store at `index`: when `index` lies in a larger multi-index entry,
   * that whole entry takes the value (storing into one index of a multi-index entry stores
   * into all of them); otherwise the 2^order indices become one entry of that order.
   */
  function xaStoreJs(xa: string, index: number, order: number, valueJs: string): string {
    const max = Math.log2(xaSize(xa));
    const cases: string[] = [];
    for (let o = order + 1; o <= max; o++) {
      const head = index & ~((1 << o) - 1);
      const sets = Array.from({ length: 1 << o }, (_, k) => `n[${xaEntry(xa, head + k)}] = v_;`).join(' ');
      cases.push(`case ${o}: ${sets} break;`);
    }
    const own = Array.from({ length: 1 << order }, (_, k) => `n[${xaEntry(xa, index + k)}] = v_; n[${xaOrder(xa, index + k)}] = ${order};`).join(' ');
    return `{ const v_ = ${valueJs}; switch (n[${xaOrder(xa, index)}]) { ${cases.join(' ')} default: ${own} } }`;
  }
  /** Splits the multi-index entry holding `index` into entries of `order`, each keeping the entry. */
  function xaSplitJs(xa: string, index: number, order: number): string {
    const max = Math.log2(xaSize(xa));
    const cases: string[] = [];
    for (let o = order + 1; o <= max; o++) {
      const head = index & ~((1 << o) - 1);
      cases.push(`case ${o}: ${Array.from({ length: 1 << o }, (_, k) => `n[${xaOrder(xa, head + k)}] = ${order};`).join(' ')} break;`);
    }
    return cases.length ? `switch (n[${xaOrder(xa, index)}]) { ${cases.join(' ')} default: break; }` : '';
  }

  const prop = (pr: Program['invariants'][number]) => {
    const f = new Function('s', `return ${exprJs(pr.expr, 's', gslot, folioIndex)} !== 0;`) as (s: State) => boolean;
    return { name: pr.name, check: f };
  };
  const weights = hashWeights(width);
  const hashSlots = transitions.map((tr) => Int32Array.from(new Set([threads[tr.thread]!.pcSlot, ...tr.writes])));
  return {
    expanders: threads.map((th) => genExpander(th, weights, hashSlots)),
    hashWeights: weights,
    hashSlots,
    brokenInvariant: genChecker(p.invariants.map((pr) => exprJs(pr.expr, 's', gslot, folioIndex))),
    program: p,
    width,
    init,
    threads,
    transitions,
    slots,
    failures,
    invariants: p.invariants.map(prop),
    finals: p.finals.map(prop),
    slotOf,
    leafSlot,
    ...(ML ? { memory: ML } : {}),
  };
}

/** An expression as JavaScript over the state array `arr`; booleans are 0/1, arithmetic wraps at 32 bits like Promela's int. */
export function exprJs(e: Expr, arr: string, slot: (x: Leaf) => number, folios: Map<string, number>, load?: (slot: number) => string): string {
  const r = (x: Expr): string => exprJs(x, arr, slot, folios, load);
  switch (e.k) {
    case 'int':
      return String(e.v);
    case 'var':
    case 'field':
    case 'xa':
      return load ? load(slot(e)) : `${arr}[${slot(e)}]`;
    case 'load':
      return r(e.e);
    case 'folio':
      return String(folios.get(e.folio) ?? 0);
    case 'call':
      switch (e.fn) {
        case 'xa_is_value':
          return `(${r(e.arg)} <= -2 ? 1 : 0)`;
        case 'xa_is_retry':
          return `(${r(e.arg)} === -1 ? 1 : 0)`;
        case 'xa_to_value':
        case 'xa_mk_value':
          return `((-${r(e.arg)} - 2) | 0)`;
      }
      break;
    case 'not':
      return `(${r(e.e)} === 0 ? 1 : 0)`;
    case 'neg':
      return `((-${r(e.e)}) | 0)`;
    case 'bin':
      switch (e.op) {
        case '||':
          return `(${r(e.l)} !== 0 || ${r(e.r)} !== 0 ? 1 : 0)`;
        case '&&':
          return `(${r(e.l)} !== 0 && ${r(e.r)} !== 0 ? 1 : 0)`;
        case '+':
        case '-':
          return `((${r(e.l)} ${e.op} ${r(e.r)}) | 0)`;
        case '==':
          return `(${r(e.l)} === ${r(e.r)} ? 1 : 0)`;
        case '!=':
          return `(${r(e.l)} !== ${r(e.r)} ? 1 : 0)`;
        default:
          return `(${r(e.l)} ${e.op} ${r(e.r)} ? 1 : 0)`;
      }
  }
}

export type Visit = (gid: number, fail: number, hash: number) => boolean;
/**
 * Runs every enabled step of one thread from `c` (whose hash is `hc`), building each
 * successor in `n` and handing it, with its hash, to `visit`; returns how many ran, or -1
 * when `visit` asked to stop.
 */
export type Expander = (c: State, n: State, visit: Visit, hc: number) => number;

/** Per-slot odd weights of the explorer's linear state hash (sim/explore.ts), fixed so runs repeat. */
export function hashWeights(width: number): Int32Array {
  const w = new Int32Array(width);
  let x = 0x9e3779b9 | 0;
  for (let k = 0; k < width; k++) {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[k] = x | 1;
  }
  return w;
}

// One generated function per thread: a switch on its pc with every guard and effect
// inlined, so the explorer's hot loop makes no megamorphic calls. The successor's hash is
// the current one updated over the slots the transition may write (its pc included).
function genExpander(th: { pcSlot: number; nodes: Node[] }, weights: Int32Array, hashSlots: Int32Array[]): Expander {
  const cases = th.nodes.map((node) => {
    const arms = node.trans.map((tr) => {
      const body = tr.execJs.replace(/return ([^;]*);/g, `{ f = $1; break L${tr.gid}; }`);
      const h = [...hashSlots[tr.gid]!].map((k) => `h = (h + Math.imul(${weights[k]}, n[${k}] - c[${k}])) | 0;`).join(' ');
      const run = `n.set(c); f = -1; L${tr.gid}: { ${body} } en++; h = hc; ${h} if (visit(${tr.gid}, f, h)) return -1;`;
      return tr.guardJs === undefined ? run : `if (${tr.guardJs}) { ${run} }`;
    });
    return `case ${node.index}: { ${arms.join('\n')} return en; }`;
  });
  const src = `let en = 0, f = -1, h = 0; switch (c[${th.pcSlot}]) {\n${cases.join('\n')}\ndefault: return 0; }`;
  return new Function('c', 'n', 'visit', 'hc', src) as Expander;
}

function genChecker(exprs: string[]): (s: State) => number {
  return new Function('s', `${exprs.map((x, i) => `if (${x} === 0) return ${i};`).join(' ')} return -1;`) as (s: State) => number;
}
