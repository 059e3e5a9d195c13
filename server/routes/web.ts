// The optional page in web/: three static files of ours, served as they are. Nothing in
// them comes from mail; the page fills itself from the JSON API with textContent only.
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export function registerWeb(app: FastifyInstance, dir: string = WEB_DIR): void {
  for (const [url, { file, type }] of Object.entries(FILES)) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const body = readFileSync(path);
    app.get(url, {
      schema: { summary: `web/${file}`, hide: true },
      handler: async (_req, reply) => reply.type(type).header('cache-control', 'no-cache').send(body),
    });
  }
}
