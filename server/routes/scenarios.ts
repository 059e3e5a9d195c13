// Race scenarios: the list, one scenario's model, and a bounded run of the explorer
// (the same JSON as `loregraph sim run`). Runs are CPU-bound: they go to a worker
// thread (server/sim-runner.ts), and their states and time are capped by the server's
// limits whatever the client asks.
import type { FastifyInstance } from 'fastify';
import { basename } from 'node:path';
import { LoregraphError } from '../../domain/errors.ts';
import { replay, type RunResult } from '../../sim/index.ts';
import type { SimRunner } from '../sim-runner.ts';
import type { RouteContext } from '../context.ts';
import type { Scenario } from '../../sim/index.ts';
import type { ScenarioStore } from '../scenario-store.ts';
import { runResultSchema, scenarioDetail, scenarioDetailSchema, witnessStepSchema } from '../scenario-json.ts';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', maxLength: 128, description: 'scenario id or file name' } },
} as const;

const str = { type: 'string' } as const;
const listItemSchema = {
  type: 'object',
  required: ['id', 'file', 'title', 'source', 'variants', 'configs', 'expectations', 'error'],
  properties: {
    id: str,
    file: str,
    title: str,
    source: { type: 'array', items: str },
    variants: {
      type: 'array',
      items: { type: 'object', required: ['name', 'fix', 'description'], properties: { name: str, fix: str, description: str } },
    },
    configs: { type: 'array', items: { type: 'object', required: ['name', 'description'], properties: { name: str, description: str } } },
    expectations: { type: 'integer' },
    error: { type: ['string', 'null'], description: 'why the file does not load (then the other fields are empty)' },
  },
} as const;

/** Finished runs are deterministic; keep the last few so a page can re-ask cheaply. */
const RUN_CACHE_SIZE = 64;

interface RunQuery {
  variant: string;
  config?: string;
  maxStates?: number;
  maxMs?: number;
}

export function registerScenarios(app: FastifyInstance, ctx: RouteContext, store: ScenarioStore, runner: SimRunner): void {
  const runs = new Map<string, RunResult>();
  registerReplay(app, store);

  app.get('/api/scenarios', {
    schema: {
      summary: 'Every race scenario, with its variants (proposed fixes) and configs',
      tags: ['scenarios'],
      response: { 200: { type: 'object', required: ['scenarios'], properties: { scenarios: { type: 'array', items: listItemSchema } } } },
    },
    handler: async () => ({
      scenarios: (await store.list()).map((e) => {
        const s = e.scenario;
        return {
          id: e.id,
          file: basename(e.file),
          title: s?.title ?? '',
          source: s ? [...s.source] : [],
          variants: s ? [...s.variants.values()].map((v) => ({ name: v.name, fix: v.fix, description: v.description ?? '' })) : [],
          configs: s ? [...s.configs.values()].map((c) => ({ name: c.name, description: c.description ?? '' })) : [],
          expectations: s?.expect.length ?? 0,
          error: e.error,
        };
      }),
    }),
  });

  app.get<{ Params: { id: string } }>('/api/scenarios/:id', {
    schema: {
      summary: "One scenario's model: threads, kernel functions, properties, expected verdicts",
      tags: ['scenarios'],
      params: idParams,
      response: { 200: scenarioDetailSchema, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 422: { $ref: 'ErrorBody#' } },
    },
    handler: async (req) => scenarioDetail(await store.get(req.params.id)),
  });

  app.get<{ Params: { id: string }; Querystring: RunQuery }>('/api/scenarios/:id/run', {
    schema: {
      summary: 'Explore every interleaving of one (variant, config), bounded; the verdict comes with a witness that replays',
      tags: ['scenarios'],
      params: idParams,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          variant: { type: 'string', maxLength: 128, default: 'original', description: 'variant (fix) to run' },
          config: { type: 'string', maxLength: 128, description: 'config to run (default: the first)' },
          maxStates: { type: 'integer', minimum: 1, maximum: ctx.limits.simMaxStates, description: `default and cap ${ctx.limits.simMaxStates}` },
          maxMs: { type: 'integer', minimum: 1, maximum: ctx.limits.simMaxMs, description: `default and cap ${ctx.limits.simMaxMs}` },
        },
      },
      response: { 200: runResultSchema, 400: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 422: { $ref: 'ErrorBody#' } },
    },
    handler: async (req) => {
      const sc = await store.get(req.params.id);
      const { variant } = req.query;
      const config = checkVariantConfig(sc, variant, req.query.config);
      const maxStates = req.query.maxStates ?? ctx.limits.simMaxStates;
      const maxMs = req.query.maxMs ?? ctx.limits.simMaxMs;
      const key = JSON.stringify([sc.id, sc.file, variant, config, maxStates, maxMs]);
      const cached = runs.get(key);
      // The Scenario object changes when its file does, so the cache cannot serve a stale model.
      if (cached && runsOf.get(cached) === sc) return cached;
      const result = await runner.run(sc, { variant, config, maxStates, maxMs });
      // A run stopped by the clock may finish next time; only complete answers are kept.
      if (result.bound === undefined) {
        runs.set(key, result);
        runsOf.set(result, sc);
        if (runs.size > RUN_CACHE_SIZE) runs.delete(runs.keys().next().value as string);
      }
      return result;
    },
  });
}

