// `npm run bench -- knowledge`: races, fixes and stances measured against threads labelled
// by reading real mail (bench/labels/races.json). The labelled archives from ../shared are
// ingested into a temporary database the way `loregraph ingest` does (every analyzer, parse
// workers), then each labelled thread's races are read back from the database. Prints race
// precision and recall, fix recall and stance accuracy (targets 0.9, 0.8, 0.8), what the
// knowledge analyzer costs the ingest (the same archives without it, alternating rounds),
// and how long listing the races takes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { getRace, listRaces, racesOfMessage, racesOfThread } from '../db/knowledge.ts';
import type { RaceRecord } from '../domain/knowledge/types.ts';
import type { Analyzer } from '../ingest/analyzer.ts';
import { ANALYZERS } from '../ingest/analyzers.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from '../test/helpers/shared.ts';
import { scoreKnowledge, type KnowledgeScore, type LabelledThread } from './knowledge-score.ts';

// KNOWLEDGE_BENCH_ROUNDS=1 when only the scores are wanted (a rule being tried): the timing needs the three
const ROUNDS = Math.max(1, Number(process.env['KNOWLEDGE_BENCH_ROUNDS'] ?? 3));
const LABELS = join(dirname(fileURLToPath(import.meta.url)), 'labels', 'races.json');
// Threads sampled at random and labelled, never read to change a rule: the figures that say
// how the rules do on mail nobody tuned them on (each file's "about" says how it was drawn,
// its "caveat" what has since made some figure less clean).
const TEST_SETS = ['races-test.json', 'races-test2.json'].map((f) => join(dirname(fileURLToPath(import.meta.url)), 'labels', f));

interface TestSet {
  file: string;
  caveat?: string;
  threads: LabelledThread[];
}

function racesOfLabel(db: Db, root: string): RaceRecord[] {
  // a labelled thread is read whole: the races stored under its thread (an AUTOSEL bundle
  // or review series holds a race per patch), and those its root message belongs to
  return [...new Map([...racesOfThread(db, root), ...racesOfMessage(db, root)].map((s) => [s.id, s])).values()]
    .map((s) => getRace(db, s.id))
    .filter((r): r is RaceRecord => r !== null);
}

async function ingestInto(file: string, paths: string[], analyzers: readonly Analyzer[]): Promise<number> {
  const db = openDb(file);
  try {
    const t0 = performance.now();
    await ingestPaths(db, paths, { analyzers });
    return performance.now() - t0;
  } finally {
    closeDb(db);
  }
}

/** The mails a label names: its root, and those of its fixes and stances. */
function mailsOf(l: LabelledThread): string[] {
  return [l.root, ...(l.fixes ?? []).map((f) => f.message), ...(l.stances ?? []).map((s) => s.message)];
}

function printFigures(f: Omit<KnowledgeScore, 'misses'>): void {
  console.log(`race precision: ${f.precision} (${f.truePositives} right, ${f.falsePositives} false)   target >= 0.9`);
  console.log(`race recall:    ${f.recall} (${f.falseNegatives} missed)   target >= 0.8`);
  console.log(`fix recall:     ${f.fixRecall} (${f.fixesFound} / ${f.fixesLabelled})   target >= 0.8`);
  console.log(`stance accuracy: ${f.stanceAccuracy} (${f.stancesRight} / ${f.stancesLabelled} found with their kind and their fix)`);
  console.log(`outcome right on ${f.outcomesRight} of ${f.truePositives + f.falseNegatives} labelled races`);
}

