// Witness replay: runs a list of (thread, step[, branch]) on the compiled model from its
// initial state, refusing any step that is not the thread's next one or is not enabled,
// and says what the end state shows. Every verdict the explorer reports is rendered
// through here, so a witness that is printed is a witness that replays.
import type { FinalValue, OutcomeKind, Verdict, WitnessStep, WaitEdge } from './ast.ts';
import type { Model, State, Transition } from './compile.ts';
import { F_ADD, F_RELEASE, LB_STRIDE, SB_STRIDE } from './memory.ts';
import { SimError } from './errors.ts';
import { waitFor } from './explore.ts';
import { showEntry } from './expr.ts';

export interface ReplayOutcome {
  /** What the end of the witness shows: a violation, a deadlock, or `holds` (nothing wrong there). */
  verdict: Exclude<Verdict, 'incomplete'>;
  property?: string;
  /** What kind of outcome the end shows (absent when it holds). */
  kind?: OutcomeKind;
  /** The index in Model.failures of the assert or discipline check that failed. */
  failure?: number;
  steps: WitnessStep[];
  final: State;
  waitFor?: WaitEdge[];
  /** Each step's transition and the state it ran in (the story slices backwards over them). */
  trace: { tr: Transition; before: State }[];
}

/** Replays transition ids (the explorer's path). */
export function replayPath(m: Model, gids: number[]): ReplayOutcome {
  return run(m, gids.length, (s, i) => {
    const tr = m.transitions[gids[i]!];
    if (!tr) throw new SimError('SIM_REPLAY', `no transition ${gids[i]}`);
    return tr;
  });
}

/** Replays a witness as printed (thread names and step ids). */
export function replayWitness(m: Model, witness: Pick<WitnessStep, 'thread' | 'step' | 'branch'>[]): ReplayOutcome {
  return run(m, witness.length, (s, i) => {
    const w = witness[i]!;
    const th = m.threads.find((t) => t.name === w.thread);
    if (!th) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: no thread '${w.thread}'`);
    const pc = s[th.pcSlot]!;
    const node = pc < th.end ? th.nodes[pc] : undefined;
    if (!node) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: thread '${w.thread}' has already finished`);
    if (node.step !== w.step) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: thread '${w.thread}' is at '${node.step}', not '${w.step}'`);
    const tr = node.trans.find((t) => (t.branch ?? undefined) === (w.branch ?? undefined));
    if (!tr) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: '${w.step}' has no branch '${w.branch ?? ''}'`);
    return tr;
  });
}

