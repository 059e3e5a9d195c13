// The typed model of a race scenario, in two layers:
//  - `Scenario`: what the YAML says (sim/parse.ts), macros, parameters, `foreach` and
//    variant edits still unexpanded, expressions still text (they may contain `$param`);
//  - `Program`: one (variant, config) instantiated (sim/instantiate.ts): flat thread
//    instances, macros and loops expanded, edits applied, expressions parsed and resolved.
// The explorer and the Promela exporter consume `Program` only, so both see exactly the
// same code; see sim/FORMAT.md for the language itself.

/** Where something was written: for errors that point at the YAML. */
export interface Pos {
  file: string;
  line: number;
  col: number;
}

export const FOLIO_FIELDS = [
  'present',
  'locked',
  'dirty',
  'uptodate',
  'writeback',
  'thp',
  'mapped',
  'writable',
  'refcount',
  'data',
] as const;
export type FolioField = (typeof FOLIO_FIELDS)[number];

export const VERDICTS = ['holds', 'violated', 'deadlock', 'incomplete'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** A kernel location a step models: `fs/open.c:do_dentry_open`. */
export interface KernelRef {
  file: string;
  func: string;
}

// ---------------------------------------------------------------- expressions

export type BinOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-';

/** Built-in functions of the expression language (the xarray entry helpers of include/linux/xarray.h). */
export const BUILTINS = ['xa_is_value', 'xa_to_value', 'xa_mk_value', 'xa_is_retry'] as const;
export type Builtin = (typeof BUILTINS)[number];

/**
 * How an xarray entry is held in one integer: 0 is NULL, k >= 1 the k-th declared folio,
 * -1 XA_RETRY_ENTRY, and v >= 0 as a value (shadow) entry is -(v + 2).
 */
export const XA_RETRY = -1;

export type Expr =
  | { k: 'int'; v: number }
  /** A global variable (`scope: 'global'`) or a thread local (`scope: 'local'`). */
  | { k: 'var'; name: string; scope: 'global' | 'local' }
  | { k: 'field'; folio: string; field: FolioField }
  /** One slot of an xarray: the entry stored at that index. */
  | { k: 'xa'; xa: string; index: number }
  /** `folio(H)`: the xarray entry that points at folio H (not an access to H). */
  | { k: 'folio'; folio: string }
  | { k: 'call'; fn: Builtin; arg: Expr }
  /** `READ_ONCE(x)` / `smp_load_acquire(x)` / `rcu_dereference(x)`: a marked load (see the memory models). */
  | { k: 'load'; order: 'once' | 'acquire'; e: Leaf }
  | { k: 'not'; e: Expr }
  | { k: 'neg'; e: Expr }
  | { k: 'bin'; op: BinOp; l: Expr; r: Expr };

/** What a load or a store names: a variable, a folio field or an xarray slot. */
export type Leaf = Extract<Expr, { k: 'var' } | { k: 'field' } | { k: 'xa' }>;

export type LValue =
  | { k: 'var'; name: string; scope: 'global' | 'local' }
  | { k: 'field'; folio: string; field: Exclude<FolioField, 'locked'> }
  | { k: 'xa'; xa: string; index: number };

export interface Assign {
  target: LValue;
  value: Expr;
  /** `WRITE_ONCE(x, v)` is 'once', `smp_store_release(x, v)` / `rcu_assign_pointer(x, v)` 'release'. */
  order?: 'once' | 'release';
}

// ---------------------------------------------------------------- locks

export type LockKind = 'mutex' | 'rwsem' | 'spinlock';
/** writer: Linux rwsem, a queued writer blocks new readers; reader: readers pass a queued writer. */
export type RwsemFairness = 'writer' | 'reader';

export interface LockDecl {
  name: string;
  kind: LockKind;
  /** Only meaningful for rwsem. */
  fair: RwsemFairness;
  pos: Pos;
}

/** What a lock statement names: a declared lock or a folio's bit lock. */
export type LockRef = { type: 'mutex' | 'rwsem' | 'spinlock' | 'folio'; name: string };

/** exclusive: mutex and folio lock; read/write: the two sides of an rwsem. */
export type LockMode = 'exclusive' | 'read' | 'write';

// ---------------------------------------------------------------- instantiated program

interface StmtBase {
  /** Unique within the thread instance, e.g. `purge/trunc_loop/drop[A]`. */
  id: string;
  fn: KernelRef;
  pos: Pos;
}

/** Refcount operations (include/linux/page_ref.h): see sim/FORMAT.md. */
export type RefOp = 'get' | 'put' | 'try_get' | 'freeze' | 'unfreeze';

/** Memory barriers: sim/FORMAT.md, "Memory models". */
export const BARRIERS = ['smp_mb', 'smp_wmb', 'smp_rmb', 'barrier'] as const;
export type BarrierKind = (typeof BARRIERS)[number];

export type Stmt =
  | (StmtBase & {
      kind: 'do';
      assigns: Assign[];
      /** `when:` a no-op unless this holds, tested in the same atomic step. */
      when?: Expr;
      /** `atomic:` an atomic read-modify-write; its ordering under a weak memory model. */
      atomic?: 'mb' | 'relaxed';
    })
  | (StmtBase & { kind: 'lock'; lock: LockRef; mode: LockMode })
  | (StmtBase & { kind: 'unlock'; lock: LockRef; mode: LockMode })
  | (StmtBase & { kind: 'trylock'; lock: LockRef; mode: LockMode; into: LValue })
  /** `n`: freeze's expected count, unfreeze's new count. */
  | (StmtBase & { kind: 'ref'; op: RefOp; target: Exclude<LValue, { k: 'xa' }>; n: number; into?: LValue })
  | (StmtBase & { kind: 'rcu_read_lock' | 'rcu_read_unlock' | 'synchronize_rcu' })
  /** `free: A` frees folio A now; `call_rcu: A` once every RCU reader of this moment has left. */
  | (StmtBase & { kind: 'free'; folio: string; rcu: boolean })
  /** A multi-index store (`order` > 0) or a split of the multi-index entry at `index` down to `order`. */
  | (StmtBase & { kind: 'xa_store'; xa: string; index: number; order: number; value: Expr })
  | (StmtBase & { kind: 'xa_split'; xa: string; index: number; order: number })
  | (StmtBase & { kind: 'barrier'; barrier: BarrierKind })
  | (StmtBase & { kind: 'await'; cond: Expr })
  | (StmtBase & { kind: 'assert'; cond: Expr })
  | (StmtBase & { kind: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] })
  | (StmtBase & { kind: 'while'; cond: Expr; body: Stmt[] })
  | (StmtBase & { kind: 'choice'; branches: { label: string; body: Stmt[] }[] })
  /** No step of its own: control moves to `target` (a step id of the same thread). */
  | (StmtBase & { kind: 'goto'; target: string })
  /** No step of its own: the thread ends. */
  | (StmtBase & { kind: 'exit' });

