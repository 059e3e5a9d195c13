// A race record as the start of a simulator scenario (sim/FORMAT.md): one thread per
// column of the mail's interleaving diagram, one step per diagram step tied (`fn:`) to the
// function it names, the lock calls it recognises as lock steps, each proposed fix as an
// empty variant naming its mail, and a `TODO` wherever the mail does not give the state
// (folio flags, variables, properties, the edits a fix makes). A reviewer then starts
// from the mail rather than from a blank file. The text loads with sim/parse.ts as
// written; it checks nothing until the TODOs are done, which the header says.
//
// Pure: a RaceRecord in, YAML text out. Every scalar is written as a JSON string (a valid
// YAML double-quoted scalar), so nothing from the mail can break the document's structure.
import type { Fix, RaceRecord } from './types.ts';

/** The lore link for a message, as `source:` carries it. */
export function loreLink(messageId: string): string {
  const mid = messageId.trim().replace(/^<|>$/g, '');
  // lore escapes what would end or split a path segment; '@' and the rest stay readable.
  return `https://lore.kernel.org/r/${mid.replace(/[^A-Za-z0-9@._~!$&'()*+,;=:-]/g, (c) => encodeURIComponent(c))}`;
}

/** Steps in one thread before the draft stops adding them (a diagram is a handful of steps). */
const MAX_STEPS_PER_THREAD = 40;
const MAX_THREADS = 6;
/** Without a diagram: threads for this many of the race's functions, a config per pair of them. */
const MAX_FUNCTION_THREADS = 4;
const MAX_COMMENT = 160;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Identifiers YAML or the expression language read as something else. */
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

/** Calls a diagram writes that are synchronisation, not the code path: a step named after them is tied to its column's function. */
const PRIMITIVE = new RegExp(
  '^(?:(?:raw_)?spin_(?:un)?lock\\w*|mutex_(?:un)?lock\\w*|(?:[a-z0-9]+_)?(?:down|up)_(?:read|write)\\w*|(?:read|write)_(?:un)?lock\\w*' +
    '|inode_(?:un)?lock\\w*|filemap_invalidate_(?:un)?lock\\w*|i_mmap_(?:un)?lock_\\w+|mmap_(?:read|write)_(?:un)?lock\\w*' +
    '|folio_(?:un)?lock\\w*|__folio_lock\\w*|(?:un)?lock_page\\w*|xas?_(?:un)?lock\\w*|rcu_read_(?:un)?lock\\w*|synchronize_rcu\\w*' +
    '|smp_\\w+|barrier|READ_ONCE|WRITE_ONCE|atomic\\w*|(?:test_and_)?(?:set|clear)_bit\\w*|test_bit|cmpxchg\\w*|xchg\\w*)$',
);

type LockKind = 'mutex' | 'rwsem' | 'folio';
type LockOp = 'lock' | 'unlock' | 'down_read' | 'up_read' | 'down_write' | 'up_write';

interface LockCall {
  op: LockOp;
  kind: LockKind;
  /** The lock's name as the draft declares it. */
  name: string;
  call: string;
}

