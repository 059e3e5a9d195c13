// YAML text -> Scenario, validated against the schema in sim/FORMAT.md. Every error
// names the file, line and column and says what was expected there, because the people
// writing scenarios are kernel reviewers, not the authors of this parser.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YNode, type Pair, type YAMLMap } from 'yaml';
import {
  BARRIERS,
  FOLIO_FIELDS,
  MEMORY_MODELS,
  VERDICTS,
  type BarrierKind,
  type ConfigDecl,
  type MemoryDecl,
  type MemoryModelName,
  type RawXaEntry,
  type Edit,
  type Expectation,
  type FolioDecl,
  type FolioField,
  type KernelRef,
  type LockDecl,
  type MacroDecl,
  type Pos,
  type RawProperty,
  type RawStep,
  type Scenario,
  type Src,
  type ThreadRun,
  type ThreadTemplate,
  type VarDecl,
  type VariantDecl,
  type Verdict,
} from './ast.ts';
import { SimError } from './errors.ts';

const ID_RE = /^[A-Za-z0-9_.-]+$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Ctx {
  readonly lc = new LineCounter();
  constructor(readonly file: string) {}

  pos(node: YNode | Pair | null | undefined): Pos {
    const off = node && 'range' in node && node.range ? node.range[0] : 0;
    const { line, col } = this.lc.linePos(off);
    return { file: this.file, line, col };
  }

  fail(node: YNode | null | undefined, msg: string): SimError {
    return new SimError('SIM_INVALID', msg, this.pos(node));
  }
}

type Entry = { key: string; keyNode: YNode; value: YNode | null };

function entries(c: Ctx, node: YNode | null | undefined, what: string, allowed?: readonly string[]): Entry[] {
  if (!isMap(node)) throw c.fail(node, `expected ${what} (a mapping)`);
  const out: Entry[] = [];
  const seen = new Set<string>();
  for (const p of (node as YAMLMap<YNode, YNode | null>).items) {
    const k = p.key;
    if (!isScalar(k) || (typeof k.value !== 'string' && typeof k.value !== 'number')) throw c.fail(k, `expected a plain key in ${what}`);
    const key = String(k.value);
    if (seen.has(key)) throw c.fail(k, `duplicate key '${key}' in ${what}`);
    seen.add(key);
    if (allowed && !allowed.includes(key)) throw c.fail(k, `unknown key '${key}' in ${what}; expected one of: ${allowed.join(', ')}`);
    out.push({ key, keyNode: k, value: p.value ?? null });
  }
  return out;
}

function field(es: Entry[], key: string): Entry | undefined {
  return es.find((e) => e.key === key);
}

function str(c: Ctx, node: YNode | null | undefined, what: string): string {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') throw c.fail(node, `expected ${what} (a string)`);
  return String(node.value);
}

function src(c: Ctx, node: YNode | null | undefined, what: string): Src {
  const text = str(c, node, what);
  const p = c.pos(node);
  // Quoted scalars start one column before their text.
  const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
  return { text, pos: quoted ? { ...p, col: p.col + 1 } : p };
}

function int(c: Ctx, node: YNode | null | undefined, what: string): number {
  if (isScalar(node)) {
    if (typeof node.value === 'boolean') return node.value ? 1 : 0;
    if (typeof node.value === 'number' && Number.isInteger(node.value) && Math.abs(node.value) < 2 ** 31) return node.value;
  }
  throw c.fail(node, `expected ${what} (an integer or true/false)`);
}

function seq(c: Ctx, node: YNode | null | undefined, what: string): YNode[] {
  if (!isSeq(node)) throw c.fail(node, `expected ${what} (a list)`);
  return node.items as YNode[];
}

function ident(c: Ctx, node: YNode, what: string, re = NAME_RE): string {
  const s = str(c, node, what);
  if (!re.test(s)) throw c.fail(node, `expected ${what} matching ${re.source}, got '${s}'`);
  return s;
}

function kernelRef(c: Ctx, node: YNode | null): KernelRef {
  const s = str(c, node, 'a kernel location like fs/open.c:do_dentry_open');
  const i = s.lastIndexOf(':');
  if (i <= 0 || i === s.length - 1) throw c.fail(node, `expected a kernel location 'path/file.c:function', got '${s}'`);
  return { file: s.slice(0, i), func: s.slice(i + 1) };
}

