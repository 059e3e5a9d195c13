// Scenario + variant + config -> Program: applies the variant's edits, expands macros,
// thread parameters and `foreach`, and parses every expression against the names in
// scope. Errors point at the YAML position of the text that failed.
import type {
  Edit,
  Expr,
  FolioDecl,
  KernelRef,
  LockKind,
  LockRef,
  LockMode,
  Pos,
  Program,
  RawStep,
  RawXaEntry,
  Scenario,
  Src,
  Stmt,
  ThreadInstance,
  VarDecl,
  XarrayDecl,
} from './ast.ts';
import { SimError } from './errors.ts';
import { parseAssign, parseExpr, parseLValue, type NameKind, type Resolver } from './expr.ts';

type Env = Record<string, string>;

export function instantiate(sc: Scenario, variantName: string, configName: string): Program {
  const variant = sc.variants.get(variantName);
  if (!variant) throw new SimError('SIM_NOT_FOUND', `${sc.id}: no variant '${variantName}' (have: ${[...sc.variants.keys()].join(', ')})`);
  const config = sc.configs.get(configName);
  if (!config) throw new SimError('SIM_NOT_FOUND', `${sc.id}: no config '${configName}' (have: ${[...sc.configs.keys()].join(', ')})`);

  // Edits rewrite private copies of the step lists they name.
  const bodies = new Map<string, RawStep[]>();
  for (const [n, t] of sc.threads) bodies.set(`thread:${n}`, t.steps);
  for (const [n, m] of sc.macros) bodies.set(`macro:${n}`, m.steps);
  for (const ed of variant.edits) applyEdit(sc, bodies, ed);

  const folioNames = new Set(sc.folios.map((f) => f.name));
  const lockKinds = new Map(sc.locks.map((l) => [l.name, l.kind]));
  const globals = new Set(sc.vars.map((v) => v.name));
  const xaSizes = new Map(sc.xarrays.map((x) => [x.name, x.size]));
  const withXa = (r: (name: string) => NameKind): Resolver => Object.assign(r, { xaSize: (n: string) => xaSizes.get(n) ?? 0 });
  // A config's memory model keeps the scenario's ghost variables unless it names its own.
  const memory = config.memory ? { ...config.memory, ghost: config.memory.ghost.length ? config.memory.ghost : sc.memory.ghost } : sc.memory;
  for (const g of memory.ghost) {
    if (!globals.has(g)) throw new SimError('SIM_INVALID', `memory: ghost '${g}' is not a declared variable`, config.pos);
  }

  const vars: VarDecl[] = sc.vars.map((v) => ({ ...v }));
  for (const [name, value] of Object.entries(config.initVars)) {
    const v = vars.find((x) => x.name === name);
    if (!v) throw new SimError('SIM_INVALID', `config '${configName}' sets unknown variable '${name}'`, config.pos);
    v.init = value;
  }
  const folios: FolioDecl[] = sc.folios.map((f) => ({ name: f.name, init: { ...f.init } }));
  for (const [name, fields] of Object.entries(config.initFolios)) {
    const f = folios.find((x) => x.name === name);
    if (!f) throw new SimError('SIM_INVALID', `config '${configName}' sets unknown folio '${name}'`, config.pos);
    Object.assign(f.init, fields);
  }
  for (const f of folios) {
    if (f.init.locked) throw new SimError('SIM_INVALID', `folio '${f.name}' cannot start locked: nobody would own the lock`, config.pos);
  }

  const instances = new Set<string>();
  const threads: ThreadInstance[] = config.run.map((r) => {
    const t = sc.threads.get(r.thread);
    if (!t) throw new SimError('SIM_INVALID', `config '${configName}' runs unknown thread '${r.thread}' (have: ${[...sc.threads.keys()].join(', ')})`, r.pos);
    if (instances.has(r.as)) throw new SimError('SIM_INVALID', `config '${configName}' runs two threads named '${r.as}'; give one 'as:'`, r.pos);
    instances.add(r.as);
    const env: Env = {};
    for (const p of t.params) {
      const a = r.args[p];
      if (!a) throw new SimError('SIM_INVALID', `thread '${r.thread}' needs argument '${p}'`, r.pos);
      env[p] = a.text;
    }
    for (const k of Object.keys(r.args)) if (!t.params.includes(k)) throw new SimError('SIM_INVALID', `thread '${r.thread}' has no parameter '${k}'`, r.args[k]!.pos);
    const localNames = new Set(t.locals.map((l) => l.name));
    const resolve: Resolver = withXa((name): NameKind =>
      localNames.has(name) ? 'local' : globals.has(name) ? 'global' : folioNames.has(name) ? 'folio' : lockKinds.has(name) ? 'lock' : xaSizes.has(name) ? 'xarray' : undefined);
    const ex = new Expander(sc, bodies, resolve, folioNames, lockKinds);
    const body = ex.expand(bodies.get(`thread:${t.name}`)!, env, '', t.fn, []);
    checkIds(body, r.as);
    requireFn(body);
    return { name: r.as, template: t.name, locals: t.locals.map((l) => ({ ...l })), body };
  });

  const gResolve: Resolver = withXa((name) =>
    globals.has(name) ? 'global' : folioNames.has(name) ? 'folio' : lockKinds.has(name) ? 'lock' : xaSizes.has(name) ? 'xarray' : undefined);
  const folioList = sc.folios.map((f) => f.name);
  const xarrays: XarrayDecl[] = sc.xarrays.map((x) => ({
    name: x.name,
    size: x.size,
    entries: (config.initXarrays[x.name] ?? x.entries).map((e) => ({ index: e.index, order: e.order, entry: entryConstant(e, gResolve, folioList) })),
    pos: x.pos,
  }));
  for (const x of xarrays) checkDisjoint(x);
  const prop = (p: Scenario['invariants'][number]): Program['invariants'][number] => ({
    name: p.name,
    expr: parseExpr(p.expr.text, p.expr.pos, gResolve),
    ...(p.says !== undefined ? { says: p.says } : {}),
    pos: p.pos,
  });

  return {
    scenario: sc.id,
    variant: variantName,
    config: configName,
    folios,
    vars,
    locks: sc.locks.map((l) => ({ ...l })),
    xarrays,
    memory: { ...memory, ghost: [...memory.ghost] },
    threads,
    invariants: sc.invariants.map(prop),
    finals: sc.finals.map(prop),
  };
}

