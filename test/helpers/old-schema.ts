// A database as an earlier loregraph left it: migrated only up to `version`, with `paths`
// ingested (inline), closed. For tests of what later migrations do to existing data.
import { closeDb, loadMigrations, openDb, type Db } from '../../db/connection.ts';
import { storedText, STORED_TEXT_COLUMNS, type StoredTextColumns } from '../../db/messages.ts';
import { ingestPaths } from '../../ingest/pipeline.ts';
import { ANALYZERS } from '../../ingest/analyzers.ts';

/** The migration that created each analyzer's tables: an older schema ingests without that analyzer, as the code of its day did. */
// (the patches analyzer writes the stable timeline's columns, which migration 009 added)
const SINCE: Record<string, number> = { patches: 9, knowledge: 8 };

/** Before 011 every row stored its body and headers JSON itself (db/migrations/011_text_from_raw.sql). */
const TEXT_FROM_RAW = 11;

export async function ingestAtSchema(path: string, version: number, paths: string[]): Promise<void> {
  const db = openDb(path, { migrations: loadMigrations().filter((m) => m.version <= version) });
  try {
    if (version < TEXT_FROM_RAW) lendTextColumns(db);
    await ingestPaths(db, paths, { worker: false, analyzers: ANALYZERS.filter((a) => (SINCE[a.name] ?? 0) <= version) });
    if (version < TEXT_FROM_RAW) storeTextInRows(db);
  } finally {
    closeDb(db);
  }
}

/** Today's writer needs 011's columns: lent for an ingest into a database before 011. */
export function lendTextColumns(db: Db): void {
  db.sql.exec(`ALTER TABLE messages ADD COLUMN body_start INTEGER;
    ALTER TABLE messages ADD COLUMN body_end INTEGER;
    ALTER TABLE messages ADD COLUMN headers_from_raw INTEGER NOT NULL DEFAULT 0;`);
}

/** ...and taken back, with the text they pointed at written into each row, as the code of those days stored it. */
export function storeTextInRows(db: Db): void {
  const rows = db.sql.prepare(`SELECT id, ${STORED_TEXT_COLUMNS} FROM messages`).all() as (StoredTextColumns & { id: number })[];
  const update = db.sql.prepare('UPDATE messages SET body = ?, headers = ? WHERE id = ?');
  db.sql.transaction(() => {
    for (const r of rows) {
      const t = storedText(r);
      update.run(t.body, t.headersJson, r.id);
    }
  })();
  db.sql.exec(`ALTER TABLE messages DROP COLUMN body_start;
    ALTER TABLE messages DROP COLUMN body_end;
    ALTER TABLE messages DROP COLUMN headers_from_raw;`);
}
