// The Linux kernel memory model's litmus tests (tools/memory-model/litmus-tests/*.litmus)
// as scenarios: parseLitmus() reads the C dialect herd7 takes, litmusToScenario() writes a
// scenario running the processes under a memory model with the `exists` clause as a
// final. "Result: Never" means the final holds; "Sometimes" that it is violated.
//
// What translates: shared ints (WRITE_ONCE, READ_ONCE, plain `*x`), registers, `if`,
// smp_mb/wmb/rmb, smp_store_release, smp_load_acquire, spin_lock/unlock and
// smp_mb__after_spinlock. What does not (untranslatable() says which and why): pointers
// and address dependencies (`int *r`, `**p`, `rcu_dereference`), spin_is_locked(), RCU
// and SRCU primitives, atomics and xchg/cmpxchg. Pure: text in, values out.
import { SimError } from './errors.ts';

export type LExpr =
  | { k: 'int'; v: number }
  /** A register of the process. */
  | { k: 'reg'; name: string }
  /** `*x`: a shared variable (plain access). */
  | { k: 'deref'; name: string }
  | { k: 'call'; fn: string; args: LExpr[] }
  | { k: 'bin'; op: '==' | '!=' | '+' | '-' | '&&' | '||' | '<' | '>' | '<=' | '>='; l: LExpr; r: LExpr }
  | { k: 'not'; e: LExpr }
  /** A bare name that is not a register: a shared variable passed by pointer (`x` in `smp_store_release(x, 1)`). */
  | { k: 'name'; name: string };

export type LStmt =
  | { k: 'decl'; type: string; name: string; init?: LExpr }
  | { k: 'assign'; target: LExpr; value: LExpr }
  | { k: 'call'; fn: string; args: LExpr[] }
  | { k: 'if'; cond: LExpr; then: LStmt[]; else: LStmt[] };

export interface LProc {
  name: string;
  index: number;
  params: { type: string; name: string }[];
  body: LStmt[];
}

export type LCond =
  | { k: 'eq'; proc?: number; name: string; value: number | string }
  | { k: 'and' | 'or'; l: LCond; r: LCond }
  | { k: 'not'; e: LCond }
  | { k: 'true' };

export interface Litmus {
  name: string;
  /** `Result:` in the header comment. */
  result?: 'Never' | 'Sometimes' | 'Always';
  init: { type: string; name: string; value?: number | string }[];
  procs: LProc[];
  exists: LCond;
}

// ---------------------------------------------------------------- tokens

type Tok = { t: 'num' | 'id' | 'op'; v: string; line: number };

const OPS = ['/\\', '\\/', '==', '!=', '<=', '>=', '&&', '||', '(', ')', '{', '}', ';', ',', '*', '=', '&', ':', '[', ']', '+', '-', '!', '~', '<', '>'];

function tokenize(text: string, file: string): { toks: Tok[]; result?: Litmus['result'] } {
  const toks: Tok[] = [];
  let result: Litmus['result'];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    // An OCaml-style comment; `(*x` is a dereference in an argument list, not one.
    if (text.startsWith('(*', i) && /[\s*]/.test(text[i + 2] ?? ' ')) {
      const end = text.indexOf('*)', i + 2);
      if (end < 0) throw new SimError('SIM_INVALID', 'unterminated (* comment', { file, line, col: 1 });
      const body = text.slice(i, end);
      const r = /Result:\s*(Never|Sometimes|Always)/.exec(body);
      if (r && !result) result = r[1] as Litmus['result'];
      line += body.split('\n').length - 1;
      i = end + 2;
      continue;
    }
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const num = /^-?[0-9]+/.exec(text.slice(i));
    if (num && !(num[0].startsWith('-') && toks.length > 0 && ['num', 'id'].includes(toks.at(-1)!.t))) {
      toks.push({ t: 'num', v: num[0], line });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.+-]*/.exec(text.slice(i));
    if (id) {
      // Test names carry '+', '.' and '-'; identifiers in code do not.
      const v = toks.length === 1 && toks[0]!.v === 'C' ? id[0] : /^[A-Za-z_][A-Za-z0-9_]*/.exec(id[0])![0];
      toks.push({ t: 'id', v, line });
      i += v.length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new SimError('SIM_INVALID', `unexpected character '${c}'`, { file, line, col: 1 });
    toks.push({ t: 'op', v: op, line });
    i += op.length;
  }
  return { toks, ...(result ? { result } : {}) };
}

