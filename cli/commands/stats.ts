// `loregraph stats [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { collectStats } from '../../db/stats.ts';
import { storageStats, type StorageStats } from '../../db/storage.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)} MiB`;
}

/** One line per table, largest first, its indexes and shadow tables after it. */
function storageLines(s: StorageStats): string[] {
  const lines = [`file: ${mib(s.fileBytes)} (${s.pageSize}-byte pages, ${mib(s.freeBytes)} free)`];
  for (const t of s.tables) {
    const share = s.fileBytes > 0 ? ((100 * t.bytes) / s.fileBytes).toFixed(1) : '0.0';
    const parts = t.parts.filter((p) => p.name !== t.table).map((p) => `${p.name} ${mib(p.bytes)}`);
    lines.push(`  ${t.table}: ${mib(t.bytes)} (${share}%)${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`);
  }
  return lines;
}

export const command: Command = {
  help: `usage: loregraph stats [--db FILE] [--json]
  Counts: messages, threads, ghosts (referenced but missing), malformed, lenient, sources, ...
  and where the file's bytes go: each table with its indexes (a full-text table with its
  shadow tables), largest first (JSON: "storage").`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } }, false);
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const stats = collectStats(db);
      const storage = storageStats(db);
      if (values.json) printJson(io, { ...stats, storage });
      else {
        for (const [k, v] of Object.entries(stats)) io.out(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
        io.out(`storage: ${storageLines(storage).join('\n')}\n`);
      }
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
