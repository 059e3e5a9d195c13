// A text term limited to a date range, on a lore-shaped archive (bench/scale.ts's, SEARCH_DATES_SIZE
// messages, default 200000; ingested once into bench/out/scale-lore-<size>.db if it is not there).
// Each date shape is timed three ways in alternating rounds in one process, the answers
// checked equal: no date narrows the index walk (dateHintBudget -1: what the code before
// this bench did for ranges open at the newest end and ranges under OR), every range does
// whatever it holds (what it did for a top-level range with an upper bound: the whole
// range's date index entries read), and the default (ranges open at the newest end only
// when they hold at most DATE_HINT_BUDGET messages).
// "before" is the first or the second, as that code chose for the shape.
//   npm run bench -- search-dates
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb } from '../db/connection.ts';
import { DATE_HINT_BUDGET, runSearch, type RunSearchOptions } from '../db/search.ts';
import { compileQuery } from '../domain/query/compile.ts';
import { parseQuery } from '../domain/query/parser.ts';
import { BENCH_OUT, generateArchive } from './generate-archive.ts';

const SIZE = Number(process.env.SEARCH_DATES_SIZE ?? 200_000);
const ROUNDS = Number(process.env.SEARCH_DATES_ROUNDS ?? 15);
const DAY = 86_400_000;

const MODES = { none: -1, whole: Number.MAX_SAFE_INTEGER, bounded: DATE_HINT_BUDGET } as const;
type Mode = keyof typeof MODES;

function ensureDb(): string {
  const dbPath = join(BENCH_OUT, `scale-lore-${SIZE}.db`);
  if (existsSync(dbPath)) return dbPath;
  const archive = generateArchive(SIZE, undefined, 42, 'lore');
  console.log(`ingesting ${SIZE} messages into ${dbPath} (once; minutes)`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./scale.ts', import.meta.url)), '--child', dbPath, archive.path], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (res.status !== 0) throw new Error(`ingest of ${archive.path} failed (${res.status})`);
  return dbPath;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function run(): Promise<void> {
  const dbPath = ensureDb();
  const db = openDb(dbPath, { readonly: true });
  try {
    const { oldest, newest, n } = db.sql.prepare('SELECT min(date) AS oldest, max(date) AS newest, count(*) AS n FROM messages').get() as { oldest: number; newest: number; n: number };
    const d = (t: number): string => new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
    const mid = oldest + (newest - oldest) / 2;
    // [what, query, the mode the code before this bench used for it]
    const last30 = `d:${d(newest - 30 * DAY)}..`;
    const first30 = `d:..${d(oldest + 30 * DAY)}`;
    const shapes: [string, string, Mode][] = [
      ['last 30 days (open end)', `lock ${last30}`, 'none'],
      ['last 30 days, subject', `s:lock ${last30}`, 'none'],
      ['last 30 days, file name', `dfn:mm/filemap.c ${last30}`, 'none'],
      ['last 30 days, subject prefix', `s:readah* ${last30}`, 'none'],
      ['last 7 days, date order', `writeback d:${d(newest - 7 * DAY)}..`, 'none'],
      ['first 30 days (open start)', `lock ${first30}`, 'whole'],
      ['first 30 days, subject', `s:lock ${first30}`, 'whole'],
      ['a month a month ago (closed)', `lock d:${d(newest - 60 * DAY)}..${d(newest - 30 * DAY)}`, 'whole'],
      ['first or last 30 days (OR), subject', `s:lock (${first30} OR ${last30})`, 'none'],
      ['everything (open end)', `lock d:2000..`, 'none'],
      ['everything (closed)', `lock d:2000..2099`, 'whole'],
      ['older half (open start)', `lock d:..${d(mid)}`, 'whole'],
      ['newer half (open end)', `lock d:${d(mid)}..`, 'none'],
      ['newer half (open end), subject', `s:lock d:${d(mid)}..`, 'none'],
    ];
    console.log(`search-dates: ${n} messages ${d(oldest)}..${d(newest)}, ${ROUNDS} rounds, budget ${DATE_HINT_BUDGET}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const times = shapes.map(() => ({ none: [] as number[], whole: [] as number[], bounded: [] as number[] }));
    const modes = Object.keys(MODES) as Mode[];
    for (let round = -2; round < ROUNDS; round++) {
      shapes.forEach(([, q], i) => {
        const plan = compileQuery(parseQuery(q, { now: newest }));
        const opts: RunSearchOptions = { offset: 0, limit: 20, sort: q.startsWith('writeback') ? 'date' : 'relevance', threads: false };
        const answers: string[] = [];
        // The order of the modes turns each round so none always runs on a cache the other warmed.
        for (let k = 0; k < modes.length; k++) {
          const mode = modes[(round + 2 + k) % modes.length] as Mode;
          const t0 = performance.now();
          const r = runSearch(db, plan, { ...opts, dateHintBudget: MODES[mode] });
          const ms = performance.now() - t0;
          answers.push(JSON.stringify([r.total, r.totalExact, r.rows.map((x) => x.rowId)]));
          if (round >= 0) times[i]?.[mode].push(ms);
        }
        if (new Set(answers).size !== 1) throw new Error(`'${q}' answered differently with and without date hints`);
      });
    }
    console.log(`  ${'median ms'.padEnd(64)} ${'no hint'.padStart(8)} ${'whole'.padStart(8)} ${'bounded'.padStart(8)}  before/after`);
    shapes.forEach(([what, q, before], i) => {
      const t = times[i] as Record<Mode, number[]>;
      const m = (mode: Mode) => median(t[mode]);
      console.log(
        `  ${`${what}: ${q}`.padEnd(64)} ${m('none').toFixed(2).padStart(8)} ${m('whole').toFixed(2).padStart(8)} ${m('bounded').toFixed(2).padStart(8)}  ${(m(before) / m('bounded')).toFixed(1)}x (before: ${before === 'none' ? 'no hint' : 'whole'})`,
      );
    });
  } finally {
    closeDb(db);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
