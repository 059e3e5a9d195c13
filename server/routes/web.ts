// The optional page in web/: static files of ours (index.html, app.js, lib/, views/,
// style.css), served as they are, plus lunr's browser build so the page can search the
// knowledge index itself. Nothing in them comes from mail; the page fills itself from the
// JSON API with textContent only.
import type { FastifyInstance } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Where the page loads lunr from (a classic script defining window.lunr). */
export const LUNR_URL = '/vendor/lunr.js';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && TYPES[extname(d.name)] !== undefined)
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

function lunrPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('lunr/lunr.js');
  } catch {
    return null;
  }
}

/** URL -> file: every servable file under `dir` by its relative path, index.html also at '/'. */
export function webFiles(dir: string = WEB_DIR): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of listFiles(dir)) {
    const url = `/${relative(dir, file).split(sep).join('/')}`;
    // Only plain names: a file called "a b.js" or "x?.js" would make a confusing URL.
    if (!/^\/[A-Za-z0-9_./-]+$/.test(url) || url.startsWith('/api/')) continue;
    out.set(url, file);
    if (url === '/index.html') out.set('/', file);
  }
  const lunr = lunrPath();
  if (lunr && out.size > 0) out.set(LUNR_URL, lunr);
  return out;
}

export function registerWeb(app: FastifyInstance, dir: string = WEB_DIR): void {
  for (const [url, file] of webFiles(dir)) {
    // Read at start: the page is a handful of small files, and a request never touches the disk.
    const body = readFileSync(file);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    app.get(url, {
      schema: { summary: `web ${url}`, hide: true },
      handler: async (_req, reply) => reply.type(type).header('cache-control', 'no-cache').send(body),
    });
  }
}