/** Lock helpers the draft turns into lock steps: the call, what it does, and the lock's name when the call fixes it. */
const LOCK_CALLS: { re: RegExp; op: LockOp; kind: LockKind; name?: string }[] = [
  { re: /^(?:raw_)?spin_lock(?:_irq|_irqsave|_bh|_nested)?$|^mutex_lock(?:_nested|_interruptible|_killable|_io)?$/, op: 'lock', kind: 'mutex' },
  { re: /^(?:raw_)?spin_unlock(?:_irq|_irqrestore|_bh)?$|^mutex_unlock$/, op: 'unlock', kind: 'mutex' },
  { re: /^xas?_lock(?:_irq|_irqsave|_bh)?$/, op: 'lock', kind: 'mutex', name: 'xa_lock' },
  { re: /^xas?_unlock(?:_irq|_irqrestore|_bh)?$/, op: 'unlock', kind: 'mutex', name: 'xa_lock' },
  // a filesystem's own rwsem wrappers (f2fs_down_read) take the rwsem they are given
  { re: /^(?:[a-z0-9]+_)?down_read(?:_nested|_killable|_interruptible)?$|^read_lock(?:_irq|_irqsave|_bh)?$/, op: 'down_read', kind: 'rwsem' },
  { re: /^(?:[a-z0-9]+_)?up_read$|^read_unlock(?:_irq|_irqrestore|_bh)?$/, op: 'up_read', kind: 'rwsem' },
  { re: /^(?:[a-z0-9]+_)?down_write(?:_nested|_killable)?$|^write_lock(?:_irq|_irqsave|_bh)?$/, op: 'down_write', kind: 'rwsem' },
  { re: /^(?:[a-z0-9]+_)?up_write$|^write_unlock(?:_irq|_irqrestore|_bh)?$/, op: 'up_write', kind: 'rwsem' },
  { re: /^inode_lock(?:_nested)?$/, op: 'down_write', kind: 'rwsem', name: 'i_rwsem' },
  { re: /^inode_unlock$/, op: 'up_write', kind: 'rwsem', name: 'i_rwsem' },
  { re: /^inode_lock_shared(?:_nested)?$/, op: 'down_read', kind: 'rwsem', name: 'i_rwsem' },
  { re: /^inode_unlock_shared$/, op: 'up_read', kind: 'rwsem', name: 'i_rwsem' },
  { re: /^filemap_invalidate_lock$/, op: 'down_write', kind: 'rwsem', name: 'invalidate_lock' },
  { re: /^filemap_invalidate_unlock$/, op: 'up_write', kind: 'rwsem', name: 'invalidate_lock' },
  { re: /^filemap_invalidate_lock_shared$/, op: 'down_read', kind: 'rwsem', name: 'invalidate_lock' },
  { re: /^filemap_invalidate_unlock_shared$/, op: 'up_read', kind: 'rwsem', name: 'invalidate_lock' },
  { re: /^i_mmap_lock_write$/, op: 'down_write', kind: 'rwsem', name: 'i_mmap_rwsem' },
  { re: /^i_mmap_unlock_write$/, op: 'up_write', kind: 'rwsem', name: 'i_mmap_rwsem' },
  { re: /^i_mmap_lock_read$/, op: 'down_read', kind: 'rwsem', name: 'i_mmap_rwsem' },
  { re: /^i_mmap_unlock_read$/, op: 'up_read', kind: 'rwsem', name: 'i_mmap_rwsem' },
  { re: /^mmap_write_lock(?:_killable)?$/, op: 'down_write', kind: 'rwsem', name: 'mmap_lock' },
  { re: /^mmap_write_unlock$/, op: 'up_write', kind: 'rwsem', name: 'mmap_lock' },
  { re: /^mmap_read_lock(?:_killable)?$/, op: 'down_read', kind: 'rwsem', name: 'mmap_lock' },
  { re: /^mmap_read_unlock$/, op: 'up_read', kind: 'rwsem', name: 'mmap_lock' },
  { re: /^(?:__)?folio_lock(?:_killable)?$|^lock_page$/, op: 'lock', kind: 'folio' },
  { re: /^folio_unlock$|^unlock_page$/, op: 'unlock', kind: 'folio' },
];

/** The lock calls in a diagram step's text, in the order written. */
function lockCalls(text: string): LockCall[] {
  const out: LockCall[] = [];
  for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\(([^()]*)\)/g)) {
    const call = m[1] ?? '';
    const rule = LOCK_CALLS.find((r) => r.re.test(call));
    if (!rule) continue;
    // "&mapping->i_mmap_rwsem" -> i_mmap_rwsem; "folio" -> folio; "&ei->i_data_sem" -> i_data_sem
    const arg = /([A-Za-z_]\w*)\s*$/.exec((m[2] ?? '').replace(/,.*$/, ''));
    const name = rule.name ?? arg?.[1] ?? (rule.kind === 'folio' ? 'folio' : `${call}_lock`);
    out.push({ op: rule.op, kind: rule.kind, name, call });
  }
  return out;
}

