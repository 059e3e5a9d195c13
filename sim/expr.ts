// The expression language of sim/FORMAT.md: integers/booleans, variables, folio fields,
// xarray slots, comparisons, + and -, and/or/not, and a few kernel helpers (xa_is_value(),
// READ_ONCE(), ...). Kept this small on purpose so every expression has a literal Promela
// translation. Pure: names are resolved through a callback.
import { BUILTINS, FOLIO_FIELDS, XA_RETRY, type Assign, type BinOp, type Builtin, type Expr, type FolioField, type Leaf, type LValue, type Pos } from './ast.ts';
import { SimError } from './errors.ts';

/** What a bare name refers to in the scope an expression is parsed in. */
export type NameKind = 'global' | 'local' | 'folio' | 'lock' | 'xarray' | undefined;
/** `xaSize` gives an xarray's size, so a slot index is checked where it is written. */
export type Resolver = ((name: string) => NameKind) & { xaSize?: (name: string) => number };

/** Marked loads: all three read one location; acquire orders what follows after it. */
const LOADS: Record<string, 'once' | 'acquire'> = { READ_ONCE: 'once', rcu_dereference: 'once', smp_load_acquire: 'acquire' };
/** Marked stores, written as statements: `WRITE_ONCE(x, v)`. */
const STORES: Record<string, 'once' | 'release'> = { WRITE_ONCE: 'once', smp_store_release: 'release', rcu_assign_pointer: 'release' };
const CONSTANTS: Record<string, number> = { NULL: 0, XA_RETRY_ENTRY: XA_RETRY };

type Tok = { t: 'int'; v: number; at: number } | { t: 'name'; v: string; at: number } | { t: 'op'; v: string; at: number };

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '!', '(', ')', '.', '=', '[', ']', ','];