function run(m: Model, n: number, pick: (s: State, i: number) => Transition): ReplayOutcome {
  const s = Int32Array.from(m.init);
  const steps: WitnessStep[] = [];
  const trace: ReplayOutcome['trace'] = [];
  const broken = (): string | undefined => m.invariants.find((x) => !x.check(s))?.name;
  let bad = broken();
  if (bad) return { verdict: 'violated', property: bad, kind: 'invariant', steps, final: s, trace };
  for (let i = 0; i < n; i++) {
    const tr = pick(s, i);
    const th = m.threads[tr.thread]!;
    if (s[th.pcSlot] !== tr.node) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: thread '${th.name}' is not at '${tr.step}'`);
    if (tr.guard && !tr.guard(s)) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: '${th.name}:${tr.step}' is blocked here`);
    const before = Int32Array.from(s);
    trace.push({ tr, before });
    const fail = tr.exec(s);
    const node = th.nodes[tr.node]!;
    // A step that fails stops before it branches.
    const went = node.cond !== undefined && fail < 0 ? [`(${node.cond}) is ${s[th.pcSlot] === node.next[0] ? 'true' : 'false'}`] : [];
    steps.push({
      thread: th.name,
      step: tr.step,
      function: tr.fn.func,
      file: tr.fn.file,
      ...(tr.branch !== undefined ? { branch: tr.branch } : {}),
      changes: [...went, ...changes(m, before, s)],
    });
    if (fail >= 0) {
      if (i !== n - 1) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: '${m.failures[fail]!.property}' fails before the witness ends`);
      return { verdict: 'violated', property: m.failures[fail]!.property, kind: m.failures[fail]!.kind, failure: fail, steps, final: s, trace };
    }
    bad = broken();
    if (bad) {
      if (i !== n - 1) throw new SimError('SIM_REPLAY', `witness step ${i + 1}: invariant '${bad}' fails before the witness ends`);
      return { verdict: 'violated', property: bad, kind: 'invariant', steps, final: s, trace };
    }
  }
  const anyEnabled = m.threads.some((th) => {
    const pc = s[th.pcSlot]!;
    return pc < th.end && th.nodes[pc]!.trans.some((t) => !t.guard || t.guard(s));
  });
  if (anyEnabled) return { verdict: 'holds', steps, final: s, trace };
  if (m.threads.some((th) => !th.aux && s[th.pcSlot]! < th.end)) return { verdict: 'deadlock', property: 'deadlock', kind: 'deadlock', steps, final: s, waitFor: waitFor(m, s), trace };
  const f = m.finals.find((x) => !x.check(s));
  return f ? { verdict: 'violated', property: f.name, kind: 'final', steps, final: s, trace } : { verdict: 'holds', steps, final: s, trace };
}

/** Human-readable slot changes, lock words shown as who holds them. */
export function changes(m: Model, a: State, b: State): string[] {
  const out: string[] = [];
  const who = (v: number): string => (v > 0 ? m.threads[v - 1]!.name : 'none');
  const folios = m.program.folios.map((f) => f.name);
  const set = (mask: number): string => `{${m.threads.filter((_, u) => (mask & (1 << u)) !== 0).map((t) => t.name).join(', ')}}`;
  for (let i = 0; i < m.width; i++) {
    if (a[i] === b[i]) continue;
    const sl = m.slots[i]!;
    const x = a[i]!;
    const y = b[i]!;
    const base = sl.name.split('#')[0]!;
    switch (sl.kind) {
      case 'pc':
        break;
      case 'owner':
        out.push(`${base} held by: ${who(x)} -> ${who(y)}`);
        break;
      case 'writer':
        out.push(`${base} writer: ${who(x)} -> ${who(y)}`);
        break;
      case 'readers':
        break; // the per-thread counts below say who
      case 'read':
        out.push(`${base} read-held by ${m.threads[sl.thread!]!.name}: ${x} -> ${y}`);
        break;
      case 'queued':
        out.push(`${base} queued writers: ${x} -> ${y}`);
        break;
      case 'xa':
        out.push(`${sl.name}: ${showEntry(x, folios)} -> ${showEntry(y, folios)}`);
        break;
      case 'xaorder':
        out.push(`${base} multi-index order: ${x} -> ${y}`);
        break;
      case 'freed':
        out.push(y ? `folio ${base} freed` : `folio ${base} no longer freed`);
        break;
      case 'rcu':
        out.push(`${base} RCU read-side nesting: ${x} -> ${y}`);
        break;
      case 'gp':
        out.push(`${base} grace period waits for: ${set(x)} -> ${set(y)}`);
        break;
      case 'rcufree':
        out.push(`${base} call_rcu waits for: ${set(x)} -> ${set(y)}`);
        break;
      case 'sb':
      case 'lb':
        break; // summarised per thread below
      default:
        out.push(`${sl.name}: ${x} -> ${y}`);
    }
  }
  const ml = m.memory;
  if (ml) {
    ml.threads.forEach((tm, t) => {
      const name = m.threads[t]!.name;
      const sa = storeBufferText(m, a, t);
      const sb = storeBufferText(m, b, t);
      if (sa !== sb) out.push(`${name} store buffer: ${sa} -> ${sb}`);
      if (ml.P > 0) {
        const la = loadBufferText(m, a, t);
        const lb = loadBufferText(m, b, t);
        if (la !== lb) out.push(`${name} pending loads: ${la} -> ${lb}`);
      }
      void tm;
    });
  }
  return out;
}

/**
 * Every value of a state as the changes above name them: where each thread stopped, the
 * variables, folio fields and xarray slots, who holds each lock; counts and sets that are
 * empty (reader holds, RCU nesting, queued writers, store buffers) are left out. `failed`
 * marks the slots in `failedSlots`.
 */
export function stateValues(m: Model, s: State, failedSlots: ReadonlySet<number>): FinalValue[] {
  const out: FinalValue[] = [];
  const who = (v: number): string => (v > 0 ? m.threads[v - 1]!.name : 'nobody');
  const folios = m.program.folios.map((f) => f.name);
  const set = (mask: number): string => `{${m.threads.filter((_, u) => (mask & (1 << u)) !== 0).map((t) => t.name).join(', ')}}`;
  const add = (i: number, name: string, value: string): void => void out.push({ name, value, failed: failedSlots.has(i) });
  for (let i = 0; i < m.width; i++) {
    const sl = m.slots[i]!;
    const v = s[i]!;
    const base = sl.name.split('#')[0]!;
    switch (sl.kind) {
      case 'pc': {
        const th = m.threads[sl.thread!]!;
        if (th.aux) break;
        add(i, th.name, v < th.end ? `at ${th.nodes[v]!.step}` : 'finished');
        break;
      }
      case 'owner':
        add(i, `${base} held by`, who(v));
        break;
      case 'writer':
        add(i, `${base} writer`, who(v));
        break;
      case 'read':
        if (v !== 0) add(i, `${base} read-held by ${m.threads[sl.thread!]!.name}`, String(v));
        break;
      case 'queued':
        if (v !== 0) add(i, `${base} queued writers`, String(v));
        break;
      case 'xa':
        add(i, sl.name, showEntry(v, folios));
        break;
      case 'xaorder':
        if (v !== 0) add(i, `${base} multi-index order`, String(v));
        break;
      case 'freed':
        add(i, `folio ${base} freed`, v ? 'yes' : 'no');
        break;
      case 'rcu':
        if (v !== 0) add(i, `${base} RCU read-side nesting`, String(v));
        break;
      case 'gp':
        if (v !== 0) add(i, `${base} grace period waits for`, set(v));
        break;
      case 'rcufree':
        if (v !== 0) add(i, `${base} call_rcu waits for`, set(v));
        break;
      case 'readers':
      case 'sb':
      case 'lb':
        break; // per thread: the read holds above, the buffers below
      default:
        add(i, sl.name, String(v));
    }
  }
  m.memory?.threads.forEach((_, t) => {
    const name = m.threads[t]!.name;
    const sb = storeBufferText(m, s, t);
    if (sb !== '[]') out.push({ name: `${name} store buffer`, value: sb, failed: false });
    if (m.memory!.P > 0) {
      const lb = loadBufferText(m, s, t);
      if (lb !== '[]') out.push({ name: `${name} pending loads`, value: lb, failed: false });
    }
  });
  return out;
}

/** A thread's store buffer, oldest first: `[x = 1, | y = 2]` (`|` an smp_wmb, `+=` an addition, `rel` a release). */
export function storeBufferText(m: Model, s: State, t: number): string {
  const ml = m.memory!;
  const tm = ml.threads[t]!;
  const parts: string[] = [];
  let ep = 0;
  for (let i = 0; i < s[tm.sbLen]!; i++) {
    const b = tm.sbBase + i * SB_STRIDE;
    const e = s[b + 2]!;
    const fl = s[b + 3]!;
    parts.push(`${e > ep ? '| ' : ''}${m.slots[s[b]!]!.name} ${(fl & F_ADD) !== 0 ? '+=' : '='} ${s[b + 1]}${(fl & F_RELEASE) !== 0 ? ' (release)' : ''}`);
    ep = e;
  }
  return `[${parts.join(', ')}]`;
}

function loadBufferText(m: Model, s: State, t: number): string {
  const ml = m.memory!;
  const tm = ml.threads[t]!;
  const parts: string[] = [];
  for (let i = 0; i < s[tm.lbLen]!; i++) {
    const b = tm.lbBase + i * LB_STRIDE;
    parts.push(`${m.slots[s[b]!]!.name} <- ${m.slots[s[b + 1]!]!.name}`);
  }
  return `[${parts.join(', ')}]`;
}