const runsOf = new WeakMap<RunResult, object>();

/** Unknown names are the client's mistake (400), listing what exists; returns the config to use. */
function checkVariantConfig(sc: Scenario, variant: string, config: string | undefined): string {
  const c = config ?? [...sc.configs.keys()][0] ?? '';
  if (!sc.variants.has(variant)) {
    throw new LoregraphError('USAGE', `scenario '${sc.id}' has no variant '${variant}' (variants: ${[...sc.variants.keys()].join(', ')})`);
  }
  if (!sc.configs.has(c)) {
    throw new LoregraphError('USAGE', `scenario '${sc.id}' has no config '${c}' (configs: ${[...sc.configs.keys()].join(', ')})`);
  }
  return c;
}

interface ReplayBody {
  variant?: string;
  config?: string;
  witness: { thread: string; step: string; branch?: string }[];
}

/** Checks a witness someone posts (from a run, a report, an edited file) against a scenario. */
function registerReplay(app: FastifyInstance, store: ScenarioStore): void {
  const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
  app.post<{ Params: { id: string }; Body: ReplayBody }>('/api/scenarios/:id/replay', {
    schema: {
      summary: 'Replay a witness (thread, step, branch per step) on a (variant, config): the verdict it shows, or 400 where it stops fitting',
      tags: ['scenarios'],
      params: idParams,
      body: {
        type: 'object',
        required: ['witness'],
        additionalProperties: false,
        properties: {
          variant: { ...name, default: 'original' },
          config: name,
          witness: {
            type: 'array',
            maxItems: 10_000,
            items: {
              type: 'object',
              required: ['thread', 'step'],
              // A witness copied from a run carries function, file and changes too: ignored, not refused.
              properties: { thread: name, step: name, branch: name },
            },
          },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['verdict', 'witness'],
          properties: {
            verdict: { type: 'string', enum: ['holds', 'violated', 'deadlock'] },
            property: { type: 'string' },
            witness: { type: 'array', items: witnessStepSchema },
          },
        },
        400: { $ref: 'ErrorBody#' },
        404: { $ref: 'ErrorBody#' },
        413: { $ref: 'ErrorBody#' },
        422: { $ref: 'ErrorBody#' },
      },
    },
    handler: async (req) => {
      const sc = await store.get(req.params.id);
      const variant = req.body.variant ?? 'original';
      const config = checkVariantConfig(sc, variant, req.body.config);
      const steps = req.body.witness.map((w) => ({ thread: w.thread, step: w.step, ...(w.branch !== undefined ? { branch: w.branch } : {}) }));
      return replay(sc, steps, { variant, config });
    },
  });
}
