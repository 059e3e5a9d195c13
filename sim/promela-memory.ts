// The weak memory models in Promela: the same buffers, rules and pseudo-threads as
// sim/memory.ts, rendered from the requirements sim/compile.ts records on each node
// (Node.mem), so SPIN checks the very semantics the explorer runs. Locations and registers
// are named by their state slot numbers, as in the explorer's buffers.
import type { Model, MemReq } from './compile.ts';
import { F_ADD, F_RELEASE } from './memory.ts';

/** Promela names of a model's slots: memory locations and thread registers. */
export interface PmlNames {
  /** Slot -> Promela variable (locations: g_x, f_A_dirty; registers: l_thread_r). */
  slot: (slot: number) => string;
}

const sbv = (t: string, part: string): string => `sb_${t}_${part}`;
const lbv = (t: string, part: string): string => `lb_${t}_${part}`;

export class PmlMemory {
  readonly K: number;
  readonly P: number;
  readonly adds: boolean;
  readonly tso: boolean;
  /** Every location slot, for the dynamic dispatch of commits and satisfied loads. */
  readonly locs: number[];

  constructor(
    readonly m: Model,
    readonly names: PmlNames,
    readonly ident: (t: string) => string,
  ) {
    const ml = m.memory!;
    this.K = ml.K;
    this.P = ml.P;
    this.adds = ml.adds;
    this.tso = ml.model === 'tso';
    const locs = new Set<number>();
    for (const tr of m.transitions) if (m.threads[tr.thread]!.aux && tr.branch?.startsWith('store')) for (const w of tr.writes) if (m.slots[w]!.kind === 'global' || m.slots[w]!.kind === 'field') locs.add(w);
    this.locs = [...locs].sort((a, b) => a - b);
  }

  declarations(threads: string[]): string[] {
    const out: string[] = ['int mem_e = 0;  /* the oldest epoch, within one d_step */'];
    for (const name of threads) {
      const t = this.ident(name);
      out.push(`int ${sbv(t, 'len')} = 0;  /* ${name}'s store buffer: length, smp_wmb epoch, entries (location slot, value, epoch, flags) */`);
      out.push(`int ${sbv(t, 'ep')} = 0;`);
      for (const f of ['loc', 'val', 'e', 'fl']) out.push(`int ${sbv(t, f)}[${this.K}];`);
      if (this.P > 0) {
        out.push(`int ${lbv(t, 'len')} = 0;  /* ${name}'s pending loads: (register slot, location slot) */`);
        for (const f of ['reg', 'loc']) out.push(`int ${lbv(t, f)}[${this.P}];`);
      }
    }
    return out;
  }

  /** The value of a location (a slot number, or a Promela expression giving one) as thread t sees it. */
  forward(thread: string, loc: number | string): string {
    const t = this.ident(thread);
    let v = typeof loc === 'number' ? this.names.slot(loc) : this.dispatch(loc);
    for (let i = 0; i < this.K; i++) {
      const hit = `${sbv(t, 'len')} > ${i} && ${sbv(t, 'loc')}[${i}] == ${loc}`;
      // The older value is named once per entry, as in sim/memory.ts forwardJs: in both arms
      // of a hit-or-miss split it would double per entry (2^K copies, which pan.c compiles).
      const val = `${sbv(t, 'val')}[${i}]`;
      v = this.adds ? `((${hit} && (${sbv(t, 'fl')}[${i}] & ${F_ADD}) == 0) -> ${val} : ${v} + (${hit} -> ${val} : 0))` : `(${hit} -> ${val} : ${v})`;
    }
    return v;
  }

  private dispatch(loc: string): string {
    let v = '0';
    for (const l of [...this.locs].reverse()) v = `(${loc} == ${l} -> ${this.names.slot(l)} : ${v})`;
    return v;
  }

  drained(thread: string): string {
    const t = this.ident(thread);
    return this.P > 0 ? `${sbv(t, 'len')} == 0 && ${lbv(t, 'len')} == 0` : `${sbv(t, 'len')} == 0`;
  }

  /** The guard a node's requirements add (empty when none). */
  guard(thread: string, r: MemReq | undefined): string {
    if (!r) return '';
    const t = this.ident(thread);
    const parts: string[] = [];
    if (r.drained) parts.push(this.drained(thread));
    if (r.loadsDone && this.P > 0) parts.push(`${lbv(t, 'len')} == 0`);
    if (r.room > 0) parts.push(`${sbv(t, 'len')} <= ${this.K - r.room}`);
    if (r.issue) parts.push(`${lbv(t, 'len')} < ${this.P}`);
    if (this.P > 0 && (r.locs.length > 0 || r.regs.length > 0)) {
      for (let i = 0; i < this.P; i++) {
        const clash = [...r.regs.map((x) => `${lbv(t, 'reg')}[${i}] == ${x}`), ...r.locs.map((x) => `${lbv(t, 'loc')}[${i}] == ${x}`)].join(' || ');
        parts.push(`(${lbv(t, 'len')} <= ${i} || !(${clash}))`);
      }
    }
    return parts.join(' && ');
  }

