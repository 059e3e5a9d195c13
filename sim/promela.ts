// Program -> Promela, so SPIN can cross-check the explorer's verdicts on the very same
// instantiated model (variant edits applied, macros and `foreach` expanded).
//
// The translation keeps our step = one SPIN transition wherever that matters for verdicts:
//  - assignments, lock operations, trylocks, refcount, RCU and xarray operations are
//    `d_step`s (atomic, one transition);
//  - a blocking step is a guarded `d_step`, so a blocked thread simply has no move, and a
//    state where an unfinished thread cannot move is SPIN's "invalid end state" = our deadlock;
//  - `if`/`while`/`choice` evaluate once and branch, like the explorer's branch node;
//  - `exit` jumps to the thread's end label; a finished thread bumps `done` (inside its
//    last step when it can, so that SPIN counts the same states as the explorer);
//  - every check that fails (an assert, a discipline check, an invariant -- evaluated at the
//    end of every step, as the explorer does after every transition -- or a final) sets
//    `viol`, and skips the step's effect. A monitor asserts `viol == 0` and then idles
//    forever, so: SPIN's assertion search (-E) finds a violation iff we do, and its
//    deadlock search (-A) never counts a state after a violation, exactly as our explorer
//    ends a path at its first violation. The two searches then give our set of outcomes.
// A writer-fair rwsem's down_write is two transitions (queue, then acquire) exactly as in
// sim/compile.ts, and so is synchronize_rcu (snapshot the readers, then wait for them).
import type { Expr, Leaf, LockDecl, LockRef, LValue, Program, Scenario, Stmt, ThreadInstance } from './ast.ts';
import { compile, features, locksTaken, sleepingWhat, touchedFolios, type MemReq, type Model, type Node } from './compile.ts';
import { PmlMemory } from './promela-memory.ts';
import { instantiate } from './instantiate.ts';

/** The Promela text for one (variant, config) of a scenario. */
export function exportPromela(scenario: Scenario, variantName: string, configName: string): string {
  return programToPromela(instantiate(scenario, variantName, configName));
}