export type StmtKind = Stmt['kind'];

export interface FolioDecl {
  name: string;
  init: Record<FolioField, number>;
}

export interface VarDecl {
  name: string;
  init: number;
}

/** One stored entry of an xarray: `order` > 0 makes it a multi-index entry over 2^order indices. */
export interface XaEntry {
  index: number;
  order: number;
  /** Encoded as in XA_RETRY's comment. */
  entry: number;
}

export interface XarrayDecl {
  name: string;
  /** A power of two, at most 16. */
  size: number;
  entries: XaEntry[];
  pos: Pos;
}

export const MEMORY_MODELS = ['sc', 'tso', 'lkmm-lite'] as const;
export type MemoryModelName = (typeof MEMORY_MODELS)[number];

export interface MemoryDecl {
  model: MemoryModelName;
  /** Store-buffer entries per thread (a store into a full buffer waits). */
  storeBuffer: number;
  /** Loads a thread may have pending at once (lkmm-lite). */
  loadBuffer: number;
  /** Observer variables: not in the kernel, read and written atomically, never buffered. */
  ghost: string[];
}

export interface ThreadInstance {
  /** Instance name (the template name, or its `as:`). */
  name: string;
  template: string;
  locals: VarDecl[];
  body: Stmt[];
}

export interface Property {
  name: string;
  expr: Expr;
  says?: string;
  pos: Pos;
}

