// Where the knowledge index lives: in a worker thread (the server) or on the calling
// thread (tests, tools). Either way the cache talks to it through this interface.
import type { Worker } from 'node:worker_threads';
import { LoregraphError } from '../domain/errors.ts';
import { buildKnowledgeIndex, type KnowledgeEntity, type KnowledgeHit, type KnowledgeIndex } from './knowledge.ts';
import { startTsWorker } from './worker-bootstrap.ts';
import { readDefaultSources, type SourcesInBuilder } from './knowledge-sources.ts';
import type { KnowledgeRequest, KnowledgeResponse, SearchOpts } from './knowledge-worker.ts';

export type { SearchOpts } from './knowledge-worker.ts';

export interface KnowledgeBuilder {
  /** Builds (replacing the previous index) and returns the serialized index as JSON. */
  build(entities: KnowledgeEntity[], source: string, now: number): Promise<string>;
  /** The same, the entities read by the builder from the database and scenario files named. */
  buildFromDatabase(where: SourcesInBuilder, source: string, now: number): Promise<string>;
  /** Searches the last index built. */
  search(q: string, opts: SearchOpts): Promise<KnowledgeHit[]>;
  close(): Promise<void>;
}

export function inlineKnowledgeBuilder(): KnowledgeBuilder {
  let index: KnowledgeIndex | null = null;
  return {
    async build(entities, source, now) {
      index = buildKnowledgeIndex(entities, source, now);
      return JSON.stringify(index.serialized);
    },
    async buildFromDatabase(where, source, now) {
      return this.build(await readDefaultSources(where), source, now);
    },
    async search(q, opts) {
      if (!index) throw new LoregraphError('INTERNAL', 'knowledge index not built yet');
      return index.search(q, opts);
    },
    close: async () => {},
  };
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export function workerKnowledgeBuilder(): KnowledgeBuilder {
  let ready: Promise<Worker> | null = null;
  let seq = 0;
  const waiting = new Map<number, { resolve: (r: KnowledgeResponse) => void; reject: (e: Error) => void }>();
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  const start = (): Promise<Worker> => {
    ready ??= startTsWorker(new URL('./knowledge-worker.ts', import.meta.url)).then(
      (w) => {
        w.on('message', (m: KnowledgeResponse) => {
          const p = waiting.get(m.id);
          waiting.delete(m.id);
          p?.resolve(m);
        });
        w.on('error', (e) => {
          ready = null;
          failAll(e);
        });
        return w;
      },
      (e: unknown) => {
        ready = null;
        throw new LoregraphError('INTERNAL', `knowledge worker: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return ready;
  };
  const ask = async (req: WithoutId<KnowledgeRequest>): Promise<KnowledgeResponse> => {
    const w = await start();
    const id = ++seq;
    const reply = await new Promise<KnowledgeResponse>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      w.postMessage({ ...req, id });
    });
    if (reply.error !== undefined) throw new LoregraphError(reply.code ?? 'INTERNAL', reply.error);
    return reply;
  };
  return {
    async build(entities, source, now) {
      return (await ask({ op: 'build', entities, source, now })).json ?? '';
    },
    async buildFromDatabase(where, source, now) {
      return (await ask({ op: 'build-from-database', where, source, now })).json ?? '';
    },
    async search(q, opts) {
      return (await ask({ op: 'search', q, opts })).hits ?? [];
    },
    async close() {
      const r = ready;
      ready = null;
      if (r) await (await r.catch(() => null))?.terminate();
    },
  };
}
