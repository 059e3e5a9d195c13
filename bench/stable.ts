// `npm run bench -- stable`: stable status measured against fixes labelled by reading real
// mail (bench/labels/stable.json). The labelled archives from ../shared are ingested into
// a temporary database the way `loregraph ingest` does (patches analyzer), then every
// labelled cell (fix x branch) is compared with what `fix-status` says, and every
// look-alike (a mail that must give no status) is checked for stable events.
// Prints cells right / cells total and look-alikes with a status, and each miss, for the
// labels the extractor was tuned on and, apart, for those labelled after it was
// ("heldOut": the date; "draw": 'random' for a seeded draw from what the tool reports on
// unlabelled mail, 'found' for stories found by reading around that draw). The held-out
// figures are the ones that say how the tool does on mail nobody labelled.
// LOREGRAPH_BENCH_STABLE_DB=FILE keeps the database (and reuses it when it exists).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { getFixStatus } from '../db/stable.ts';
import { isLoregraphError } from '../domain/errors.ts';
import { patchAnalyzer } from '../ingest/patch-analyzer.ts';
import type { Analyzer } from '../ingest/analyzer.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from '../test/helpers/shared.ts';

interface LabelCell {
  status: string;
  message: string;
  date: string;
  quote: string;
}

interface StableLabels {
  fixes: LabelledFix[];
  lookalikes: LabelledLookalike[];
}

interface HeldOut {
  /** When the entry was labelled, after the extractor was tuned. */
  heldOut?: string;
  /** 'random': drawn with a fixed seed from the fixes the tool reports; 'found': read around that draw. */
  draw?: 'random' | 'found';
}

type LabelledFix = HeldOut & { subject: string; upstream?: string | null; messages: string[]; cells: Record<string, LabelCell>; era?: string; note?: string };
type LabelledLookalike = HeldOut & { message: string; subject: string; why: string };

const LABELS = join(dirname(fileURLToPath(import.meta.url)), 'labels', 'stable.json');

/** The archives the labels were read from. */
const LABELLED_ARCHIVES = [
  ['corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'],
  ['corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'],
  ['corpus', 'race-samples', 'linux-f2fs-devel.race-sample.mbox.gz'],
  ['corpus', 'race-samples', 'linux-erofs.race-sample.mbox.gz'],
  ['corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd'],
  ['corpus', 'kernel-cve-announce'],
];

interface CellResult {
  fix: string;
  branch: string;
  want: string;
  got: string | null;
  era: string;
  /** Our deciding mails, for reading a miss. */
  evidence: string[];
}

interface StableScore {
  right: number;
  total: number;
  misses: CellResult[];
  /** Fixes of the labels we found no record for (every cell of theirs is a miss). */
  unfound: string[];
  lookalikesWithStatus: { message: string; subject: string; statuses: string[] }[];
  lookalikes: number;
}

/** Our record of a labelled fix: by its upstream commit, else by any of its mails. */
function statusFor(db: Db, fix: StableLabels['fixes'][number]): ReturnType<typeof getFixStatus> | null {
  const keys = [fix.upstream ?? null, ...Object.values(fix.cells).map((c) => c.message), ...fix.messages].filter((k): k is string => !!k);
  for (const k of keys) {
    try {
      return getFixStatus(db, k);
    } catch (e) {
      if (!isLoregraphError(e)) throw e;
    }
  }
  return null;
}

/** The labels of one group: tuned-on, or held out (of one draw, or every draw). */
function groupOf(labels: StableLabels, keep: (e: HeldOut) => boolean): StableLabels {
  return { fixes: labels.fixes.filter(keep), lookalikes: labels.lookalikes.filter(keep) };
}

const GROUPS: { name: string; keep: (e: HeldOut) => boolean }[] = [
  { name: 'tuned-on', keep: (e) => e.heldOut === undefined },
  { name: 'held-out', keep: (e) => e.heldOut !== undefined },
  { name: 'held-out, random draw', keep: (e) => e.heldOut !== undefined && e.draw === 'random' },
  { name: 'held-out, found around it', keep: (e) => e.heldOut !== undefined && e.draw !== 'random' },
];

function scoreStable(db: Db, labels: StableLabels): StableScore {
  const score: StableScore = { right: 0, total: 0, misses: [], unfound: [], lookalikesWithStatus: [], lookalikes: labels.lookalikes.length };
  for (const fix of labels.fixes) {
    const st = statusFor(db, fix);
    if (!st) score.unfound.push(fix.subject);
    for (const [branch, cell] of Object.entries(fix.cells)) {
      score.total++;
      const ours = st?.branches[branch];
      if (ours?.status === cell.status) score.right++;
      else score.misses.push({ fix: fix.subject, branch, want: cell.status, got: ours?.status ?? null, era: fix.era ?? '', evidence: ours?.evidence ?? [] });
    }
  }
  const eventsOf = db.sql.prepare(`SELECT DISTINCT status FROM stable_events WHERE message_id = ? AND status IS NOT NULL`).pluck();
  for (const l of labels.lookalikes) {
    const statuses = eventsOf.all(l.message) as string[];
    if (statuses.length > 0) score.lookalikesWithStatus.push({ message: l.message, subject: l.subject, statuses });
  }
  return score;
}

export async function run(): Promise<void> {
  if (!HAS_SHARED) {
    console.log(SHARED_SKIP_REASON);
    return;
  }
  if (!existsSync(LABELS)) {
    console.log(`no labels at ${LABELS}: nothing to measure`);
    return;
  }
  const labels = JSON.parse(readFileSync(LABELS, 'utf8')) as StableLabels;
  const keep = process.env['LOREGRAPH_BENCH_STABLE_DB'];
  const dir = keep ? null : mkdtempSync(join(tmpdir(), 'loregraph-bench-stable-'));
  const file = keep ?? join(dir as string, 'stable.db');
  const fresh = !existsSync(file);
  const db = openDb(file);
  try {
    if (fresh) {
      const t0 = performance.now();
      // A folder of one-mail files (the CVE announcements) goes in as its files, as the CLI takes them.
      const paths = LABELLED_ARCHIVES.map((p) => sharedPath(...p))
        .filter((p) => existsSync(p))
        .flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.mbox')).sort().map((f) => join(p, f)) : [p]));
      await ingestPaths(db, paths, { analyzers: [patchAnalyzer as Analyzer], worker: false });
      console.log(`ingested ${paths.length} labelled archives in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const g of GROUPS) {
      const group = groupOf(labels, g.keep);
      if (group.fixes.length === 0 && group.lookalikes.length === 0) continue;
      const s = scoreStable(db, group);
      console.log(`${g.name}:`);
      // The two held-out draws list their misses; the sum of them only counts.
      if (g.name !== 'held-out') {
        for (const m of s.misses) console.log(`  miss ${m.branch.padEnd(5)} want ${m.want.padEnd(15)} got ${(m.got ?? '-').padEnd(15)} ${m.fix} [${m.era}] ${m.evidence.join(' ')}`);
        for (const u of s.unfound) console.log(`  no record for: ${u}`);
        for (const l of s.lookalikesWithStatus) console.log(`  look-alike with a status: <${l.message}> ${l.subject}: ${l.statuses.join(', ')}`);
      }
      console.log(`  cells right: ${s.right} / ${s.total} (${((100 * s.right) / Math.max(1, s.total)).toFixed(1)}%) over ${group.fixes.length} fixes, ${s.misses.length} misses`);
      console.log(`  look-alikes with a status: ${s.lookalikesWithStatus.length} / ${s.lookalikes}`);
    }
  } finally {
    closeDb(db);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