/** Promela identifiers: ours are already `[A-Za-z0-9_]`, but thread names may carry `-`. */
function ident(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

const gName = (n: string): string => `g_${ident(n)}`;
const lName = (n: string): string => `l_${ident(n)}`;
const fName = (folio: string, field: string): string => `f_${ident(folio)}_${field}`;
const fOwner = (folio: string): string => `f_${ident(folio)}_owner`;
const fFreed = (folio: string): string => `f_${ident(folio)}_freed`;
const fRcuFree = (folio: string): string => `f_${ident(folio)}_rcufree`;
const mOwner = (lock: string): string => `m_${ident(lock)}`;
const rw = (lock: string, part: 'w' | 'r' | 'q' | 'mine'): string => `rw_${ident(lock)}_${part}`;
const xaName = (xa: string): string => `xa_${ident(xa)}`;
const xaOrd = (xa: string): string => `xa_${ident(xa)}_o`;
const rcuNest = (thread: string): string => `rcu_${ident(thread)}`;
const gpName = (thread: string): string => `gp_${ident(thread)}`;

/** Step ids can hold `/`, `[`, `.`: labels are numbered, with the id in a comment. */
class Labels {
  private readonly byId = new Map<string, string>();
  label(id: string): string {
    let l = this.byId.get(id);
    if (!l) {
      l = `S${this.byId.size}`;
      this.byId.set(id, l);
    }
    return l;
  }
}

function leafName(x: Leaf): string {
  if (x.k === 'var') return x.scope === 'local' ? lName(x.name) : gName(x.name);
  if (x.k === 'field') return fName(x.folio, x.field);
  return `${xaName(x.xa)}[${x.index}]`;
}

export function exprToPromela(e: Expr, folios: ReadonlyMap<string, number> = new Map(), leaf: (x: Leaf) => string = leafName): string {
  const r = (x: Expr): string => exprToPromela(x, folios, leaf);
  switch (e.k) {
    case 'int':
      return String(e.v);
    case 'var':
    case 'field':
    case 'xa':
      return leaf(e);
    case 'load':
      return leaf(e.e);
    case 'folio':
      return String(folios.get(e.folio) ?? 0);
    case 'call':
      switch (e.fn) {
        case 'xa_is_value':
          return `(${r(e.arg)} <= -2)`;
        case 'xa_is_retry':
          return `(${r(e.arg)} == -1)`;
        case 'xa_to_value':
        case 'xa_mk_value':
          return `(-(${r(e.arg)}) - 2)`;
      }
      break;
    case 'not':
      return `!(${r(e.e)})`;
    case 'neg':
      return `-(${r(e.e)})`;
    case 'bin':
      return `(${r(e.l)} ${e.op} ${r(e.r)})`;
  }
}

function lvalue(lv: LValue): string {
  return leafName(lv);
}

/** Comments must not close early: step ids and functions are ours, but be safe. */
function comment(s: string): string {
  return `/* ${s.replace(/\*\//g, '* /')} */`;
}

/** Which thread step (and branch) a line of the Promela text executes: to map SPIN trails back. */
export interface PmlLine {
  thread: string;
  step: string;
  branch?: string;
  /** Emitted as `atomic`: SPIN may print it as several trail steps. */
  atomic: boolean;
}

/** Numbers for `viol`, one per kind of violation (only "non-zero" matters to SPIN). */
class Violations {
  private n = 0;
  private readonly byKey = new Map<string, number>();
  code(key: string): number {
    let c = this.byKey.get(key);
    if (c === undefined) {
      c = ++this.n;
      this.byKey.set(key, c);
    }
    return c;
  }
}

interface Ctx {
  p: Program;
  thread: string;
  /** 1-based line number -> step, filled as lines are emitted. */
  lines: Map<number, PmlLine>;
  /** Steps some goto jumps to: SPIN refuses a jump into a d_step, so these use atomic. */
  targets: Set<string>;
  /** The thread's last step, when `done` can be bumped inside it instead of in a step of its own. */
  finish: Stmt | undefined;
  me: number;
  /** Index of this thread in the per-thread read-hold arrays and RCU bitmasks. */
  index: number;
  locks: Map<string, LockDecl>;
  labels: Labels;
  out: string[];
  viol: Violations;
  folios: Map<string, number>;
  feat: ReturnType<typeof features>;
  /** The invariants, checked at the end of every step ('' when there are none). */
  inv: string;
  /** Locks the thread may hold at its end. */
  taken: LockRef[];
  model: Model;
  /** The weak memory model's rendering, when there is one. */
  mem: PmlMemory | undefined;
}

/** An expression as thread ctx reads it: its registers by name, memory locations through its store buffer. */
function X(ctx: Ctx, e: Expr): string {
  return exprToPromela(e, ctx.folios, (x) => {
    if (!ctx.mem) return leafName(x);
    if (x.k === 'var' && x.scope === 'local') return regName(ctx.thread, x.name);
    const slot = ctx.model.leafSlot(x, ctx.index);
    return ctx.mem.locs.includes(slot) ? ctx.mem.forward(ctx.thread, slot) : leafName(x);
  });
}

/** Under a weak memory model a thread's locals are globals: its memory process writes them. */
const regName = (thread: string, local: string): string => `l_${ident(thread)}_${ident(local)}`;

function lv(ctx: Ctx, l: LValue): string {
  return ctx.mem && l.k === 'var' && l.scope === 'local' ? regName(ctx.thread, l.name) : lvalue(l);
}

/** The compiled node a statement is (the second node of a two-transition step by `sub`). */
function nodeOf(ctx: Ctx, s: Stmt, sub?: 'queue' | 'gp_wait'): Node | undefined {
  const th = ctx.model.threads[ctx.index]!;
  return th.nodes.find((n) => n.step === s.id && (sub ? n.kind === sub : n.kind !== 'queue' && n.kind !== 'gp_wait'));
}

function memGuard(ctx: Ctx, s: Stmt, sub?: 'queue' | 'gp_wait'): string {
  return ctx.mem ? ctx.mem.guard(ctx.thread, nodeOf(ctx, s, sub)?.mem) : '';
}

/** `(a) && (b)`, dropping empty parts. */
const and = (...xs: (string | undefined)[]): string | undefined => {
  const ys = xs.filter((x): x is string => x !== undefined && x !== '');
  return ys.length === 0 ? undefined : ys.length === 1 ? ys[0] : ys.map((y) => `(${y})`).join(' && ');
};

function lockGuardAndTake(ctx: Ctx, lock: LockRef, mode: 'exclusive' | 'read' | 'write'): { guard: string; take: string } {
  if (lock.type === 'folio') {
    return {
      guard: `${fName(lock.name, 'locked')} == 0`,
      take: `${fName(lock.name, 'locked')} = 1; ${fOwner(lock.name)} = ${ctx.me}`,
    };
  }
  if (lock.type !== 'rwsem') return { guard: `${mOwner(lock.name)} == 0`, take: `${mOwner(lock.name)} = ${ctx.me}` };
  const fair = ctx.locks.get(lock.name)?.fair !== 'reader';
  if (mode === 'read') {
    return {
      guard: fair ? `${rw(lock.name, 'w')} == 0 && ${rw(lock.name, 'q')} == 0` : `${rw(lock.name, 'w')} == 0`,
      take: `${rw(lock.name, 'r')} = ${rw(lock.name, 'r')} + 1; ${rw(lock.name, 'mine')}[${ctx.index}] = ${rw(lock.name, 'mine')}[${ctx.index}] + 1`,
    };
  }
  return {
    guard: `${rw(lock.name, 'w')} == 0 && ${rw(lock.name, 'r')} == 0`,
    take: fair ? `${rw(lock.name, 'w')} = ${ctx.me}; ${rw(lock.name, 'q')} = ${rw(lock.name, 'q')} - 1` : `${rw(lock.name, 'w')} = ${ctx.me}`,
  };
}

/** A release, or `viol` when the thread does not hold the lock (nobody does: a double unlock; another thread: a non-owner's). */
function release(ctx: Ctx, s: Stmt, lock: LockRef, mode: 'exclusive' | 'read' | 'write'): string {
  const dbl = ctx.viol.code(`double_unlock ${ctx.thread} ${s.id}`);
  const other = ctx.viol.code(`unlock_not_owner ${ctx.thread} ${s.id}`);
  const bad = (holder: string): string => `:: ${holder} == 0 -> viol = ${dbl} :: ${holder} != 0 && ${holder} != ${ctx.me} -> viol = ${other}`;
  if (lock.type === 'folio') return `if ${bad(fOwner(lock.name))} :: else -> ${fName(lock.name, 'locked')} = 0; ${fOwner(lock.name)} = 0 fi`;
  if (lock.type !== 'rwsem') return `if ${bad(mOwner(lock.name))} :: else -> ${mOwner(lock.name)} = 0 fi`;
  if (mode === 'read') {
    const r = rw(lock.name, 'r');
    const mine = `${rw(lock.name, 'mine')}[${ctx.index}]`;
    return `if :: ${mine} == 0 && ${r} == 0 -> viol = ${dbl} :: ${mine} == 0 && ${r} != 0 -> viol = ${other} :: else -> ${r} = ${r} - 1; ${mine} = ${mine} - 1 fi`;
  }
  return `if ${bad(rw(lock.name, 'w'))} :: else -> ${rw(lock.name, 'w')} = 0 fi`;
}

/** At the thread's end: a violation for each lock (or RCU section) it still holds. */
function exitCheck(ctx: Ctx, step: string): string {
  const opts: string[] = [];
  const code = (lock: string): number => ctx.viol.code(`lock_held_at_exit ${ctx.thread} ${step} ${lock}`);
  for (const L of ctx.taken) {
    if (L.type === 'folio') opts.push(`:: ${fOwner(L.name)} == ${ctx.me} -> viol = ${code(L.name)}`);
    else if (L.type !== 'rwsem') opts.push(`:: ${mOwner(L.name)} == ${ctx.me} -> viol = ${code(L.name)}`);
    else opts.push(`:: ${rw(L.name, 'w')} == ${ctx.me} || ${rw(L.name, 'mine')}[${ctx.index}] > 0 -> viol = ${code(L.name)}`);
  }
  if (ctx.feat.rcu) opts.push(`:: ${rcuNest(ctx.thread)} > 0 -> viol = ${code('rcu_read_lock')}`);
  return opts.length ? `; if ${opts.join(' ')} :: else -> skip fi` : '';
}

/**
 * Conditions under which taking the step is a violation whatever else: a use after free,
 * a sleep in atomic context (`sub` as in compile.ts: a writer-fair down_write sleeps at its
 * queueing transition, synchronize_rcu at its snapshot).
 */
function prechecks(ctx: Ctx, s: Stmt, sub?: 'queue' | 'gp_wait'): { cond: string; code: number }[] {
  const out: { cond: string; code: number }[] = [];
  if (sub === undefined) {
    for (const f of touchedFolios(s)) {
      if (!ctx.feat.freeable.has(f)) continue;
      out.push({ cond: `${fFreed(f)} != 0`, code: ctx.viol.code(`use_after_free ${ctx.thread} ${s.id} ${f}`) });
    }
  }
  if (sleepingWhat(s, sub, ctx.locks) !== undefined) {
    if (ctx.feat.rcu) out.push({ cond: `${rcuNest(ctx.thread)} > 0`, code: ctx.viol.code(`sleep_in_atomic ${ctx.thread} ${s.id} rcu`) });
    for (const l of ctx.p.locks) if (l.kind === 'spinlock') out.push({ cond: `${mOwner(l.name)} == ${ctx.me}`, code: ctx.viol.code(`sleep_in_atomic ${ctx.thread} ${s.id} ${l.name}`) });
  }
  return out;
}

/** Bitmask of the threads in an RCU read-side section (optionally leaving one out). */
function readerMask(ctx: Ctx, except?: number): string {
  const parts = ctx.p.threads.map((t, u) => (u === except ? '' : `(${rcuNest(t.name)} > 0 -> ${1 << u} : 0)`)).filter((x) => x !== '');
  return parts.length ? parts.join(' | ') : '0';
}

/** An order-`order` store into an xarray: the same rule as compile.ts's xaStoreJs. */
function xaStore(ctx: Ctx, xa: string, index: number, order: number, value: string): string {
  const size = ctx.p.xarrays.find((x) => x.name === xa)!.size;
  const max = Math.log2(size);
  const opts: string[] = [];
  for (let o = order + 1; o <= max; o++) {
    const head = index & ~((1 << o) - 1);
    opts.push(`:: ${xaOrd(xa)}[${index}] == ${o} -> ${Array.from({ length: 1 << o }, (_, k) => `${xaName(xa)}[${head + k}] = xa_v`).join('; ')}`);
  }
  const own = Array.from({ length: 1 << order }, (_, k) => `${xaName(xa)}[${index + k}] = xa_v; ${xaOrd(xa)}[${index + k}] = ${order}`).join('; ');
  return `xa_v = ${value}; if ${opts.join(' ')} :: else -> ${own} fi; xa_v = 0`;
}

function xaSplit(ctx: Ctx, xa: string, index: number, order: number): string {
  const size = ctx.p.xarrays.find((x) => x.name === xa)!.size;
  const max = Math.log2(size);
  const opts: string[] = [];
  for (let o = order + 1; o <= max; o++) {
    const head = index & ~((1 << o) - 1);
    opts.push(`:: ${xaOrd(xa)}[${index}] == ${o} -> ${Array.from({ length: 1 << o }, (_, k) => `${xaOrd(xa)}[${head + k}] = ${order}`).join('; ')}`);
  }
  return opts.length ? `if ${opts.join(' ')} :: else -> skip fi` : 'skip';
}

function assign(ctx: Ctx, a: { target: LValue; value: Expr }, m?: NonNullable<MemReq['assigns']>[number]): string {
  if (a.target.k === 'xa') return xaStore(ctx, a.target.xa, a.target.index, 0, X(ctx, a.value));
  if (ctx.mem && m?.buffered) {
    const value = m.delta ? (m.delta.neg ? `-(${X(ctx, m.delta.e)})` : X(ctx, m.delta.e)) : X(ctx, a.value);
    return ctx.mem.store(ctx.thread, ctx.model.leafSlot(a.target, ctx.index), value, m.flags);
  }
  return `${lv(ctx, a.target)} = ${X(ctx, a.value)}`;
}

/** The effect of a step that is one d_step: its guard (for blocking steps) and its body. */
function dstepBody(ctx: Ctx, s: Stmt): { guard?: string; body: string } | undefined {
  const code = (what: string): number => ctx.viol.code(`${what} ${ctx.thread} ${s.id}`);
  switch (s.kind) {
    case 'do': {
      const req = nodeOf(ctx, s)?.mem;
      if (ctx.mem && req?.issue) return { body: ctx.mem.issue(ctx.thread, req.issue.reg, req.issue.loc) };
      const body = s.assigns.length === 0 ? 'skip' : s.assigns.map((a, i) => assign(ctx, a, req?.assigns?.[i])).join('; ');
      return { body: s.when ? `if :: (${X(ctx, s.when)}) -> ${body} :: else -> skip fi` : body };
    }
    case 'lock': {
      const { guard, take } = lockGuardAndTake(ctx, s.lock, s.mode);
      return { guard, body: take };
    }
    case 'unlock':
      return { body: release(ctx, s, s.lock, s.mode) };
    case 'trylock': {
      const into = lv(ctx, s.into);
      if (s.lock.type === 'rwsem') {
        const L = s.lock.name;
        const fair = ctx.locks.get(L)?.fair !== 'reader';
        const { take } = lockGuardAndTake(ctx, s.lock, s.mode);
        const ok =
          s.mode === 'read'
            ? fair ? `${rw(L, 'w')} == 0 && ${rw(L, 'q')} == 0` : `${rw(L, 'w')} == 0`
            : `${rw(L, 'w')} == 0 && ${rw(L, 'r')} == 0${fair ? ` && ${rw(L, 'q')} == 0` : ''}`;
        const got = s.mode === 'read' ? take : `${rw(L, 'w')} = ${ctx.me}`;
        return { body: `if :: (${ok}) -> ${got}; ${into} = 1 :: else -> ${into} = 0 fi` };
      }
      const { guard, take } = lockGuardAndTake(ctx, s.lock, 'exclusive');
      return { body: `if :: (${guard}) -> ${take}; ${into} = 1 :: else -> ${into} = 0 fi` };
    }
    case 'ref': {
      const v = lv(ctx, s.target);
      const into = s.into ? lv(ctx, s.into) : '';
      switch (s.op) {
        case 'get':
          return { body: `if :: ${v} <= 0 -> viol = ${code('refcount_inc_on_zero')} :: else -> ${v} = ${v} + 1 fi` };
        case 'put': {
          const free = s.target.k === 'field' && ctx.feat.freeable.has(s.target.folio) ? `; if :: ${v} == 0 -> ${fFreed(s.target.folio)} = 1 :: else -> skip fi` : '';
          return { body: `if :: ${v} <= 0 -> viol = ${code('refcount_underflow')} :: else -> ${v} = ${v} - 1${free} fi` };
        }
        case 'try_get':
          return { body: `if :: ${v} > 0 -> ${v} = ${v} + 1; ${into} = 1 :: else -> ${into} = 0 fi` };
        case 'freeze':
          return { body: `if :: ${v} == ${s.n} -> ${v} = 0; ${into} = 1 :: else -> ${into} = 0 fi` };
        case 'unfreeze':
          return { body: `if :: ${v} != 0 -> viol = ${code('refcount_unfreeze_nonzero')} :: else -> ${v} = ${s.n} fi` };
      }
      break;
    }
    case 'rcu_read_lock':
      return { body: `${rcuNest(ctx.thread)} = ${rcuNest(ctx.thread)} + 1` };
    case 'rcu_read_unlock': {
      const n = rcuNest(ctx.thread);
      const bit = 1 << ctx.index;
      const rel: string[] = [];
      ctx.p.threads.forEach((t, u) => {
        if (ctx.feat.syncers.has(u)) rel.push(`${gpName(t.name)} = ${gpName(t.name)} & (${~bit})`);
      });
      for (const f of ctx.feat.rcuFreed) {
        const rf = fRcuFree(f);
        rel.push(`if :: (${rf} & ${bit}) != 0 -> ${rf} = ${rf} & (${~bit}); if :: ${rf} == 0 -> ${fFreed(f)} = 1 :: else -> skip fi :: else -> skip fi`);
      }
      const after = rel.length ? `; if :: ${n} == 0 -> ${rel.join('; ')} :: else -> skip fi` : '';
      return { body: `if :: ${n} <= 0 -> viol = ${code('double_unlock')} :: else -> ${n} = ${n} - 1${after} fi` };
    }
    case 'free': {
      const fr = fFreed(s.folio);
      const pending = ctx.feat.rcuFreed.has(s.folio) ? ` || ${fRcuFree(s.folio)} != 0` : '';
      const dbl = `viol = ${code('double_free')}`;
      if (!s.rcu) return { body: `if :: ${fr} != 0${pending} -> ${dbl} :: else -> ${fr} = 1 fi` };
      const rf = fRcuFree(s.folio);
      return { body: `if :: ${fr} != 0${pending} -> ${dbl} :: else -> ${rf} = ${readerMask(ctx)}; if :: ${rf} == 0 -> ${fr} = 1 :: else -> skip fi fi` };
    }
    case 'xa_store':
      return { body: xaStore(ctx, s.xa, s.index, s.order, X(ctx, s.value)) };
    case 'xa_split':
      return { body: xaSplit(ctx, s.xa, s.index, s.order) };
    case 'barrier':
      return { body: ctx.mem && nodeOf(ctx, s)?.mem?.wmb ? ctx.mem.wmb(ctx.thread) : 'skip' };
    default:
      return undefined;
  }
  return undefined;
}

function emitBlock(ctx: Ctx, body: Stmt[], indent: string): void {
  for (const s of body) emitStmt(ctx, s, indent);
}

/** An option of `if`/`do`: its guard, then the branch (nothing after the guard when empty). */
function emitOption(ctx: Ctx, owner: Stmt, guard: string, body: Stmt[], indent: string, branch?: string): void {
  ctx.out.push(body.length === 0 ? `${indent}:: ${guard}` : `${indent}:: ${guard} ->`);
  mark(ctx, owner, branch);
  emitBlock(ctx, body, indent + '   ');
}

/** The line just emitted executes `s` (a guard line of an if/while/choice executes the branch node). */
function mark(ctx: Ctx, s: Stmt, branch?: string): void {
  ctx.lines.set(ctx.out.length, { thread: ctx.thread, step: s.id, ...(branch !== undefined ? { branch } : {}), atomic: ctx.targets.has(s.id) });
}

/** One atomic step: prechecks, guard, body, then the invariants and (last step) `done`. */
function emitDstep(ctx: Ctx, s: Stmt, indent: string, guard0: string | undefined, body: string, pre = prechecks(ctx, s), sub?: 'queue' | 'gp_wait'): void {
  const guard = and(memGuard(ctx, s, sub), guard0);
  const dstep = ctx.targets.has(s.id) ? 'atomic' : 'd_step';
  const fin = s === ctx.finish ? `${exitCheck(ctx, s.id)}; done = done + 1` : '';
  const preAny = pre.map((x) => x.cond).join(' || ');
  const g = guard === undefined ? '' : pre.length ? `(${preAny} || (${guard})) -> ` : `(${guard}) -> `;
  const guarded = pre.length ? `if ${pre.map((x) => `:: ${x.cond} -> viol = ${x.code}`).join(' ')} :: else -> ${body} fi` : body;
  ctx.out.push(`${indent}${dstep} { ${g}${guarded}${ctx.inv}${fin} };`);
  mark(ctx, s);
}

function emitStmt(ctx: Ctx, s: Stmt, indent: string): void {
  const out = ctx.out;
  const head = `${indent}${ctx.labels.label(s.id)}: ${comment(`${s.id} ${s.fn.file}:${s.fn.func}`)}`;
  const pre = prechecks(ctx, s);
  const preAny = pre.map((x) => x.cond).join(' || ');
  const violOption = (): void => {
    out.push(`${indent}:: (${preAny}) -> ${pre.length === 1 ? `viol = ${pre[0]!.code}` : `if ${pre.map((x) => `:: ${x.cond} -> viol = ${x.code}`).join(' ')} fi`}`);
  };
  const simple = dstepBody(ctx, s);
  if (simple) {
    out.push(head);
    if (s.kind === 'lock' && s.lock.type === 'rwsem' && s.mode === 'write' && ctx.locks.get(s.lock.name)?.fair !== 'reader') {
      // A copy of the step, so the queueing d_step never counts the thread as finished.
      emitDstep(ctx, { ...s }, indent, memGuard(ctx, s, 'queue'), `${rw(s.lock.name, 'q')} = ${rw(s.lock.name, 'q')} + 1`, prechecks(ctx, s, 'queue'));
      out[out.length - 1] += '  /* queued */';
    }
    emitDstep(ctx, s, indent, simple.guard, simple.body, pre);
    return;
  }
  switch (s.kind) {
    case 'synchronize_rcu': {
      out.push(head);
      const gp = gpName(ctx.thread);
      emitDstep(ctx, s, indent, undefined, `${gp} = ${readerMask(ctx, ctx.index)}`, pre);
      out.push(`${indent}(${and(memGuard(ctx, s, 'gp_wait'), `${gp} == 0`)});  /* waits for the grace period */`);
      mark(ctx, s);
      return;
    }
    case 'await':
      out.push(head);
      if (pre.length) emitDstep(ctx, s, indent, X(ctx, s.cond), 'skip', pre);
      else {
        out.push(`${indent}(${and(memGuard(ctx, s), X(ctx, s.cond))});`);
        mark(ctx, s);
      }
      return;
    case 'assert': {
      out.push(head);
      const v = ctx.viol.code(`assert ${ctx.thread} ${s.id}`);
      emitDstep(ctx, s, indent, undefined, `if :: !(${X(ctx, s.cond)}) -> viol = ${v} :: else -> skip fi`, pre);
      return;
    }
    case 'if':
    case 'while': {
      // A memory guard means a blocked branch is not the other branch: no `else` then.
      const mg = memGuard(ctx, s);
      const ok = pre.length ? `!(${preAny})` : undefined;
      const yes = `(${and(ok, mg, X(ctx, s.cond))})`;
      const no = mg ? `(${and(ok, mg, `!(${X(ctx, s.cond)})`)})` : 'else';
      out.push(head);
      out.push(`${indent}${s.kind === 'if' ? 'if' : 'do'}`);
      if (pre.length) {
        if (s.kind === 'if') violOption();
        else out.push(`${indent}:: (${preAny}) -> viol = ${pre[0]!.code}; break`);
        mark(ctx, s);
      }
      if (s.kind === 'if') {
        emitOption(ctx, s, yes, s.then, indent);
        emitOption(ctx, s, no, s.else, indent);
        out.push(`${indent}fi;`);
      } else {
        emitOption(ctx, s, yes, s.body, indent);
        out.push(`${indent}:: ${no} -> break`);
        mark(ctx, s);
        out.push(`${indent}od;`);
      }
      return;
    }
    case 'choice': {
      const mg = memGuard(ctx, s);
      out.push(head);
      out.push(`${indent}if`);
      for (const b of s.branches) {
        out.push(`${indent}${comment(`branch ${b.label}`)}`);
        emitOption(ctx, s, mg ? `(${mg})` : 'true', b.body, indent, b.label);
      }
      out.push(`${indent}fi;`);
      return;
    }
    case 'goto':
      out.push(`${indent}goto ${ctx.labels.label(s.target)}; ${comment(`goto ${s.target}`)}`);
      return;
    case 'exit':
      out.push(`${indent}goto Lend; ${comment(`exit (${s.id})`)}`);
      return;
    default:
      throw new Error(`unreachable: ${s.kind}`);
  }
}

/** Steps whose Promela is one d_step, so the end of the thread can be counted inside it. */
const FOLDS_FINISH = new Set(['do', 'lock', 'unlock', 'trylock', 'ref', 'rcu_read_lock', 'rcu_read_unlock', 'free', 'xa_store', 'xa_split', 'barrier']);

function emitThread(p: Program, t: ThreadInstance, index: number, out: string[], lines: Map<number, PmlLine>, shared: Pick<Ctx, 'viol' | 'folios' | 'feat' | 'inv' | 'model' | 'mem'>): void {
  const targets = new Set<string>();
  let exits = false;
  const collect = (ss: Stmt[]): void => {
    for (const s of ss) {
      if (s.kind === 'goto') targets.add(s.target);
      if (s.kind === 'exit') exits = true;
      if (s.kind === 'if') (collect(s.then), collect(s.else));
      if (s.kind === 'while') collect(s.body);
      if (s.kind === 'choice') for (const b of s.branches) collect(b.body);
    }
  };
  collect(t.body);
  const last = t.body.at(-1);
  const finish = !exits && last && FOLDS_FINISH.has(last.kind) ? last : undefined;
  const ctx: Ctx = { p, thread: t.name, lines, targets, finish, me: index + 1, index, locks: new Map(p.locks.map((l) => [l.name, l])), labels: new Labels(), out, taken: locksTaken(t.body), ...shared };
  out.push(`active proctype T_${ident(t.name)}() {  ${comment(`thread ${t.name} (template ${t.template})`)}`);
  if (!shared.mem) for (const l of t.locals) out.push(`  int ${lName(l.name)} = ${l.init};`);
  // Promela arrays have no initialisers: xa_init sets the xarrays before any thread looks.
  if (p.xarrays.some((x) => x.entries.length > 0)) out.push('  (xa_ready == 1);');
  emitBlock(ctx, t.body, '  ');
  if (!finish) {
    // Jumped to by `exit` and loop exits: SPIN refuses a jump into a d_step, so atomic.
    out.push('Lend:');
    out.push(`  atomic { ${exitCheck(ctx, 'end').replace(/^; /, '')}${ctx.taken.length || ctx.feat.rcu ? '; ' : ''}done = done + 1 }`);
  }
  out.push('}');
  out.push('');
}

export function programToPromela(p: Program): string {
  return programToPromelaMapped(p).text;
}

/** The Promela text and, for each line that executes a step, which one: see sim/promela-trail.ts. */
export function programToPromelaMapped(p: Program): { text: string; lines: Map<number, PmlLine> } {
  const out: string[] = [];
  const lines = new Map<number, PmlLine>();
  const viol = new Violations();
  const folios = new Map(p.folios.map((f, i) => [f.name, i + 1]));
  const feat = features(p);
  const invCodes = p.invariants.map((inv) => ({ inv, code: viol.code(`invariant ${inv.name}`) }));
  const inv = invCodes.length
    ? `; if ${invCodes.map(({ inv: i, code }) => `:: !(${exprToPromela(i.expr, folios)}) -> viol = ${code}`).join(' ')} :: else -> skip fi`
    : '';
  // An invariant broken in the initial state is a violation before any step.
  const m = compile(p);
  const broken0 = m.brokenInvariant(m.init);
  const slotName = (slot: number): string => {
    const sl = m.slots[slot]!;
    if (sl.kind === 'global') return gName(sl.name);
    if (sl.kind === 'field') return fName(sl.name.split('.')[0]!, sl.name.split('.')[1]!);
    if (sl.kind === 'local') return regName(p.threads[sl.thread!]!.name, sl.name.slice(p.threads[sl.thread!]!.name.length + 1));
    throw new Error(`internal: slot ${sl.name} has no Promela name`);
  };
  const pmem = m.memory ? new PmlMemory(m, { slot: slotName }, ident) : undefined;
  out.push(`/* loregraph sim export: ${p.scenario} variant=${p.variant} config=${p.config} */`);
  out.push(`/* verdicts: "assertion violated" = violated, "invalid end state" = deadlock */`);
  out.push('');
  for (const v of p.vars) out.push(`int ${gName(v.name)} = ${v.init};`);
  for (const f of p.folios) {
    for (const [field, value] of Object.entries(f.init)) out.push(`int ${fName(f.name, field)} = ${value};`);
    out.push(`int ${fOwner(f.name)} = 0;`);
    if (feat.freeable.has(f.name)) out.push(`int ${fFreed(f.name)} = 0;`);
    if (feat.rcuFreed.has(f.name)) out.push(`int ${fRcuFree(f.name)} = 0;  /* readers a call_rcu waits for */`);
  }
  for (const l of p.locks) {
    if (l.kind !== 'rwsem') out.push(`int ${mOwner(l.name)} = 0;  /* ${l.kind}: owner thread number, 0: free */`);
    else {
      out.push(`int ${rw(l.name, 'w')} = 0;  /* rwsem ${l.name} (${l.fair}-fair): writer */`);
      out.push(`int ${rw(l.name, 'r')} = 0;  /* read holds, all threads */`);
      out.push(`int ${rw(l.name, 'mine')}[${Math.max(p.threads.length, 1)}];  /* read holds per thread (down_read may recurse) */`);
      out.push(`int ${rw(l.name, 'q')} = 0;  /* queued writers */`);
    }
  }
  for (const x of p.xarrays) {
    out.push(`int ${xaName(x.name)}[${x.size}];  /* entries: 0 NULL, k folio k, -1 retry, -(v+2) value v */`);
    out.push(`int ${xaOrd(x.name)}[${x.size}];  /* order of the multi-index entry each index is in */`);
  }
  if (p.xarrays.length) out.push('int xa_v = 0;  /* the value being stored, within one d_step */');
  if (feat.rcu) for (const t of p.threads) out.push(`int ${rcuNest(t.name)} = 0;  /* RCU read-side nesting */`);
  p.threads.forEach((t, i) => {
    if (feat.syncers.has(i)) out.push(`int ${gpName(t.name)} = 0;  /* readers its synchronize_rcu waits for */`);
  });
  const xaInit = p.xarrays.flatMap((x) =>
    x.entries.flatMap((en) => Array.from({ length: 1 << en.order }, (_, k) => `${xaName(x.name)}[${en.index + k}] = ${en.entry}; ${xaOrd(x.name)}[${en.index + k}] = ${en.order}`)),
  );
  if (xaInit.length) out.push('int xa_ready = 0;');
  if (pmem) {
    out.push(...pmem.declarations(p.threads.map((t) => t.name)));
    for (const t of p.threads) for (const l of t.locals) out.push(`int ${regName(t.name, l.name)} = ${l.init};  /* ${t.name}'s local (a register) */`);
  }
  out.push(`int viol = ${broken0 >= 0 ? viol.code(`invariant ${p.invariants[broken0]!.name}`) : 0};  /* the first violation, 0: none */`);
  out.push('int done = 0;');
  out.push('');
  p.threads.forEach((t, i) => emitThread(p, t, i, out, lines, { viol, folios, feat, inv, model: m, mem: pmem }));
  if (pmem) {
    p.threads.forEach((t, i) => {
      const regs = t.locals.map((l) => m.leafSlot({ k: 'var', name: l.name, scope: 'local' }, i));
      pmem.process(t.name, regs, inv, (branch) => lines.set(out.length, { thread: `${t.name}~mem`, step: 'flush', branch, atomic: false }), out);
    });
  }
  if (xaInit.length) {
    out.push(`active proctype xa_init() { d_step { ${xaInit.join('; ')}; xa_ready = 1 } }`);
    out.push('');
  }

  out.push('active proctype violation() {');
  out.push('end_ok:');
  out.push('  (viol != 0);');
  out.push('  assert(viol == 0);');
  // Idles forever (pan refuses a bare skip loop): after a violation no state is a deadlock.
  out.push('  do :: viol = viol + 0 od');
  out.push('}');
  out.push('');
  if (p.finals.length > 0) {
    out.push('active proctype finals() {');
    // Under a weak memory model the finals read memory once every buffer has drained.
    out.push(`  (done == ${p.threads.length} && viol == 0${pmem ? p.threads.map((t) => ` && ${pmem.drained(t.name)}`).join('') : ''});`);
    out.push(`  d_step { if ${p.finals.map((f) => `:: !(${exprToPromela(f.expr, folios)}) -> viol = ${viol.code(`final ${f.name}`)}`).join(' ')} :: else -> skip fi }`);
    out.push('}');
  }
  return { text: out.join('\n') + '\n', lines };
}