// ---------------------------------------------------------------- steps

const STEP_KINDS = [
  'do',
  'lock',
  'unlock',
  'trylock',
  'down_read',
  'up_read',
  'down_write',
  'up_write',
  'down_read_trylock',
  'down_write_trylock',
  'get',
  'put',
  'try_get',
  'freeze',
  'unfreeze',
  'rcu_read_lock',
  'rcu_read_unlock',
  'synchronize_rcu',
  'call_rcu',
  'free',
  'xa_store',
  'xa_split',
  'barrier',
  'await',
  'assert',
  'if',
  'while',
  'foreach',
  'choice',
  'goto',
  'exit',
  'call',
] as const;
const STEP_EXTRA: Record<(typeof STEP_KINDS)[number], readonly string[]> = {
  do: ['when', 'atomic'],
  lock: [],
  unlock: [],
  trylock: ['into'],
  down_read: [],
  up_read: [],
  down_write: [],
  up_write: [],
  down_read_trylock: ['into'],
  down_write_trylock: ['into'],
  get: [],
  put: [],
  try_get: ['into'],
  freeze: ['expected', 'into'],
  unfreeze: ['to'],
  rcu_read_lock: [],
  rcu_read_unlock: [],
  synchronize_rcu: [],
  call_rcu: [],
  free: [],
  xa_store: ['order', 'entry'],
  xa_split: ['order'],
  barrier: [],
  await: [],
  assert: [],
  if: ['then', 'else'],
  while: ['body'],
  foreach: ['as', 'body'],
  choice: [],
  goto: [],
  exit: [],
  call: ['args'],
};

function steps(c: Ctx, node: YNode | null | undefined, what: string): RawStep[] {
  return seq(c, node, what).map((n) => step(c, n));
}

