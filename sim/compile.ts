// Program -> a compiled transition system the explorer runs on its hot path: the state
// is one Int32Array (thread pcs, globals, folio fields, lock words, locals) and every step
// is a guard and an effect written once as JavaScript source over it, from which come
// both per-step closures (replay, reduction) and one generated switch per thread (the
// search), so exploring never interprets the AST. Each transition also carries its static
// read/write slot sets, from which the explorer's partial-order reduction derives independence.
import { FOLIO_FIELDS, type Expr, type KernelRef, type LValue, type LockDecl, type LockRef, type Program, type Stmt } from './ast.ts';
import { SimError } from './errors.ts';
import { showExpr } from './expr.ts';

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
}

export interface Node {
  thread: number;
  index: number;
  step: string;
  kind: Stmt['kind'] | 'queue';
  trans: Transition[];
  /** Writes something a property reads, or may fail: never reduced away. */
  visible: boolean;
  /** Nodes control can go to from here (the thread's end is `nodes.length`). */
  next: number[];
  /** For a blocking lock step: what it waits for. */
  waits?: { lock: LockRef; mode: 'exclusive' | 'read' | 'write' | 'queued-write'; decl?: LockDecl };
  /** For an await step: the condition text. */
  awaits?: string;
  /** For if/while: the condition text, to say in a witness which way it went. */
  cond?: string;
}

export interface Slot {
  name: string;
  kind: 'pc' | 'global' | 'field' | 'owner' | 'writer' | 'readers' | 'read' | 'queued' | 'local';
  thread?: number;
}

export interface Model {
  /** Per thread: the generated successor function (see genExpander). */
  expanders: Expander[];
  /** Index of the first invariant broken in a state, or -1. */
  brokenInvariant: (s: State) => number;
  program: Program;
  width: number;
  init: State;
  threads: { name: string; pcSlot: number; nodes: Node[]; end: number }[];
  transitions: Transition[];
  slots: Slot[];
  failures: { property: string; message: string }[];
  invariants: { name: string; check: (s: State) => boolean }[];
  finals: { name: string; check: (s: State) => boolean }[];
  /** Slot index of each folio field, lock word and variable, by display name. */
  slotOf: Map<string, number>;
}

