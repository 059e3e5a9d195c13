// Where the knowledge index lives: in a worker thread (the server) or on the calling
// thread (tests, tools). Either way the cache talks to it through this interface.
import { LoregraphError } from '../domain/errors.ts';
import { buildKnowledgeIndex, type KnowledgeEntity, type KnowledgeHit, type KnowledgeIndex } from './knowledge.ts';
import { workerClient, type WithoutId } from './worker-client.ts';
import { readDefaultSources, type SourcesInBuilder } from './knowledge-sources.ts';
import type { KnowledgeRequest, KnowledgeResponse, SearchOpts } from './knowledge-worker.ts';

export type { SearchOpts } from './knowledge-worker.ts';

export interface KnowledgeBuilder {
  /** Builds (replacing the previous index) and returns the serialized index as JSON. */
  build(entities: KnowledgeEntity[], source: string, now: number): Promise<string>;
  /** The same, the entities read by the builder from the database named, the scenarios' given. */
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

export function workerKnowledgeBuilder(): KnowledgeBuilder {
  const worker = workerClient<KnowledgeRequest, KnowledgeResponse>(new URL('./knowledge-worker.ts', import.meta.url), { name: 'knowledge' });
  const ask = async (req: WithoutId<KnowledgeRequest>): Promise<KnowledgeResponse> => {
    const reply = await worker.request(req);
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
    close: () => worker.close(),
  };
}
