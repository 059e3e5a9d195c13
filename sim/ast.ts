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

export type Expr =
  | { k: 'int'; v: number }
  /** A global variable (`scope: 'global'`) or a thread local (`scope: 'local'`). */
  | { k: 'var'; name: string; scope: 'global' | 'local' }
  | { k: 'field'; folio: string; field: FolioField }
  | { k: 'not'; e: Expr }
  | { k: 'neg'; e: Expr }
  | { k: 'bin'; op: BinOp; l: Expr; r: Expr };

export type LValue =
  | { k: 'var'; name: string; scope: 'global' | 'local' }
  | { k: 'field'; folio: string; field: Exclude<FolioField, 'locked'> };

export interface Assign {
  target: LValue;
  value: Expr;
}

// ---------------------------------------------------------------- locks

export type LockKind = 'mutex' | 'rwsem';
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
export type LockRef = { type: 'mutex' | 'rwsem' | 'folio'; name: string };

/** exclusive: mutex and folio lock; read/write: the two sides of an rwsem. */
export type LockMode = 'exclusive' | 'read' | 'write';

// ---------------------------------------------------------------- instantiated program

interface StmtBase {
  /** Unique within the thread instance, e.g. `purge/trunc_loop/drop[A]`. */
  id: string;
  fn: KernelRef;
  pos: Pos;
}

export type Stmt =
  | (StmtBase & { kind: 'do'; assigns: Assign[] })
  | (StmtBase & { kind: 'lock'; lock: LockRef; mode: LockMode })
  | (StmtBase & { kind: 'unlock'; lock: LockRef; mode: LockMode })
  | (StmtBase & { kind: 'trylock'; lock: LockRef; into: LValue })
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
  | (RawBase & { kind: 'do'; assigns: Src[] })
  | (RawBase & { kind: 'lock' | 'unlock'; lock: Src })
  | (RawBase & { kind: 'down_read' | 'up_read' | 'down_write' | 'up_write'; lock: Src })
  | (RawBase & { kind: 'trylock'; lock: Src; into: Src })
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
  pos: Pos;
}

export interface Expectation {
  variant: string;
  config: string;
  verdict: Verdict;
  property?: string;
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
