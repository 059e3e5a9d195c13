// Program -> Promela, so SPIN can cross-check the explorer's verdicts on the very same
// instantiated model (variant edits applied, macros and `foreach` expanded).
//
// The translation keeps our step = one SPIN transition wherever that matters for verdicts:
//  - assignments, lock operations and trylock are `d_step`s (atomic, one transition);
//  - a blocking step is a guarded `d_step`, so a blocked thread simply has no move, and a
//    state where an unfinished thread cannot move is SPIN's "invalid end state" = our deadlock;
//  - `if`/`while`/`choice` evaluate once and branch, like the explorer's branch node;
//  - `exit` jumps to the thread's end label; a finished thread bumps `done` (inside its
//    last step when it can, so that SPIN counts the same states as the explorer);
//  - invariants are watched by a monitor process whose loop is an end state, so it never
//    turns a clean finish into an invalid end state, but fires in any state breaking one;
//  - finals are asserted by a process that waits for `done == N`;
//  - releasing a lock one does not hold is an assertion, as the explorer's lock_discipline.
// A writer-fair rwsem's down_write is two transitions (queue, then acquire) exactly as in
// sim/compile.ts; readers of a writer-fair rwsem wait while a writer is queued.
import type { Expr, LockDecl, LockRef, LValue, Program, Scenario, Stmt, ThreadInstance } from './ast.ts';
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
const mOwner = (lock: string): string => `m_${ident(lock)}`;
const rw = (lock: string, part: 'w' | 'r' | 'q' | 'mine'): string => `rw_${ident(lock)}_${part}`;

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

export function exprToPromela(e: Expr): string {
  switch (e.k) {
    case 'int':
      return String(e.v);
    case 'var':
      return e.scope === 'local' ? lName(e.name) : gName(e.name);
    case 'field':
      return fName(e.folio, e.field);
    case 'not':
      return `!(${exprToPromela(e.e)})`;
    case 'neg':
      return `-(${exprToPromela(e.e)})`;
    case 'bin':
      return `(${exprToPromela(e.l)} ${e.op} ${exprToPromela(e.r)})`;
  }
}

