// `loregraph stats` and /stats: named counters merged into one object. Other modules add
// theirs with registerStat (e.g. patches, series) without touching this file.
import type { Db } from './connection.ts';
import { countLenientMessages, countMessages } from './messages.ts';
import { countGhosts, countThreads } from './threads.ts';
import { countIngestErrors } from './ingest-errors.ts';
import { countSources } from './ingest-sources.ts';
import { PATCH_STATS } from './patch-stats.ts';
import { KNOWLEDGE_STATS } from './knowledge-stats.ts';
import type { StatFn } from './stat-fn.ts';

export type { StatFn } from './stat-fn.ts';


const registry = new Map<string, StatFn>([
  ['messages', countMessages],
  ['threads', countThreads],
  ['ghosts', countGhosts],
  ['malformed', countIngestErrors],
  ['lenient', countLenientMessages],
  ['sources', countSources],
  ...PATCH_STATS,
  ...KNOWLEDGE_STATS,
]);

/** Adds (or replaces) a counter; keys appear in registration order. */
export function registerStat(name: string, fn: StatFn): void {
  registry.set(name, fn);
}

export function collectStats(db: Db): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of registry) out[name] = fn(db);
  return out;
}
