// `npm run bench -- knowledge-analyzer`: what the per-message knowledge analysis
// (domain/knowledge/message.ts) costs, in µs per message, over every message of the real
// corpora ingest reads (race-samples, cifs, ppp), beside the patch analysis it shares:
// the ingest bench only shows the sum of all analyzers, this one shows which part moved.
//
// With LOREGRAPH_KNOWLEDGE_REFERENCE=<dir of another checkout> (say `git archive <rev> | tar
// -x -C <dir>` with node_modules linked in) it is also the differential check of a rewrite:
// that checkout's analyzeKnowledge runs on the same parsed messages and patch analyses, in
// alternating rounds for the timing, and any message whose JSON differs is printed (the
// run exits non-zero), since an optimisation of the analyzer must not change what it says.
//   LOREGRAPH_KNOWLEDGE_REFERENCE=/tmp/lg-base node --import tsx bench/knowledge-analyzer.ts
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParsedMessage, RawMessage } from '../domain/message.ts';
import { analyzeKnowledge, type MessageAnalysis } from '../domain/knowledge/message.ts';
import { analyzePatchMessage, type PatchAnalysis } from '../domain/patch/analyze.ts';
import { parseMessage } from '../ingest/parse.ts';
import { readArchive } from '../ingest/read/index.ts';
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from '../test/helpers/shared.ts';

const CORPORA = ['race-samples', 'lore-linux-cifs', 'lore-linux-ppp'];
const ROUNDS = Number(process.env['KNOWLEDGE_BENCH_ROUNDS'] ?? 3);

type Analyze = (msg: ParsedMessage, patch: PatchAnalysis | undefined) => MessageAnalysis;

interface Sample {
  msg: ParsedMessage;
  patch: PatchAnalysis | undefined;
}

async function samples(): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const corpus of CORPORA) {
    const dir = sharedPath('corpus', corpus);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const raws: RawMessage[] = [];
      await readArchive(join(dir, f), async (m) => {
        raws.push(m);
      });
      for (const raw of raws) {
        if (raw.oversized) continue;
        try {
          const msg = await parseMessage(raw);
          out.push({ msg, patch: analyzePatchMessage(msg) });
        } catch {
          // a message the parser refuses is recorded by ingest, never analysed
        }
      }
    }
  }
  return out;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/**
 * µs of CPU per message of each function over all samples, taken in turns a block of
 * messages at a time: on a shared machine, load that comes and goes then falls on all
 * of them alike, and CPU time (not wall time) leaves out the waits for a core.
 */
function timeInTurns(all: readonly Sample[], fns: ((s: Sample) => unknown)[]): number[] {
  const spent = fns.map(() => 0);
  const BLOCK = 200;
  for (let from = 0; from < all.length; from += BLOCK) {
    const block = all.slice(from, from + BLOCK);
    for (const [i, fn] of fns.entries()) {
      const t0 = cpuMs();
      for (const s of block) fn(s);
      spent[i]! += cpuMs() - t0;
    }
  }
  return spent.map((ms) => (ms * 1000) / all.length);
}

async function reference(): Promise<Analyze | null> {
  const dir = process.env['LOREGRAPH_KNOWLEDGE_REFERENCE'];
  if (!dir) return null;
  const mod = (await import(pathToFileURL(resolve(dir, 'domain/knowledge/message.ts')).href)) as { analyzeKnowledge: Analyze };
  return mod.analyzeKnowledge;
}

export async function run(): Promise<void> {
  if (!HAS_SHARED) {
    console.log(SHARED_SKIP_REASON);
    return;
  }
  const all = await samples();
  const ref = await reference();
  let differing = 0;
  let kept = 0;
  if (ref) {
    for (const s of all) {
      const a = JSON.stringify(analyzeKnowledge(s.msg, s.patch));
      const b = JSON.stringify(ref(s.msg, s.patch));
      if (a.includes('"knowledge":{')) kept++;
      if (a === b) continue;
      if (++differing <= 10) console.log(`DIFFERS: ${s.msg.messageId}\n  new ${a.slice(0, 2000)}\n  old ${b.slice(0, 2000)}`);
    }
    console.log(`differential: ${all.length} messages, ${differing} differ from the reference (${kept} with knowledge)`);
  }
  const times: Record<'patch' | 'knowledge' | 'reference', number[]> = { patch: [], knowledge: [], reference: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const fns: ((s: Sample) => unknown)[] = [(s) => analyzePatchMessage(s.msg), (s) => analyzeKnowledge(s.msg, s.patch)];
    if (ref) fns.push((s) => ref(s.msg, s.patch));
    const [patch, knowledge, reference] = timeInTurns(all, round % 2 === 0 ? fns : [...fns].reverse()).map((t, i, a) => (round % 2 === 0 ? t : a[a.length - 1 - i]!));
    times.patch.push(patch!);
    times.knowledge.push(knowledge!);
    if (ref) times.reference.push(reference!);
  }
  const best = (xs: number[]): number => Math.min(...xs);
  console.log(`${all.length} messages of ${CORPORA.join(', ')}; CPU time, fastest of ${ROUNDS} rounds taken in turns 200 messages at a time:`);
  console.log(`  patch analysis      ${best(times.patch).toFixed(1).padStart(7)} µs/msg`);
  console.log(`  knowledge analysis  ${best(times.knowledge).toFixed(1).padStart(7)} µs/msg`);
  if (ref) {
    console.log(`  reference knowledge ${best(times.reference).toFixed(1).padStart(7)} µs/msg  (${(best(times.reference) / best(times.knowledge)).toFixed(2)}x the time of this checkout's)`);
    console.log(`  rounds: ${times.knowledge.map((k, i) => `${(times.reference[i]! / k).toFixed(2)}x`).join(' ')}`);
  }
  if (differing > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