  /** Appends a store (value already rendered) to thread's buffer. */
  store(thread: string, loc: number, value: string, flags: number): string {
    const t = this.ident(thread);
    const i = sbv(t, 'len');
    return `${sbv(t, 'loc')}[${i}] = ${loc}; ${sbv(t, 'val')}[${i}] = ${value}; ${sbv(t, 'e')}[${i}] = ${sbv(t, 'ep')}; ${sbv(t, 'fl')}[${i}] = ${flags}; ${i} = ${i} + 1`;
  }

  issue(thread: string, reg: number, loc: number): string {
    const t = this.ident(thread);
    const i = lbv(t, 'len');
    return `${lbv(t, 'reg')}[${i}] = ${reg}; ${lbv(t, 'loc')}[${i}] = ${loc}; ${i} = ${i} + 1`;
  }

  wmb(thread: string): string {
    const t = this.ident(thread);
    return `if :: ${sbv(t, 'len')} > 0 -> ${sbv(t, 'ep')} = ${sbv(t, 'ep')} + 1 :: else -> skip fi`;
  }

  /** The memory process of one thread: commits and satisfied loads; `inv` checks invariants after a commit. */
  process(thread: string, regs: number[], inv: string, mark: (branch: string) => void, out: string[]): void {
    const t = this.ident(thread);
    const len = sbv(t, 'len');
    out.push(`active proctype M_${t}() {  /* ${thread}'s memory: commits its buffered stores, satisfies its pending loads */`);
    out.push('end_mem:');
    out.push('  do');
    for (let i = 0; i < (this.tso ? 1 : this.K); i++) {
      const ok: string[] = [`${len} > ${i}`];
      if (i > 0) {
        for (let j = 0; j < i; j++) ok.push(`${sbv(t, 'loc')}[${j}] != ${sbv(t, 'loc')}[${i}]`);
        ok.push(`${sbv(t, 'e')}[0] == ${sbv(t, 'e')}[${i}]`);
        ok.push(`(${sbv(t, 'fl')}[${i}] & ${F_RELEASE}) == 0`);
      }
      const loc = `${sbv(t, 'loc')}[${i}]`;
      const val = `${sbv(t, 'val')}[${i}]`;
      const add = `(${sbv(t, 'fl')}[${i}] & ${F_ADD}) != 0`;
      const write = this.locs.map((l) => `:: ${loc} == ${l} -> ${this.names.slot(l)} = (${add} -> ${this.names.slot(l)} + ${val} : ${val})`).join(' ');
      const shift: string[] = [];
      for (let j = i; j < this.K - 1; j++) for (const f of ['loc', 'val', 'e', 'fl']) shift.push(`${sbv(t, f)}[${j}] = ${sbv(t, f)}[${j + 1}]`);
      for (const f of ['loc', 'val', 'e', 'fl']) shift.push(`${sbv(t, f)}[${this.K - 1}] = 0`);
      // Epochs count from the oldest entry's (an empty buffer is back at 0), as in the explorer.
      const norm = `mem_e = (${len} > 0 -> ${sbv(t, 'e')}[0] : ${sbv(t, 'ep')}); ${Array.from({ length: this.K }, (_, j) => `if :: ${len} > ${j} -> ${sbv(t, 'e')}[${j}] = ${sbv(t, 'e')}[${j}] - mem_e :: else -> skip fi`).join('; ')}; ${sbv(t, 'ep')} = ${sbv(t, 'ep')} - mem_e; mem_e = 0`;
      out.push(`  :: d_step { (${ok.join(' && ')}) -> if ${write} :: else -> skip fi; ${shift.join('; ')}; ${len} = ${len} - 1; ${norm}${inv} }`);
      mark(`store${i}`);
    }
    for (let i = 0; i < this.P; i++) {
      const ok: string[] = [`${lbv(t, 'len')} > ${i}`];
      for (let j = 0; j < i; j++) ok.push(`${lbv(t, 'loc')}[${j}] != ${lbv(t, 'loc')}[${i}]`);
      const reg = `${lbv(t, 'reg')}[${i}]`;
      const value = this.forward(thread, `${lbv(t, 'loc')}[${i}]`);
      const set = regs.map((r) => `:: ${reg} == ${r} -> ${this.names.slot(r)} = ${value}`).join(' ');
      const shift: string[] = [];
      for (let j = i; j < this.P - 1; j++) for (const f of ['reg', 'loc']) shift.push(`${lbv(t, f)}[${j}] = ${lbv(t, f)}[${j + 1}]`);
      for (const f of ['reg', 'loc']) shift.push(`${lbv(t, f)}[${this.P - 1}] = 0`);
      out.push(`  :: d_step { (${ok.join(' && ')}) -> if ${set} :: else -> skip fi; ${shift.join('; ')}; ${lbv(t, 'len')} = ${lbv(t, 'len')} - 1 }`);
      mark(`load${i}`);
    }
    out.push('  od');
    out.push('}');
    out.push('');
  }
}