// ---------------------------------------------------------------- parser

class P {
  i = 0;
  constructor(
    readonly toks: Tok[],
    readonly file: string,
  ) {}

  peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  fail(msg: string): SimError {
    const t = this.peek() ?? this.toks.at(-1);
    return new SimError('SIM_INVALID', `${msg}${t ? `, got '${t.v}'` : ' at the end'}`, { file: this.file, line: t?.line ?? 1, col: 1 });
  }
  is(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.v === v && t.t !== 'num';
  }
  eat(v: string): void {
    if (!this.is(v)) throw this.fail(`expected '${v}'`);
    this.i++;
  }
  id(): string {
    const t = this.peek();
    if (!t || t.t !== 'id') throw this.fail('expected a name');
    this.i++;
    return t.v;
  }
  num(): number {
    const t = this.peek();
    if (!t || t.t !== 'num') throw this.fail('expected a number');
    this.i++;
    return Number(t.v);
  }

  /** `int`, `int *`, `spinlock_t *`, `int **`: a type and how many stars. */
  type(): string {
    let ty = this.id();
    if (ty === 'unsigned' || ty === 'const') ty += ` ${this.id()}`;
    while (this.is('*')) {
      this.i++;
      ty += '*';
    }
    return ty;
  }

  init(): Litmus['init'] {
    const out: Litmus['init'] = [];
    this.eat('{');
    while (!this.is('}')) {
      // `int x = 1;`, `spinlock_t l;`, `int *p = y;` or the older `x = 1;`
      const a = this.id();
      let type = 'int';
      let name = a;
      if (!this.is('=') && !this.is(';')) {
        this.i--;
        type = this.type();
        name = this.id();
      }
      let value: number | string | undefined;
      if (this.is('=')) {
        this.i++;
        if (this.is('&')) this.i++;
        const t = this.peek();
        if (t?.t === 'num') value = this.num();
        else value = this.id();
      }
      this.eat(';');
      out.push({ type, name, ...(value !== undefined ? { value } : {}) });
    }
    this.eat('}');
    return out;
  }

  proc(): LProc {
    const name = this.id();
    const m = /^P([0-9]+)$/.exec(name);
    if (!m) throw this.fail(`expected a process P<n>`);
    this.eat('(');
    const params: LProc['params'] = [];
    while (!this.is(')')) {
      const type = this.type();
      params.push({ type, name: this.id() });
      if (this.is(',')) this.i++;
    }
    this.eat(')');
    return { name, index: Number(m[1]), params, body: this.block() };
  }

  block(): LStmt[] {
    this.eat('{');
    const out: LStmt[] = [];
    while (!this.is('}')) out.push(...this.stmt());
    this.eat('}');
    return out;
  }

  stmt(): LStmt[] {
    if (this.is('{')) return this.block();
    if (this.is('if')) {
      this.i++;
      this.eat('(');
      const cond = this.expr();
      this.eat(')');
      const then = this.stmt();
      let els: LStmt[] = [];
      if (this.is('else')) {
        this.i++;
        els = this.stmt();
      }
      return [{ k: 'if', cond, then, else: els }];
    }
    const t = this.peek();
    const t1 = this.peek(1);
    // A declaration: a type name then a name (`int r0;`, `int *r0;`, `int a = ...;`, `int r0, r1;`).
    if (t?.t === 'id' && (t.v === 'int' || t.v.endsWith('_t') || t.v === 'unsigned') && (t1?.t === 'id' || t1?.v === '*')) {
      const base = this.type();
      const out: LStmt[] = [];
      for (;;) {
        let type = base;
        while (this.is('*')) {
          this.i++;
          type += '*';
        }
        const name = this.id();
        let init: LExpr | undefined;
        if (this.is('=')) {
          this.i++;
          init = this.expr();
        }
        out.push({ k: 'decl', type, name, ...(init ? { init } : {}) });
        if (!this.is(',')) break;
        this.i++;
      }
      this.eat(';');
      return out;
    }
    const lhs = this.unary();
    if (this.is('=')) {
      this.i++;
      const value = this.expr();
      this.eat(';');
      return [{ k: 'assign', target: lhs, value }];
    }
    this.eat(';');
    if (lhs.k !== 'call') throw this.fail('expected a call or an assignment');
    return [{ k: 'call', fn: lhs.fn, args: lhs.args }];
  }

