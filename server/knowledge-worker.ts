// The knowledge index's thread: building a lunr index takes about a second per thousand
// entities, and searching it tens of milliseconds, so both happen here and the request
// thread only forwards entities and queries.
import { parentPort } from 'node:worker_threads';
import { buildKnowledgeIndex, type KnowledgeIndex } from './knowledge.ts';
import type { KnowledgeRequest, KnowledgeResponse } from './knowledge-builder.ts';

const port = parentPort;
if (!port) throw new Error('knowledge-worker.ts runs as a worker thread');

let index: KnowledgeIndex | null = null;

port.on('message', (m: KnowledgeRequest) => {
  let reply: KnowledgeResponse;
  try {
    if (m.op === 'build') {
      index = buildKnowledgeIndex(m.entities, m.source, m.now);
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
