// A database as an earlier loregraph left it: migrated only up to `version`, with `paths`
// ingested (inline), closed. For tests of what later migrations do to existing data.
import { closeDb, loadMigrations, openDb, type Db } from '../../db/connection.ts';
import { encodeRaw, storedText, STORED_TEXT_COLUMNS, type StoredTextColumns } from '../../db/messages.ts';
import { rawBytesOf } from '../../db/raw-codec.ts';
import { ingestPaths } from '../../ingest/pipeline.ts';
import { ANALYZERS } from '../../ingest/analyzers.ts';

/** The migration that created each analyzer's tables: an older schema ingests without that analyzer, as the code of its day did. */
// (the patches analyzer writes the stable timeline's columns, which migration 009 added)
const SINCE: Record<string, number> = { patches: 9, knowledge: 8 };

/** Before 011 every row stored its body and headers JSON itself (db/migrations/011_text_from_raw.sql), before 012 as text. */
const TEXT_FROM_RAW = 11;
const PACKED_BODY = 12;
/** Before 013 every row kept its own compressed raw bytes (db/migrations/013_raw_packs.sql). */
const RAW_PACKS = 13;
/** Today's knowledge pass stores the keys it joins threads by (db/migrations/014_knowledge_keys.sql). */
const KNOWLEDGE_KEYS = 14;

export async function ingestAtSchema(path: string, version: number, paths: string[]): Promise<void> {
  const db = openDb(path, { migrations: loadMigrations().filter((m) => m.version <= version) });
  try {
    if (version < RAW_PACKS) lendTextColumns(db, version);
    const lendKeys = version >= (SINCE.knowledge ?? 0) && version < KNOWLEDGE_KEYS;
    if (lendKeys) db.sql.exec('CREATE TABLE knowledge_keys (key TEXT NOT NULL, msg_row INTEGER NOT NULL, PRIMARY KEY (key, msg_row)) WITHOUT ROWID');
    await ingestPaths(db, paths, { worker: false, analyzers: ANALYZERS.filter((a) => (SINCE[a.name] ?? 0) <= version) });
    if (lendKeys) db.sql.exec('DROP TABLE knowledge_keys');
    if (version < RAW_PACKS) storeTextInRows(db, version);
  } finally {
    closeDb(db);
  }
}

/** Today's writer needs 011's, 012's and 013's columns: lent for an ingest into a database before them. */
export function lendTextColumns(db: Db, version = 0): void {
  if (version < TEXT_FROM_RAW) {
    db.sql.exec(`ALTER TABLE messages ADD COLUMN body_start INTEGER;
      ALTER TABLE messages ADD COLUMN body_end INTEGER;
      ALTER TABLE messages ADD COLUMN headers_from_raw INTEGER NOT NULL DEFAULT 0;`);
  }
  if (version < PACKED_BODY) db.sql.exec('ALTER TABLE messages ADD COLUMN body_codec TEXT');
  db.sql.exec(`CREATE TABLE raw_packs (id INTEGER PRIMARY KEY, codec TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL);
    ALTER TABLE messages ADD COLUMN raw_pack INTEGER;
    ALTER TABLE messages ADD COLUMN raw_pack_offset INTEGER;`);
}

/** ...and taken back, with the text they pointed at written into each row, as the code of those days stored it. */
export function storeTextInRows(db: Db, version = 0): void {
  const rows = db.sql.prepare(`SELECT id, ${STORED_TEXT_COLUMNS} FROM messages`).all() as (StoredTextColumns & { id: number })[];
  const before011 = db.sql.prepare('UPDATE messages SET body = ?, headers = ? WHERE id = ?');
  const before012 = db.sql.prepare('UPDATE messages SET body = ? WHERE id = ? AND body_codec IS NOT NULL');
  const before013 = db.sql.prepare('UPDATE messages SET raw = ?, raw_codec = ? WHERE id = ?');
  db.sql.transaction(() => {
    for (const r of rows) {
      const t = storedText(r);
      if (version < TEXT_FROM_RAW) before011.run(t.body, t.headersJson, r.id);
      else if (version < PACKED_BODY) before012.run(t.body, r.id);
      const raw = encodeRaw(rawBytesOf(r));
      before013.run(raw.data, raw.codec, r.id);
    }
  })();
  db.sql.exec(`ALTER TABLE messages DROP COLUMN raw_pack;
    ALTER TABLE messages DROP COLUMN raw_pack_offset;
    DROP TABLE raw_packs;`);
  if (version < TEXT_FROM_RAW) {
    db.sql.exec(`ALTER TABLE messages DROP COLUMN body_start;
      ALTER TABLE messages DROP COLUMN body_end;
      ALTER TABLE messages DROP COLUMN headers_from_raw;`);
  }
  if (version < PACKED_BODY) db.sql.exec('ALTER TABLE messages DROP COLUMN body_codec');
}