export async function run(): Promise<void> {
  if (!HAS_SHARED) {
    console.log(SHARED_SKIP_REASON);
    return;
  }
  const labels = (JSON.parse(readFileSync(LABELS, 'utf8')) as { threads: LabelledThread[] }).threads;
  const testSets = TEST_SETS.filter((f) => existsSync(f)).map((f): TestSet => ({ ...(JSON.parse(readFileSync(f, 'utf8')) as Omit<TestSet, 'file'>), file: f }));
  const paths = [...new Set([...labels, ...testSets.flatMap((t) => t.threads)].map((l) => l.file))].map((f) => sharedPath('corpus', ...f.split('/'))).filter((p) => existsSync(p));
  const dir = mkdtempSync(join(tmpdir(), 'loregraph-bench-knowledge-'));
  try {
    // what the knowledge analyzer costs: the same archives with and without it, alternating
    const without = ANALYZERS.filter((a) => a.name !== 'knowledge');
    const times: { with: number[]; without: number[] } = { with: [], without: [] };
    for (let round = 0; round < ROUNDS; round++) {
      times.without.push(await ingestInto(join(dir, `without-${round}.db`), paths, without));
      times.with.push(await ingestInto(join(dir, `with-${round}.db`), paths, ANALYZERS));
    }
    const best = (xs: number[]): number => Math.min(...xs);
    console.log(
      `ingest of ${paths.length} labelled archives: ${(best(times.with) / 1000).toFixed(2)} s with knowledge, ${(best(times.without) / 1000).toFixed(2)} s without ` +
        `(fastest of ${ROUNDS} alternating rounds): ${(best(times.without) / best(times.with)).toFixed(2)}x the speed`,
    );

    const db = openDb(join(dir, 'with-0.db'));
    try {
      const t0 = performance.now();
      const listed = listRaces(db, { limit: 100000 });
      console.log(`listing ${listed.total} races took ${(performance.now() - t0).toFixed(1)} ms`);
      const s = scoreKnowledge(labels, (root) => racesOfLabel(db, root));
      const { misses, ...figures } = s;
      if (process.env['LOREGRAPH_BENCH_VERBOSE']) for (const m of misses) console.log(`  ${m}`);
      else console.log(`  (${misses.length} misses; LOREGRAPH_BENCH_VERBOSE=1 lists them)`);
      console.log(`labelled threads: ${figures.threads} (${labels.filter((l) => l.race).length} races, ${labels.filter((l) => !l.race).length} not)`);
      printFigures(figures);
      // the threads the rules were tuned on flatter them; those labelled later from unread mail say how they generalise
      const heldOut = labels.filter((l) => l.heldOut !== undefined);
      if (heldOut.length > 0) {
        const tuned = labels.filter((l) => l.heldOut === undefined);
        console.log(`\ntuned-on threads: ${tuned.length} (${tuned.filter((l) => l.race).length} races)`);
        printFigures(scoreKnowledge(tuned, (root) => racesOfLabel(db, root)));
        const dates = [...new Set(heldOut.map((l) => l.heldOut))].join(', ');
        console.log(`\nheld-out threads (labelled ${dates}): ${heldOut.length} (${heldOut.filter((l) => l.race).length} races)`);
        printFigures(scoreKnowledge(heldOut, (root) => racesOfLabel(db, root)));
        // a sample drawn after the rules changed measures them on mail none of them was written for
        for (const drawn of new Set(heldOut.flatMap((l) => (l.drawn ? [l.drawn] : [])))) {
          const sample = heldOut.filter((l) => l.drawn === drawn);
          console.log(`\n  of which ${sample.length} ${drawn}:`);
          printFigures(scoreKnowledge(sample, (root) => racesOfLabel(db, root)));
        }
      }
      // a test thread that the labels above came to hold too (drawn again for them) may have been tuned on
      const labelled = new Set(labels.flatMap(mailsOf));
      for (const set of testSets) {
        const test = set.threads.filter((l) => !mailsOf(l).some((m) => labelled.has(m)));
        if (test.length === 0) continue;
        console.log(
          `\ntest set (bench/labels/${basename(set.file)}, drawn at random, never tuned on): ${test.length} threads (${test.filter((l) => l.race).length} races)` +
            (test.length < set.threads.length ? `; ${set.threads.length - test.length} left out that races.json labels too` : ''),
        );
        if (set.caveat) console.log(`  caveat: ${set.caveat}`);
        const t = scoreKnowledge(test, (root) => racesOfLabel(db, root));
        // misses are printed only on request: whoever writes rules should not read them
        if (process.env['LOREGRAPH_BENCH_TEST_MISSES']) for (const m of t.misses) console.log(`  ${m}`);
        printFigures(t);
      }
    } finally {
      closeDb(db);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