export interface Program {
  scenario: string;
  variant: string;
  config: string;
  folios: FolioDecl[];
  vars: VarDecl[];
  locks: LockDecl[];
  xarrays: XarrayDecl[];
  memory: MemoryDecl;
  threads: ThreadInstance[];
  invariants: Property[];
  finals: Property[];
}

// ---------------------------------------------------------------- scenario as written

/** An expression or name as written; parsed once `$params` are substituted. */
export interface Src {
  text: string;
  pos: Pos;
}

interface RawBase {
  id: string;
  /** Absent: inherited from the enclosing step, macro or thread. */
  fn?: KernelRef;
  pos: Pos;
}

export type RawStep =
  | (RawBase & { kind: 'do'; assigns: Src[]; when?: Src; atomic?: 'mb' | 'relaxed' })
  | (RawBase & { kind: 'lock' | 'unlock'; lock: Src })
  | (RawBase & { kind: 'down_read' | 'up_read' | 'down_write' | 'up_write'; lock: Src })
  | (RawBase & { kind: 'trylock' | 'down_read_trylock' | 'down_write_trylock'; lock: Src; into: Src })
  | (RawBase & { kind: RefOp; target: Src; n: number; into?: Src })
  | (RawBase & { kind: 'rcu_read_lock' | 'rcu_read_unlock' | 'synchronize_rcu' })
  | (RawBase & { kind: 'free' | 'call_rcu'; folio: Src })
  | (RawBase & { kind: 'xa_store'; slot: Src; order: number; entry: Src })
  | (RawBase & { kind: 'xa_split'; slot: Src; order: number })
  | (RawBase & { kind: 'barrier'; barrier: BarrierKind })
  | (RawBase & { kind: 'await' | 'assert'; cond: Src })
  | (RawBase & { kind: 'if'; cond: Src; then: RawStep[]; else: RawStep[] })
  | (RawBase & { kind: 'while'; cond: Src; body: RawStep[] })
  | (RawBase & { kind: 'foreach'; over: Src[] | 'all'; as: string; body: RawStep[] })
  | (RawBase & { kind: 'choice'; branches: { label: string; body: RawStep[] }[] })
  | (RawBase & { kind: 'goto'; target: Src })
  | (RawBase & { kind: 'exit' })
  | (RawBase & { kind: 'call'; macro: string; args: Record<string, Src> });

export type RawStepKind = RawStep['kind'];

export interface MacroDecl {
  name: string;
  params: string[];
  fn?: KernelRef;
  steps: RawStep[];
  pos: Pos;
}

export interface ThreadTemplate {
  name: string;
  params: string[];
  locals: VarDecl[];
  fn?: KernelRef;
  steps: RawStep[];
  pos: Pos;
}

export interface RawProperty {
  name: string;
  expr: Src;
  says?: string;
  pos: Pos;
}

export type Edit =
  | { op: 'insert_before' | 'insert_after'; in: string; target: string; steps: RawStep[]; pos: Pos }
  | { op: 'replace'; in: string; target: string; steps: RawStep[]; pos: Pos }
  | { op: 'remove'; in: string; target: string; pos: Pos };

export interface VariantDecl {
  name: string;
  /** Message-id or patch subject of the fix this variant models ('' for `original`). */
  fix: string;
  description?: string;
  edits: Edit[];
  pos: Pos;
}

export interface ThreadRun {
  /** Instance name. */
  as: string;
  thread: string;
  args: Record<string, Src>;
  pos: Pos;
}

export interface ConfigDecl {
  name: string;
  description?: string;
  run: ThreadRun[];
  initVars: Record<string, number>;
  initFolios: Record<string, Partial<Record<FolioField, number>>>;
  /** Replaces the declared entries of the xarrays it names. */
  initXarrays: Record<string, RawXaEntry[]>;
  /** Overrides the scenario's memory model for this config. */
  memory?: MemoryDecl;
  pos: Pos;
}

/** An xarray entry as written: the entry is an expression like `folio(P)` or `xa_mk_value(3)`. */
export interface RawXaEntry {
  index: number;
  order: number;
  entry: Src;
}

