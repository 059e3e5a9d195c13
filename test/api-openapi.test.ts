import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/test-app.ts';
import { toOpenApiPath } from '../server/openapi.ts';

const t = useTestApp();

/** The API the product brief promises, written out independently of the route files. */
const PROMISED = [
  '/api/search',
  '/api/messages/{mid}',
  '/api/messages/{mid}/raw',
  '/api/threads/{mid}',
  '/api/threads/{mid}/mbox',
  '/api/scenarios',
  '/api/scenarios/{id}',
  '/api/scenarios/{id}/run',
  '/api/scenarios/{id}/replay',
  '/api/feed.atom',
  '/api/series/{mid}',
  '/api/fix-status/{key}',
  '/api/stable',
  '/api/stable/{branch}',
  '/api/healthz',
  '/api/stats',
  '/api/knowledge',
  '/api/index/knowledge.json',
  '/api/openapi.json',
];

interface Operation {
  operationId: string;
  summary?: string;
  parameters: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

describe('/api/openapi.json', () => {
  let doc: Doc;
  beforeAll(async () => {
    const res = await t.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });

  it('documents every promised route, and nothing the server does not route', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const p of PROMISED) expect(Object.keys(doc.paths), p).toContain(p);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{(\w+)\}/g, ':$1');
        expect(t.app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method} ${path}`).toBe(true);
      }
    }
  });

  it('gives every operation a summary, a unique id, its path parameters and a success response', () => {
    const seen = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(op.summary, path).toBeTruthy();
        expect(seen.has(op.operationId), op.operationId).toBe(false);
        seen.add(op.operationId);
        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect(op.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(pathParams);
        expect(Object.keys(op.responses).some((s) => s === '200'), path).toBe(true);
      }
    }
  });

  it('documents the query parameters and their limits as the server enforces them', () => {
    const search = doc.paths['/api/search']!['get']!;
    const limit = search.parameters.find((p) => p.name === 'limit')!;
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } });
    expect(search.parameters.find((p) => p.name === 'q')).toMatchObject({ required: true, schema: { maxLength: 2048 } });
    expect(search.responses['400']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(doc.components.schemas['ErrorBody']).toMatchObject({ required: ['statusCode', 'code', 'error', 'message'] });
  });

  it('names the media types of the non-JSON routes', () => {
    expect(Object.keys(doc.paths['/api/messages/{mid}/raw']!['get']!.responses['200']!.content!)).toEqual(['text/plain']);
    expect(Object.keys(doc.paths['/api/threads/{mid}/mbox']!['get']!.responses['200']!.content!)).toEqual(['application/mbox', 'application/gzip']);
    expect(Object.keys(doc.paths['/api/feed.atom']!['get']!.responses['200']!.content!)).toEqual(['application/atom+xml']);
  });

  it('documents the replay request body', () => {
    const op = doc.paths['/api/scenarios/{id}/replay']!['post']! as Operation & { requestBody: { content: Record<string, { schema: { required: string[] } }> } };
    expect(op.requestBody.content['application/json']!.schema.required).toEqual(['witness']);
  });

  it('leaves no dangling schema reference', () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) {
      const target = r.slice(8, -1);
      expect(target, r).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[target.replace('#/components/schemas/', '')], r).toBeDefined();
    }
  });

  it('converts Fastify path syntax', () => {
    expect(toOpenApiPath('/api/threads/:mid/mbox')).toBe('/api/threads/{mid}/mbox');
  });
});
