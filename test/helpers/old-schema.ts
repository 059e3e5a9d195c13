// A database as an earlier loregraph left it: migrated only up to `version`, with `paths`
// ingested (inline), closed. For tests of what later migrations do to existing data.
import { closeDb, loadMigrations, openDb } from '../../db/connection.ts';
import { ingestPaths } from '../../ingest/pipeline.ts';
import { ANALYZERS } from '../../ingest/analyzers.ts';

/** The migration that created each analyzer's tables: an older schema ingests without that analyzer, as the code of its day did. */
// (the patches analyzer writes the stable timeline's columns, which migration 009 added)
const SINCE: Record<string, number> = { patches: 9, knowledge: 8 };

export async function ingestAtSchema(path: string, version: number, paths: string[]): Promise<void> {
  const db = openDb(path, { migrations: loadMigrations().filter((m) => m.version <= version) });
  try {
    await ingestPaths(db, paths, { worker: false, analyzers: ANALYZERS.filter((a) => (SINCE[a.name] ?? 0) <= version) });
  } finally {
    closeDb(db);
  }
}