function step(c: Ctx, node: YNode): RawStep {
  const allKeys = ['id', 'fn', ...STEP_KINDS, ...new Set(Object.values(STEP_EXTRA).flat())];
  const es = entries(c, node, 'a step', allKeys);
  const kinds = es.filter((e) => (STEP_KINDS as readonly string[]).includes(e.key));
  if (kinds.length !== 1) {
    throw c.fail(node, kinds.length === 0
      ? `expected a step kind: one of ${STEP_KINDS.join(', ')}`
      : `a step has exactly one kind, got ${kinds.map((k) => k.key).join(' and ')}`);
  }
  const kindEntry = kinds[0]!;
  const kind = kindEntry.key as (typeof STEP_KINDS)[number];
  for (const e of es) {
    if (e.key === 'id' || e.key === 'fn' || e.key === kind) continue;
    if (!STEP_EXTRA[kind].includes(e.key)) throw c.fail(e.keyNode, `'${e.key}' does not belong in a '${kind}' step`);
  }
  const idE = field(es, 'id');
  if (!idE) throw c.fail(node, `expected an 'id' for this '${kind}' step`);
  const id = ident(c, idE.value as YNode, 'a step id', ID_RE);
  const fnE = field(es, 'fn');
  const base = { id, pos: c.pos(node), ...(fnE ? { fn: kernelRef(c, fnE.value) } : {}) };
  const v = kindEntry.value;
  const need = (k: string): Entry => {
    const e = field(es, k);
    if (!e) throw c.fail(node, `a '${kind}' step needs '${k}'`);
    return e;
  };
  const flag = (): void => {
    if (!isScalar(v) || v.value !== true) throw c.fail(v, `expected '${kind}: true'`);
  };
  const order = (): number => {
    const o = field(es, 'order');
    if (!o) return 0;
    const n = int(c, o.value, "'order': log2 of the number of indices");
    if (n < 0 || n > 4) throw c.fail(o.value, "expected an 'order' from 0 to 4");
    return n;
  };
  switch (kind) {
    case 'do': {
      const when = field(es, 'when');
      const at = field(es, 'atomic');
      const atomic = at ? str(c, at.value, "'atomic': mb or relaxed") : undefined;
      if (atomic !== undefined && atomic !== 'mb' && atomic !== 'relaxed') throw c.fail(at!.value, `expected 'atomic: mb' (a value-returning, fully ordered RMW) or 'atomic: relaxed', got '${atomic}'`);
      return {
        ...base,
        kind,
        assigns: seq(c, v, "'do': a list of assignments").map((n) => src(c, n, 'an assignment like "x = 1"')),
        ...(when ? { when: src(c, when.value, 'a condition') } : {}),
        ...(atomic !== undefined ? { atomic } : {}),
      };
    }
    case 'down_read_trylock':
    case 'down_write_trylock':
      return { ...base, kind, lock: src(c, v, 'an rwsem name'), into: src(c, need('into').value, 'a variable to receive 1/0') };
    case 'get':
    case 'put':
      return { ...base, kind, target: src(c, v, 'a refcount, like A.refcount'), n: 0 };
    case 'try_get':
      return { ...base, kind, target: src(c, v, 'a refcount, like A.refcount'), n: 0, into: src(c, need('into').value, 'a variable to receive 1/0') };
    case 'freeze': {
      const n = int(c, need('expected').value, "'expected': the count the freeze needs");
      if (n <= 0) throw c.fail(need('expected').value, "expected a positive 'expected' count");
      return { ...base, kind, target: src(c, v, 'a refcount, like A.refcount'), n, into: src(c, need('into').value, 'a variable to receive 1/0') };
    }
    case 'unfreeze': {
      const n = int(c, need('to').value, "'to': the count after unfreezing");
      if (n <= 0) throw c.fail(need('to').value, "expected a positive 'to' count");
      return { ...base, kind, target: src(c, v, 'a refcount, like A.refcount'), n };
    }
    case 'rcu_read_lock':
    case 'rcu_read_unlock':
    case 'synchronize_rcu':
      flag();
      return { ...base, kind };
    case 'call_rcu':
    case 'free':
      return { ...base, kind, folio: src(c, v, 'a folio name') };
    case 'xa_store':
      return { ...base, kind, slot: src(c, v, 'an xarray slot like i_pages[0]'), order: order(), entry: src(c, need('entry').value, 'an entry like folio(H)') };
    case 'xa_split':
      return { ...base, kind, slot: src(c, v, 'an xarray slot like i_pages[0]'), order: order() };
    case 'barrier': {
      const b = str(c, v, 'a barrier');
      if (!(BARRIERS as readonly string[]).includes(b)) throw c.fail(v, `expected a barrier (${BARRIERS.join(', ')}), got '${b}'`);
      return { ...base, kind, barrier: b as BarrierKind };
    }
    case 'lock':
    case 'unlock':
    case 'down_read':
    case 'up_read':
    case 'down_write':
    case 'up_write':
      return { ...base, kind, lock: src(c, v, 'a lock or folio name') };
    case 'trylock':
      return { ...base, kind, lock: src(c, v, 'a lock or folio name'), into: src(c, need('into').value, 'a variable to receive 1/0') };
    case 'await':
    case 'assert':
      return { ...base, kind, cond: src(c, v, 'a condition') };
    case 'if': {
      const el = field(es, 'else');
      return {
        ...base,
        kind,
        cond: src(c, v, 'a condition'),
        then: steps(c, need('then').value, "'then' steps"),
        else: el ? steps(c, el.value, "'else' steps") : [],
      };
    }
    case 'while':
      return { ...base, kind, cond: src(c, v, 'a condition'), body: steps(c, need('body').value, "'body' steps") };
    case 'foreach': {
      const over = isScalar(v) && v.value === 'all' ? 'all' : seq(c, v, "'foreach': a list of folios or 'all'").map((n) => src(c, n, 'a folio name'));
      return { ...base, kind, over, as: ident(c, need('as').value as YNode, "'as': a parameter name"), body: steps(c, need('body').value, "'body' steps") };
    }
    case 'choice': {
      const branches = entries(c, v, "'choice': a mapping from branch label to steps").map((b) => {
        if (!NAME_RE.test(b.key)) throw c.fail(b.keyNode, `expected a branch label matching ${NAME_RE.source}`);
        return { label: b.key, body: steps(c, b.value, `steps of branch '${b.key}'`) };
      });
      if (branches.length < 2) throw c.fail(v, "a 'choice' needs at least two branches");
      return { ...base, kind, branches };
    }
    case 'goto':
      return { ...base, kind, target: src(c, v, 'a step id') };
    case 'exit':
      if (!isScalar(v) || v.value !== true) throw c.fail(v, "expected 'exit: true'");
      return { ...base, kind };
    case 'call': {
      const a = field(es, 'args');
      const args: Record<string, Src> = {};
      if (a) for (const e of entries(c, a.value, "'args'")) args[e.key] = src(c, e.value, `argument '${e.key}'`);
      return { ...base, kind, macro: ident(c, v as YNode, 'a macro name'), args };
    }
  }
}