function lvalue(lv: LValue): string {
  return lv.k === 'var' ? (lv.scope === 'local' ? lName(lv.name) : gName(lv.name)) : fName(lv.folio, lv.field);
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

interface Ctx {
  thread: string;
  /** 1-based line number -> step, filled as lines are emitted. */
  lines: Map<number, PmlLine>;
  /** Steps some goto jumps to: SPIN refuses a jump into a d_step, so these use atomic. */
  targets: Set<string>;
  /** The thread's last step, when `done` can be bumped inside it instead of in a step of its own. */
  finish: Stmt | undefined;
  me: number;
  /** Index of this thread in the per-thread read-hold arrays. */
  index: number;
  locks: Map<string, LockDecl>;
  labels: Labels;
  out: string[];
}

function lockGuardAndTake(ctx: Ctx, lock: LockRef, mode: 'exclusive' | 'read' | 'write'): { guard: string; take: string } {
  if (lock.type === 'folio') {
    return {
      guard: `${fName(lock.name, 'locked')} == 0`,
      take: `${fName(lock.name, 'locked')} = 1; ${fOwner(lock.name)} = ${ctx.me}`,
    };
  }
  if (lock.type === 'mutex') return { guard: `${mOwner(lock.name)} == 0`, take: `${mOwner(lock.name)} = ${ctx.me}` };
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

function release(ctx: Ctx, lock: LockRef, mode: 'exclusive' | 'read' | 'write'): string {
  if (lock.type === 'folio') {
    return `assert(${fOwner(lock.name)} == ${ctx.me}); ${fName(lock.name, 'locked')} = 0; ${fOwner(lock.name)} = 0`;
  }
  if (lock.type === 'mutex') return `assert(${mOwner(lock.name)} == ${ctx.me}); ${mOwner(lock.name)} = 0`;
  if (mode === 'read') {
    const r = rw(lock.name, 'r');
    const mine = `${rw(lock.name, 'mine')}[${ctx.index}]`;
    return `assert(${mine} > 0); ${r} = ${r} - 1; ${mine} = ${mine} - 1`;
  }
  return `assert(${rw(lock.name, 'w')} == ${ctx.me}); ${rw(lock.name, 'w')} = 0`;
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

function emitStmt(ctx: Ctx, s: Stmt, indent: string): void {
  const out = ctx.out;
  const dstep = ctx.targets.has(s.id) ? 'atomic' : 'd_step';
  // Counting the thread as finished inside its last step keeps SPIN's state count ours.
  const fin = s === ctx.finish ? '; done = done + 1' : '';
  const head = `${indent}${ctx.labels.label(s.id)}: ${comment(`${s.id} ${s.fn.file}:${s.fn.func}`)}`;
  switch (s.kind) {
    case 'do':
      out.push(head);
      if (s.assigns.length === 0) out.push(fin ? `${indent}${dstep} { done = done + 1 };` : `${indent}skip;`);
      else out.push(`${indent}${dstep} { ${s.assigns.map((a) => `${lvalue(a.target)} = ${exprToPromela(a.value)}`).join('; ')}${fin} };`);
      mark(ctx, s);
      return;
    case 'lock': {
      const { guard, take } = lockGuardAndTake(ctx, s.lock, s.mode);
      const fairWriter = s.lock.type === 'rwsem' && s.mode === 'write' && ctx.locks.get(s.lock.name)?.fair !== 'reader';
      out.push(head);
      if (fairWriter) {
        out.push(`${indent}${dstep} { ${rw(s.lock.name, 'q')} = ${rw(s.lock.name, 'q')} + 1 };  /* queued */`);
        mark(ctx, s);
      }
      out.push(`${indent}${dstep} { (${guard}) -> ${take}${fin} };`);
      mark(ctx, s);
      return;
    }
    case 'unlock':
      out.push(head);
      out.push(`${indent}${dstep} { ${release(ctx, s.lock, s.mode)}${fin} };`);
      mark(ctx, s);
      return;
    case 'trylock': {
      const { guard, take } = lockGuardAndTake(ctx, s.lock, 'exclusive');
      out.push(head);
      out.push(`${indent}${dstep} { if :: (${guard}) -> ${take}; ${lvalue(s.into)} = 1 :: else -> ${lvalue(s.into)} = 0 fi${fin} };`);
      mark(ctx, s);
      return;
    }
    case 'await':
      out.push(head);
      out.push(`${indent}(${exprToPromela(s.cond)});`);
      mark(ctx, s);
      return;
    case 'assert':
      out.push(head);
      out.push(`${indent}assert(${exprToPromela(s.cond)});`);
      mark(ctx, s);
      return;
    case 'if':
      out.push(head);
      out.push(`${indent}if`);
      emitOption(ctx, s, `(${exprToPromela(s.cond)})`, s.then, indent);
      emitOption(ctx, s, 'else', s.else, indent);
      out.push(`${indent}fi;`);
      return;
    case 'while':
      out.push(head);
      out.push(`${indent}do`);
      emitOption(ctx, s, `(${exprToPromela(s.cond)})`, s.body, indent);
      out.push(`${indent}:: else -> break`);
      mark(ctx, s);
      out.push(`${indent}od;`);
      return;
    case 'choice':
      out.push(head);
      out.push(`${indent}if`);
      for (const b of s.branches) {
        out.push(`${indent}${comment(`branch ${b.label}`)}`);
        emitOption(ctx, s, 'true', b.body, indent, b.label);
      }
      out.push(`${indent}fi;`);
      return;
    case 'goto':
      out.push(`${indent}goto ${ctx.labels.label(s.target)}; ${comment(`goto ${s.target}`)}`);
      return;
    case 'exit':
      out.push(`${indent}goto Lend; ${comment(`exit (${s.id})`)}`);
      return;
  }
}

function emitThread(p: Program, t: ThreadInstance, index: number, out: string[], lines: Map<number, PmlLine>): void {
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
  const finish = !exits && last && ['do', 'lock', 'unlock', 'trylock'].includes(last.kind) ? last : undefined;
  const ctx: Ctx = { thread: t.name, lines, targets, finish, me: index + 1, index, locks: new Map(p.locks.map((l) => [l.name, l])), labels: new Labels(), out };
  out.push(`active proctype T_${ident(t.name)}() {  ${comment(`thread ${t.name} (template ${t.template})`)}`);
  for (const l of t.locals) out.push(`  int ${lName(l.name)} = ${l.init};`);
  emitBlock(ctx, t.body, '  ');
  if (!finish) {
    out.push('Lend:');
    out.push('  done = done + 1');
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
  out.push(`/* loregraph sim export: ${p.scenario} variant=${p.variant} config=${p.config} */`);
  out.push(`/* verdicts: "assertion violated" = violated, "invalid end state" = deadlock */`);
  out.push('');
  for (const v of p.vars) out.push(`int ${gName(v.name)} = ${v.init};`);
  for (const f of p.folios) {
    for (const [field, value] of Object.entries(f.init)) out.push(`int ${fName(f.name, field)} = ${value};`);
    out.push(`int ${fOwner(f.name)} = 0;`);
  }
  for (const l of p.locks) {
    if (l.kind === 'mutex') out.push(`int ${mOwner(l.name)} = 0;  /* owner thread number, 0: free */`);
    else {
      out.push(`int ${rw(l.name, 'w')} = 0;  /* rwsem ${l.name} (${l.fair}-fair): writer */`);
      out.push(`int ${rw(l.name, 'r')} = 0;  /* read holds, all threads */`);
      out.push(`int ${rw(l.name, 'mine')}[${Math.max(p.threads.length, 1)}];  /* read holds per thread (down_read may recurse) */`);
      out.push(`int ${rw(l.name, 'q')} = 0;  /* queued writers */`);
    }
  }
  out.push('int done = 0;');
  out.push('');
  p.threads.forEach((t, i) => emitThread(p, t, i, out, lines));

  if (p.invariants.length > 0) {
    out.push('active proctype invariants() {');
    out.push('end_watch:');
    out.push('  do');
    for (const inv of p.invariants) {
      const e = exprToPromela(inv.expr);
      out.push(`  :: atomic { !(${e}) -> assert(${e}) }  ${comment(`invariant ${inv.name}`)}`);
    }
    out.push('  od');
    out.push('}');
    out.push('');
  }
  if (p.finals.length > 0) {
    out.push('active proctype finals() {');
    out.push(`  (done == ${p.threads.length});`);
    for (const f of p.finals) out.push(`  assert(${exprToPromela(f.expr)});  ${comment(`final ${f.name}`)}`);
    out.push('}');
  }
  return { text: out.join('\n') + '\n', lines };
}
