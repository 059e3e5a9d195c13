// The knowledge index's thread: building a lunr index takes about a second per thousand
// entities, and searching it tens of milliseconds, so both happen here and the request
// thread only forwards queries (and entities, when it was given its own sources). The
// server's default sources are read here too from the database (the scenarios' entities
// arrive with the request: the scenario worker has loaded the files already).
import { parentPort } from 'node:worker_threads';
import { buildKnowledgeIndex, type KnowledgeEntity, type KnowledgeHit, type KnowledgeIndex } from './knowledge.ts';
import { readDefaultSources, type SourcesInBuilder } from './knowledge-sources.ts';
import { yieldToRequests } from './background-thread.ts';

// The messages between server/knowledge-builder.ts and this thread.
export interface SearchOpts {
  limit?: number;
  kind?: string;
}

export type KnowledgeRequest =
  | { id: number; op: 'build'; entities: KnowledgeEntity[]; source: string; now: number }
  | { id: number; op: 'build-from-database'; where: SourcesInBuilder; source: string; now: number }
  | { id: number; op: 'search'; q: string; opts: SearchOpts };

export type KnowledgeResponse =
  | { id: number; json: string; hits?: undefined; error?: undefined }
  | { id: number; hits: KnowledgeHit[]; json?: undefined; error?: undefined }
  | { id: number; error: string; code: 'BAD_QUERY' | null; json?: undefined; hits?: undefined };

const port = parentPort;
if (!port) throw new Error('knowledge-worker.ts runs as a worker thread');
yieldToRequests();

let index: KnowledgeIndex | null = null;

port.on('message', async (m: KnowledgeRequest) => {
  let reply: KnowledgeResponse;
  try {
    if (m.op === 'build' || m.op === 'build-from-database') {
      const entities = m.op === 'build' ? m.entities : await readDefaultSources(m.where);
      index = buildKnowledgeIndex(entities, m.source, m.now);
      reply = { id: m.id, json: JSON.stringify(index.serialized) };
    } else {
      if (!index) throw new Error('knowledge index not built yet');
      reply = { id: m.id, hits: index.search(m.q, m.opts) };
    }
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e), code: (e as { code?: unknown }).code === 'BAD_QUERY' ? 'BAD_QUERY' : null };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
