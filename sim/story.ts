// A witness told as a story: the steps the outcome depends on, the step that breaks the
// property, and the failed expression with its values. The full witness stays as it is
// (it is what replays); the story only says which of its steps to show and which to fold.
//
// Which steps matter is a dynamic backward slice over the replayed witness: start from the
// slots the failure reads (the false part of the property, the failing step's lock words, a
// stuck thread's guard); walking back, a step matters if it wrote one of them -- what it
// read (for an assignment: what those values were computed from) then matters too -- or if
// it is the if/while/choice a step that matters sits inside. Earlier writes to a slot that
// matters are kept (a lost update is part of the story). Everything else touched nothing
// the failure depends on, and is folded.
import type { Expr, Outcome, OutcomeKind, Story } from './ast.ts';
import { exprJs, type Model, type State, type Transition } from './compile.ts';
import { leaves, showEntry, showExpr } from './expr.ts';
import { SB_STRIDE } from './memory.ts';
import { replayWitness, stateValues, type ReplayOutcome } from './replay.ts';

interface Replayed {
  tr: Transition;
  before: State;
  after: State;
}

/** An expression as a function of a state, locals seen from `thread`. */
function evaluator(m: Model, e: Expr, thread: number): (s: State) => number {
  const folios = new Map(m.program.folios.map((f, i) => [f.name, i + 1]));
  return new Function('s', `return ${exprJs(e, 's', (x) => m.leafSlot(x, thread), folios)};`) as (s: State) => number;
}

/** The parts of a failed expression that are false: its `&&` conjuncts that fail, or the whole. */
function falseParts(m: Model, e: Expr, thread: number, s: State): Expr[] {
  const parts: Expr[] = [];
  const conj = (x: Expr): void => {
    if (x.k === 'bin' && x.op === '&&') (conj(x.l), conj(x.r));
    else parts.push(x);
  };
  conj(e);
  const bad = parts.filter((p) => evaluator(m, p, thread)(s) === 0);
  return bad.length > 0 && bad.length < parts.length ? bad : [e];
}

/** The expression that failed, with the values of what it reads; for `&&`, only the parts that are false. */
function failedExpr(m: Model, e: Expr, thread: number, s: State): NonNullable<Story['failed']> {
  const shown = falseParts(m, e, thread, s);
  const values: Record<string, number> = {};
  const folios = m.program.folios.map((f) => f.name);
  const notes: string[] = [];
  for (const p of shown) {
    for (const l of leaves(p)) {
      const name = showExpr(l);
      if (name in values) continue;
      const v = s[m.leafSlot(l, thread)]!;
      values[name] = v;
      notes.push(l.k === 'xa' ? `${name} = ${showEntry(v, folios)}` : `${name} = ${v}`);
    }
  }
  const what = shown.map((p) => showExpr(p)).join(' && ');
  // Only some conjuncts are false: say which ones.
  const part = shown.length === 1 && shown[0] === e ? '' : 'false: ';
  return { expr: showExpr(e), values, text: `${part}${what}${notes.length ? ` with ${notes.join(', ')}` : ''}` };
}

/**
 * The story of one outcome: which witness steps to show (the rest are folded), the step
 * that breaks the property, and the failed expression with its values. `r` is the
 * witness's replay, when the caller has just made it (a witness that does not replay throws).
 */
export function storyOf(m: Model, o: Pick<Outcome, 'kind' | 'property' | 'thread' | 'witness'>, r: Pick<ReplayOutcome, 'trace' | 'final'> = replayWitness(m, o.witness)): Story {
  return tell(m, o, r).story;
}