// ---------------------------------------------------------------- edits

function applyEdit(sc: Scenario, bodies: Map<string, RawStep[]>, ed: Edit): void {
  const key = sc.threads.has(ed.in) ? `thread:${ed.in}` : sc.macros.has(ed.in) ? `macro:${ed.in}` : undefined;
  if (!key) throw new SimError('SIM_INVALID', `edit names unknown thread or macro '${ed.in}'`, ed.pos);
  const next = editList(bodies.get(key)!, ed);
  if (!next) throw new SimError('SIM_INVALID', `edit: no step '${ed.target}' in '${ed.in}'`, ed.pos);
  bodies.set(key, next);
}

/** Returns a new list with the edit applied, or undefined when the target is not in it. */
function editList(list: RawStep[], ed: Edit): RawStep[] | undefined {
  const i = list.findIndex((s) => s.id === ed.target);
  if (i >= 0) {
    const out = list.slice();
    switch (ed.op) {
      case 'insert_before':
        out.splice(i, 0, ...ed.steps);
        break;
      case 'insert_after':
        out.splice(i + 1, 0, ...ed.steps);
        break;
      case 'replace':
        out.splice(i, 1, ...ed.steps);
        break;
      case 'remove':
        out.splice(i, 1);
        break;
    }
    return out;
  }
  for (let j = 0; j < list.length; j++) {
    const s = list[j]!;
    const sub = editInside(s, ed);
    if (sub) {
      const out = list.slice();
      out[j] = sub;
      return out;
    }
  }
  return undefined;
}

function editInside(s: RawStep, ed: Edit): RawStep | undefined {
  switch (s.kind) {
    case 'if': {
      const t = editList(s.then, ed);
      if (t) return { ...s, then: t };
      const e = editList(s.else, ed);
      return e ? { ...s, else: e } : undefined;
    }
    case 'while':
    case 'foreach': {
      const b = editList(s.body, ed);
      return b ? { ...s, body: b } : undefined;
    }
    case 'choice':
      for (let k = 0; k < s.branches.length; k++) {
        const b = editList(s.branches[k]!.body, ed);
        if (b) {
          const branches = s.branches.slice();
          branches[k] = { label: s.branches[k]!.label, body: b };
          return { ...s, branches };
        }
      }
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- expansion

function subst(s: Src, env: Env): Src {
  if (!s.text.includes('$')) return s;
  const text = s.text.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name: string) => {
    const v = env[name];
    if (v === undefined) throw new SimError('SIM_INVALID', `unknown parameter '${m}' in '${s.text}'`, s.pos);
    return v;
  });
  return { text, pos: s.pos };
}

