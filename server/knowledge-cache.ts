// The knowledge index is rebuilt only when the database changed. The key is taken from
// the file system (size and mtime of the database and its WAL) rather than from SQL, so
// a commit by a concurrent `loregraph ingest` — which always touches the WAL — is
// noticed by the read-only server without asking the database.
import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Db } from '../db/connection.ts';
import type { KnowledgeEntity, KnowledgeHit } from './knowledge.ts';
import type { KnowledgeBuilder, SearchOpts } from './knowledge-builder.ts';
import { scenarioEntities, type DatabaseSources, type KnowledgeSource } from './knowledge-sources.ts';

const gzipAsync = promisify(gzip);


function statKey(path: string): string {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return '-';
  }
}

export function databaseStateKey(db: Db): string {
  if (db.path === ':memory:' || db.path === '') return 'memory';
  return `${statKey(db.path)}|${statKey(`${db.path}-wal`)}`;
}

export interface KnowledgeCache {
  search(q: string, opts: SearchOpts): Promise<KnowledgeHit[]>;
  /** The JSON sent at /api/index/knowledge.json, serialized (and gzipped) once per build. */
  json(): Promise<{ body: string; gzip: Buffer; etag: string }>;
  /** Forget the current build (after an ingest in the same process, or in tests). */
  invalidate(): void;
  close(): Promise<void>;
}

interface Built {
  key: string;
  at: number;
  body: string;
  gzip: Buffer;
  etag: string;
}

/**
 * Rebuilt when the database changed, at most every `minRebuildMs`. The build runs in
 * the builder (a worker thread in the server): requests that need the new index wait
 * for it without holding up the others.
 */
export function createKnowledgeCache(
  db: Db,
  sources: readonly KnowledgeSource[] | DatabaseSources,
  builder: KnowledgeBuilder,
  now: () => number = Date.now,
  minRebuildMs = 0,
): KnowledgeCache {
  let built: Built | null = null;
  let inflight: Promise<Built> | null = null;
  const rebuild = (key: string): Promise<Built> => {
    inflight ??= (async () => {
      try {
        // Given sources (tests, in-memory databases) are read here, one kind at a time, with
        // the event loop let through between kinds, so requests arriving meanwhile are answered.
        let body: string;
        if (!Array.isArray(sources)) {
          // The builder reads the database; the scenarios it is handed, as loaded once for the whole server.
          const { dbPath, scenarios } = sources as DatabaseSources;
          body = await builder.buildFromDatabase({ dbPath, scenarios: await scenarioEntities(scenarios) }, key, now());
        } else {
          const entities: KnowledgeEntity[] = [];
          for (const s of sources as readonly KnowledgeSource[]) {
            // Not push(...s(db)): spread as arguments, a source of ~150,000 entities (the series
            // of a large list) overflows the stack.
            for (const e of await s(db)) entities.push(e);
            await new Promise((r) => setImmediate(r));
          }
          body = await builder.build(entities, key, now());
        }
        // Compressed once per build, off this thread (zlib's pool): the index is megabytes of JSON.
        const gzip = await gzipAsync(body, { level: 6 });
        built = { key, at: performance.now(), body, gzip, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
        return built;
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  };
  const current = async (): Promise<Built> => {
    const key = databaseStateKey(db);
    if (built && built.key === key) return built;
    // Changed, but built moments ago (an ingest is committing): serve the last build a little longer.
    if (built && performance.now() - built.at < minRebuildMs) return built;
    return rebuild(key);
  };
  return {
    async search(q, opts) {
      await current();
      return builder.search(q, opts);
    },
    async json() {
      const b = await current();
      return { body: b.body, gzip: b.gzip, etag: b.etag };
    },
    invalidate() {
      built = null;
    },
    close: () => builder.close(),
  };
}
