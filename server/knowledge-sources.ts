// Where knowledge entities come from: one reader per kind, over the other layers' query
// functions. Races and fixes join this list when they exist.
import type { KnowledgeSource } from './knowledge-cache.ts';

export const DEFAULT_KNOWLEDGE_SOURCES: KnowledgeSource[] = [];
