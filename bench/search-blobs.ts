// dfpre:/dfpost:/dfblob: from the diffs' blob ids indexed as terms, against reading every
// row's body as before them (what a database indexed by an older version still does for
// its rows until `loregraph reindex`), on a lore-shaped archive of SEARCH_BLOBS_SIZE
// messages (default 20000; bench/out/scale-lore-<size>.db, ingested once, reindexed once
// if its index predates blob terms). Both ways in alternating rounds on one database,
// switched by the index's BLOB_TERMS_KEY mark, answers checked equal.
//   npm run bench -- search-blobs
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb } from '../db/connection.ts';
import { readMeta, writeMeta } from '../db/meta.ts';
import { BLOB_TERMS_KEY, indexSourceRows } from '../db/search.ts';
import { rebuildSearchIndex } from '../ingest/search-index-rebuild.ts';
import { searchMessages } from '../server/search.ts';
import { BENCH_OUT, generateArchive } from './generate-archive.ts';

const SIZE = Number(process.env.SEARCH_BLOBS_SIZE ?? 20_000);
const ROUNDS = Number(process.env.SEARCH_BLOBS_ROUNDS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function run(): Promise<void> {
  const dbPath = join(BENCH_OUT, `scale-lore-${SIZE}.db`);
  if (!existsSync(dbPath)) {
    const archive = generateArchive(SIZE, undefined, 42, 'lore');
    const res = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./scale.ts', import.meta.url)), '--child', dbPath, archive.path], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (res.status !== 0) throw new Error(`ingest of ${archive.path} failed (${res.status})`);
  }
  const rw = openDb(dbPath);
  const db = openDb(dbPath, { readonly: true });
  try {
    if (readMeta(rw, BLOB_TERMS_KEY) !== '0') {
      const t0 = performance.now();
      rebuildSearchIndex(rw);
      console.log(`reindexed for blob terms in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    const top = rw.sql.prepare('SELECT max(id) FROM messages').pluck().get() as number;
    // Blob ids that are there (a recent patch's index line, both sides, abbreviated) and one that is not.
    const line = indexSourceRows(rw, top - 500, 500)
      .map((r) => /^index ([0-9a-f]{7})[0-9a-f]*\.\.([0-9a-f]{7})/m.exec(r.body))
      .find((m) => m !== null);
    if (!line) throw new Error('no diff among the newest 500 messages');
    const [, pre, post] = line as RegExpExecArray;
    const queries = [`dfpre:${pre}`, `dfpost:${post}`, `dfblob:${post}`, 'dfblob:deadbee', `dfn:mm/filemap.c dfpre:${pre}`];
    const modes = { terms: '0', bodies: String(top) } as const;
    const times = queries.map(() => ({ terms: [] as number[], bodies: [] as number[] }));
    console.log(`search-blobs: ${top} messages, ${ROUNDS} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (let round = 0; round < ROUNDS; round++) {
      queries.forEach((q, i) => {
        const answers: string[] = [];
        for (const mode of round % 2 === 0 ? (['terms', 'bodies'] as const) : (['bodies', 'terms'] as const)) {
          writeMeta(rw, BLOB_TERMS_KEY, modes[mode]);
          const t0 = performance.now();
          const r = searchMessages(db, q, { limit: 20 });
          times[i]?.[mode].push(performance.now() - t0);
          answers.push(JSON.stringify([r.total, r.hits.map((h) => h.messageId)]));
        }
        if (answers[0] !== answers[1]) throw new Error(`'${q}' answered differently from terms and from bodies`);
      });
    }
    console.log(`  ${'median ms'.padEnd(40)} ${'bodies'.padStart(9)} ${'terms'.padStart(8)}`);
    queries.forEach((q, i) => {
      const t = times[i] as { terms: number[]; bodies: number[] };
      console.log(`  ${q.padEnd(40)} ${median(t.bodies).toFixed(1).padStart(9)} ${median(t.terms).toFixed(2).padStart(8)}  ${(median(t.bodies) / median(t.terms)).toFixed(0)}x`);
    });
  } finally {
    writeMeta(rw, BLOB_TERMS_KEY, '0');
    closeDb(db);
    closeDb(rw);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