class Expander {
  constructor(
    private readonly sc: Scenario,
    private readonly bodies: Map<string, RawStep[]>,
    private readonly resolve: Resolver,
    private readonly folios: Set<string>,
    private readonly locks: Map<string, LockKind>,
  ) {}

  /** `stack` holds the macros being expanded, to refuse recursion. */
  expand(steps: RawStep[], env: Env, prefix: string, fn: KernelRef | undefined, stack: string[]): Stmt[] {
    const out: Stmt[] = [];
    for (const s of steps) out.push(...this.one(s, env, prefix, fn, stack));
    return out;
  }

  private one(s: RawStep, env: Env, prefix: string, inherited: KernelRef | undefined, stack: string[]): Stmt[] {
    const fn = s.fn ?? inherited;
    const id = prefix + s.id;
    const base = { id, fn: fn ?? { file: '', func: '' }, pos: s.pos };
    const expr = (x: Src) => {
      const t = subst(x, env);
      return parseExpr(t.text, t.pos, this.resolve);
    };
    switch (s.kind) {
      case 'do':
        return [{
          ...base,
          kind: 'do',
          assigns: s.assigns.map((a) => {
            const t = subst(a, env);
            return parseAssign(t.text, t.pos, this.resolve);
          }),
          ...(s.when ? { when: expr(s.when) } : {}),
          ...(s.atomic ? { atomic: s.atomic } : {}),
        }];
      case 'lock':
      case 'unlock':
      case 'down_read':
      case 'up_read':
      case 'down_write':
      case 'up_write': {
        const { lock, mode } = this.lockRef(subst(s.lock, env), s.kind);
        return [{ ...base, kind: s.kind === 'lock' || s.kind.startsWith('down') ? 'lock' : 'unlock', lock, mode }];
      }
      case 'trylock':
      case 'down_read_trylock':
      case 'down_write_trylock': {
        const { lock, mode } = this.lockRef(subst(s.lock, env), s.kind);
        const into = subst(s.into, env);
        return [{ ...base, kind: 'trylock', lock, mode, into: parseLValue(into.text, into.pos, this.resolve) }];
      }
      case 'get':
      case 'put':
      case 'try_get':
      case 'freeze':
      case 'unfreeze': {
        const t = subst(s.target, env);
        const target = parseLValue(t.text, t.pos, this.resolve);
        if (target.k === 'xa') throw new SimError('SIM_INVALID', `'${s.kind}' needs a counter (a variable or a folio field), not an xarray slot`, t.pos);
        const into = s.into ? subst(s.into, env) : undefined;
        return [{ ...base, kind: 'ref', op: s.kind, target, n: s.n, ...(into ? { into: parseLValue(into.text, into.pos, this.resolve) } : {}) }];
      }
      case 'rcu_read_lock':
      case 'rcu_read_unlock':
      case 'synchronize_rcu':
        return [{ ...base, kind: s.kind }];
      case 'free':
      case 'call_rcu': {
        const f = subst(s.folio, env);
        const name = f.text.trim();
        if (!this.folios.has(name)) throw new SimError('SIM_INVALID', `'${s.kind}' frees a folio; '${name}' is not one`, f.pos);
        return [{ ...base, kind: 'free', folio: name, rcu: s.kind === 'call_rcu' }];
      }
      case 'xa_store':
      case 'xa_split': {
        const t = subst(s.slot, env);
        const slot = parseLValue(t.text, t.pos, this.resolve);
        if (slot.k !== 'xa') throw new SimError('SIM_INVALID', `'${s.kind}' names an xarray slot like i_pages[0], got '${t.text}'`, t.pos);
        if (slot.index % (1 << s.order) !== 0) throw new SimError('SIM_INVALID', `a multi-index entry of order ${s.order} starts at a multiple of ${1 << s.order}`, t.pos);
        if (slot.index + (1 << s.order) > this.xaSize(slot.xa)) throw new SimError('SIM_INVALID', `order ${s.order} at ${slot.index} does not fit in xarray '${slot.xa}'`, t.pos);
        if (s.kind === 'xa_split') return [{ ...base, kind: 'xa_split', xa: slot.xa, index: slot.index, order: s.order }];
        return [{ ...base, kind: 'xa_store', xa: slot.xa, index: slot.index, order: s.order, value: expr(s.entry) }];
      }
      case 'barrier':
        return [{ ...base, kind: 'barrier', barrier: s.barrier }];
      case 'await':
      case 'assert':
        return [{ ...base, kind: s.kind, cond: expr(s.cond) }];
      case 'if':
        return [{ ...base, kind: 'if', cond: expr(s.cond), then: this.expand(s.then, env, prefix, fn, stack), else: this.expand(s.else, env, prefix, fn, stack) }];
      case 'while':
        return [{ ...base, kind: 'while', cond: expr(s.cond), body: this.expand(s.body, env, prefix, fn, stack) }];
      case 'choice':
        return [{ ...base, kind: 'choice', branches: s.branches.map((b) => ({ label: b.label, body: this.expand(b.body, env, prefix, fn, stack) })) }];
      case 'goto': {
        const t = subst(s.target, env);
        return [{ ...base, kind: 'goto', target: prefix + t.text }];
      }
      case 'exit':
        return [{ ...base, kind: 'exit' }];
      case 'foreach': {
        const over = s.over === 'all' ? [...this.folios] : s.over.map((o) => subst(o, env));
        const out: Stmt[] = [];
        for (const o of over) {
          const name = typeof o === 'string' ? o : o.text;
          if (!this.folios.has(name)) throw new SimError('SIM_INVALID', `foreach: '${name}' is not a folio`, typeof o === 'string' ? s.pos : o.pos);
          // Ids inside an unrolled body get the folio appended so each copy stays addressable.
          const body = this.expand(s.body, { ...env, [s.as]: name }, prefix, fn, stack);
          out.push(...suffixIds(body, `[${name}]`));
        }
        return out;
      }
      case 'call': {
        const m = this.sc.macros.get(s.macro);
        if (!m) throw new SimError('SIM_INVALID', `unknown macro '${s.macro}' (have: ${[...this.sc.macros.keys()].join(', ') || 'none'})`, s.pos);
        if (stack.includes(s.macro)) throw new SimError('SIM_INVALID', `macro '${s.macro}' calls itself (${[...stack, s.macro].join(' -> ')})`, s.pos);
        const inner: Env = {};
        for (const p of m.params) {
          const a = s.args[p];
          if (!a) throw new SimError('SIM_INVALID', `call of '${s.macro}' needs argument '${p}'`, s.pos);
          inner[p] = subst(a, env).text;
        }
        for (const k of Object.keys(s.args)) if (!m.params.includes(k)) throw new SimError('SIM_INVALID', `macro '${s.macro}' has no parameter '${k}'`, s.args[k]!.pos);
        return this.expand(this.bodies.get(`macro:${s.macro}`)!, inner, `${id}/`, s.fn ?? m.fn ?? fn, [...stack, s.macro]);
      }
    }
  }