/** The story, and the slots the failure reads (where the backward slice starts). */
function tell(m: Model, o: Pick<Outcome, 'kind' | 'property' | 'thread' | 'witness'>, r: Pick<ReplayOutcome, 'trace' | 'final'>): { story: Story; failedSlots: Set<number> } {
  const end = r.final;
  const steps: Replayed[] = r.trace.map((t, i) => ({ ...t, after: r.trace[i + 1]?.before ?? end }));
  const n = steps.length;
  const relevant = new Uint8Array(n);
  const live = new Set<number>();
  // Per thread: node indices of if/while/choice steps a relevant step sits inside.
  const need = m.threads.map(() => new Set<number>());
  let breaking: number | undefined;
  let failed: Story['failed'];

  const addReads = (tr: Transition): void => {
    for (const x of tr.reads) live.add(x);
  };
  const cd = controlDeps(m);
  const addWithin = (thread: number, node: number): void => {
    for (const w of cd[thread]?.of[node] ?? []) need[thread]!.add(w);
  };
  const realThreads = m.threads.filter((t) => !t.aux).length;

  if (o.kind === 'invariant' || o.kind === 'final') {
    const p = (o.kind === 'invariant' ? m.program.invariants : m.program.finals).find((x) => x.name === o.property)!;
    // What the false part reads is what the story is about; a part that holds is not.
    for (const part of falseParts(m, p.expr, 0, end)) for (const l of leaves(part)) live.add(m.leafSlot(l, 0));
    failed = failedExpr(m, p.expr, 0, end);
    if (o.kind === 'invariant') {
      if (n > 0) breaking = n - 1;
    } else {
      // The last step after which the final stopped holding, for good.
      const holds = evaluator(m, p.expr, 0);
      for (let i = n - 1; i >= 0; i--) {
        if (holds(steps[i]!.before) !== 0) {
          breaking = i;
          break;
        }
      }
    }
  } else if (o.kind === 'deadlock') {
    // Each stuck thread: what its guard reads, and the branches its step is inside.
    m.threads.forEach((th, ti) => {
      const pc = end[th.pcSlot]!;
      if (pc >= th.end || th.aux) return;
      for (const tr of th.nodes[pc]!.trans) addReads(tr);
      addWithin(ti, pc);
    });
  } else {
    // An assert or a discipline check: the failing step itself, and what it read.
    const last = steps[n - 1];
    if (last) {
      relevant[n - 1] = 1;
      addReads(last.tr);
      addWithin(last.tr.thread, last.tr.node);
      breaking = n - 1;
      if (o.kind === 'assert') {
        const node = m.threads[last.tr.thread]!.nodes[last.tr.node]!;
        const cond = findAssert(m, last.tr.thread, node.step);
        if (cond) failed = failedExpr(m, cond, last.tr.thread, last.before);
      }
    }
  }

  const seed = new Set(live);
  let lastSeedDef: number | undefined;
  for (let i = n - 1; i >= 0; i--) {
    const { tr, before, after } = steps[i]!;
    const aux = m.threads[tr.thread]!.aux === true;
    let hit = relevant[i] === 1 || i === breaking || need[tr.thread]!.has(tr.node);
    // A branch whose other side could have written what matters decided the outcome too.
    if (!hit && !aux) for (const x of cd[tr.thread]!.writesUnder[tr.node] ?? []) if (live.has(x)) hit = true;
    // What the step defined: an assignment's targets (even when the value stays the same:
    // a lost update writes what was there), else the slots it changed.
    const changed: number[] = [];
    if (tr.deps && (!tr.applies || tr.applies(before))) changed.push(...tr.deps.keys());
    else for (let k = 0; k < m.width; k++) if (before[k] !== after[k] && m.slots[k]!.kind !== 'pc') changed.push(k);
    if (lastSeedDef === undefined && changed.some((k) => seed.has(k))) lastSeedDef = i;
    if (!hit) hit = changed.some((k) => live.has(k));
    if (!hit) continue;
    relevant[i] = 1;
    need[tr.thread]!.delete(tr.node);
    // Nothing is killed: an earlier write to the same place (the update a later one lost) is part of the story too.
    const wanted = changed.filter((k) => live.has(k));
    if (aux) {
      // A commit (or a satisfied load) made visible what an earlier step of its thread issued:
      // that step is the story, with what it read; a satisfied load also read memory now.
      const owner = tr.thread - realThreads;
      for (const k of wanted) {
        for (let j = i - 1; j >= 0; j--) {
          const t = steps[j]!.tr;
          if (t.thread === owner && t.deps?.has(k)) {
            relevant[j] = 1;
            for (const x of t.deps.get(k)!) live.add(x);
            break;
          }
        }
      }
      if (tr.branch?.startsWith('load')) for (const x of tr.reads) if (m.slots[x]!.kind === 'global' || m.slots[x]!.kind === 'field') live.add(x);
      continue;
    }
    // An assignment step shown for the values it wrote depends only on what those were computed from.
    if (tr.deps && wanted.length > 0) for (const k of wanted) for (const x of tr.deps.get(k) ?? []) live.add(x);
    else addReads(tr);
    addWithin(tr.thread, tr.node);
    // Weak memory: a load that missed another thread's store still in its store buffer is
    // half of the story; that store's step is shown too.
    if (m.memory) for (const j of unseenStores(m, steps, i)) relevant[j] = 1;
  }
  // A final that never held: the last step that set what it reads is where it was settled.
  if (o.kind === 'final' && breaking === undefined && lastSeedDef !== undefined) {
    breaking = lastSeedDef;
    relevant[lastSeedDef] = 1;
  }
  if (o.kind === 'deadlock' && n > 0) {
    // The step that closed the cycle: the last one that matters.
    for (let i = n - 1; i >= 0; i--) {
      if (relevant[i]) {
        breaking = i;
        break;
      }
    }
  }
  const shown: number[] = [];
  relevant.forEach((r, i) => {
    if (r) shown.push(i);
  });
  return { story: { shown, ...(breaking !== undefined ? { breaking } : {}), ...(failed ? { failed } : {}) }, failedSlots: seed };
}

