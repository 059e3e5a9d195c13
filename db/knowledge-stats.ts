// The counters the knowledge graph adds to `loregraph stats` (kept apart from
// db/knowledge.ts so that stats loads no more than it counts).
import type { Db } from './db.ts';
import type { StatFn } from './stat-fn.ts';

function count(db: Db, table: 'races' | 'race_fixes' | 'race_stances'): number {
  try {
    return (db.sql.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } catch {
    // a database from before migration 008: nothing assembled yet
    return 0;
  }
}

export const KNOWLEDGE_STATS: [string, StatFn][] = [
  ['races', (db) => count(db, 'races')],
  ['fixes', (db) => count(db, 'race_fixes')],
  ['stances', (db) => count(db, 'race_stances')],
];