  static readonly LEVELS: string[][] = [['||'], ['&&'], ['==', '!=', '<', '>', '<=', '>='], ['+', '-']];

  expr(level = 0): LExpr {
    if (level >= P.LEVELS.length) return this.unary();
    let l = this.expr(level + 1);
    while (this.peek() && this.peek()!.t === 'op' && P.LEVELS[level]!.includes(this.peek()!.v)) {
      const op = this.peek()!.v as '==';
      this.i++;
      l = { k: 'bin', op, l, r: this.expr(level + 1) };
    }
    return l;
  }

  unary(): LExpr {
    if (this.is('!')) {
      this.i++;
      return { k: 'not', e: this.unary() };
    }
    if (this.is('*')) {
      this.i++;
      if (this.is('*')) throw this.fail('a pointer to a pointer');
      return { k: 'deref', name: this.id() };
    }
    if (this.is('&')) throw this.fail("an address ('&')");
    if (this.is('(')) {
      this.i++;
      const e = this.expr();
      this.eat(')');
      return e;
    }
    const t = this.peek();
    if (t?.t === 'num') return { k: 'int', v: this.num() };
    const name = this.id();
    if (this.is('(')) {
      this.i++;
      const args: LExpr[] = [];
      while (!this.is(')')) {
        args.push(this.expr());
        if (this.is(',')) this.i++;
      }
      this.eat(')');
      return { k: 'call', fn: name, args };
    }
    return { k: 'name', name };
  }

  cond(level = 0): LCond {
    const ops = ['\\/', '/\\'];
    if (level >= ops.length) return this.condAtom();
    let l = this.cond(level + 1);
    while (this.is(ops[level]!)) {
      this.i++;
      l = { k: level === 0 ? 'or' : 'and', l, r: this.cond(level + 1) };
    }
    return l;
  }

  condAtom(): LCond {
    if (this.is('~') || this.is('not')) {
      this.i++;
      return { k: 'not', e: this.condAtom() };
    }
    if (this.is('(')) {
      this.i++;
      const c = this.cond();
      this.eat(')');
      return c;
    }
    if (this.is('true')) {
      this.i++;
      return { k: 'true' };
    }
    let proc: number | undefined;
    if (this.peek()?.t === 'num' && this.peek(1)?.v === ':') {
      proc = this.num();
      this.eat(':');
    }
    const name = this.id();
    this.eat('=');
    const t = this.peek();
    const value = t?.t === 'num' ? this.num() : this.id();
    return { k: 'eq', ...(proc !== undefined ? { proc } : {}), name, value };
  }
}

/** Parses a litmus test; errors name the file and line. */
export function parseLitmus(text: string, file: string): Litmus {
  const { toks, result } = tokenize(text, file);
  const p = new P(toks, file);
  if (!p.is('C')) throw p.fail("expected 'C <test name>'");
  p.i++;
  const name = p.id();
  const init = p.init();
  const procs: LProc[] = [];
  while (p.peek() && /^P[0-9]+$/.test(p.peek()!.v)) procs.push(p.proc());
  // `locations [...]` only asks herd7 to print more.
  if (p.is('locations')) {
    while (p.peek() && !p.is(']')) p.i++;
    p.eat(']');
  }
  if (!p.is('exists')) throw p.fail("expected 'exists'");
  p.i++;
  const exists = p.cond();
  if (p.peek()) throw p.fail('expected the end of the test');
  if (procs.length === 0) throw p.fail('expected at least one process');
  return { name, ...(result ? { result } : {}), init, procs, exists };
}

// ---------------------------------------------------------------- printer (for round trips)

function showE(e: LExpr): string {
  switch (e.k) {
    case 'int':
      return String(e.v);
    case 'reg':
    case 'name':
      return e.name;
    case 'deref':
      return `*${e.name}`;
    case 'call':
      return `${e.fn}(${e.args.map(showE).join(', ')})`;
    case 'not':
      return `!(${showE(e.e)})`;
    case 'bin':
      return `(${showE(e.l)} ${e.op} ${showE(e.r)})`;
  }
}

