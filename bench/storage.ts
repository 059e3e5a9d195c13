// Issue #17 item 3, a smaller file: bytes per table and the db/mbox ratio, and what the
// raw packs of migration 013 (consecutive messages' raw bytes compressed together) cost the
// read paths. Each archive is ingested once (as loregraph stores it now, packs of
// PACK_MESSAGES); the baseline of the same run is a copy with every row's raw bytes
// compressed on their own again, as before 013 (encodeRaw, vacuumed); further copies are
// packed 4, 16 and 32 at a time from that baseline, to choose the pack size by. The same rows,
// the same reader code, only the layout differs. The message page (what /api/messages/:mid
// and its /structure read, each read the first of its pack: the decoded-pack cache is
// emptied before it), the thread view (the tree, then every message of the thread twice,
// cache emptied per thread), a thread's mbox (rawCopies, as the t.mbox download reads), an
// export of every row in row order, and the search hits with their snippets are timed in
// alternating rounds and reported as ratios against the baseline.
//   node --import tsx bench/storage.ts   (STORAGE_BENCH_MESSAGES=N for the generated archive,
//   default 10,000; STORAGE_BENCH_SHARED_ONLY=1 / STORAGE_BENCH_GENERATED_ONLY=1)
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { getStoredMessage } from '../db/message-view.ts';
import { allRawInRowOrder, encodeRaw, rawCopies } from '../db/messages.ts';
import { forgetDecodedPacks, rawBytesOf, rawColumns, type RawColumns } from '../db/raw-codec.ts';
import { PACK_MESSAGES, packStoredRaw } from '../db/raw-packs.ts';
import { storageStats } from '../db/storage.ts';
import { getThreadTree, type ThreadTreeNode } from '../db/threads.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { searchMessages } from '../server/search.ts';
import { HAS_SHARED, sharedPath } from '../test/helpers/shared.ts';
import { BENCH_OUT, generateArchive, rng } from './generate-archive.ts';
import { median } from './median.ts';

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

/** The baseline: every row's raw bytes compressed on their own, as before migration 013. */
function unpackRaw(db: Db): void {
  const rows = db.sql.prepare(`SELECT id, ${rawColumns()} FROM messages`).all() as (RawColumns & { id: number })[];
  const update = db.sql.prepare('UPDATE messages SET raw = ?, raw_codec = ?, raw_pack = NULL, raw_pack_offset = NULL WHERE id = ?');
  db.sql.transaction(() => {
    for (const r of rows) {
      const e = encodeRaw(rawBytesOf(r));
      update.run(e.data, e.codec, r.id);
    }
    db.sql.exec('DELETE FROM raw_packs');
  })();
  db.sql.exec('VACUUM');
}

