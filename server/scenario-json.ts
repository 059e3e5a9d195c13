// Scenarios as the API shows them: the parsed Scenario holds Maps and source positions,
// the JSON holds arrays and only what a reader (or the knowledge index) needs.
import type { KernelRef, Outcome, RawStep, RunResult, Scenario, WaitEdge, WitnessStep } from '../sim/ast.ts';
import { schemaCovers } from './schema-covers.ts';
import type { KnowledgeEntity } from './knowledge.ts';

export interface ScenarioSummary {
  id: string;
  title: string;
  description: string;
  source: string[];
  variants: { name: string; fix: string; description: string }[];
  configs: { name: string; description: string; threads: string[] }[];
}

export interface ScenarioDetail extends ScenarioSummary {
  /** Every kernel function the model has a step in, as `file:function`. */
  kernelRefs: string[];
  threads: { name: string; params: string[] }[];
  properties: { kind: 'invariant' | 'final'; name: string; expr: string; says: string }[];
  expect: { variant: string; config: string; verdict: string; property: string; why: string }[];
}

function refText(fn: KernelRef): string {
  return `${fn.file}:${fn.func}`;
}

function collectRefs(steps: readonly RawStep[], out: Set<string>): void {
  for (const s of steps) {
    if (s.fn) out.add(refText(s.fn));
    switch (s.kind) {
      case 'if':
        collectRefs(s.then, out);
        collectRefs(s.else, out);
        break;
      case 'while':
      case 'foreach':
        collectRefs(s.body, out);
        break;
      case 'choice':
        for (const b of s.branches) collectRefs(b.body, out);
        break;
      default:
        break;
    }
  }
}

export function kernelRefs(s: Scenario): string[] {
  const out = new Set<string>();
  for (const m of s.macros.values()) {
    if (m.fn) out.add(refText(m.fn));
    collectRefs(m.steps, out);
  }
  for (const t of s.threads.values()) {
    if (t.fn) out.add(refText(t.fn));
    collectRefs(t.steps, out);
  }
  for (const v of s.variants.values()) {
    for (const e of v.edits) if (e.op !== 'remove') collectRefs(e.steps, out);
  }
  return [...out].sort();
}

export function scenarioSummary(s: Scenario): ScenarioSummary {
  return {
    id: s.id,
    title: s.title,
    description: s.description ?? '',
    source: [...s.source],
    variants: [...s.variants.values()].map((v) => ({ name: v.name, fix: v.fix, description: v.description ?? '' })),
    configs: [...s.configs.values()].map((c) => ({ name: c.name, description: c.description ?? '', threads: c.run.map((r) => r.as) })),
  };
}

export function scenarioDetail(s: Scenario): ScenarioDetail {
  return {
    ...scenarioSummary(s),
    kernelRefs: kernelRefs(s),
    threads: [...s.threads.values()].map((t) => ({ name: t.name, params: [...t.params] })),
    properties: [
      ...s.invariants.map((p) => ({ kind: 'invariant' as const, name: p.name, expr: p.expr.text, says: p.says ?? '' })),
      ...s.finals.map((p) => ({ kind: 'final' as const, name: p.name, expr: p.expr.text, says: p.says ?? '' })),
    ],
    expect: s.expect.map((e) => ({ variant: e.variant, config: e.config, verdict: e.verdict, property: e.property ?? '', why: e.why })),
  };
}

export function scenarioEntity(s: Scenario): KnowledgeEntity {
  const variants = [...s.variants.values()];
  return {
    id: `scenario:${s.id}`,
    kind: 'scenario',
    title: s.title,
    paths: kernelRefs(s),
    body: [s.description ?? '', ...s.source, ...variants.map((v) => `${v.name} ${v.fix} ${v.description ?? ''}`)].join('\n'),
    url: `/api/scenarios/${encodeURIComponent(s.id)}`,
  };
}

const str = { type: 'string' } as const;
const strArray = { type: 'array', items: str } as const;

export const scenarioSummarySchema = {
  type: 'object',
  required: ['id', 'title', 'description', 'source', 'variants', 'configs'],
  properties: {
    id: str,
    title: str,
    description: str,
    source: strArray,
    variants: {
      type: 'array',
      items: { type: 'object', required: ['name', 'fix', 'description'], properties: { name: str, fix: str, description: str } },
    },
    configs: {
      type: 'array',
      items: { type: 'object', required: ['name', 'description', 'threads'], properties: { name: str, description: str, threads: strArray } },
    },
  },
} as const;

