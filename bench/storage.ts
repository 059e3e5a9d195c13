// Issue #17 item 3, a smaller file: bytes per table and the db/mbox ratio, and what reading a
// body and headers back from the compressed raw bytes (migrations 011/012) costs the read
// paths. Each archive is ingested once (as loregraph stores it now); a copy of that database
// with every body and header map written into its row as text, as before 011, is the
// baseline of the same run: the same rows, the same reader code, only the layout differs.
// The message page (what /api/messages/:mid and its /structure read), the thread view (the
// tree, then every message of the thread) and the search hits with their snippets are timed
// in alternating rounds, and reported as after/before ratios.
//   node --import tsx bench/storage.ts   (STORAGE_BENCH_MESSAGES=N for the generated archive,
//   default 10,000; STORAGE_BENCH_SHARED_ONLY=1 / STORAGE_BENCH_GENERATED_ONLY=1)
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { getStoredMessage } from '../db/message-view.ts';
import { storedText, STORED_TEXT_COLUMNS, type StoredTextColumns } from '../db/messages.ts';
import { storageStats } from '../db/storage.ts';
import { getThreadTree, type ThreadTreeNode } from '../db/threads.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { searchMessages } from '../server/search.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';
import { BENCH_OUT, generateArchive, rng } from './generate-archive.ts';

const MESSAGES = Number(process.env.STORAGE_BENCH_MESSAGES ?? 10_000);
const ROUNDS = 7;
const SEARCHES = ['truncate', 'race', 'lock', 'readahead', 'cache', 'fix'];

interface Archive {
  name: string;
  paths: string[];
}

