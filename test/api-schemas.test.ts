// The app compiles its route schemas without checking them against the JSON Schema
// meta-schema (server/app.ts: that check was most of the first request's compile cost),
// so they are checked here: every schema the OpenAPI document gives, shared ones included.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/test-app.ts';

// The ajv Fastify itself uses, resolved from its own dependencies.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const Ajv = (fromFastify('ajv') as { default: new (opts: Record<string, unknown>) => { validateSchema(s: unknown): boolean; errors?: unknown } }).default;

const t = useTestApp();

type Doc = {
  paths: Record<string, Record<string, { parameters?: { name: string; schema?: unknown }[]; requestBody?: { content: Record<string, { schema?: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

/** [where, schema] for every schema in the document. */
function schemasOf(doc: Doc): [string, unknown][] {
  const out: [string, unknown][] = Object.entries(doc.components.schemas).map(([id, s]) => [`components/${id}`, s]);
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const p of op.parameters ?? []) if (p.schema) out.push([`${method} ${path} ?${p.name}`, p.schema]);
      for (const [type, c] of Object.entries(op.requestBody?.content ?? {})) if (c.schema) out.push([`${method} ${path} body ${type}`, c.schema]);
      for (const [status, r] of Object.entries(op.responses)) for (const [type, c] of Object.entries(r.content ?? {})) if (c.schema) out.push([`${method} ${path} ${status} ${type}`, c.schema]);
    }
  }
  return out;
}

describe('route schemas', () => {
  let doc: Doc;
  beforeAll(async () => {
    doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as Doc;
  });

  it('are all valid JSON Schema', () => {
    const ajv = new Ajv({ strict: false });
    const schemas = schemasOf(doc);
    expect(schemas.length).toBeGreaterThan(50);
    const invalid = schemas.filter(([, s]) => !ajv.validateSchema(s)).map(([where]) => `${where}: ${JSON.stringify(ajv.errors)}`);
    expect(invalid).toEqual([]);
  });

  it('would be caught here when malformed', () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema({ type: 'object', properties: { n: { type: 'integer', minimum: '3' } }, required: 'n' })).toBe(false);
  });
});
