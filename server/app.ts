// The loregraph HTTP API as a Fastify instance that never listens by itself: tests
// drive it with inject, server/main.ts binds it to a port.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { DEFAULT_LIMITS, queryPoolLimits, type Limits } from './limits.ts';
import { errorBody, errorBodySchema, handleError } from './http-errors.ts';
import { SECURITY_HEADERS } from './security.ts';
import { lazySchemas } from './lazy-schemas.ts';
import { handleClientError } from './client-error.ts';
import { listeningUrl } from './base-url.ts';
import { LoregraphError } from '../domain/errors.ts';
import { buildOpenApi, collectRoute, type CollectedRoute } from './openapi.ts';
import type { AppDeps, RouteContext } from './context.ts';
import { registerHealth } from './routes/health.ts';
import { registerKnowledge } from './routes/knowledge.ts';
import { registerMessages } from './routes/messages.ts';
import { registerThreads, threadNodeSchema } from './routes/threads.ts';
import { registerSearch, snippetSchema } from './routes/search.ts';
import { registerFeed } from './routes/feed.ts';
import { registerSearchMbox } from './routes/search-mbox.ts';
import { addressSchema, messageViewSchema } from './message-json.ts';
import { createKnowledgeCache, type KnowledgeCache } from './knowledge-cache.ts';
import { defaultKnowledgeSources } from './knowledge-sources.ts';
import { inlineKnowledgeBuilder, workerKnowledgeBuilder } from './knowledge-builder.ts';
import { createScenarioStore } from './scenario-store.ts';
import { workerScenarioLoader } from './scenario-loader.ts';
import { SCENARIO_DIR } from '../sim/index.ts';
import { registerScenarios } from './routes/scenarios.ts';
import { registerPatches } from './routes/patches.ts';
import { registerSeriesDiff } from './routes/series-diff.ts';
import { registerWatches } from './routes/watches.ts';
import { inlineSimRunner, workerSimRunner } from './sim-runner.ts';
import { inlineSearchRunner, processSearchRunner } from './search-runner.ts';
import { registerWeb } from './routes/web.ts';
import { registerLinks } from './routes/links.ts';
import { registerRaces } from './routes/races.ts';

export type { AppDeps } from './context.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The knowledge index cache; main.ts warms it at start. */
    knowledge: KnowledgeCache;
  }
}

/** After listening, how long the schemas not yet compiled wait: the first requests come first. */
const SCHEMA_WARM_DELAY_MS = 1_000;

const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