  private xaSize(name: string): number {
    return this.resolve.xaSize?.(name) ?? 0;
  }

  private lockRef(name: Src, op: string): { lock: LockRef; mode: LockMode } {
    const n = name.text.trim();
    const fail = (msg: string) => new SimError('SIM_INVALID', msg, name.pos);
    const rw = op.startsWith('down_read') || op === 'up_read' ? 'read' : op.startsWith('down_write') || op === 'up_write' ? 'write' : undefined;
    if (this.folios.has(n)) {
      if (rw) throw fail(`'${op}' needs an rwsem; '${n}' is a folio (use lock/unlock)`);
      return { lock: { type: 'folio', name: n }, mode: 'exclusive' };
    }
    const kind = this.locks.get(n);
    if (!kind) throw fail(`unknown lock '${n}' (not a declared lock or folio)`);
    if (kind === 'rwsem') {
      if (!rw) throw fail(`'${n}' is an rwsem: use ${op === 'trylock' ? 'down_read_trylock or down_write_trylock' : 'down_read/up_read or down_write/up_write'}`);
      return { lock: { type: 'rwsem', name: n }, mode: rw };
    }
    if (rw) throw fail(`'${op}' needs an rwsem; '${n}' is a ${kind}`);
    return { lock: { type: kind, name: n }, mode: 'exclusive' };
  }
}