function findAssert(m: Model, thread: number, step: string): Expr | undefined {
  const f = m.failures.find((x) => x.kind === 'assert' && x.thread === m.threads[thread]!.name && x.step === step);
  return f?.cond;
}

/**
 * A bad witness, replayed, as a run reports it: its kind, where it failed, the message the
 * explorer gives it, and its story. `property` names the invariant (or final) the outcome
 * is about where several fail in the same state and the replay names another.
 */
export function outcomeOf(m: Model, r: ReplayOutcome & { verdict: Outcome['verdict'] }, property = r.property!): Outcome {
  const kind: OutcomeKind = r.kind!;
  const fl = r.failure !== undefined ? m.failures[r.failure] : undefined;
  const message =
    fl?.message ??
    (kind === 'deadlock' ? 'no thread can move' : kind === 'final' ? `final assertion '${property}' fails` : `invariant '${property}' fails${r.steps.length === 0 ? ' in the initial state' : ''}`);
  const details = fl ? { thread: fl.thread, step: fl.step, ...(fl.lock !== undefined ? { lock: fl.lock } : {}) } : {};
  const { story, failedSlots } = tell(m, { kind, property, witness: r.steps, ...details }, r);
  return {
    kind,
    verdict: r.verdict,
    property,
    message,
    ...details,
    witness: r.steps,
    ...(r.verdict === 'deadlock' && r.waitFor ? { waitFor: r.waitFor } : {}),
    story,
    final: stateValues(m, r.final, failedSlots),
  };
}

/** Earlier steps of other threads whose store to a location step i reads sat unseen in a store buffer. */
function unseenStores(m: Model, steps: Replayed[], i: number): number[] {
  const ml = m.memory!;
  const { tr, before } = steps[i]!;
  const out: number[] = [];
  const reads = new Set(tr.reads.filter((x) => m.slots[x]!.kind === 'global' || m.slots[x]!.kind === 'field'));
  if (reads.size === 0) return out;
  ml.threads.forEach((tm, u) => {
    if (u === tr.thread || m.threads[tr.thread]!.aux) return;
    for (let k = 0; k < before[tm.sbLen]!; k++) {
      const loc = before[tm.sbBase + k * SB_STRIDE]!;
      if (!reads.has(loc)) continue;
      for (let j = i - 1; j >= 0; j--) {
        const t = steps[j]!.tr;
        if (t.thread === u && t.deps?.has(loc)) {
          out.push(j);
          break;
        }
      }
    }
  });
  return out;
}

/**
 * Control dependence per thread, from post-dominators of its control-flow graph (the end
 * included): `of[n]` are the branch nodes whose decision decides whether n runs, and
 * `writesUnder[b]` what the nodes depending on branch b may write (for relevant slicing).
 */
function controlDeps(m: Model): { of: number[][]; writesUnder: number[][] }[] {
  return m.threads.map((th) => {
    const N = th.nodes.length;
    const end = N;
    const succ = (n: number): number[] => (n === end ? [] : th.nodes[n]!.next);
    // Post-dominator sets by iteration (graphs are small).
    const all = new Set(Array.from({ length: N + 1 }, (_, i) => i));
    const pdom: Set<number>[] = Array.from({ length: N + 1 }, (_, i) => (i === end ? new Set([end]) : new Set(all)));
    for (let changed = true; changed; ) {
      changed = false;
      for (let n = N - 1; n >= 0; n--) {
        const ss = succ(n);
        let inter: Set<number> | undefined;
        for (const x of ss) inter = inter ? new Set([...inter].filter((y) => pdom[x]!.has(y))) : new Set(pdom[x]);
        const next = new Set(inter ?? []);
        next.add(n);
        if (next.size !== pdom[n]!.size || [...next].some((y) => !pdom[n]!.has(y))) {
          pdom[n] = next;
          changed = true;
        }
      }
    }
    const of: number[][] = Array.from({ length: N }, () => []);
    const writesUnder: number[][] = Array.from({ length: N }, () => []);
    for (let b = 0; b < N; b++) {
      const ss = succ(b);
      if (new Set(ss).size < 2) continue;
      const under = new Set<number>();
      for (const x of ss) {
        // Every node on the way from x that does not post-dominate b depends on b.
        const seen = new Set<number>();
        const stack = [x];
        while (stack.length) {
          const y = stack.pop()!;
          if (y === end || seen.has(y) || (pdom[b]!.has(y) && y !== b)) continue;
          seen.add(y);
          if (y !== b) under.add(y);
          for (const z of succ(y)) stack.push(z);
        }
      }
      const w = new Set<number>();
      for (const y of under) {
        of[y]!.push(b);
        for (const tr of th.nodes[y]!.trans) for (const x of tr.writes) w.add(x);
      }
      writesUnder[b] = [...w];
    }
    return { of, writesUnder };
  });
}