function showS(s: LStmt, ind: string): string[] {
  switch (s.k) {
    case 'decl':
      return [`${ind}${s.type.replace(/\*+$/, '')} ${s.type.match(/\*+$/)?.[0] ?? ''}${s.name}${s.init ? ` = ${showE(s.init)}` : ''};`];
    case 'assign':
      return [`${ind}${showE(s.target)} = ${showE(s.value)};`];
    case 'call':
      return [`${ind}${s.fn}(${s.args.map(showE).join(', ')});`];
    case 'if':
      return [`${ind}if (${showE(s.cond)}) {`, ...s.then.flatMap((x) => showS(x, ind + '\t')), `${ind}} else {`, ...s.else.flatMap((x) => showS(x, ind + '\t')), `${ind}}`];
  }
}

function showC(c: LCond): string {
  switch (c.k) {
    case 'eq':
      return `${c.proc !== undefined ? `${c.proc}:` : ''}${c.name}=${c.value}`;
    case 'and':
      return `(${showC(c.l)} /\\ ${showC(c.r)})`;
    case 'or':
      return `(${showC(c.l)} \\/ ${showC(c.r)})`;
    case 'not':
      return `~${showC(c.e)}`;
    case 'true':
      return 'true';
  }
}

/** A litmus test as text parseLitmus reads back to the same value. */
export function formatLitmus(l: Litmus): string {
  const out = [`C ${l.name}`, '', ...(l.result ? [`(*\n * Result: ${l.result}\n *)`, ''] : [])];
  out.push('{');
  for (const v of l.init) out.push(`\t${v.type.replace(/\*+$/, '')} ${v.type.match(/\*+$/)?.[0] ?? ''}${v.name}${v.value !== undefined ? ` = ${v.value}` : ''};`);
  out.push('}', '');
  for (const p of l.procs) {
    out.push(`${p.name}(${p.params.map((x) => `${x.type.replace(/\*+$/, '')} ${x.type.match(/\*+$/)?.[0] ?? ''}${x.name}`).join(', ')})`, '{');
    for (const s of p.body) out.push(...showS(s, '\t'));
    out.push('}', '');
  }
  out.push(`exists ${showC(l.exists)}`);
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- translation

const BARRIERS = new Set(['smp_mb', 'smp_wmb', 'smp_rmb', 'smp_mb__after_spinlock']);
const UNSUPPORTED: Record<string, string> = {
  spin_is_locked: 'spin_is_locked() reads a lock word with its own LKMM rules; the model has no such read',
  rcu_dereference: 'an address dependency through a pointer: the model has no pointers',
  rcu_assign_pointer: 'publishes a pointer: the model has no pointers',
  rcu_read_lock: "RCU's grace-period guarantee is not part of the memory model here",
  synchronize_rcu: "RCU's grace-period guarantee is not part of the memory model here",
  xchg: 'a value-returning atomic exchange is not translated',
  cmpxchg: 'a value-returning atomic compare-and-exchange is not translated',
};

/** Why a test cannot be expressed, or undefined when it can. */
export function untranslatable(l: Litmus): string | undefined {
  for (const v of l.init) if (v.type.includes('*') || typeof v.value === 'string') return `the initial state holds a pointer (${v.name}): the model has no pointers`;
  const walkE = (e: LExpr): string | undefined => {
    if (e.k === 'call') {
      if (UNSUPPORTED[e.fn]) return `${e.fn}(): ${UNSUPPORTED[e.fn]}`;
      if (e.fn.startsWith('atomic') || e.fn.startsWith('srcu')) return `${e.fn}() is not translated`;
      if (!['READ_ONCE', 'smp_load_acquire'].includes(e.fn)) return `${e.fn}() is not translated`;
      return e.args.map(walkE).find((x) => x !== undefined);
    }
    if (e.k === 'bin') return walkE(e.l) ?? walkE(e.r);
    if (e.k === 'not') return walkE(e.e);
    return undefined;
  };
  const walkS = (ss: LStmt[]): string | undefined => {
    for (const s of ss) {
      const why =
        s.k === 'decl'
          ? s.type.includes('*') ? `a pointer register (${s.type} ${s.name}): the model has no pointers or address dependencies` : s.init ? walkE(s.init) : undefined
          : s.k === 'assign'
            ? walkE(s.target) ?? walkE(s.value)
            : s.k === 'call'
              ? UNSUPPORTED[s.fn] ? `${s.fn}(): ${UNSUPPORTED[s.fn]}` : BARRIERS.has(s.fn) || ['WRITE_ONCE', 'smp_store_release', 'spin_lock', 'spin_unlock'].includes(s.fn) ? s.args.map(walkE).find((x) => x !== undefined) : `${s.fn}() is not translated`
              : walkE(s.cond) ?? walkS(s.then) ?? walkS(s.else);
      if (why) return why;
    }
    return undefined;
  };
  for (const p of l.procs) {
    const why = walkS(p.body);
    if (why) return why;
  }
  const walkC = (c: LCond): string | undefined =>
    c.k === 'eq' ? (typeof c.value === 'string' ? `the exists clause compares a pointer (${c.name}=${c.value})` : undefined) : c.k === 'not' ? walkC(c.e) : c.k === 'true' ? undefined : walkC(c.l) ?? walkC(c.r);
  return walkC(l.exists);
}

/**
 * The scenario YAML for a litmus test under `model`: one thread per process, registers as
 * locals copied to ghost globals `P<n>_<reg>` at the end, the exists clause as the final
 * `never`, which holds exactly when herd7 would say "Never". Throws SimError (SIM_INVALID)
 * with untranslatable()'s reason for a test it cannot express.
 */
export function litmusToScenario(l: Litmus, model: 'sc' | 'tso' | 'lkmm-lite' = 'lkmm-lite'): string {
  const why = untranslatable(l);
  if (why) throw new SimError('SIM_INVALID', `${l.name}: cannot be expressed: ${why}`);
  const shared = new Map<string, number>();
  const locks = new Set<string>();
  for (const v of l.init) {
    if (v.type.startsWith('spinlock_t')) locks.add(v.name);
    else shared.set(v.name, typeof v.value === 'number' ? v.value : 0);
  }
  for (const p of l.procs) {
    for (const x of p.params) {
      if (x.type.startsWith('spinlock_t')) locks.add(x.name);
      else if (!shared.has(x.name)) shared.set(x.name, 0);
    }
  }
  const ghosts: string[] = [];
  const id = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');
  const threads = l.procs.map((p) => {
    const regs = new Set<string>();
    const collect = (ss: LStmt[]): void => {
      for (const s of ss) {
        if (s.k === 'decl') regs.add(s.name);
        if (s.k === 'if') (collect(s.then), collect(s.else));
      }
    };
    collect(p.body);
    let n = 0;
    const ex = (e: LExpr): string => {
      switch (e.k) {
        case 'int':
          return String(e.v);
        case 'reg':
        case 'name':
          if (regs.has(e.name)) return `r_${id(e.name)}`;
          if (shared.has(e.name)) return e.name;
          throw new SimError('SIM_INVALID', `${l.name}: ${p.name} uses '${e.name}', neither a register nor a shared variable`);
        case 'deref':
          return e.name;
        case 'not':
          return `!(${ex(e.e)})`;
        case 'bin':
          return `(${ex(e.l)} ${e.op} ${ex(e.r)})`;
        case 'call': {
          const arg = e.args[0];
          if (!arg) throw new SimError('SIM_INVALID', `${l.name}: ${e.fn}() without an argument`);
          return e.fn === 'smp_load_acquire' ? `smp_load_acquire(${ex(arg)})` : `READ_ONCE(${ex(arg)})`;
        }
      }
    };
    const steps = (ss: LStmt[], ind: string): string[] => {
      const out: string[] = [];
      for (const s of ss) {
        const sid = `s${++n}`;
        if (s.k === 'decl') {
          if (s.init) out.push(`${ind}- { id: ${sid}, do: ["r_${id(s.name)} = ${ex(s.init)}"] }`);
          else n--;
        } else if (s.k === 'assign') {
          out.push(`${ind}- { id: ${sid}, do: ["${ex(s.target)} = ${ex(s.value)}"] }`);
        } else if (s.k === 'call') {
          if (s.fn === 'WRITE_ONCE' || s.fn === 'smp_store_release') {
            const a = s.args.map(ex);
            out.push(`${ind}- { id: ${sid}, do: ["${s.fn}(${a[0]}, ${a[1]})"] }`);
          }
          else if (s.fn === 'spin_lock' || s.fn === 'spin_unlock') out.push(`${ind}- { id: ${sid}, ${s.fn === 'spin_lock' ? 'lock' : 'unlock'}: ${s.args[0] && (s.args[0].k === 'name' || s.args[0].k === 'deref') ? s.args[0].name : '?'} }`);
          else out.push(`${ind}- { id: ${sid}, barrier: ${s.fn === 'smp_mb__after_spinlock' ? 'smp_mb' : s.fn} }`);
        } else {
          const then = steps(s.then, `${ind}    `);
          const els = steps(s.else, `${ind}    `);
          out.push(`${ind}- id: ${sid}`, `${ind}  if: "${ex(s.cond)}"`, `${ind}  then:${then.length ? '' : ' []'}`, ...then, ...(els.length ? [`${ind}  else:`, ...els] : []));
        }
      }
      return out;
    };
    const body = steps(p.body, '      ');
    const outs = [...regs].map((r) => {
      const g = `${p.name}_${id(r)}`;
      ghosts.push(g);
      return `${g} = r_${id(r)}`;
    });
    // The registers' final values, for the exists clause: read (so every pending load is done) into ghosts.
    if (outs.length) body.push(`      - { id: out, do: [${outs.map((o) => `"${o}"`).join(', ')}] }`);
    const locals = [...regs].map((r) => `r_${id(r)}: 0`).join(', ');
    return [`  ${p.name}:`, `    fn: litmus/${id(l.name)}.litmus:${p.name}`, ...(locals ? [`    locals: { ${locals} }`] : []), `    steps:`, ...(body.length ? body : ['      - { id: nop, do: [] }'])].join('\n');
  });
  const cond = (c: LCond): string => {
    switch (c.k) {
      case 'eq':
        return c.proc !== undefined ? `P${c.proc}_${id(c.name)} == ${c.value}` : `${c.name} == ${c.value}`;
      case 'and':
        return `(${cond(c.l)} && ${cond(c.r)})`;
      case 'or':
        return `(${cond(c.l)} || ${cond(c.r)})`;
      case 'not':
        return `!(${cond(c.e)})`;
      case 'true':
        return '1';
    }
  };
  const vars = [...[...shared].map(([k, v]) => `${k}: ${v}`), ...ghosts.map((g) => `${g}: 0`)].join(', ');
  return [
    `id: ${id(l.name).toLowerCase().replace(/_/g, '-')}`,
    `title: "litmus ${l.name}"`,
    `description: "Translated from tools/memory-model/litmus-tests/${l.name}.litmus; LKMM says: ${l.result ?? 'unknown'}."`,
    ghosts.length ? `memory: { model: ${model}, ghost: [${ghosts.join(', ')}] }` : `memory: ${model}`,
    `vars: { ${vars} }`,
    ...(locks.size ? [`locks: { ${[...locks].map((x) => `${x}: spinlock`).join(', ')} }`] : []),
    'threads:',
    ...threads,
    'finals:',
    `  - { name: never, expr: "!(${cond(l.exists)})", says: "the exists clause is never satisfied" }`,
    'configs:',
    `  all: { run: [${l.procs.map((p) => p.name).join(', ')}] }`,
    '',
  ].join('\n');
}

/**
 * Tests this model expresses but answers differently from the LKMM, and why. Memory here
 * is multi-copy atomic -- one memory, a committed store is seen by everyone at once -- so a
 * store that is later in coherence order is also later in time. The LKMM lets these Z6.0
 * shapes happen because an unlock->lock or release->acquire chain into a store that is
 * overwritten (a coherence edge, not a reads-from edge) orders nothing for a third CPU
 * unless strong fences sit on both sides; only a non-multi-copy-atomic (per-CPU view)
 * model allows them.
 */
export const LITMUS_DEVIATIONS: Record<string, string> = {
  'Z6.0+pooncelock+pooncelock+pombonce': 'multi-copy atomic memory: the unlock->lock chain into z=1, overwritten by z=2, already orders x=1 before P2 reads x',
  'Z6.0+pooncerelease+poacquirerelease+fencembonceonce': 'multi-copy atomic memory: the release->acquire chain into z=1, overwritten by z=2, already orders x=1 before P2 reads x',
  'Z6.0+pooncerelease+poacquirerelease+mbonceonce': 'multi-copy atomic memory: the release->acquire chain into z=1, overwritten by z=2, already orders x=1 before P2 reads x',
};
