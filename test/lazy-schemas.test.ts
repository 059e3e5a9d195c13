import { describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { lazySchemas, type LazySchemas } from '../server/lazy-schemas.ts';

// A schema ajv refuses to compile: with Fastify's own compilers, ready() would throw on it.
const UNCOMPILABLE = { type: 'object', properties: { x: { type: 'no-such-type' } } } as const;

function appWith(schemas: LazySchemas): FastifyInstance {
  const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
  app.get<{ Querystring: { n: number; tag: string[] } }>(
    '/good',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['n'],
          properties: { n: { type: 'integer', minimum: 1 }, tag: { type: 'array', items: { type: 'string' } } },
        },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' }, tag: { type: 'array', items: { type: 'string' } } } } },
      },
    },
    // `secret` is not in the response schema: the serializer leaves it out.
    async (req) => ({ n: req.query.n, tag: req.query.tag, secret: 'dropped' }),
  );
  app.get('/bad', { schema: { querystring: UNCOMPILABLE } }, async () => ({ ok: true }));
  return app;
}

describe('route schemas compiled on first use (server/lazy-schemas.ts)', () => {
  it('starts with a schema that does not compile, and only the route that has it fails', async () => {
    const app = appWith(lazySchemas());
    try {
      await app.ready();
      const good = await app.inject({ url: '/good?n=3' });
      expect(good.statusCode).toBe(200);
      const bad = await app.inject({ url: '/bad' });
      expect(bad.statusCode).toBe(500);
    } finally {
      await app.close();
    }
  });

  it('validates, coerces and serializes as Fastify does: numbers and arrays from the query string, errors named, fields outside the response schema left out', async () => {
    const app = appWith(lazySchemas());
    try {
      const ok = await app.inject({ url: '/good?n=3&tag=a' });
      expect(ok.json()).toEqual({ n: 3, tag: ['a'] });
      const low = await app.inject({ url: '/good?n=0' });
      expect(low.statusCode).toBe(400);
      expect(low.json().message).toBe('querystring/n must be >= 1');
      const missing = await app.inject({ url: '/good' });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().message).toBe("querystring must have required property 'n'");
      // The validator's errors are read afresh on each failure, not left from the last one.
      expect((await app.inject({ url: '/good?n=x' })).json().message).toBe('querystring/n must be integer');
    } finally {
      await app.close();
    }
  });

  it('warm() compiles what no request has needed, and reports a schema that does not compile', async () => {
    const schemas = lazySchemas();
    const app = appWith(schemas);
    try {
      await app.ready();
      await expect(schemas.warm()).rejects.toThrow(/no-such-type/);
      expect((await app.inject({ url: '/good?n=2' })).json()).toEqual({ n: 2 });
    } finally {
      await app.close();
    }
  });

  it('warm() after every route has been asked for compiles nothing more and resolves', async () => {
    const schemas = lazySchemas();
    const app = Fastify({ schemaController: { compilersFactory: schemas.compilersFactory } });
    app.get('/only', { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } }, async () => ({ ok: true }));
    try {
      expect((await app.inject({ url: '/only?n=1' })).statusCode).toBe(200);
      await expect(schemas.warm()).resolves.toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
