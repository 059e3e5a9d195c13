// The knowledge index is rebuilt only when the database changed. The key is taken from
// the file system (size and mtime of the database and its WAL) rather than from SQL, so
// a commit by a concurrent `loregraph ingest` — which always touches the WAL — is
// noticed by the read-only server without asking the database.
import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { buildKnowledgeIndex, type KnowledgeEntity, type KnowledgeIndex } from './knowledge.ts';

/** Reads one kind of entity from the database (series, stable fixes, scenarios...). */
export type KnowledgeSource = (db: Db) => KnowledgeEntity[];

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
  get(): KnowledgeIndex;
  /** The JSON sent at /api/index/knowledge.json, serialized once per build. */
  json(): { body: string; etag: string };
  /** Forget the current build (after an ingest in the same process, or in tests). */
  invalidate(): void;
}

export function createKnowledgeCache(
  db: Db,
  sources: readonly KnowledgeSource[],
  now: () => number = Date.now,
  minRebuildMs = 0,
): KnowledgeCache {
  let key: string | null = null;
  let built: KnowledgeIndex | null = null;
  let builtAt = 0;
  let json: { body: string; etag: string } | null = null;
  const current = (): KnowledgeIndex => {
    const k = databaseStateKey(db);
    if (built && k === key) return built;
    // Changed, but built moments ago (an ingest is committing): serve the last build a little longer.
    if (built && performance.now() - builtAt < minRebuildMs) return built;
    const entities = sources.flatMap((s) => s(db));
    built = buildKnowledgeIndex(entities, k, now());
    builtAt = performance.now();
    key = k;
    json = null;
    return built;
  };
  return {
    get: current,
    json() {
      const index = current();
      if (!json) {
        const body = JSON.stringify(index.serialized);
        json = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      }
      return json;
    },
    invalidate() {
      key = null;
      built = null;
      json = null;
    },
  };
}
