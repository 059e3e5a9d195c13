// Fastify compiles every route's validators (ajv) and response serializers
// (fast-json-stringify) in ready(), before the server listens: 1.0-1.5 s of a start on a
// loaded two-core machine, 36 ms without them. Here each compile waits for the first
// request that needs it (tens of milliseconds, paid once per route), and once listening
// the rest are compiled one per turn of the event loop, so no request waits behind more
// than one. The compilers are Fastify's own defaults, with the same options.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/** A route's schema as Fastify hands it to a compiler. */
type RouteSchema = Record<string, unknown>;
type Compiled = (...args: unknown[]) => unknown;
type Compiler = (route: RouteSchema) => Compiled;
type CompilerBuilder = (externalSchemas: unknown, options: unknown) => Compiler;

// Resolved from fastify's own dependencies: the defaults it would build itself.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const defaultValidators = (fromFastify('@fastify/ajv-compiler') as () => CompilerBuilder)();
const defaultSerializers = (fromFastify('@fastify/fast-json-stringify-compiler') as () => CompilerBuilder)();

export interface LazySchemas {
  /** Fastify's `schemaController.compilersFactory`. */
  compilersFactory: CompilersFactory;
  /** Compiles what no request has needed yet, one at a time, yielding between compiles. */
  warm(): Promise<void>;
}

export function lazySchemas(): LazySchemas {
  const pending = new Set<() => void>();
  const lazily =
    (build: CompilerBuilder, validator: boolean): CompilerBuilder =>
    (externalSchemas, options) => {
      let compiler: Compiler | null = null;
      return (route) => {
        let fn: Compiled | null = null;
        const compile = (): Compiled => {
          pending.delete(compile);
          compiler ??= build(externalSchemas, options);
          fn ??= compiler(route);
          return fn;
        };
        pending.add(compile);
        const lazy = Object.assign(
          (...args: unknown[]): unknown => {
            const f = compile();
            const out = f(...args);
            // Fastify reads a failed validation's reasons from the function.
            if (validator) (lazy as { errors?: unknown }).errors = (f as { errors?: unknown }).errors;
            return out;
          },
          // Fastify passes an ajv validator the request as the value's parent, which lets
          // coercion reach the root value; it looks for schemaEnv to know it is one.
          validator ? { schemaEnv: true } : {},
        );
        return lazy;
      };
    };
  return {
    // Fastify's types name each compiler's exact signature; ours pass every argument through.
    compilersFactory: { buildValidator: lazily(defaultValidators, true), buildSerializer: lazily(defaultSerializers, false) } as unknown as CompilersFactory,
    async warm() {
      for (const compile of pending) {
        await new Promise((r) => setImmediate(r));
        if (pending.has(compile)) compile();
      }
    },
  };
}
