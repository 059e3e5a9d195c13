// The embedded sample archive (ingest/sample/, written by us, modelled on lore) makes a
// fresh install show something: `npm start` seeds an empty database with it.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb } from '../db/connection.ts';
import { countMessages } from '../db/messages.ts';
import { ingestPaths, type IngestOptions } from './pipeline.ts';

export const SAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'sample');

export function samplePaths(): string[] {
  return readdirSync(SAMPLE_DIR)
    .filter((f) => f.endsWith('.mboxrd'))
    .sort()
    .map((f) => join(SAMPLE_DIR, f));
}

/** Ingests the sample archive when the database holds no messages; otherwise does nothing. */
export async function ensureSeeded(dbPath: string, opts: Pick<IngestOptions, 'read' | 'worker'> = {}): Promise<{ seeded: boolean }> {
  const db = openDb(dbPath);
  try {
    if (countMessages(db) > 0) return { seeded: false };
    await ingestPaths(db, samplePaths(), opts);
    return { seeded: true };
  } finally {
    closeDb(db);
  }
}
