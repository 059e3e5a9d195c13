// The dependency direction CONTRIBUTING.md states, checked on every import (type-only,
// re-exports, dynamic imports and worker entries included), and no circle of files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/shared.ts';

/** What each folder may import from besides itself. `test` and `bench` may use anything. */
const MAY_USE: Record<string, readonly string[]> = {
  domain: [],
  sim: [],
  db: ['domain'],
  ingest: ['domain', 'db'],
  server: ['domain', 'db', 'ingest', 'sim'],
  cli: ['domain', 'db', 'ingest', 'sim', 'server'],
  web: [],
};

const SKIP = new Set(['node_modules', '.git', '.tmp', 'data', 'out']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(REPO_ROOT, path));
  }
  return out;
}

// Static and dynamic imports, `export … from`, and `new URL('./worker.ts', import.meta.url)`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)(['"])(\.{1,2}\/[^'"\n]+)\1/g;

export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[2]!;
    if (!/\.(ts|js|mjs)$/.test(spec)) continue;
    out.push(relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec)));
  }
  return out;
}

const layer = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of sources(REPO_ROOT)) g.set(file, importsOf(file, readFileSync(join(REPO_ROOT, file), 'utf8')));
  return g;
}

/** Strongly connected components of more than one file (Tarjan), i.e. the circles. */
function circles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('dependency direction', () => {
  const g = graph();

  it('reads the whole tree', () => {
    expect(g.size).toBeGreaterThan(150);
    expect(g.get('db/threads.ts')).toContain('domain/thread.ts');
  });

  it('has no import that runs against the stated direction', () => {
    const wrong: string[] = [];
    for (const [file, deps] of g) {
      const allowed = MAY_USE[layer(file)];
      if (!allowed) continue; // test/, bench/, root config files
      for (const dep of deps) {
        const to = layer(dep);
        if (to !== layer(file) && !allowed.includes(to)) wrong.push(`${file} -> ${dep}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no circle of files', () => {
    expect(circles(g)).toEqual([]);
  });

  it('finds a circle and a wrong-way import when there is one', () => {
    const bad = new Map([
      ['db/a.ts', ['db/b.ts', 'ingest/x.ts']],
      ['db/b.ts', ['db/a.ts']],
      ['ingest/x.ts', []],
    ]);
    expect(circles(bad)).toEqual([['db/a.ts', 'db/b.ts']]);
    expect(importsOf('server/routes/a.ts', "import type { X } from '../../domain/x.ts';\nconst w = new URL('./w.ts', import.meta.url);\nawait import('../y.ts');"))
      .toEqual(['domain/x.ts', 'server/routes/w.ts', 'server/y.ts']);
  });
});