export function buildApp(deps: AppDeps): FastifyInstance {
  const limits: Limits = { ...DEFAULT_LIMITS, ...deps.limits };
  // The feed's links come from configuration or the listening address, never from a client's Host header.
  const baseUrl = deps.baseUrl ?? null;
  const ctx: RouteContext = { db: deps.db, limits, now: deps.now ?? Date.now, baseUrl: () => baseUrl ?? listeningUrl(app.server.address()) };
  const schemas = lazySchemas();
  const app = Fastify({
    logger: deps.logger ?? false,
    schemaController: { compilersFactory: schemas.compilersFactory },
    bodyLimit: limits.bodyLimit,
    // Bounded time for every phase of a connection: headers (slowloris), the whole request
    // (a body that stalls), an idle keep-alive, a socket with no traffic at all. Node checks
    // the first two every connectionsCheckingInterval, so that is tightened too.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1_000 },
    // Node's own 400/408/431 get our headers and error body too.
    clientErrorHandler: handleClientError,
    routerOptions: { maxParamLength: limits.maxParamLength },
    // Errors raised by the router before any route runs (bad %-encoding, over-long
    // parameters) get the same body and headers as everything else.
    frameworkErrors: (e, _req, reply: FastifyReply) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v);
      const body =
        e.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? errorBody(414, 'LIMIT', `a path parameter is longer than ${limits.maxParamLength} characters`)
          : errorBody(400, 'BAD_INPUT', 'the URL is not validly percent-encoded');
      void reply.status(body.statusCode).send(body);
    },
    // Query strings are coerced per schema (limit=20 -> 20); unknown keys are refused, not dropped.
    // Our schemas are not checked against the JSON Schema meta-schema on every start: that
    // check (compiling the meta-schema, then walking the shared schemas) was most of the
    // 60-110 ms the first /api/ request spent building the validator compiler, ahead of
    // /api/stats and the first search. test/api-schemas.test.ts checks them instead; ajv's
    // strict mode still refuses an unknown keyword or type when a route's schema compiles.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false, validateSchema: false } },
  });

  const routes: CollectedRoute[] = [];
  // Shared schemas, referenced as 'Id#' by routes and listed once in the OpenAPI components.
  const sharedSchemas = [errorBodySchema, addressSchema, messageViewSchema, threadNodeSchema, snippetSchema];
  const shared: Record<string, unknown> = {};
  for (const s of sharedSchemas) {
    app.addSchema(s);
    shared[s.$id] = s;
  }
  app.addHook('onRoute', (opts) => {
    if (opts.url.startsWith('/api/')) {
      // Every API route validates its query string: one that takes no parameters says so,
      // so a mistyped parameter is a 400 rather than silently ignored.
      const schema = (opts.schema ??= {});
      schema.querystring ??= NO_QUERY;
      const response = (schema.response ??= {}) as Record<string, unknown>;
      response['400'] ??= { $ref: 'ErrorBody#' };
    }
    collectRoute(routes, opts);
  });

  app.addHook('onRequest', async (req) => {
    const bytes = Buffer.byteLength(req.url);
    if (bytes > limits.maxUrlLength) throw new LoregraphError('LIMIT', `URL is ${bytes} bytes, the limit is ${limits.maxUrlLength}`);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });

  // Route schemas compile on first use; once listening, the rest are compiled in the gaps
  // between requests, after the first page's burst of requests.
  app.addHook('onListen', async () => {
    setTimeout(() => void schemas.warm().catch((e: unknown) => app.log.error({ err: e }, 'a route schema does not compile')), SCHEMA_WARM_DELAY_MS).unref();
  });

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(errorBody(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`));
  });

  // Scenario files and the knowledge index take seconds to load and build: both happen in
  // worker threads, so no request waits for them but the ones that need them.
  const scenarioLoader = deps.scenarioLoader === 'inline' ? null : workerScenarioLoader();
  if (scenarioLoader) app.addHook('onClose', async () => scenarioLoader.close());
  const scenarioDir = deps.scenarioDir ?? SCENARIO_DIR;
  const scenarios = createScenarioStore(scenarioDir, scenarioLoader?.load);
  // Loaded once listening, in the background, so the first page that shows them finds them ready.
  if (scenarioLoader) app.addHook('onListen', async () => void scenarios.list().catch(() => {}));
  const inWorker = deps.knowledgeBuilder !== 'inline';
  const builder = inWorker ? workerKnowledgeBuilder() : inlineKnowledgeBuilder();
  const onDisk = deps.db.path !== ':memory:' && deps.db.path !== '';
  const sources = deps.knowledgeSources ?? (inWorker && onDisk ? { dbPath: deps.db.path, scenarios } : defaultKnowledgeSources({ scenarios }));
  const knowledge = createKnowledgeCache(deps.db, sources, builder, ctx.now, limits.knowledgeRebuildMs);
  app.decorate('knowledge', knowledge);
  app.addHook('onClose', async () => knowledge.close());

  const searchRunner =
    deps.searchRunner ??
    (deps.searchWorkers && deps.db.path !== ':memory:'
      ? processSearchRunner(deps.db.path, { size: deps.searchWorkers, ...queryPoolLimits(limits) })
      : inlineSearchRunner(deps.db));
  app.addHook('onClose', async () => searchRunner.close());
  registerHealth(app, ctx, searchRunner);
  registerKnowledge(app, ctx, knowledge);
  registerSearch(app, ctx, searchRunner);
  registerFeed(app, ctx, searchRunner);
  registerSearchMbox(app, ctx, searchRunner);
  registerMessages(app, ctx);
  registerThreads(app, ctx, searchRunner);
  const simRunner = deps.simRunner === 'inline' ? inlineSimRunner() : workerSimRunner();
  app.addHook('onClose', async () => simRunner.close());
  registerScenarios(app, ctx, scenarios, simRunner);
  registerPatches(app, ctx);
  registerSeriesDiff(app, ctx);
  registerWatches(app, ctx, searchRunner);
  registerLinks(app, ctx, scenarios);
  registerRaces(app, ctx, scenarios);
  registerWeb(app);

  app.get('/api/openapi.json', {
    schema: {
      summary: 'This OpenAPI document, generated from the route schemas',
      tags: ['meta'],
      response: { 200: { type: 'object', additionalProperties: true } },
    },
    handler: async () =>
      buildOpenApi(routes, shared, {
        title: 'loregraph',
        version: '0.1.0',
        description: 'Kernel mailing-list archives as threads, patches, series, stable status and race scenarios.',
      }),
  });

  return app;
}
