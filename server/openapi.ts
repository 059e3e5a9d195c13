// The OpenAPI document is generated from the schemas the routes already carry (collected
// by an onRoute hook), so it cannot drift from what the server validates and serializes.
import type { RouteOptions } from 'fastify';

export interface CollectedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
}

export interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: readonly string[];
  params?: JsonObjectSchema;
  querystring?: JsonObjectSchema;
  body?: unknown;
  /** status code -> schema, or { description, content } for non-JSON responses */
  response?: Record<string, unknown>;
  /** Non-JSON media types the route produces (mbox, text/plain, Atom). */
  produces?: readonly string[];
  hide?: boolean;
}

interface JsonObjectSchema {
  type?: string;
  properties?: Record<string, Record<string, unknown>>;
  required?: readonly string[];
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

export function collectRoute(routes: CollectedRoute[], opts: RouteOptions): void {
  const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
  const schema = (opts.schema ?? {}) as RouteSchema;
  if (schema.hide) return;
  for (const m of methods) {
    // HEAD is implied by GET; OPTIONS is not part of this API.
    if (m === 'HEAD' || m === 'OPTIONS') continue;
    routes.push({ method: m.toLowerCase(), url: opts.url, schema });
  }
}

/** Fastify's `/a/:b` becomes OpenAPI's `/a/{b}`. */
export function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function parameters(where: 'path' | 'query', s: JsonObjectSchema | undefined): unknown[] {
  if (!s?.properties) return [];
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties).map(([name, schema]) => {
    const { description, ...rest } = schema as { description?: string } & Record<string, unknown>;
    return {
      name,
      in: where,
      required: where === 'path' ? true : required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/** Replace {$ref:'X#'} shared-schema references with OpenAPI component references. */
function refsToComponents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(refsToComponents);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#/')) out[k] = `#/components/schemas/${v.replace(/#$/, '')}`;
      else if (k === '$id') continue;
      else out[k] = refsToComponents(v);
    }
    return out;
  }
  return value;
}

function responses(schema: RouteSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(schema.response ?? {})) {
    const rs = r as { description?: string; content?: Record<string, unknown> } & Record<string, unknown>;
    if (rs.content) {
      out[status] = { description: rs.description ?? `status ${status}`, content: refsToComponents(rs.content) };
      continue;
    }
    const { description, ...body } = rs;
    out[status] = {
      description: description ?? (status.startsWith('2') ? 'success' : 'error'),
      content: { 'application/json': { schema: refsToComponents(body) } },
    };
  }
  for (const media of schema.produces ?? []) {
    const ok = (out['200'] ?? { description: 'success', content: {} }) as { description: string; content: Record<string, unknown> };
    ok.content = { ...ok.content, [media]: { schema: { type: 'string' } } };
    out['200'] = ok;
  }
  return out;
}

export function buildOpenApi(
  routes: readonly CollectedRoute[],
  shared: Record<string, unknown>,
  info: OpenApiDocument['info'],
): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = toOpenApiPath(r.url);
    const op: Record<string, unknown> = {
      operationId: `${r.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.schema.summary ? { summary: r.schema.summary } : {}),
      ...(r.schema.description ? { description: r.schema.description } : {}),
      ...(r.schema.tags ? { tags: r.schema.tags } : {}),
      parameters: [...parameters('path', r.schema.params), ...parameters('query', r.schema.querystring)],
      ...(r.schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: refsToComponents(r.schema.body) } } } } : {}),
      responses: responses(r.schema),
    };
    paths[path] = { ...(paths[path] ?? {}), [r.method]: op };
  }
  const components: Record<string, unknown> = {};
  for (const [id, s] of Object.entries(shared)) components[id] = refsToComponents(s);
  return { openapi: '3.1.0', info, paths, components: { schemas: components } };
}

// Documentation-only keys a route schema may carry; Fastify ignores them, buildOpenApi reads them.
declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    produces?: readonly string[];
    hide?: boolean;
  }
}
