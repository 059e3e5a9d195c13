// Where the bytes of the database file go: each table with its indexes (and a full-text
// table with its shadow tables), read from SQLite's dbstat virtual table. For
// `loregraph stats` and /api/stats, and for finding what to make smaller (issue #17).
import type { Db } from './db.ts';

export interface StoragePart {
  /** A b-tree: the table itself, one of its indexes, or a full-text table's shadow table. */
  name: string;
  kind: 'table' | 'index' | 'shadow';
  bytes: number;
}

export interface TableStorage {
  table: string;
  /** The table's b-tree and all its parts, in whole pages. */
  bytes: number;
  parts: StoragePart[];
}

export interface StorageStats {
  /** page_count * page_size: the main file, without a WAL not yet checkpointed. */
  fileBytes: number;
  pageSize: number;
  /** Pages on the freelist (kept by SQLite for reuse; VACUUM gives them back). */
  freeBytes: number;
  /** Largest first; their bytes and freeBytes add up to fileBytes. */
  tables: TableStorage[];
}

interface SchemaRow {
  name: string;
  tbl_name: string;
  type: string;
  sql: string | null;
}

/** Which table each b-tree belongs to: an index to its table, a shadow table (search_fts_data) to its virtual table. */
function ownerOf(rows: readonly SchemaRow[]): Map<string, { table: string; kind: StoragePart['kind'] }> {
  const virtual = rows.filter((r) => r.type === 'table' && /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(r.sql ?? '')).map((r) => r.name);
  const owner = new Map<string, { table: string; kind: StoragePart['kind'] }>();
  for (const r of rows) {
    if (r.type === 'index') owner.set(r.name, { table: r.tbl_name, kind: 'index' });
    else if (r.type === 'table') {
      const v = virtual.find((t) => r.name.startsWith(`${t}_`));
      owner.set(r.name, v === undefined ? { table: r.name, kind: 'table' } : { table: v, kind: 'shadow' });
    }
  }
  return owner;
}

export function storageStats(db: Db): StorageStats {
  const pageSize = db.sql.pragma('page_size', { simple: true }) as number;
  const pageCount = db.sql.pragma('page_count', { simple: true }) as number;
  const freePages = db.sql.pragma('freelist_count', { simple: true }) as number;
  const owner = ownerOf(db.sql.prepare('SELECT name, tbl_name, type, sql FROM sqlite_schema').all() as SchemaRow[]);
  // aggregate: one row per b-tree, without a row per page
  const trees = db.sql.prepare("SELECT name, pgsize AS bytes FROM dbstat WHERE aggregate = 1").all() as { name: string; bytes: number }[];
  const tables = new Map<string, TableStorage>();
  for (const t of trees) {
    const o = owner.get(t.name) ?? { table: t.name, kind: 'table' as const };
    let entry = tables.get(o.table);
    if (!entry) tables.set(o.table, (entry = { table: o.table, bytes: 0, parts: [] }));
    entry.bytes += t.bytes;
    entry.parts.push({ name: t.name, kind: o.kind, bytes: t.bytes });
  }
  const list = [...tables.values()].sort((a, b) => b.bytes - a.bytes || a.table.localeCompare(b.table));
  for (const t of list) t.parts.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  return { fileBytes: pageSize * pageCount, pageSize, freeBytes: pageSize * freePages, tables: list };
}
