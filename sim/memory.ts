// The weak memory models (sim/FORMAT.md, "Memory models"), as state and JavaScript for
// sim/compile.ts. Under `sc` nothing here is used. Under `tso` and `lkmm-lite` every thread
// has a store buffer, and under `lkmm-lite` also a buffer of pending loads; a per-thread
// "memory" pseudo-thread commits buffered stores to memory and satisfies pending loads,
// one at a time, in any order the model allows:
//
//  - tso: stores leave the buffer in program order (FIFO); a load reads the thread's own
//    newest buffered store to that location, else memory. Only store->load reordering.
//    Fences and every atomic (x86's locked instructions) drain the buffer.
//  - lkmm-lite: a store may leave before older ones except an older store to the same
//    location (coherence), an older one before an smp_wmb() (epochs), or, for a release
//    store, any older one. A plain load into a local (`r = x`, `r = READ_ONCE(x)`) is
//    issued and satisfied later, so later accesses may pass it (load->load, load->store);
//    a step reading `r` waits for it (dependencies), and so does any access to `x` (so
//    same-location order holds). smp_rmb() waits for pending loads, smp_mb() for both
//    buffers, a release (unlock, smp_store_release, rcu_read_unlock, synchronize_rcu) for
//    both too, relaxed atomics (`atomic: relaxed`, x = x +/- e) are buffered as additions.
//
// Memory is multi-copy atomic: a committed store is seen by every other thread at once.
// Locations are global variables (but `ghost` ones) and folio fields (but `locked`);
// locals, ghosts, lock words, RCU state and xarray slots are accessed directly.
import type { MemoryDecl, Program } from './ast.ts';

/** Slot indices of one thread's buffers. */
export interface ThreadMem {
  /** Store buffer: length, the current smp_wmb epoch, and entries of 4 slots (loc, val, ep, flags). */
  sbLen: number;
  sbEpoch: number;
  sbBase: number;
  /** Load buffer (lkmm-lite): length and entries of 2 slots (reg, loc). */
  lbLen: number;
  lbBase: number;
  /** The pseudo-thread's constant pc. */
  pc: number;
}

/** Entry flags. */
export const F_ADD = 1;
export const F_RELEASE = 2;
export const SB_STRIDE = 4;
export const LB_STRIDE = 2;

export interface MemLayout {
  model: MemoryDecl['model'];
  weak: boolean;
  K: number;
  P: number;
  /** Whether relaxed additions can be buffered (changes how loads are forwarded). */
  adds: boolean;
  threads: ThreadMem[];
}

/** Conditional: JS `c ? a : b`. */
const tern = (c: string, a: string, b: string): string => `(${c} ? ${a} : ${b})`;

/**
 * The value of location `loc` (a constant slot, or a JS expression giving one) as thread `t`
 * reads it from array `a`: the newest of its own buffered stores to it (with the additions
 * after it folded in), else memory.
 */
export function forwardJs(L: MemLayout, t: number, a: string, loc: string): string {
  const tm = L.threads[t]!;
  const at = (i: number, f: number): string => `${a}[${tm.sbBase + i * SB_STRIDE + f}]`;
  if (!L.adds) {
    let v = `${a}[${loc}]`;
    for (let i = 0; i < L.K; i++) v = tern(`${a}[${tm.sbLen}] > ${i} && ${at(i, 0)} === ${loc}`, at(i, 1), v);
    return v;
  }
  // Each entry names the older value once: a plain store to loc replaces it, anything else
  // adds (the entry's value for an addition to loc, else 0). Naming it in both arms of a
  // ternary, as a hit-or-miss split would, doubles the text per entry: 2^K copies in every
  // load, for V8 to parse and compile afresh in every model.
  let v = `${a}[${loc}]`;
  for (let i = 0; i < L.K; i++) {
    const hit = `${a}[${tm.sbLen}] > ${i} && ${at(i, 0)} === ${loc}`;
    v = tern(`${hit} && (${at(i, 3)} & ${F_ADD}) === 0`, at(i, 1), `((${v} + (${hit} ? ${at(i, 1)} : 0)) | 0)`);
  }
  return v;
}

/** No pending load of any of `locs`, none into any of `regs` (constant slots). */
export function noPendingJs(L: MemLayout, t: number, a: string, locs: number[], regs: number[]): string {
  if (L.P === 0 || (locs.length === 0 && regs.length === 0)) return '';
  const tm = L.threads[t]!;
  const parts: string[] = [];
  for (let i = 0; i < L.P; i++) {
    const reg = `${a}[${tm.lbBase + i * LB_STRIDE}]`;
    const loc = `${a}[${tm.lbBase + i * LB_STRIDE + 1}]`;
    const clash = [...regs.map((r) => `${reg} === ${r}`), ...locs.map((x) => `${loc} === ${x}`)].join(' || ');
    parts.push(`(${a}[${tm.lbLen}] <= ${i} || !(${clash}))`);
  }
  return parts.join(' && ');
}

/** Room for `k` more stores. */
export function roomJs(L: MemLayout, t: number, a: string, k: number): string {
  return k === 0 ? '' : `${a}[${L.threads[t]!.sbLen}] <= ${L.K - k}`;
}

/** Both buffers empty: what a full fence or a release waits for. */
export function drainedJs(L: MemLayout, t: number, a: string): string {
  const tm = L.threads[t]!;
  return L.P > 0 ? `${a}[${tm.sbLen}] === 0 && ${a}[${tm.lbLen}] === 0` : `${a}[${tm.sbLen}] === 0`;
}

/** No pending loads: what smp_rmb() waits for. */
export function loadsDoneJs(L: MemLayout, t: number, a: string): string {
  return L.P > 0 ? `${a}[${L.threads[t]!.lbLen}] === 0` : '';
}