/** "collapse_file()" / "mm/khugepaged.c:collapse_file" -> the bare name, or null when it is none. */
function bareFunction(f: string): string | null {
  const name = f.trim().replace(/\(\)$/, '').split(':').pop()?.trim() ?? '';
  return IDENT.test(name) ? name : null;
}

/** Locking, RCU, barriers, atomics: calls that synchronise a code path rather than being one (a fix "touching" folio_lock() touches no race). */
export function isSynchronisationCall(fn: string): boolean {
  return PRIMITIVE.test(fn);
}

/** Not a step's own function: synchronisation, or an all-capitals macro (BIT, WARN_ON, ...). */
function isPrimitive(fn: string): boolean {
  return PRIMITIVE.test(fn) || /^[A-Z][A-Z0-9_]*$/.test(fn);
}

/**
 * Diagrams often name a function without its parentheses ("- f2fs_do_sync_file // atomic",
 * "block_operations"): a step whose text starts with a kernel-style identifier (one with
 * an underscore, so English words are not taken) names that function.
 */
function leadingFunction(text: string): string | null {
  const m = /^[\s\-:|+>*.]*([a-z_][a-z0-9_]*_[a-z0-9_]+)(?=$|\s|\/\/|\/\*|[(;,])/.exec(text);
  if (!m?.[1]) return null;
  // "last_folio = inode folio", "sbi->flag": a variable, not a call
  const rest = text.slice(m.index + m[0].length);
  return /^\s*(?:[-+*/|&^]?=(?!=)|->|\.|\[|\+\+|--)/.test(rest) ? null : m[1];
}

/** A name the language accepts (`[A-Za-z_][A-Za-z0-9_]*`), lower case, from free text. */
function nameFrom(text: string, fallback: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  if (s === '') return fallback;
  if (RESERVED.test(s)) return `${s}_`;
  return /^[a-z_]/.test(s) ? s : `${fallback}_${s}`;
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** Text for a `#` comment: one line, bounded. */
function commentText(text: string): string {
  const one = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return one.length > MAX_COMMENT ? `${one.slice(0, MAX_COMMENT - 3)}...` : one;
}

const q = (s: string): string => JSON.stringify(s);

/**
 * Files of functions, each later source winning: a diff's first hunk's function (a fix's
 * first function, when the fix is a diff of one file: the functions after it may be callees
 * defined elsewhere), kernel locations already known (`file:function`, e.g. the steps of
 * the scenarios on disk), and the race's own `file:function` names.
 */
function functionFiles(race: RaceRecord, known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const fromFixes = new Map<string, Set<string>>();
  for (const fix of race.fixes) {
    if ((fix.kind !== 'patch' && fix.kind !== 'inline-diff') || fix.files.length !== 1) continue;
    const name = bareFunction(fix.functions[0] ?? '');
    if (name) fromFixes.set(name, (fromFixes.get(name) ?? new Set<string>()).add(fix.files[0]!));
  }
  const fromKnown = new Map<string, Set<string>>();
  for (const ref of known) {
    const i = ref.lastIndexOf(':');
    const name = bareFunction(ref);
    if (i > 0 && name) fromKnown.set(name, (fromKnown.get(name) ?? new Set<string>()).add(ref.slice(0, i)));
  }
  // a function two files define (a static helper per filesystem) is left a TODO
  for (const source of [fromFixes, fromKnown]) {
    for (const [name, files] of source) if (files.size === 1) out.set(name, [...files][0]!);
  }
  for (const f of race.functions) {
    const i = f.lastIndexOf(':');
    const name = bareFunction(f);
    if (i > 0 && name) out.set(name, f.slice(0, i));
  }
  return out;
}

interface DraftStep {
  id: string;
  /** The function the step models; null inherits the thread's. */
  fn: string | null;
  /** A lock step, or null for a `do: []` placeholder. */
  lock: { op: LockOp; name: string } | null;
  /** What the diagram says at this step. */
  text: string;
  todo: string;
}

interface DraftThread {
  name: string;
  heading: string;
  fn: string | null;
  steps: DraftStep[];
  /** Diagram steps of this column past MAX_STEPS_PER_THREAD, said in a TODO rather than drafted. */
  skipped: number;
}

interface DraftState {
  /** Declared lock and folio names, with what each is and the call that first took it. */
  locks: Map<string, { kind: LockKind; call: string }>;
  /** `${kind}:${name as the diagram writes it}` -> the declared name. */
  declared: Map<string, string>;
  /** Every global name taken (locks and folios share one namespace in the language). */
  names: Set<string>;
}

/** The declared name for a lock the diagram takes: its own name unless a lock of another kind has it. */
function declareLock(state: DraftState, call: LockCall): string {
  const key = `${call.kind}:${call.name}`;
  const have = state.declared.get(key);
  if (have !== undefined) return have;
  const name = IDENT.test(call.name) && !RESERVED.test(call.name) && !state.names.has(call.name)
    ? call.name
    : unique(`${nameFrom(call.name, 'l')}_${call.kind === 'folio' ? 'folio' : 'lock'}`, state.names);
  state.names.add(name);
  state.declared.set(key, name);
  state.locks.set(name, { kind: call.kind, call: call.call });
  return name;
}

function threadsFromDiagram(race: RaceRecord, state: DraftState): DraftThread[] {
  const diagram = race.diagram;
  if (!diagram) return [];
  // a reduce, not Math.max(...steps): a record's arrays may be longer than an argument list
  const columns = Math.min(MAX_THREADS, diagram.steps.reduce((n, s) => (Number.isInteger(s.column) ? Math.max(n, s.column + 1) : n), diagram.columns.length));
  const taken = new Set<string>();
  const threads: DraftThread[] = [];
  for (let c = 0; c < columns; c++) {
    const heading = diagram.columns[c] ?? '';
    threads.push({ name: unique(nameFrom(heading, `column${c}`), taken), heading: heading || `column ${c} (no heading)`, fn: null, steps: [], skipped: 0 });
  }
  // Per thread: locks held so far in the diagram's order, so an unlock the column never
  // took (or a second take of a mutex) stays a TODO rather than a lock-discipline violation.
  const held = threads.map(() => new Map<string, 'exclusive' | 'read' | 'write'>());
  const stepIds = threads.map(() => new Set<string>());
  for (const s of diagram.steps) {
    if (!Number.isInteger(s.column) || s.column < 0 || s.column >= columns) continue;
    const t = threads[s.column]!;
    if (t.steps.length >= MAX_STEPS_PER_THREAD) {
      t.skipped++;
      continue;
    }
    const named = s.functions.flatMap((f) => bareFunction(f) ?? []);
    const lead = named.length === 0 ? leadingFunction(s.text) : null;
    const fns = lead ? [lead] : named;
    const own = fns.filter((f) => !isPrimitive(f));
    const calls = lockCalls(s.text);
    let lock: DraftStep['lock'] = null;
    let todo = 'TODO: what this step reads and writes (do: ["x = 1"]), or its real kind (await, if, ...)';
    const only = calls.length === 1 && own.length === 0 ? calls[0] : undefined;
    if (only) {
      // Held locks are keyed as the diagram names them; a lock is declared only once a step takes or releases it.
      const key = `${only.kind}:${only.name}`;
      const h = held[s.column]!;
      const mode = h.get(key);
      const takes = only.op === 'lock' || only.op === 'down_read' || only.op === 'down_write';
      const want = only.op === 'lock' || only.op === 'unlock' ? 'exclusive' : only.op.endsWith('read') ? 'read' : 'write';
      if (takes ? mode === undefined || (mode === 'read' && want === 'read') : mode === want) {
        if (takes) h.set(key, want);
        else h.delete(key);
        lock = { op: only.op, name: declareLock(state, only) };
        todo = '';
      } else {
        todo = takes
          ? `TODO: ${only.call}() again while this thread holds ${only.name}: a self-deadlock as written; check the diagram`
          : `TODO: ${only.call}() of ${only.name}, which this thread did not take in the diagram; take it earlier or drop this step`;
      }
    } else if (calls.length > 0) {
      todo = `TODO: split the lock calls (${calls.map((x) => `${x.call}()`).join(', ')}) into their own steps`;
    }
    const fn = own[0] ?? null;
    t.fn ??= fn;
    const base = fn ?? (lock ? `${lock.op}_${lock.name}` : fns[0] ?? `step${t.steps.length + 1}`);
    t.steps.push({ id: unique(base, stepIds[s.column]!), fn, lock, text: s.text, todo });
  }
  return threads;
}

/** Without a diagram: a thread per function the mail names (the sides of the race are not known). */
function threadsFromFunctions(race: RaceRecord): DraftThread[] {
  const fns = [...new Set(race.functions.flatMap((f) => bareFunction(f) ?? []).filter((f) => !isPrimitive(f)))].slice(0, MAX_FUNCTION_THREADS);
  const taken = new Set<string>();
  if (fns.length === 0) {
    return ['thread_a', 'thread_b'].map((name) => ({
      name,
      heading: 'TODO: the mail names no function; one side of the race',
      fn: null,
      steps: [{ id: 'todo', fn: null, lock: null, text: '', todo: 'TODO: the steps of this side of the race' }],
      skipped: 0,
    }));
  }
  return fns.map((fn) => ({
    name: unique(nameFrom(fn, 'thread'), taken),
    heading: `${fn}() (named in the mail; no interleaving diagram)`,
    fn,
    steps: [{ id: fn, fn, lock: null, text: '', todo: `TODO: the steps of ${fn}() that take part in the race` }],
    skipped: 0,
  }));
}

function kernelRef(fn: string | null, files: Map<string, string>): { ref: string; todo: string } {
  if (fn === null) return { ref: 'TODO:unknown', todo: 'TODO: the kernel function (file.c:function) this models' };
  const file = files.get(fn);
  return file ? { ref: `${file}:${fn}`, todo: '' } : { ref: `TODO:${fn}`, todo: `TODO: the file of ${fn}()` };
}

function variantName(fix: Fix, n: number, taken: Set<string>): string {
  const words = fix.summary
    .replace(/^\s*(?:re|fwd?)\s*:\s*/i, '')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\.patch\b/i, ' ')
    .toLowerCase()
    .match(/[a-z0-9_]+/g);
  const slug = (words ?? []).slice(0, 5).join('_').slice(0, 40).replace(/_+$/, '');
  return unique(slug ? `fix${n}_${slug}` : `fix${n}`, taken);
}

/** What a variant's `fix:` says: the proposal and its Message-ID, which is how scenario links find the mail. */
function variantFixText(fix: Fix): string {
  const who = fix.author ? `${fix.author}: ` : '';
  return `${fix.kind === 'patch' ? fix.summary : `${who}${fix.summary}`} <${fix.messageId.replace(/^<|>$/g, '')}>`;
}

const PROPERTY_HINT: Record<RaceRecord['outcome'], string> = {
  'data-loss': 'every write that completed is in a present folio or on disk (a final over ghost vars like written/disk)',
  deadlock: 'none needed: the explorer reports a deadlock with its wait-for cycle by itself',
  crash: 'the BUG_ON/WARN condition, as an assert step where the kernel checks it or as an invariant',
  corruption: 'the data each reader sees is one some writer wrote (a final over ghost vars)',
  'use-after-free': 'no access to a folio after its last reference is dropped (an invariant over refcount/present)',
  'stale-result': 'what the caller is handed is still current when it is returned (a ghost var set at the return)',
  'benign-data-race': 'the value read is one of the values written (or none: the mail calls the race benign)',
  other: 'what the mail says goes wrong, as an invariant or final',
};

export interface DraftOptions {
  /** Kernel locations already known (`path/file.c:function`), e.g. every step of the scenarios on disk: they give functions their files. */
  kernelRefs?: readonly string[];
}

/** The YAML of a scenario skeleton for the race: loads with sim/parse.ts, with TODOs for what the mail does not give. */
export function draftScenario(race: RaceRecord, opts: DraftOptions = {}): string {
  const state: DraftState = { locks: new Map(), declared: new Map(), names: new Set() };
  // A diagram the extractor read no column of is no diagram.
  const fromDiagram = race.diagram ? threadsFromDiagram(race, state) : [];
  const usesDiagram = fromDiagram.length > 0;
  const threads = usesDiagram ? fromDiagram : threadsFromFunctions(race);
  const files = functionFiles(race, opts.kernelRefs ?? []);
  const L: string[] = [];
  const diagramMid = race.diagram?.evidence.messageId ?? null;

  L.push(`# A draft written from the mail by \`loregraph race ${commentText(race.id)} --scenario-draft\`.`);
  L.push('# It loads, but it models nothing yet and checks nothing: fill in every TODO (see sim/FORMAT.md),');
  L.push('# then add expectations and run `loregraph sim check`.');
  L.push(`id: ${q(`draft-${nameFrom(race.id, 'race').replace(/_/g, '-')}`)}`);
  L.push(`title: ${q(race.title.trim() || `race ${race.id}`)}`);
  const sources = [...new Set([...(diagramMid ? [diagramMid] : []), ...race.threads, ...race.evidence])].slice(0, 8);
  if (sources.length > 0) {
    L.push('source:');
    for (const s of sources) L.push(`  - ${q(loreLink(s))}`);
  }
  const facts = [
    `Outcome: ${race.outcome} (${race.status}, confidence ${race.confidence.toFixed(2)})${race.outcomeEvidence ? `: "${commentText(race.outcomeEvidence.text)}"` : ''}.`,
    race.functions.length ? `Functions named: ${race.functions.join(', ')}.` : '',
    race.files.length ? `Files: ${race.files.join(', ')}.` : '',
    race.locks.length ? `Locks named: ${race.locks.join(', ')}.` : '',
    race.versions.length ? `Versions: ${race.versions.join(', ')}.` : '',
    race.configs.length ? `Configs: ${race.configs.join(', ')}.` : '',
    race.diagram && usesDiagram
      ? `Threads from the interleaving diagram in ${race.diagram.evidence.messageId}${race.diagram.columns.length > MAX_THREADS ? ` (its first ${MAX_THREADS} of ${race.diagram.columns.length} columns)` : ''}.`
      : 'The mail has no interleaving diagram: one thread per function it names, a config per pair.',
  ].filter((s) => s !== '');
  L.push(`description: ${q(facts.join('\n'))}`);
  L.push('');

  const folios = [...state.locks].filter(([, l]) => l.kind === 'folio');
  // An empty section is written `{}`: a key with only comments under it is a null, which the parser refuses.
  if (folios.length === 0) L.push('folios: {}   # TODO: the folios the race is about, e.g. A: { present: 1, uptodate: 1 }');
  else L.push('folios:');
  for (const [name, l] of folios) L.push(`  ${name}: {}   # TODO: its flags at the start (present, dirty, uptodate, thp...); from ${commentText(l.call)}() in the diagram`);
  L.push('vars: {}   # TODO: the variables the threads read and write, and ghost variables for the outcome, e.g. { written: 0 }');
  const locks = [...state.locks].filter(([, l]) => l.kind !== 'folio');
  const unnamed = race.locks.filter((l) => !state.locks.has(l));
  const lockTodo = unnamed.length > 0
    ? `TODO: the mail names ${commentText(unnamed.join(', '))}: declare those the threads take (mutex or rwsem) and add their steps`
    : 'TODO: the locks the threads take, if any';
  if (locks.length === 0) L.push(`locks: {}   # ${lockTodo}`);
  else L.push('locks:');
  for (const [name, l] of locks) {
    L.push(`  ${name}: ${l.kind}   # from ${commentText(l.call)}()${l.kind === 'rwsem' ? '; TODO: writer-fair as declared, or { kind: rwsem, fair: reader }' : ''}${/spin|xa/.test(l.call) ? '; a spinlock, modelled as a mutex' : ''}`);
  }
  if (locks.length > 0 && unnamed.length > 0) L.push(`  # ${lockTodo}`);
  L.push('');

  L.push('threads:');
  for (const t of threads) {
    L.push(`  ${t.name}:`);
    L.push(`    # ${commentText(t.heading)}${usesDiagram ? ' in the diagram' : ''}`);
    const tf = kernelRef(t.fn, files);
    L.push(`    fn: ${q(tf.ref)}${tf.todo ? `   # ${tf.todo}` : ''}`);
    L.push('    steps:');
    if (t.steps.length === 0) {
      L.push('      # TODO: the diagram has no steps in this column');
      L.push('      - id: todo');
      L.push('        do: []');
    }
    for (const s of t.steps) {
      if (s.text.trim()) L.push(`      # diagram: ${q(commentText(s.text))}`);
      L.push(`      - id: ${q(s.id)}`);
      if (s.fn !== null) {
        const r = kernelRef(s.fn, files);
        L.push(`        fn: ${q(r.ref)}${r.todo ? `   # ${r.todo}` : ''}`);
      }
      if (s.lock) L.push(`        ${s.lock.op}: ${s.lock.name}`);
      else L.push(`        do: []   # ${s.todo}`);
    }
    if (t.skipped > 0) L.push(`      # TODO: ${t.skipped} more diagram step(s) of this column, not drafted`);
  }
  L.push('');

  L.push(`# TODO: what must hold. For ${race.outcome}: ${PROPERTY_HINT[race.outcome]}.`);
  L.push('# e.g. invariants: [ { name: no_lost_write, expr: "..." } ] or finals: [...]');
  L.push('');

  if (race.fixes.length > 0) {
    L.push('variants:');
    const taken = new Set<string>();
    race.fixes.forEach((fix, i) => {
      L.push(`  ${variantName(fix, i + 1, taken)}:`);
      L.push(`    fix: ${q(variantFixText(fix))}`);
      const fns = fix.functions.length ? `; touches ${fix.functions.join(', ')}` : '';
      L.push(`    description: ${q(`${fix.kind}${fix.wip ? ' (WIP)' : ''}, ${fix.lifecycle}${fns}`)}`);
      L.push(`    # TODO: the fix as edits, e.g. edits: [ { in: ${threads[0]?.name ?? 'thread'}, before: <step id>, insert: [ ... ] } ]`);
    });
    L.push('');
  }

  L.push('configs:');
  if (usesDiagram || threads[0]?.name === 'thread_a') {
    L.push('  draft:');
    L.push(`    description: ${q(usesDiagram ? 'the threads of the diagram, from the state at its top' : 'both sides of the race')}`);
    L.push('    # TODO: init: { folios: {...}, vars: {...} } for the state the race starts from');
    L.push(`    run: [${threads.map((t) => t.name).join(', ')}]`);
  } else if (threads.length === 1) {
    const t = threads[0]!;
    L.push(`  two_${t.name}:`);
    L.push(`    description: ${q(`two callers of ${t.fn ?? t.name}() (the mail names only this function)`)}`);
    L.push(`    run: [${t.name}, { thread: ${t.name}, as: ${t.name}_2 }]`);
  } else {
    const taken = new Set<string>();
    for (let i = 0; i < threads.length; i++) {
      for (let j = i + 1; j < threads.length; j++) {
        const a = threads[i]!;
        const b = threads[j]!;
        L.push(`  ${unique(`${a.name}_vs_${b.name}`, taken)}:`);
        L.push(`    description: ${q(`${a.fn ?? a.name}() racing ${b.fn ?? b.name}(): TODO, keep the pairs the mail argues about`)}`);
        L.push(`    run: [${a.name}, ${b.name}]`);
      }
    }
  }
  L.push('');
  L.push('# TODO: expect: [ { variant: original, config: ..., verdict: violated, why: "<the sentence of the mail>" } ]');
  return L.join('\n') + '\n';
}