function archives(): Archive[] {
  const out: Archive[] = [];
  if (process.env.STORAGE_BENCH_GENERATED_ONLY !== '1' && HAS_SHARED) {
    out.push({ name: 'lore-linux-cifs', paths: ['linux-cifs.2024-01-to-02.mboxrd', 'linux-cifs.stable-threads.mboxrd'].map((f) => sharedPath('corpus', 'lore-linux-cifs', f)) });
    out.push({ name: 'lore-linux-ppp', paths: [sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd')] });
    out.push({
      name: 'race-samples',
      paths: ['linux-erofs.race-sample.mbox.gz', 'linux-f2fs-devel.race-sample.mbox.gz'].map((f) => sharedPath('corpus', 'race-samples', f)),
    });
  }
  if (process.env.STORAGE_BENCH_SHARED_ONLY !== '1') out.push({ name: `generated-${MESSAGES}`, paths: [generateArchive(MESSAGES).path] });
  return out;
}

/** The archive's bytes as mbox text (a .gz counts uncompressed). */
function mboxBytes(paths: readonly string[]): number {
  return paths.reduce((n, p) => n + (p.endsWith('.gz') ? gunzipSync(readFileSync(p)).length : statSync(p).size), 0);
}

/** The baseline: every body and header map written into its row as text, as before migration 011. */
function storeTextInRows(db: Db): void {
  const rows = db.sql.prepare(`SELECT id, ${STORED_TEXT_COLUMNS} FROM messages`).all() as (StoredTextColumns & { id: number })[];
  const update = db.sql.prepare('UPDATE messages SET body = ?, headers = ?, body_start = NULL, body_end = NULL, headers_from_raw = 0, body_codec = NULL WHERE id = ?');
  db.sql.transaction(() => {
    for (const r of rows) {
      const t = storedText(r);
      update.run(t.body, t.headersJson, r.id);
    }
  })();
  db.sql.exec('VACUUM');
}

const mib = (b: number): string => (b / 1048576).toFixed(2);

function sizes(db: Db): Map<string, number> {
  return new Map(storageStats(db).tables.map((t) => [t.table, t.bytes]));
}

function flatten(root: ThreadTreeNode): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop() as ThreadTreeNode;
    if (!n.ghost) out.push(n.messageId);
    stack.push(...n.children);
  }
  return out;
}

interface Sample {
  rows: number[];
  threads: string[];
}

function sample(db: Db): Sample {
  const ids = db.sql.prepare('SELECT id, message_id FROM messages ORDER BY id').all() as { id: number; message_id: string }[];
  const rand = rng(17);
  const pick = <T>(xs: readonly T[], n: number): T[] => Array.from({ length: Math.min(n, xs.length) }, () => xs[Math.floor(rand() * xs.length)] as T);
  return { rows: pick(ids, 300).map((r) => r.id), threads: pick(ids, 30).map((r) => r.message_id) };
}

const rowOf = (db: Db, mid: string): number | undefined => db.sql.prepare('SELECT id FROM messages WHERE message_id = ? ORDER BY id LIMIT 1').pluck().get(mid) as number | undefined;

/** Milliseconds per operation of each read path, on one database. */
function timeReads(db: Db, s: Sample): { message: number; thread: number; search: number; blob: number } {
  let t = performance.now();
  for (const r of s.rows) getStoredMessage(db, r);
  const message = (performance.now() - t) / s.rows.length;
  t = performance.now();
  for (const mid of s.threads) {
    const root = getThreadTree(db, mid);
    // the conversation view reads each message twice: the message and its structure
    for (const m of root ? flatten(root) : []) for (let i = 0; i < 2; i++) getStoredMessage(db, rowOf(db, m) ?? 0);
  }
  const thread = (performance.now() - t) / s.threads.length;
  t = performance.now();
  for (const q of SEARCHES) searchMessages(db, q, { limit: 20 });
  const search = (performance.now() - t) / SEARCHES.length;
  // dfblob: reads the body of every row its other terms leave (a LIKE on the diff's index lines)
  t = performance.now();
  searchMessages(db, 'dfblob:abc1 OR dfblob:0000', { limit: 20 });
  const blob = performance.now() - t;
  return { message, thread, search, blob };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function benchArchive(a: Archive): Promise<void> {
  const dir = join(BENCH_OUT, 'storage');
  mkdirSync(dir, { recursive: true });
  const after = join(dir, `${a.name}.db`);
  const before = join(dir, `${a.name}.text-in-rows.db`);
  for (const p of [after, before]) for (const x of ['', '-wal', '-shm']) rmSync(p + x, { force: true });
  const t0 = performance.now();
  const db = openDb(after);
  await ingestPaths(db, a.paths, { batchSize: 2000 });
  closeDb(db);
  const ingestS = (performance.now() - t0) / 1000;
  copyFileSync(after, before);
  const b = openDb(before);
  storeTextInRows(b);
  closeDb(b);

  const mbox = mboxBytes(a.paths);
  const dbA = openDb(after, { readonly: true });
  const dbB = openDb(before, { readonly: true });
  const [sa, sb] = [storageStats(dbA), storageStats(dbB)];
  console.log(`${a.name}: mbox ${mib(mbox)} MiB; ingest ${ingestS.toFixed(1)} s`);
  console.log(`  file: text in rows ${mib(sb.fileBytes)} MiB (${(sb.fileBytes / mbox).toFixed(2)}x mbox) -> text from raw ${mib(sa.fileBytes)} MiB (${(sa.fileBytes / mbox).toFixed(2)}x mbox), ${(sa.fileBytes / sb.fileBytes).toFixed(2)}x`);
  const [ta, tb] = [sizes(dbA), sizes(dbB)];
  for (const t of sb.tables.slice(0, 6)) console.log(`    ${t.table}: ${mib(t.bytes)} -> ${mib(ta.get(t.table) ?? 0)} MiB`);

  const s = sample(dbA);
  const runs = { a: [] as ReturnType<typeof timeReads>[], b: [] as ReturnType<typeof timeReads>[] };
  timeReads(dbA, s);
  timeReads(dbB, s);
  for (let i = 0; i < ROUNDS; i++) {
    // alternating, so the machine's drift falls on both
    if (i % 2 === 0) {
      runs.a.push(timeReads(dbA, s));
      runs.b.push(timeReads(dbB, s));
    } else {
      runs.b.push(timeReads(dbB, s));
      runs.a.push(timeReads(dbA, s));
    }
  }
  for (const k of ['message', 'thread', 'search', 'blob'] as const) {
    const ma = median(runs.a.map((r) => r[k]));
    const mb = median(runs.b.map((r) => r[k]));
    console.log(`  ${k.padEnd(7)} ${mb.toFixed(3)} ms -> ${ma.toFixed(3)} ms: ${(ma / mb).toFixed(2)}x (median of ${ROUNDS} alternating rounds)`);
  }
  closeDb(dbA);
  closeDb(dbB);
}

export async function run(): Promise<void> {
  for (const a of archives()) {
    if (a.paths.some((p) => !existsSync(p))) continue;
    await benchArchive(a);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