export interface Expectation {
  variant: string;
  config: string;
  verdict: Verdict;
  property?: string;
  /** Every outcome the run must reach, and no other (property names; `deadlock` for a deadlock). */
  outcomes?: string[];
  why: string;
  pos: Pos;
}

export interface Scenario {
  id: string;
  title: string;
  file: string;
  source: string[];
  description?: string;
  folios: FolioDecl[];
  vars: VarDecl[];
  locks: LockDecl[];
  xarrays: { name: string; size: number; entries: RawXaEntry[]; pos: Pos }[];
  memory: MemoryDecl;
  macros: Map<string, MacroDecl>;
  threads: Map<string, ThreadTemplate>;
  invariants: RawProperty[];
  finals: RawProperty[];
  /** Always contains `original` (no edits) first. */
  variants: Map<string, VariantDecl>;
  configs: Map<string, ConfigDecl>;
  expect: Expectation[];
}

// ---------------------------------------------------------------- results

export interface WitnessStep {
  thread: string;
  step: string;
  function: string;
  file: string;
  /** For a `choice` step: the branch taken. */
  branch?: string;
  /** Human-readable state changes, e.g. `A.dirty: 1 -> 0`. */
  changes: string[];
}

export interface WaitEdge {
  thread: string;
  /** The lock (or `await` condition) it waits for. */
  waitsFor: string;
  /** Who holds it (empty for a condition nobody holds). */
  heldBy: string[];
}

export interface RunResult {
  scenario: string;
  variant: string;
  config: string;
  verdict: Verdict;
  /** The property violated (`deadlock` for a deadlock), absent when it holds. */
  property?: string;
  states: number;
  transitions: number;
  ms: number;
  witness: WitnessStep[];
  /** For a deadlock: the wait-for cycle (thread -> lock -> owner -> ...). */
  waitFor?: WaitEdge[];
  /** `thread:step` ids never executed. */
  unreached: string[];
  /** Why the run is incomplete (`maxStates` / `maxMs`). */
  bound?: string;
}

/** What kind of bad outcome a run reached. */
export type OutcomeKind = 'invariant' | 'final' | 'assert' | 'discipline' | 'deadlock';

/** One bad outcome of a run, with its own shortest witness (sim/FORMAT.md, "All outcomes"). */
export interface Outcome {
  kind: OutcomeKind;
  verdict: 'violated' | 'deadlock';
  /** The property: an invariant, a final, `assert:<thread>:<step>`, a discipline check or `deadlock`. */
  property: string;
  message: string;
  /** For an assert or a discipline check: where it failed and on what. */
  thread?: string;
  step?: string;
  lock?: string;
  /** The full interleaving, replayable step by step. */
  witness: WitnessStep[];
  waitFor?: WaitEdge[];
  /** Which of the witness's steps tell the story (sim/story.ts). */
  story: Story;
  /** The state at the end of the witness: every variable, field, lock and thread position. */
  final: FinalValue[];
}

/** One value of the state a witness ends in. */
export interface FinalValue {
  /** As the witness's changes name it: `A.dirty`, `i_rwsem held by`, `reader.w_O`, a thread's name for where it stopped. */
  name: string;
  value: string;
  /** What the failure reads: the false part of the property, the failed assert or check, a stuck thread's wait. */
  failed: boolean;
}

/**
 * A witness told as a story: the indices (into the witness) of the steps the outcome
 * depends on -- the others are folded -- the step that breaks the property, and the
 * failed expression with its values.
 */
export interface Story {
  shown: number[];
  breaking?: number;
  failed?: {
    /** The property's (or the assert's) expression. */
    expr: string;
    /** The value of each variable, field or slot the shown part reads, in the state where it fails. */
    values: Record<string, number>;
    /** For people: the false part and its values, e.g. `false: disk_O == w_O with disk_O = 0, w_O = 1`. */
    text: string;
  };
}

/** A run's result: the RunResult callers know (verdict, property, witness: the first outcome), and every outcome. */
export interface RunReport extends RunResult {
  /** Every distinct bad outcome reachable, in the order a breadth-first search meets them. */
  outcomes: Outcome[];
  /** false when a bound stopped the search: `outcomes` may then miss some. */
  complete: boolean;
}