export function compile(p: Program): Model {
  const slots: Slot[] = [];
  const slotOf = new Map<string, number>();
  const add = (s: Slot, key = s.name): number => {
    slots.push(s);
    slotOf.set(key, slots.length - 1);
    return slots.length - 1;
  };
  // Locals are keyed apart from folio fields: a thread may share a folio's name.
  const localKey = (thread: string, local: string): string => `${thread}#local.${local}`;
  p.threads.forEach((t, i) => add({ name: `${t.name}.pc`, kind: 'pc', thread: i }));
  for (const v of p.vars) add({ name: v.name, kind: 'global' });
  for (const f of p.folios) {
    for (const fld of FOLIO_FIELDS) add({ name: `${f.name}.${fld}`, kind: 'field' });
    add({ name: `${f.name}#owner`, kind: 'owner' });
  }
  for (const l of p.locks) {
    if (l.kind === 'mutex') add({ name: `${l.name}#owner`, kind: 'owner' });
    else {
      add({ name: `${l.name}#writer`, kind: 'writer' });
      // Total read holds (what a writer waits on) and each thread's own, so a
      // recursive down_read is counted and the wait-for graph knows the holders.
      add({ name: `${l.name}#readers`, kind: 'readers' });
      p.threads.forEach((t, i) => add({ name: `${l.name}#read.${t.name}`, kind: 'read', thread: i }));
      add({ name: `${l.name}#queued`, kind: 'queued' });
    }
  }
  p.threads.forEach((t, i) => {
    for (const l of t.locals) add({ name: `${t.name}.${l.name}`, kind: 'local', thread: i }, localKey(t.name, l.name));
  });

  const width = slots.length;
  const init = new Int32Array(width);
  for (const v of p.vars) init[slotOf.get(v.name)!] = v.init;
  for (const f of p.folios) for (const fld of FOLIO_FIELDS) init[slotOf.get(`${f.name}.${fld}`)!] = f.init[fld];
  p.threads.forEach((t) => {
    for (const l of t.locals) init[slotOf.get(localKey(t.name, l.name))!] = l.init;
  });

  const failures: Model['failures'] = [];
  const transitions: Transition[] = [];
  const lockDecl = new Map(p.locks.map((l) => [l.name, l]));

  const globalReads = (e: Expr, thread: number, out: Set<number>): void => {
    walkExpr(e, (x) => {
      if (x.k === 'var') out.add(varSlot(x.name, x.scope, thread));
      if (x.k === 'field') out.add(slotOf.get(`${x.folio}.${x.field}`)!);
    });
  };
  const varSlot = (name: string, scope: 'global' | 'local', thread: number): number =>
    scope === 'local' ? slotOf.get(localKey(p.threads[thread]!.name, name))! : slotOf.get(name)!;
  const lvSlot = (lv: LValue, thread: number): number =>
    lv.k === 'var' ? varSlot(lv.name, lv.scope, thread) : slotOf.get(`${lv.folio}.${lv.field}`)!;
  const gslot = (x: Leaf): number => (x.k === 'var' ? varSlot(x.name, x.scope, 0) : slotOf.get(`${x.folio}.${x.field}`)!);

  const propReads = new Set<number>();
  for (const pr of [...p.invariants]) globalReads(pr.expr, 0, propReads);

  const threads: Model['threads'] = p.threads.map((t, ti) => {
    const pcSlot = ti;
    const me = ti + 1;
    // Pass 1: lay out nodes with symbolic jumps.
    type Raw =
      | { j: 'node'; stmt: Stmt; targets: (number | string)[]; queue?: boolean }
      | { j: 'jump'; to: number | string };
    const raw: Raw[] = [];
    const labelAt = new Map<string, number>();
    const END = 'END';
    const emit = (ss: Stmt[]): void => {
      for (const s of ss) {
        labelAt.set(s.id, raw.length);
        switch (s.kind) {
          case 'if': {
            const node: Raw = { j: 'node', stmt: s, targets: [] };
            raw.push(node);
            const thenAt = raw.length;
            emit(s.then);
            const jEnd: Raw = { j: 'jump', to: -1 };
            raw.push(jEnd);
            const elseAt = raw.length;
            emit(s.else);
            node.targets = [thenAt, elseAt];
            jEnd.to = raw.length;
            break;
          }
          case 'while': {
            const at = raw.length;
            const node: Raw = { j: 'node', stmt: s, targets: [] };
            raw.push(node);
            emit(s.body);
            raw.push({ j: 'jump', to: at });
            node.targets = [at + 1, raw.length];
            break;
          }
          case 'choice': {
            const node: Raw = { j: 'node', stmt: s, targets: [] };
            raw.push(node);
            const ends: Raw[] = [];
            for (const b of s.branches) {
              node.targets.push(raw.length);
              emit(b.body);
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
              raw.push({ j: 'node', stmt: s, targets: [raw.length + 1], queue: true });
            }
            raw.push({ j: 'node', stmt: s, targets: [raw.length + 1] });
            break;
          default:
            raw.push({ j: 'node', stmt: s, targets: [raw.length + 1] });
        }
      }
    };
    emit(t.body);
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
    const nodes: Node[] = [];
    for (const r of raw) {
      if (r.j !== 'node') continue;
      const s = r.stmt;
      const index = nodes.length;
      const targets = r.targets.map((x) => resolve(x, s));
      const node: Node = { thread: ti, index, step: s.id, kind: r.queue ? 'queue' : s.kind, trans: [], visible: false, next: targets };
      // Guards and effects are written once, as JavaScript source over a state array:
      // `c` (the current state, for guards) and `n` (the successor being built). The
      // closures come from that source, and so does the explorer's generated expander,
      // so there is exactly one definition of each step's meaning.
      const mk = (guardJs: string | undefined, execJs: string, reads: Set<number>, writes: Set<number>, branch?: string): void => {
        const tr: Transition = {
          gid: transitions.length,
          thread: ti,
          node: index,
          step: s.id,
          fn: s.fn,
          ...(branch !== undefined ? { branch } : {}),
          guard: guardJs === undefined ? undefined : (new Function('c', `return ${guardJs};`) as (c: State) => boolean),
          exec: new Function('n', execJs) as (n: State) => number,
          guardJs,
          execJs,
          reads: [...reads],
          writes: [...writes],
        };
        transitions.push(tr);
        node.trans.push(tr);
      };
      const reads = new Set<number>();
      const writes = new Set<number>();
      const next = targets[0]!;
      const PC = `n[${pcSlot}] = ${next};`;
      const X = (e: Expr, arr: string): string => exprJs(e, arr, (x) => (x.k === 'var' ? varSlot(x.name, x.scope, ti) : slotOf.get(`${x.folio}.${x.field}`)!));
      switch (s.kind) {
        case 'do': {
          const body = s.assigns.map((asg) => {
            globalReads(asg.value, ti, reads);
            const slot = lvSlot(asg.target, ti);
            writes.add(slot);
            return `n[${slot}] = ${X(asg.value, 'n')};`;
          });
          mk(undefined, `${body.join(' ')} ${PC} return -1;`, reads, writes);
          break;
        }
        case 'await':
          globalReads(s.cond, ti, reads);
          node.awaits = showExpr(s.cond);
          mk(`${X(s.cond, 'c')} !== 0`, `${PC} return -1;`, reads, writes);
          break;
        case 'assert': {
          globalReads(s.cond, ti, reads);
          const fail = failures.length;
          failures.push({ property: `assert:${t.name}:${s.id}`, message: `assertion at ${s.fn.file}:${s.fn.func} (${t.name}:${s.id}) failed` });
          node.visible = true;
          mk(undefined, `${PC} return ${X(s.cond, 'n')} !== 0 ? -1 : ${fail};`, reads, writes);
          break;
        }
        case 'if':
        case 'while':
          globalReads(s.cond, ti, reads);
          node.cond = showExpr(s.cond);
          mk(undefined, `n[${pcSlot}] = ${X(s.cond, 'n')} !== 0 ? ${targets[0]} : ${targets[1]}; return -1;`, reads, writes);
          break;
        case 'choice':
          s.branches.forEach((br, k) => mk(undefined, `n[${pcSlot}] = ${targets[k]}; return -1;`, reads, writes, br.label));
          break;
        case 'lock':
        case 'unlock':
        case 'trylock': {
          const L = s.lock;
          const decl = lockDecl.get(L.name);
          const failNotHeld = (): number => notHeld(failures, t.name, s, L.name);
          if (L.type === 'folio' || L.type === 'mutex') {
            // A folio's bit lock is its `locked` field plus a hidden owner; a mutex is an owner.
            const ow = slotOf.get(`${L.name}#owner`)!;
            const lk = L.type === 'folio' ? slotOf.get(`${L.name}.locked`)! : undefined;
            const take = lk === undefined ? `n[${ow}] = ${me};` : `n[${lk}] = 1; n[${ow}] = ${me};`;
            const drop = lk === undefined ? `n[${ow}] = 0;` : `n[${lk}] = 0; n[${ow}] = 0;`;
            for (const x of lk === undefined ? [ow] : [lk, ow]) (reads.add(x), writes.add(x));
            if (s.kind === 'lock') {
              node.waits = lk === undefined ? { lock: L, mode: 'exclusive', decl: decl! } : { lock: L, mode: 'exclusive' };
              mk(`c[${ow}] === 0`, `${take} ${PC} return -1;`, reads, writes);
            } else if (s.kind === 'unlock') {
              mk(undefined, `if (n[${ow}] !== ${me}) return ${failNotHeld()}; ${drop} ${PC} return -1;`, reads, writes);
            } else {
              const into = lvSlot(s.into, ti);
              writes.add(into);
              mk(undefined, `if (n[${ow}] === 0) { ${take} n[${into}] = 1; } else { n[${into}] = 0; } ${PC} return -1;`, reads, writes);
            }
          } else {
            const w = slotOf.get(`${L.name}#writer`)!;
            const rd = slotOf.get(`${L.name}#readers`)!;
            const mine = slotOf.get(`${L.name}#read.${t.name}`)!;
            const q = slotOf.get(`${L.name}#queued`)!;
            for (const x of [w, rd, q, mine]) (reads.add(x), writes.add(x));
            const fair = decl!.fair === 'writer';
            if (s.kind === 'lock' && s.mode === 'read') {
              node.waits = { lock: L, mode: 'read', decl: decl! };
              mk(fair ? `c[${w}] === 0 && c[${q}] === 0` : `c[${w}] === 0`, `n[${rd}] = n[${rd}] + 1; n[${mine}] = n[${mine}] + 1; ${PC} return -1;`, reads, writes);
            } else if (s.kind === 'lock' && r.queue) {
              node.waits = { lock: L, mode: 'queued-write', decl: decl! };
              mk(undefined, `n[${q}] = n[${q}] + 1; ${PC} return -1;`, reads, writes);
            } else if (s.kind === 'lock') {
              node.waits = { lock: L, mode: 'write', decl: decl! };
              mk(`c[${w}] === 0 && c[${rd}] === 0`, `n[${w}] = ${me}; ${fair ? `n[${q}] = n[${q}] - 1;` : ''} ${PC} return -1;`, reads, writes);
            } else if (s.kind === 'trylock') {
              throw new SimError('SIM_INVALID', `trylock of rwsem '${L.name}' is not modelled`, s.pos);
            } else if (s.mode === 'read') {
              mk(undefined, `if (n[${mine}] === 0) return ${failNotHeld()}; n[${rd}] = n[${rd}] - 1; n[${mine}] = n[${mine}] - 1; ${PC} return -1;`, reads, writes);
            } else {
              mk(undefined, `if (n[${w}] !== ${me}) return ${failNotHeld()}; n[${w}] = 0; ${PC} return -1;`, reads, writes);
            }
          }
          if (s.kind === 'unlock') node.visible = true; // may fail
          break;
        }
        case 'goto':
        case 'exit':
          throw new Error('unreachable: gotos are resolved to jumps');
      }
      for (const tr of node.trans) if (tr.writes.some((x) => propReads.has(x))) node.visible = true;
      nodes.push(node);
    }
    return { name: t.name, pcSlot, nodes, end: endPc };
  });

  const prop = (pr: Program['invariants'][number]) => {
    const f = new Function('s', `return ${exprJs(pr.expr, 's', gslot)} !== 0;`) as (s: State) => boolean;
    return { name: pr.name, check: f };
  };
  return {
    expanders: threads.map((th) => genExpander(th, width)),
    brokenInvariant: genChecker(p.invariants.map((pr) => exprJs(pr.expr, 's', gslot))),
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
  };
}

function notHeld(failures: Model['failures'], thread: string, s: Stmt, lock: string): number {
  failures.push({ property: 'lock_discipline', message: `${thread}:${s.id} releases '${lock}' which it does not hold` });
  return failures.length - 1;
}

function walkExpr(e: Expr, f: (x: Expr) => void): void {
  f(e);
  if (e.k === 'not' || e.k === 'neg') walkExpr(e.e, f);
  else if (e.k === 'bin') (walkExpr(e.l, f), walkExpr(e.r, f));
}

type Leaf = Extract<Expr, { k: 'var' } | { k: 'field' }>;

/** An expression as JavaScript over the state array `arr`; booleans are 0/1, arithmetic wraps at 32 bits like Promela's int. */
export function exprJs(e: Expr, arr: string, slot: (x: Leaf) => number): string {
  const r = (x: Expr): string => exprJs(x, arr, slot);
  switch (e.k) {
    case 'int':
      return String(e.v);
    case 'var':
    case 'field':
      return `${arr}[${slot(e)}]`;
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

export type Visit = (gid: number, fail: number) => boolean;
/** Runs every enabled step of one thread from `c`, building each successor in `n` and handing it to `visit`; returns how many ran, or -1 when `visit` asked to stop. */
export type Expander = (c: State, n: State, visit: Visit) => number;

// One generated function per thread: a switch on its pc with every guard and effect
// inlined, so the explorer's hot loop makes no megamorphic calls.
function genExpander(th: { pcSlot: number; nodes: Node[] }, width: number): Expander {
  const cases = th.nodes.map((node) => {
    const arms = node.trans.map((tr) => {
      const body = tr.execJs.replace(/return ([^;]*);/g, `{ f = $1; break L${tr.gid}; }`);
      const run = `for (let k = 0; k < ${width}; k++) n[k] = c[k]; f = -1; L${tr.gid}: { ${body} } en++; if (visit(${tr.gid}, f)) return -1;`;
      return tr.guardJs === undefined ? run : `if (${tr.guardJs}) { ${run} }`;
    });
    return `case ${node.index}: { ${arms.join('\n')} return en; }`;
  });
  const src = `let en = 0, f = -1; switch (c[${th.pcSlot}]) {\n${cases.join('\n')}\ndefault: return 0; }`;
  return new Function('c', 'n', 'visit', src) as Expander;
}

function genChecker(exprs: string[]): (s: State) => number {
  return new Function('s', `${exprs.map((x, i) => `if (${x} === 0) return ${i};`).join(' ')} return -1;`) as (s: State) => number;
}