// ---------------------------------------------------------------- top level

const TOP = ['id', 'title', 'source', 'description', 'memory', 'folios', 'vars', 'locks', 'xarrays', 'macros', 'threads', 'invariants', 'finals', 'variants', 'configs', 'expect'];

export function parseScenario(text: string, file: string): Scenario {
  const c = new Ctx(file);
  const doc = parseDocument(text, { lineCounter: c.lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = c.lc.linePos(e.pos[0]);
    throw new SimError('SIM_INVALID', `YAML syntax: ${e.message.split('\n')[0]}`, { file, line, col });
  }
  const root = doc.contents as YNode | null;
  const es = entries(c, root, 'a scenario', TOP);
  const need = (k: string): Entry => {
    const e = field(es, k);
    if (!e) throw c.fail(root, `a scenario needs '${k}'`);
    return e;
  };
  const get = (k: string): Entry | undefined => field(es, k);

  const id = ident(c, need('id').value as YNode, 'a scenario id', /^[a-z0-9_-]+$/);
  const title = str(c, need('title').value, 'a title');
  const srcE = get('source');
  const source = !srcE ? [] : isSeq(srcE.value) ? seq(c, srcE.value, 'sources').map((n) => str(c, n, 'a message-id')) : [str(c, srcE.value, 'a message-id')];
  const descE = get('description');

  const names = new Map<string, string>(); // every global name -> what it is, to forbid clashes
  const declare = (node: YNode, name: string, what: string): void => {
    const prev = names.get(name);
    if (prev) throw c.fail(node, `'${name}' is already declared as a ${prev}`);
    names.set(name, what);
  };

  const folios: FolioDecl[] = [];
  const fE = get('folios');
  if (fE && fE.value) {
    for (const e of entries(c, fE.value, "'folios'")) {
      if (!NAME_RE.test(e.key)) throw c.fail(e.keyNode, `expected a folio name matching ${NAME_RE.source}`);
      declare(e.keyNode, e.key, 'folio');
      folios.push({ name: e.key, init: { ...zeroFolio(), ...folioFields(c, e.value, `folio '${e.key}'`) } });
    }
  }
  const vars: VarDecl[] = [];
  const vE = get('vars');
  if (vE && vE.value) {
    for (const e of entries(c, vE.value, "'vars'")) {
      if (!NAME_RE.test(e.key)) throw c.fail(e.keyNode, `expected a variable name matching ${NAME_RE.source}`);
      declare(e.keyNode, e.key, 'variable');
      vars.push({ name: e.key, init: int(c, e.value, `the initial value of '${e.key}'`) });
    }
  }
  const locks: LockDecl[] = [];
  const lE = get('locks');
  if (lE && lE.value) {
    for (const e of entries(c, lE.value, "'locks'")) {
      if (!NAME_RE.test(e.key)) throw c.fail(e.keyNode, `expected a lock name matching ${NAME_RE.source}`);
      declare(e.keyNode, e.key, 'lock');
      locks.push(lockDecl(c, e));
    }
  }

  const xarrays: Scenario['xarrays'] = [];
  const xE = get('xarrays');
  if (xE && xE.value) {
    for (const e of entries(c, xE.value, "'xarrays'")) {
      if (!NAME_RE.test(e.key)) throw c.fail(e.keyNode, `expected an xarray name matching ${NAME_RE.source}`);
      declare(e.keyNode, e.key, 'xarray');
      const xs = entries(c, e.value, `xarray '${e.key}'`, ['size', 'entries']);
      const sz = field(xs, 'size');
      if (!sz) throw c.fail(e.value, `xarray '${e.key}' needs 'size' (a power of two up to 16)`);
      const size = int(c, sz.value, "'size'");
      if (![1, 2, 4, 8, 16].includes(size)) throw c.fail(sz.value, `expected a 'size' that is a power of two up to 16, got ${size}`);
      const en = field(xs, 'entries');
      xarrays.push({ name: e.key, size, entries: en && en.value ? xaEntries(c, en.value, size) : [], pos: c.pos(e.keyNode) });
    }
  }
  const memE = get('memory');
  const memory = memE ? memoryDecl(c, memE.value) : DEFAULT_MEMORY;

  const macros = new Map<string, MacroDecl>();
  const mE = get('macros');
  if (mE && mE.value) {
    for (const e of entries(c, mE.value, "'macros'")) {
      if (!NAME_RE.test(e.key)) throw c.fail(e.keyNode, `expected a macro name matching ${NAME_RE.source}`);
      const ms = entries(c, e.value, `macro '${e.key}'`, ['params', 'fn', 'steps', 'description']);
      const st = field(ms, 'steps');
      if (!st) throw c.fail(e.value, `macro '${e.key}' needs 'steps'`);
      const fn = field(ms, 'fn');
      macros.set(e.key, {
        name: e.key,
        params: params(c, field(ms, 'params')),
        ...(fn ? { fn: kernelRef(c, fn.value) } : {}),
        steps: steps(c, st.value, `steps of macro '${e.key}'`),
        pos: c.pos(e.keyNode),
      });
    }
  }

  const threads = new Map<string, ThreadTemplate>();
  for (const e of entries(c, need('threads').value, "'threads'")) {
    if (!NAME_RE.test(e.key)) throw c.fail(e.keyNode, `expected a thread name matching ${NAME_RE.source}`);
    const ts = entries(c, e.value, `thread '${e.key}'`, ['params', 'locals', 'fn', 'steps', 'description']);
    const st = field(ts, 'steps');
    if (!st) throw c.fail(e.value, `thread '${e.key}' needs 'steps'`);
    const fn = field(ts, 'fn');
    const loc = field(ts, 'locals');
    const locals: VarDecl[] = [];
    if (loc && loc.value) {
      for (const l of entries(c, loc.value, `locals of '${e.key}'`)) {
        if (!NAME_RE.test(l.key)) throw c.fail(l.keyNode, `expected a local name matching ${NAME_RE.source}`);
        if (names.has(l.key)) throw c.fail(l.keyNode, `local '${l.key}' clashes with the ${names.get(l.key)} of that name`);
        locals.push({ name: l.key, init: int(c, l.value, `the initial value of '${l.key}'`) });
      }
    }
    threads.set(e.key, {
      name: e.key,
      params: params(c, field(ts, 'params')),
      locals,
      ...(fn ? { fn: kernelRef(c, fn.value) } : {}),
      steps: steps(c, st.value, `steps of thread '${e.key}'`),
      pos: c.pos(e.keyNode),
    });
  }

  const props = (k: string): RawProperty[] => {
    const e = get(k);
    if (!e || !e.value) return [];
    const seen = new Set<string>();
    return seq(c, e.value, `'${k}'`).map((n) => {
      const ps = entries(c, n, `a property in '${k}'`, ['name', 'expr', 'says']);
      const nm = field(ps, 'name');
      const ex = field(ps, 'expr');
      if (!nm || !ex) throw c.fail(n, `a property needs 'name' and 'expr'`);
      const name = ident(c, nm.value as YNode, 'a property name', ID_RE);
      if (seen.has(name)) throw c.fail(nm.value, `duplicate property '${name}'`);
      seen.add(name);
      const says = field(ps, 'says');
      return { name, expr: src(c, ex.value, 'a condition'), ...(says ? { says: str(c, says.value, 'a sentence') } : {}), pos: c.pos(n) };
    });
  };

  const variants = new Map<string, VariantDecl>();
  variants.set('original', { name: 'original', fix: '', description: 'the code as it is', edits: [], pos: c.pos(root) });
  const vrE = get('variants');
  if (vrE && vrE.value) {
    for (const e of entries(c, vrE.value, "'variants'")) {
      if (!ID_RE.test(e.key)) throw c.fail(e.keyNode, `expected a variant name matching ${ID_RE.source}`);
      if (e.key === 'original') throw c.fail(e.keyNode, "'original' is implicit (the code without edits); name the variant after its fix");
      const vs = entries(c, e.value, `variant '${e.key}'`, ['fix', 'description', 'edits']);
      const fix = field(vs, 'fix');
      if (!fix) throw c.fail(e.value, `variant '${e.key}' needs 'fix': the message-id or patch subject it models`);
      const ed = field(vs, 'edits');
      const desc = field(vs, 'description');
      variants.set(e.key, {
        name: e.key,
        fix: str(c, fix.value, 'a message-id or patch subject'),
        ...(desc ? { description: str(c, desc.value, 'a description') } : {}),
        edits: ed ? seq(c, ed.value, "'edits'").map((n) => edit(c, n)) : [],
        pos: c.pos(e.keyNode),
      });
    }
  }

  const configs = new Map<string, ConfigDecl>();
  for (const e of entries(c, need('configs').value, "'configs'")) {
    if (!ID_RE.test(e.key)) throw c.fail(e.keyNode, `expected a config name matching ${ID_RE.source}`);
    configs.set(e.key, config(c, e, new Map(xarrays.map((x) => [x.name, x.size]))));
  }

  const expect: Expectation[] = [];
  const exE = get('expect');
  if (exE && exE.value) {
    for (const n of seq(c, exE.value, "'expect'")) {
      const xs = entries(c, n, 'an expectation', ['variant', 'config', 'verdict', 'property', 'outcomes', 'why']);
      const g = (k: string): Entry => {
        const x = field(xs, k);
        if (!x) throw c.fail(n, `an expectation needs '${k}'`);
        return x;
      };
      const variant = str(c, g('variant').value, 'a variant name');
      if (!variants.has(variant)) throw c.fail(g('variant').value, `unknown variant '${variant}'; expected one of: ${[...variants.keys()].join(', ')}`);
      const cfg = str(c, g('config').value, 'a config name');
      if (!configs.has(cfg)) throw c.fail(g('config').value, `unknown config '${cfg}'; expected one of: ${[...configs.keys()].join(', ')}`);
      const verdict = str(c, g('verdict').value, 'a verdict');
      if (!(VERDICTS as readonly string[]).includes(verdict)) throw c.fail(g('verdict').value, `expected a verdict (${VERDICTS.join(', ')}), got '${verdict}'`);
      const prop = field(xs, 'property');
      const why = str(c, g('why').value, 'the justification (what the mail says)');
      if (why.trim() === '') throw c.fail(g('why').value, 'expected a justification quoting the mail');
      if (expect.some((x) => x.variant === variant && x.config === cfg)) throw c.fail(n, `duplicate expectation for ${variant}/${cfg}`);
      const oc = field(xs, 'outcomes');
      const outcomes = oc ? seq(c, oc.value, "'outcomes': the property of every outcome the run reaches").map((x) => str(c, x, 'a property name')) : undefined;
      if (outcomes && (verdict === 'holds') !== (outcomes.length === 0)) throw c.fail(oc!.value, verdict === 'holds' ? "a run that holds has no outcomes: 'outcomes: []'" : "a run that does not hold has at least one outcome");
      expect.push({
        variant,
        config: cfg,
        verdict: verdict as Verdict,
        ...(prop ? { property: str(c, prop.value, 'a property name') } : {}),
        ...(outcomes ? { outcomes } : {}),
        why,
        pos: c.pos(n),
      });
    }
  }

  return {
    id,
    title,
    file,
    source,
    ...(descE ? { description: str(c, descE.value, 'a description') } : {}),
    folios,
    vars,
    locks,
    xarrays,
    memory,
    macros,
    threads,
    invariants: props('invariants'),
    finals: props('finals'),
    variants,
    configs,
    expect,
  };
}

function zeroFolio(): Record<FolioField, number> {
  return Object.fromEntries(FOLIO_FIELDS.map((f) => [f, 0])) as Record<FolioField, number>;
}

function folioFields(c: Ctx, node: YNode | null, what: string): Partial<Record<FolioField, number>> {
  const out: Partial<Record<FolioField, number>> = {};
  if (node === null || (isScalar(node) && node.value === null)) return out;
  for (const e of entries(c, node, what, FOLIO_FIELDS)) out[e.key as FolioField] = int(c, e.value, `${what}.${e.key}`);
  return out;
}

const LOCK_KINDS = ['mutex', 'rwsem', 'spinlock'] as const;
const isLockKind = (k: string): k is LockDecl['kind'] => (LOCK_KINDS as readonly string[]).includes(k);

function lockDecl(c: Ctx, e: Entry): LockDecl {
  const pos = c.pos(e.keyNode);
  if (isScalar(e.value)) {
    const k = str(c, e.value, 'a lock kind');
    if (isLockKind(k)) return { name: e.key, kind: k, fair: 'writer', pos };
    throw c.fail(e.value, `expected a lock kind (${LOCK_KINDS.join(', ')}), got '${k}'`);
  }
  const ls = entries(c, e.value, `lock '${e.key}'`, ['kind', 'fair']);
  const kE = field(ls, 'kind');
  if (!kE) throw c.fail(e.value, `lock '${e.key}' needs 'kind' (${LOCK_KINDS.join(', ')})`);
  const kind = str(c, kE.value, 'a lock kind');
  if (!isLockKind(kind)) throw c.fail(kE.value, `expected a lock kind (${LOCK_KINDS.join(', ')}), got '${kind}'`);
  const fE = field(ls, 'fair');
  const fair = fE ? str(c, fE.value, 'writer or reader') : 'writer';
  if (fair !== 'writer' && fair !== 'reader') throw c.fail(fE?.value, `expected 'fair: writer' or 'fair: reader', got '${fair}'`);
  if (fE && kind !== 'rwsem') throw c.fail(fE.keyNode, "'fair' applies to rwsem only");
  return { name: e.key, kind, fair, pos };
}

function params(c: Ctx, e: Entry | undefined): string[] {
  if (!e || !e.value) return [];
  return seq(c, e.value, "'params'").map((n) => ident(c, n, 'a parameter name'));
}

function edit(c: Ctx, node: YNode): Edit {
  const es = entries(c, node, 'an edit', ['in', 'before', 'after', 'replace', 'remove', 'insert', 'with']);
  const pos = c.pos(node);
  const inE = field(es, 'in');
  if (!inE) throw c.fail(node, "an edit needs 'in': the thread or macro it changes");
  const where = ident(c, inE.value as YNode, 'a thread or macro name');
  const ops = es.filter((e) => ['before', 'after', 'replace', 'remove'].includes(e.key));
  if (ops.length !== 1) throw c.fail(node, 'an edit needs exactly one of before, after, replace, remove');
  const op = ops[0]!;
  const target = ident(c, op.value as YNode, 'a step id', ID_RE);
  const body = (k: 'insert' | 'with'): RawStep[] => {
    const b = field(es, k);
    if (!b) throw c.fail(node, `'${op.key}' needs '${k}': the steps`);
    return steps(c, b.value, `'${k}' steps`);
  };
  const forbid = (k: string): void => {
    const b = field(es, k);
    if (b) throw c.fail(b.keyNode, `'${k}' does not go with '${op.key}'`);
  };
  switch (op.key) {
    case 'before':
    case 'after':
      forbid('with');
      return { op: op.key === 'before' ? 'insert_before' : 'insert_after', in: where, target, steps: body('insert'), pos };
    case 'replace':
      forbid('insert');
      return { op: 'replace', in: where, target, steps: body('with'), pos };
    default:
      forbid('insert');
      forbid('with');
      return { op: 'remove', in: where, target, pos };
  }
}

export const DEFAULT_MEMORY: MemoryDecl = { model: 'sc', storeBuffer: 2, loadBuffer: 2, ghost: [] };

function memoryDecl(c: Ctx, node: YNode | null): MemoryDecl {
  const model = (n: YNode | null): MemoryModelName => {
    const m = str(c, n, 'a memory model');
    if (!(MEMORY_MODELS as readonly string[]).includes(m)) throw c.fail(n, `expected a memory model (${MEMORY_MODELS.join(', ')}), got '${m}'`);
    return m as MemoryModelName;
  };
  if (isScalar(node)) return { ...DEFAULT_MEMORY, model: model(node) };
  const ms = entries(c, node, "'memory'", ['model', 'store_buffer', 'load_buffer', 'ghost']);
  const mE = field(ms, 'model');
  if (!mE) throw c.fail(node, `'memory' needs 'model' (${MEMORY_MODELS.join(', ')})`);
  const bound = (k: string, dflt: number): number => {
    const b = field(ms, k);
    if (!b) return dflt;
    const n = int(c, b.value, `'${k}'`);
    if (n < 1 || n > 4) throw c.fail(b.value, `expected a '${k}' from 1 to 4`);
    return n;
  };
  const g = field(ms, 'ghost');
  return {
    model: model(mE.value),
    storeBuffer: bound('store_buffer', DEFAULT_MEMORY.storeBuffer),
    loadBuffer: bound('load_buffer', DEFAULT_MEMORY.loadBuffer),
    ghost: g && g.value ? seq(c, g.value, "'ghost': observer variables").map((n) => ident(c, n, 'a variable name')) : [],
  };
}

function xaEntries(c: Ctx, node: YNode, size: number): RawXaEntry[] {
  return seq(c, node, "xarray 'entries'").map((n) => {
    const xs = entries(c, n, 'an xarray entry', ['index', 'order', 'entry']);
    const iE = field(xs, 'index');
    const eE = field(xs, 'entry');
    if (!iE || !eE) throw c.fail(n, "an xarray entry needs 'index' and 'entry' (like folio(P), xa_mk_value(3), XA_RETRY_ENTRY)");
    const index = int(c, iE.value, "'index'");
    const oE = field(xs, 'order');
    const order = oE ? int(c, oE.value, "'order'") : 0;
    if (order < 0 || order > 4) throw c.fail(oE?.value, "expected an 'order' from 0 to 4");
    if (index < 0 || index + (1 << order) > size) throw c.fail(iE.value, `entry at ${index} (order ${order}) does not fit in size ${size}`);
    if (index % (1 << order) !== 0) throw c.fail(iE.value, `a multi-index entry of order ${order} starts at a multiple of ${1 << order}`);
    return { index, order, entry: src(c, eE.value, 'an entry') };
  });
}

function config(c: Ctx, e: Entry, xaSizes: Map<string, number>): ConfigDecl {
  const cs = entries(c, e.value, `config '${e.key}'`, ['description', 'init', 'run', 'memory']);
  const runE = field(cs, 'run');
  if (!runE) throw c.fail(e.value, `config '${e.key}' needs 'run': the threads that run`);
  const run: ThreadRun[] = seq(c, runE.value, "'run'").map((n) => {
    if (isScalar(n)) {
      const t = ident(c, n, 'a thread name');
      return { as: t, thread: t, args: {}, pos: c.pos(n) };
    }
    const rs = entries(c, n, 'a thread to run', ['thread', 'as', 'args']);
    const tE = field(rs, 'thread');
    if (!tE) throw c.fail(n, "expected 'thread'");
    const thread = ident(c, tE.value as YNode, 'a thread name');
    const asE = field(rs, 'as');
    const args: Record<string, Src> = {};
    const aE = field(rs, 'args');
    if (aE) for (const a of entries(c, aE.value, "'args'")) args[a.key] = src(c, a.value, `argument '${a.key}'`);
    return { as: asE ? ident(c, asE.value as YNode, 'an instance name') : thread, thread, args, pos: c.pos(n) };
  });
  const initVars: Record<string, number> = {};
  const initFolios: Record<string, Partial<Record<FolioField, number>>> = {};
  const initXarrays: Record<string, RawXaEntry[]> = {};
  const iE = field(cs, 'init');
  if (iE && iE.value) {
    for (const x of entries(c, iE.value, "'init'", ['vars', 'folios', 'xarrays'])) {
      if (!x.value) continue;
      for (const y of entries(c, x.value, `'init.${x.key}'`)) {
        if (x.key === 'vars') initVars[y.key] = int(c, y.value, `the initial value of '${y.key}'`);
        else if (x.key === 'folios') initFolios[y.key] = folioFields(c, y.value, `folio '${y.key}'`);
        else {
          const size = xaSizes.get(y.key);
          if (size === undefined) throw c.fail(y.keyNode, `unknown xarray '${y.key}'`);
          initXarrays[y.key] = y.value ? xaEntries(c, y.value, size) : [];
        }
      }
    }
  }
  const d = field(cs, 'description');
  const memE = field(cs, 'memory');
  return {
    name: e.key,
    ...(d ? { description: str(c, d.value, 'a description') } : {}),
    run,
    initVars,
    initFolios,
    initXarrays,
    ...(memE ? { memory: memoryDecl(c, memE.value) } : {}),
    pos: c.pos(e.keyNode),
  };
}