/** The baseline's rows packed `n` at a time (as `loregraph compact` packs a pre-013 database). */
function repack(db: Db, n: number): void {
  packStoredRaw(db, 0, Number.MAX_SAFE_INTEGER, n);
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

type Reads = Record<'message' | 'thread' | 'mbox' | 'export' | 'search' | 'blob', number>;

/** Milliseconds per operation of each read path, on one database (export: per message). */
function timeReads(db: Db, s: Sample): Reads {
  let t = performance.now();
  for (const r of s.rows) {
    forgetDecodedPacks();
    getStoredMessage(db, r);
  }
  const message = (performance.now() - t) / s.rows.length;
  t = performance.now();
  const threads = s.threads.map((mid) => getThreadTree(db, mid));
  for (const root of threads) {
    forgetDecodedPacks();
    // the conversation view reads each message twice: the message and its structure
    for (const m of root ? flatten(root) : []) for (let i = 0; i < 2; i++) getStoredMessage(db, rowOf(db, m) ?? 0);
  }
  const thread = (performance.now() - t) / s.threads.length;
  t = performance.now();
  for (const root of threads) {
    forgetDecodedPacks();
    rawCopies(db, root ? flatten(root) : []);
  }
  const mbox = (performance.now() - t) / s.threads.length;
  forgetDecodedPacks();
  t = performance.now();
  let n = 0;
  for (const _ of allRawInRowOrder(db)) n++;
  const exported = (performance.now() - t) / Math.max(1, n);
  t = performance.now();
  for (const q of SEARCHES) searchMessages(db, q, { limit: 20 });
  const search = (performance.now() - t) / SEARCHES.length;
  // dfblob: reads the body of every row its other terms leave (a LIKE on the diff's index lines)
  t = performance.now();
  searchMessages(db, 'dfblob:abc1 OR dfblob:0000', { limit: 20 });
  const blob = performance.now() - t;
  return { message, thread, mbox, export: exported, search, blob };
}

interface Variant {
  label: string;
  path: string;
}

async function benchArchive(a: Archive): Promise<void> {
  const dir = join(BENCH_OUT, 'storage');
  mkdirSync(dir, { recursive: true });
  const now = join(dir, `${a.name}.db`);
  const base = join(dir, `${a.name}.raw-per-row.db`);
  const others = [4, 16, 32].map((n) => ({ label: `packs of ${n}`, path: join(dir, `${a.name}.packs-${n}.db`), n }));
  for (const p of [now, base, ...others.map((o) => o.path)]) for (const x of ['', '-wal', '-shm']) rmSync(p + x, { force: true });
  const t0 = performance.now();
  const db = openDb(now);
  await ingestPaths(db, a.paths, { batchSize: 2000 });
  closeDb(db);
  const ingestS = (performance.now() - t0) / 1000;
  copyFileSync(now, base);
  const b = openDb(base);
  unpackRaw(b);
  closeDb(b);
  for (const o of others) {
    copyFileSync(base, o.path);
    const d = openDb(o.path);
    repack(d, o.n);
    closeDb(d);
  }

  const mbox = mboxBytes(a.paths);
  const variants: Variant[] = [{ label: 'raw per row (before 013)', path: base }, others[0]!, { label: `packs of ${PACK_MESSAGES} (now)`, path: now }, ...others.slice(1)];
  const dbs = variants.map((v) => openDb(v.path, { readonly: true }));
  const stats = dbs.map((d) => storageStats(d));
  console.log(`${a.name}: mbox ${mib(mbox)} MiB; ingest ${ingestS.toFixed(1)} s`);
  const [sb] = stats;
  for (const [i, v] of variants.entries()) {
    const st = stats[i]!;
    const raw = sizes(dbs[i]!);
    console.log(
      `  ${v.label.padEnd(26)} file ${mib(st.fileBytes)} MiB = ${(st.fileBytes / mbox).toFixed(2)}x mbox (${(st.fileBytes / sb!.fileBytes).toFixed(2)}x baseline); messages ${mib(raw.get('messages') ?? 0)} + raw_packs ${mib(raw.get('raw_packs') ?? 0)} MiB`,
    );
  }
  for (const t of sb!.tables.slice(0, 6)) console.log(`    ${t.table}: ${mib(t.bytes)} MiB (${((100 * t.bytes) / sb!.fileBytes).toFixed(1)}% of the baseline)`);

  const s = sample(dbs[0]!);
  const runs: Reads[][] = variants.map(() => []);
  dbs.forEach((d) => timeReads(d, s));
  for (let i = 0; i < ROUNDS; i++) {
    // rotating order, so the machine's drift falls on all
    for (let k = 0; k < dbs.length; k++) {
      const j = (i + k) % dbs.length;
      runs[j]!.push(timeReads(dbs[j]!, s));
    }
  }
  const keys = ['message', 'thread', 'mbox', 'export', 'search', 'blob'] as const;
  console.log(`  read paths, ms (median of ${ROUNDS} rotating rounds; export per message), and the ratio to the baseline:`);
  console.log(`    ${''.padEnd(26)} ${keys.map((k) => k.padStart(16)).join('')}`);
  const medians = runs.map((r) => Object.fromEntries(keys.map((k) => [k, median(r.map((x) => x[k]))])) as Reads);
  for (const [i, v] of variants.entries()) {
    const m = medians[i]!;
    console.log(`    ${v.label.padEnd(26)} ${keys.map((k) => `${m[k].toFixed(3)} ${(m[k] / medians[0]![k]).toFixed(2)}x`.padStart(16)).join('')}`);
  }
  dbs.forEach((d) => closeDb(d));
}

export async function run(): Promise<void> {
  for (const a of archives()) {
    if (a.paths.some((p) => !existsSync(p))) continue;
    await benchArchive(a);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