export const scenarioDetailSchema = {
  type: 'object',
  required: [...scenarioSummarySchema.required, 'kernelRefs', 'threads', 'properties', 'expect'],
  properties: {
    ...scenarioSummarySchema.properties,
    kernelRefs: strArray,
    threads: { type: 'array', items: { type: 'object', required: ['name', 'params'], properties: { name: str, params: strArray } } },
    properties: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'name', 'expr', 'says'],
        properties: { kind: { type: 'string', enum: ['invariant', 'final'] }, name: str, expr: str, says: str },
      },
    },
    expect: {
      type: 'array',
      items: {
        type: 'object',
        required: ['variant', 'config', 'verdict', 'property', 'why'],
        properties: { variant: str, config: str, verdict: str, property: str, why: str },
      },
    },
  },
} as const;

export const witnessStepSchema = {
  type: 'object',
  required: ['thread', 'step', 'function', 'file', 'changes'],
  properties: { thread: str, step: str, function: str, file: str, branch: str, changes: strArray },
} as const;

const waitEdgeSchema = {
  type: 'object',
  required: ['thread', 'waitsFor', 'heldBy'],
  properties: { thread: str, waitsFor: str, heldBy: strArray },
} as const;

/** One bad outcome of a run with its own shortest witness, told as a story (sim/story.ts). */
export const outcomeSchema = {
  type: 'object',
  required: ['kind', 'verdict', 'property', 'message', 'witness', 'story', 'final'],
  properties: {
    kind: str,
    verdict: { type: 'string', enum: ['violated', 'deadlock'] },
    property: str,
    message: str,
    thread: str,
    step: str,
    lock: str,
    witness: { type: 'array', items: witnessStepSchema },
    waitFor: { type: 'array', items: waitEdgeSchema },
    story: {
      type: 'object',
      required: ['shown'],
      properties: {
        shown: { type: 'array', items: { type: 'integer' }, description: 'indices of the witness steps the outcome depends on; the others are folded' },
        breaking: { type: 'integer', description: 'the step that breaks the property (or closes the wait-for cycle)' },
        failed: {
          type: 'object',
          required: ['expr', 'values', 'text'],
          properties: { expr: str, values: { type: 'object', additionalProperties: { type: 'number' } }, text: str },
        },
      },
    },
    final: {
      type: 'array',
      description: 'the state the witness ends in: where each thread stopped, every variable, folio field, xarray slot and lock holder; failed marks what the failure reads',
      items: { type: 'object', required: ['name', 'value', 'failed'], properties: { name: str, value: str, failed: { type: 'boolean' } } },
    },
  },
} as const;

export const runResultSchema = {
  type: 'object',
  required: ['scenario', 'variant', 'config', 'verdict', 'states', 'transitions', 'ms', 'witness', 'unreached'],
  properties: {
    scenario: str,
    variant: str,
    config: str,
    verdict: { type: 'string', enum: ['holds', 'violated', 'deadlock', 'incomplete'] },
    property: str,
    states: { type: 'integer' },
    transitions: { type: 'integer' },
    ms: { type: 'number' },
    witness: { type: 'array', items: witnessStepSchema },
    waitFor: {
      type: 'array',
      items: { type: 'object', required: ['thread', 'waitsFor', 'heldBy'], properties: { thread: str, waitsFor: str, heldBy: strArray } },
    },
    unreached: strArray,
    bound: str,
    outcomes: { type: 'array', items: outcomeSchema, description: 'every bad outcome reachable, each with its own shortest witness; the first is verdict/property/witness' },
    complete: { type: 'boolean', description: 'false when a bound stopped the search: outcomes may then miss some' },
  },
} as const;

schemaCovers<typeof runResultSchema, RunResult>(true);
schemaCovers<typeof outcomeSchema, Outcome>(true);
schemaCovers<typeof witnessStepSchema, WitnessStep>(true);
schemaCovers<typeof runResultSchema.properties.waitFor.items, WaitEdge>(true);
schemaCovers<typeof scenarioDetailSchema, ScenarioDetail>(true);