function tokenize(text: string, pos: Pos): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const num = /^[0-9]+/.exec(text.slice(i));
    if (num) {
      const v = Number(num[0]);
      if (v > 2 ** 31 - 1) throw err(pos, i, `integer ${num[0]} does not fit in 32 bits`);
      out.push({ t: 'int', v, at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw err(pos, i, `unexpected character '${c}' in expression '${text}'`);
    out.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  return out;
}

function err(pos: Pos, offset: number, msg: string): SimError {
  return new SimError('SIM_INVALID', msg, { ...pos, col: pos.col + offset });
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly text: string,
    private readonly pos: Pos,
    private readonly resolve: Resolver,
  ) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  fail(msg: string): SimError {
    const t = this.peek();
    return err(this.pos, t ? t.at : this.text.length, `${msg} in '${this.text}'`);
  }

  done(): void {
    if (this.peek()) throw this.fail(`unexpected '${String(this.peek()!.v)}'`);
  }

  expr(): Expr {
    return this.binary(0);
  }

  // Precedence levels, loosest first, as in C (and Promela): `!` and unary `-` bind
  // tightest, so `!a == b` is `(!a) == b`, which is what a kernel developer reads.
  private static readonly LEVELS: BinOp[][] = [['||'], ['&&'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-']];

  private binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    const ops = Parser.LEVELS[level]!;
    let l = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (!t || t.t !== 'op' || !(ops as string[]).includes(t.v)) return l;
      this.i++;
      const r = this.binary(level + 1);
      l = { k: 'bin', op: t.v as BinOp, l, r };
      // Comparisons do not chain: `a < b < c` is almost always a mistake.
      if (level === 2) {
        const n = this.peek();
        if (n && n.t === 'op' && (ops as string[]).includes(n.v)) throw this.fail('comparisons do not chain; add parentheses');
        return l;
      }
    }
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.i++;
      return { k: 'neg', e: this.unary() };
    }
    if (this.isOp('!')) {
      this.i++;
      return { k: 'not', e: this.unary() };
    }
    return this.atom();
  }

  private atom(): Expr {
    const t = this.peek();
    if (!t) throw this.fail('expected a value');
    if (t.t === 'int') {
      this.i++;
      return { k: 'int', v: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      this.i++;
      const e = this.expr();
      if (!this.isOp(')')) throw this.fail("expected ')'");
      this.i++;
      return e;
    }
    if (t.t === 'name') {
      const next = this.toks[this.i + 1];
      if (next && next.t === 'op' && next.v === '(' && this.resolve(t.v) === undefined) return this.call();
      return this.name();
    }
    throw this.fail(`expected a value, got '${t.v}'`);
  }

  /** `xa_is_value(e)`, `folio(H)`, `READ_ONCE(x)`, ...: a name that is not declared, then `(`. */
  private call(): Expr {
    const t = this.peek() as Tok & { t: 'name' };
    this.i += 2;
    let out: Expr;
    if (t.v === 'folio') {
      const f = this.peek();
      if (!f || f.t !== 'name' || this.resolve(f.v) !== 'folio') throw this.fail("folio() takes a folio's name");
      this.i++;
      out = { k: 'folio', folio: f.v };
    } else if (t.v in LOADS) {
      const at = this.peek();
      const e = this.name();
      if (e.k !== 'var' && e.k !== 'field' && e.k !== 'xa') throw err(this.pos, at?.at ?? 0, `${t.v}() reads a variable, a folio field or an xarray slot, in '${this.text}'`);
      out = { k: 'load', order: LOADS[t.v]!, e };
    } else if ((BUILTINS as readonly string[]).includes(t.v)) {
      out = { k: 'call', fn: t.v as Builtin, arg: this.expr() };
    } else {
      throw err(this.pos, t.at, `unknown function '${t.v}' (have: folio, ${Object.keys(LOADS).join(', ')}, ${BUILTINS.join(', ')}) in '${this.text}'`);
    }
    if (!this.isOp(')')) throw this.fail("expected ')'");
    this.i++;
    return out;
  }

  /** A variable, `true`/`false`, a constant, `FOLIO.FIELD` or `XARRAY[index]`. */
  name(): Expr & LValue {
    const t = this.peek();
    if (!t || t.t !== 'name') throw this.fail('expected a name');
    this.i++;
    if (t.v === 'true' || t.v === 'false') return { k: 'int', v: t.v === 'true' ? 1 : 0 } as never;
    const kind = this.resolve(t.v);
    if (kind === undefined && t.v in CONSTANTS) return { k: 'int', v: CONSTANTS[t.v]! } as never;
    if (kind === 'xarray') {
      if (!this.isOp('[')) throw err(this.pos, t.at, `xarray '${t.v}' needs an index, like ${t.v}[0], in '${this.text}'`);
      this.i++;
      const ix = this.peek();
      if (!ix || ix.t !== 'int') throw this.fail('expected a constant index');
      this.i++;
      const size = this.resolve.xaSize?.(t.v);
      if (size !== undefined && ix.v >= size) throw err(this.pos, ix.at, `index ${ix.v} is outside xarray '${t.v}' (size ${size}) in '${this.text}'`);
      if (!this.isOp(']')) throw this.fail("expected ']'");
      this.i++;
      return { k: 'xa', xa: t.v, index: ix.v } as never;
    }
    if (kind === 'folio') {
      if (!this.isOp('.')) throw err(this.pos, t.at, `folio '${t.v}' needs a field (${FOLIO_FIELDS.join(', ')}) in '${this.text}'`);
      this.i++;
      const f = this.peek();
      if (!f || f.t !== 'name' || !(FOLIO_FIELDS as readonly string[]).includes(f.v)) {
        throw this.fail(`expected a folio field (${FOLIO_FIELDS.join(', ')})`);
      }
      this.i++;
      return { k: 'field', folio: t.v, field: f.v as Exclude<FolioField, 'locked'> };
    }
    if (kind === 'global' || kind === 'local') return { k: 'var', name: t.v, scope: kind };
    if (kind === 'lock') throw err(this.pos, t.at, `'${t.v}' is a lock, not a value, in '${this.text}'`);
    throw err(this.pos, t.at, `unknown name '${t.v}' (not a variable, local or folio) in '${this.text}'`);
  }

  lvalue(): LValue {
    const at = this.peek();
    const e = this.name() as Expr;
    if (e.k === 'int') throw err(this.pos, at?.at ?? 0, `cannot assign to a constant in '${this.text}'`);
    if (e.k === 'field' && e.field === 'locked') {
      throw err(this.pos, at?.at ?? 0, `'locked' changes only through lock/unlock/trylock, in '${this.text}'`);
    }
    return e as LValue;
  }

  expectOp(v: string): void {
    if (!this.isOp(v)) throw this.fail(`expected '${v}'`);
    this.i++;
  }

  /** `WRITE_ONCE(x, v)`-style stores; undefined when the text does not start with one. */
  markedStore(): Assign | undefined {
    const t = this.peek();
    const open = this.toks[this.i + 1];
    if (!t || t.t !== 'name' || !(t.v in STORES) || !open || open.t !== 'op' || open.v !== '(' || this.resolve(t.v) !== undefined) return undefined;
    this.i += 2;
    const target = this.lvalue();
    this.expectOp(',');
    const value = this.expr();
    this.expectOp(')');
    return { target, value, order: STORES[t.v]! };
  }
}

export function parseExpr(text: string, pos: Pos, resolve: Resolver): Expr {
  const p = new Parser(tokenize(text, pos), text, pos, resolve);
  const e = p.expr();
  p.done();
  return e;
}

/** `lvalue = expr`, or a marked store: `WRITE_ONCE(x, e)`, `smp_store_release(x, e)`, `rcu_assign_pointer(x, e)`. */
export function parseAssign(text: string, pos: Pos, resolve: Resolver): Assign {
  const p = new Parser(tokenize(text, pos), text, pos, resolve);
  const marked = p.markedStore();
  if (marked) {
    p.done();
    return marked;
  }
  const target = p.lvalue();
  p.expectOp('=');
  const value = p.expr();
  p.done();
  return { target, value };
}

export function parseLValue(text: string, pos: Pos, resolve: Resolver): LValue {
  const p = new Parser(tokenize(text, pos), text, pos, resolve);
  const v = p.lvalue();
  p.done();
  return v;
}

/** Canonical text of an expression (used in witnesses, errors and the exporter's comments). */
export function showExpr(e: Expr): string {
  switch (e.k) {
    case 'int':
      return String(e.v);
    case 'var':
      return e.name;
    case 'field':
      return `${e.folio}.${e.field}`;
    case 'xa':
      return `${e.xa}[${e.index}]`;
    case 'folio':
      return `folio(${e.folio})`;
    case 'call':
      return `${e.fn}(${showExpr(e.arg)})`;
    case 'load':
      return `${e.order === 'acquire' ? 'smp_load_acquire' : 'READ_ONCE'}(${showExpr(e.e)})`;
    case 'not':
      return `!${wrap(e.e)}`;
    case 'neg':
      return `-${wrap(e.e)}`;
    case 'bin':
      return `${wrap(e.l)} ${e.op} ${wrap(e.r)}`;
  }
}

function wrap(e: Expr): string {
  return e.k === 'bin' ? `(${showExpr(e)})` : showExpr(e);
}

/** Canonical text of an assignment, marked stores as written. */
export function showAssign(a: Assign): string {
  const t = showExpr(a.target as Expr);
  if (a.order === 'once') return `WRITE_ONCE(${t}, ${showExpr(a.value)})`;
  if (a.order === 'release') return `smp_store_release(${t}, ${showExpr(a.value)})`;
  return `${t} = ${showExpr(a.value)}`;
}

/** Every variable, folio field and xarray slot an expression reads (marked loads included). */
export function leaves(e: Expr, out: Leaf[] = []): Leaf[] {
  switch (e.k) {
    case 'var':
    case 'field':
    case 'xa':
      out.push(e);
      break;
    case 'load':
      out.push(e.e);
      break;
    case 'call':
    case 'not':
    case 'neg':
      leaves(e.k === 'call' ? e.arg : e.e, out);
      break;
    case 'bin':
      leaves(e.l, out);
      leaves(e.r, out);
      break;
    default:
      break;
  }
  return out;
}

/** An xarray entry as a reader sees it: `NULL`, `folio H`, `value 3`, `retry`. */
export function showEntry(v: number, folios: readonly string[]): string {
  if (v === 0) return 'NULL';
  if (v === XA_RETRY) return 'retry';
  if (v < XA_RETRY) return `value ${-v - 2}`;
  return `folio ${folios[v - 1] ?? `#${v}`}`;
}
