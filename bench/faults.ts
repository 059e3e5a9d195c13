// `npm run bench -- faults`: the slow half of the fault suite of issue #13 (the fast half
// is in npm test: query-pool, query-cost, api-hardening, ingest-oversized). Each part
// prints its counts and sets a failing exit status when a bound is broken:
//   fuzz     fuzzed ingest, >= 20,000 random and mutated messages, each accounted for by hash
//   bomb     a 600 MB message in a small .gz among other mail: recorded, the rest stored, memory bounded
//   big      a 60 MB message under the limit (log, patch, base64), parsed and stored: peak RSS a small multiple of its size
//   kill     SIGKILL at random moments of an ingest, the rerun compared to a clean run
//   hostile  hostile queries against a served 20,000-message archive, each with a time bound
//   slow     slowloris and stalled-body connections, cut off while healthz stays fast
//   load     autocannon (50 connections of searches, 30 s) alone, then while an ingest writes into the served file: 0 5xx, healthz p99 < 50 ms
// FAULTS=fuzz,kill runs only those parts.
import { fuzzIngest, gzipBomb } from './faults/fuzz-ingest.ts';
import { bigMessage } from './faults/big-message.ts';
import { killIngest } from './faults/kill.ts';
import { hostile } from './faults/hostile.ts';
import { slowClients } from './faults/slow-clients.ts';
import { loadWhileIngesting } from './faults/load.ts';

const PARTS: Record<string, () => Promise<void>> = {
  fuzz: fuzzIngest,
  bomb: gzipBomb,
  big: bigMessage,
  kill: killIngest,
  hostile,
  slow: slowClients,
  load: loadWhileIngesting,
};

export async function run(): Promise<void> {
  const wanted = (process.env.FAULTS ?? Object.keys(PARTS).join(',')).split(',').filter((p) => p in PARTS);
  for (const name of wanted) {
    const t0 = performance.now();
    console.log(`-- faults: ${name}`);
    await (PARTS[name] as () => Promise<void>)();
    console.log(`-- faults: ${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
