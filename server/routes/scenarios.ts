// Race scenarios: the list, one scenario's model, and a bounded run of the explorer
// (the same JSON as `loregraph sim run`). Runs are CPU-bound: they go to a worker
// thread (server/sim-runner.ts), and their states and time are capped by the server's
// limits whatever the client asks.
import type { FastifyInstance } from 'fastify';
import { basename } from 'node:path';
import { LoregraphError } from '../../errors.ts';
import type { RunResult } from '../../sim/index.ts';
import type { SimRunner } from '../sim-runner.ts';
import type { RouteContext } from '../context.ts';
import type { ScenarioStore } from '../scenario-store.ts';
import { runResultSchema, scenarioDetail, scenarioDetailSchema } from '../scenario-json.ts';

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

  app.get('/api/scenarios', {
    schema: {
      summary: 'Every race scenario, with its variants (proposed fixes) and configs',
      tags: ['scenarios'],
      response: { 200: { type: 'object', required: ['scenarios'], properties: { scenarios: { type: 'array', items: listItemSchema } } } },
    },
    handler: async () => ({
      scenarios: store.list().map((e) => {
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
    handler: async (req) => scenarioDetail(store.get(req.params.id)),
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
      const sc = store.get(req.params.id);
      const { variant } = req.query;
      const config = req.query.config ?? [...sc.configs.keys()][0] ?? '';
      if (!sc.variants.has(variant)) {
        throw new LoregraphError('USAGE', `scenario '${sc.id}' has no variant '${variant}' (variants: ${[...sc.variants.keys()].join(', ')})`);
      }
      if (!sc.configs.has(config)) {
        throw new LoregraphError('USAGE', `scenario '${sc.id}' has no config '${config}' (configs: ${[...sc.configs.keys()].join(', ')})`);
      }
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
