// `loregraph compact`: puts the rows an earlier loregraph stored in today's smaller layout
// (db/migrations/011_text_from_raw.sql, 012_packed_body.sql, 013_raw_packs.sql), then
// VACUUMs the file.
import { existsSync, statSync } from 'node:fs';
import { closeDb, openDb } from '../../db/connection.ts';
import { compactStoredText, vacuum } from '../../db/messages.ts';
import { PACK_MESSAGES, packStoredRaw } from '../../db/raw-packs.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, parseCommandArgs, type CliIO, type Command } from '../command.ts';

// a multiple of PACK_MESSAGES, so that only the last pack of all is a short one
const BATCH = 125 * PACK_MESSAGES;

function fileBytes(path: string): number {
  return ['', '-wal'].reduce((n, x) => n + (existsSync(path + x) ? statSync(path + x).size : 0), 0);
}

export const command: Command = {
  help: `usage: loregraph compact [--db FILE]
  Rows stored before schema 11 keep their body and headers as text beside the raw bytes
  that hold them, and before schema 13 their raw bytes compressed one message at a time:
  this drops what the raw bytes give back exactly, packs other long bodies, compresses
  consecutive messages' raw bytes together, as ingest now stores new rows, and then
  VACUUMs the file (which needs as much free disk as the file, and no other process
  writing). Safe to stop and run again.
  --db FILE   database (default ${DEFAULT_DB})`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(argv, { db: { type: 'string', default: DEFAULT_DB } }, false);
    if (!existsSync(values.db)) throw new LoregraphError('DB_OPEN', `no database at ${values.db}: run 'loregraph ingest' first`);
    const before = fileBytes(values.db);
    const db = openDb(values.db);
    const total = { rows: 0, spans: 0, packed: 0, headers: 0, rawPacked: 0, packs: 0 };
    try {
      for (let after = 0; ; ) {
        const p = compactStoredText(db, after, BATCH);
        if (p.rows === 0) break;
        after = p.lastRowId;
        total.rows += p.rows;
        total.spans += p.spans;
        total.packed += p.packed;
        total.headers += p.headers;
        if (io.isTTY) io.err(`\rcompacted ${total.rows} rows`);
      }
      for (let after = 0; ; ) {
        const p = packStoredRaw(db, after, BATCH);
        if (p.rows === 0) break;
        after = p.lastRowId;
        total.rawPacked += p.rows;
        total.packs += p.packs;
        if (io.isTTY) io.err(`\rpacked the raw bytes of ${total.rawPacked} rows`);
      }
      if (io.isTTY) io.err('\n');
      vacuum(db);
    } finally {
      closeDb(db);
    }
    const mb = (b: number): string => (b / 1e6).toFixed(1);
    io.out(
      `compacted ${total.rows} rows: ${total.spans} bodies read from the raw bytes, ${total.packed} packed, ${total.headers} header maps read from the raw bytes; raw bytes of ${total.rawPacked} rows in ${total.packs} packs; ${mb(before)} MB -> ${mb(fileBytes(values.db))} MB\n`,
    );
    return 0;
  },
};