/** Appends a store (or an addition) to the thread's store buffer; `room` was checked by the guard. */
export function bufferStoreJs(L: MemLayout, t: number, loc: number, valueJs: string, flags: number): string {
  const tm = L.threads[t]!;
  // A release entry waits for every older one; ordinary entries are in the current epoch.
  return `{ const b_ = ${tm.sbBase} + n[${tm.sbLen}] * ${SB_STRIDE}; n[b_] = ${loc}; n[b_ + 1] = ${valueJs}; n[b_ + 2] = n[${tm.sbEpoch}]; n[b_ + 3] = ${flags}; n[${tm.sbLen}] = n[${tm.sbLen}] + 1; }`;
}

/** Appends a pending load of `loc` into register `reg`. */
export function bufferLoadJs(L: MemLayout, t: number, reg: number, loc: number): string {
  const tm = L.threads[t]!;
  return `{ const b_ = ${tm.lbBase} + n[${tm.lbLen}] * ${LB_STRIDE}; n[b_] = ${reg}; n[b_ + 1] = ${loc}; n[${tm.lbLen}] = n[${tm.lbLen}] + 1; }`;
}

/** smp_wmb(): stores after it wait for every store before it (only if there is one). */
export function wmbJs(L: MemLayout, t: number): string {
  const tm = L.threads[t]!;
  return `if (n[${tm.sbLen}] > 0) n[${tm.sbEpoch}] = n[${tm.sbEpoch}] + 1;`;
}

/** Whether entry i of the store buffer may be committed now (`a` is the state array). */
export function commitOkJs(L: MemLayout, t: number, a: string, i: number): string {
  const tm = L.threads[t]!;
  const at = (j: number, f: number): string => `${a}[${tm.sbBase + j * SB_STRIDE + f}]`;
  const parts = [`${a}[${tm.sbLen}] > ${i}`];
  if (i > 0) {
    if (L.model === 'tso') return 'false';
    // Coherence: no older store to the same location; epochs: no older store before an smp_wmb.
    for (let j = 0; j < i; j++) parts.push(`${at(j, 0)} !== ${at(i, 0)}`);
    parts.push(`${at(0, 2)} === ${at(i, 2)}`);
    parts.push(`(${at(i, 3)} & ${F_RELEASE}) === 0`);
  }
  return parts.join(' && ');
}

/** Commits entry i to memory and closes the gap, keeping the buffer canonical. */
export function commitJs(L: MemLayout, t: number, i: number): string {
  const tm = L.threads[t]!;
  const at = (j: number, f: number): string => `n[${tm.sbBase + j * SB_STRIDE + f}]`;
  const out: string[] = [];
  out.push(`{ const loc_ = ${at(i, 0)}; n[loc_] = (${at(i, 3)} & ${F_ADD}) !== 0 ? (n[loc_] + ${at(i, 1)}) | 0 : ${at(i, 1)}; }`);
  for (let j = i; j < L.K - 1; j++) for (let f = 0; f < SB_STRIDE; f++) out.push(`${at(j, f)} = ${at(j + 1, f)};`);
  for (let f = 0; f < SB_STRIDE; f++) out.push(`${at(L.K - 1, f)} = 0;`);
  out.push(`n[${tm.sbLen}] = n[${tm.sbLen}] - 1;`);
  // Epochs count from the oldest entry's: an empty buffer is back at 0.
  out.push(`{ const e_ = n[${tm.sbLen}] > 0 ? ${at(0, 2)} : n[${tm.sbEpoch}]; if (e_ !== 0) { ${Array.from({ length: L.K }, (_, j) => `if (n[${tm.sbLen}] > ${j}) ${at(j, 2)} = ${at(j, 2)} - e_;`).join(' ')} n[${tm.sbEpoch}] = n[${tm.sbEpoch}] - e_; } }`);
  return out.join(' ');
}

/** Whether pending load i may be satisfied now: no older pending load of the same location. */
export function satisfyOkJs(L: MemLayout, t: number, a: string, i: number): string {
  const tm = L.threads[t]!;
  const loc = (j: number): string => `${a}[${tm.lbBase + j * LB_STRIDE + 1}]`;
  const parts = [`${a}[${tm.lbLen}] > ${i}`];
  for (let j = 0; j < i; j++) parts.push(`${loc(j)} !== ${loc(i)}`);
  return parts.join(' && ');
}

/** Satisfies pending load i: its register gets the location's value as the thread sees it now. */
export function satisfyJs(L: MemLayout, t: number, i: number): string {
  const tm = L.threads[t]!;
  const at = (j: number, f: number): string => `n[${tm.lbBase + j * LB_STRIDE + f}]`;
  const out: string[] = [`{ const loc_ = ${at(i, 1)}; n[${at(i, 0)}] = ${forwardJs(L, t, 'n', 'loc_')}; }`];
  for (let j = i; j < L.P - 1; j++) for (let f = 0; f < LB_STRIDE; f++) out.push(`${at(j, f)} = ${at(j + 1, f)};`);
  for (let f = 0; f < LB_STRIDE; f++) out.push(`${at(L.P - 1, f)} = 0;`);
  out.push(`n[${tm.lbLen}] = n[${tm.lbLen}] - 1;`);
  return out.join(' ');
}

/** Both buffers of thread t empty (for finals and the end of a run). */
export function idleJs(L: MemLayout, t: number, a: string): string {
  return drainedJs(L, t, a);
}

/** How many stores one step puts in the buffer, at most: the buffer must hold them all. */
export function storesNeeded(p: Program, maxPerStep: number, decl: MemoryDecl): number {
  void p;
  return Math.max(decl.storeBuffer, maxPerStep);
}