function suffixIds(ss: Stmt[], sfx: string, inside: Set<string> = collectIds(ss)): Stmt[] {
  return ss.map((s) => {
    const id = s.id + sfx;
    switch (s.kind) {
      case 'if':
        return { ...s, id, then: suffixIds(s.then, sfx, inside), else: suffixIds(s.else, sfx, inside) };
      case 'while':
        return { ...s, id, body: suffixIds(s.body, sfx, inside) };
      case 'choice':
        return { ...s, id, branches: s.branches.map((b) => ({ label: b.label, body: suffixIds(b.body, sfx, inside) })) };
      case 'goto':
        // Only jumps within the unrolled body follow the copy; a jump out keeps its target.
        return { ...s, id, target: inside.has(s.target) ? s.target + sfx : s.target };
      default:
        return { ...s, id };
    }
  });
}

function requireFn(body: Stmt[]): void {
  for (const s of body) {
    if (s.fn.file === '') throw new SimError('SIM_INVALID', `step '${s.id}' has no 'fn' (kernel file:function) and none to inherit`, s.pos);
    if (s.kind === 'if') (requireFn(s.then), requireFn(s.else));
    else if (s.kind === 'while') requireFn(s.body);
    else if (s.kind === 'choice') for (const b of s.branches) requireFn(b.body);
  }
}

function collectIds(ss: Stmt[], out = new Set<string>()): Set<string> {
  for (const s of ss) {
    out.add(s.id);
    if (s.kind === 'if') (collectIds(s.then, out), collectIds(s.else, out));
    else if (s.kind === 'while') collectIds(s.body, out);
    else if (s.kind === 'choice') for (const b of s.branches) collectIds(b.body, out);
  }
  return out;
}

function checkIds(body: Stmt[], thread: string): void {
  const ids = new Map<string, Pos>();
  const gotos: Stmt[] = [];
  const walk = (ss: Stmt[]): void => {
    for (const s of ss) {
      if (ids.has(s.id)) throw new SimError('SIM_INVALID', `thread '${thread}': step id '${s.id}' is used twice`, s.pos);
      ids.set(s.id, s.pos);
      if (s.kind === 'goto') gotos.push(s);
      if (s.kind === 'if') (walk(s.then), walk(s.else));
      else if (s.kind === 'while') walk(s.body);
      else if (s.kind === 'choice') for (const b of s.branches) walk(b.body);
    }
  };
  walk(body);
  for (const g of gotos) {
    if (g.kind === 'goto' && !ids.has(g.target)) throw new SimError('SIM_INVALID', `thread '${thread}': goto to unknown step '${g.target}'`, g.pos);
  }
}

// ---------------------------------------------------------------- xarray entries

/** An entry as written (`folio(P)`, `xa_mk_value(3)`, `XA_RETRY_ENTRY`, `NULL`) to its encoding (ast.ts XA_RETRY). */
function entryConstant(e: RawXaEntry, resolve: Resolver, folios: string[]): number {
  const x = parseExpr(e.entry.text, e.entry.pos, resolve);
  const v = constValue(x, folios);
  if (v === undefined) throw new SimError('SIM_INVALID', `an initial xarray entry is a constant like folio(P), xa_mk_value(3), XA_RETRY_ENTRY or NULL, got '${e.entry.text}'`, e.entry.pos);
  return v;
}

function constValue(e: Expr, folios: string[]): number | undefined {
  if (e.k === 'int') return e.v;
  if (e.k === 'folio') return folios.indexOf(e.folio) + 1;
  if (e.k === 'neg') {
    const v = constValue(e.e, folios);
    return v === undefined ? undefined : -v;
  }
  if (e.k === 'call' && e.fn === 'xa_mk_value') {
    const v = constValue(e.arg, folios);
    return v === undefined || v < 0 ? undefined : -(v + 2);
  }
  return undefined;
}

function checkDisjoint(x: XarrayDecl): void {
  const used = new Set<number>();
  for (const e of x.entries) {
    for (let i = e.index; i < e.index + (1 << e.order); i++) {
      if (used.has(i)) throw new SimError('SIM_INVALID', `xarray '${x.name}': index ${i} is given two entries`, x.pos);
      used.add(i);
    }
  }
}
