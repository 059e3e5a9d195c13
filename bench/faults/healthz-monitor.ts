// healthz probed as a monitor would, from a process of its own: `node --import tsx
// bench/faults/healthz-monitor.ts URL SECONDS RATE` prints autocannon's result as JSON.
// Probed from the process that also drives 50 connections of searches, the probe's own
// event loop (p99 10-60 ms behind under that load) was part of every healthz latency.
import { createRequire } from 'node:module';

interface Result {
  requests: { total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}
type Cannon = (opts: { url: string; connections: number; duration: number; overallRate: number }) => Promise<Result>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const [url, seconds, rate] = process.argv.slice(2);
const r = await autocannon({ url: url ?? '', connections: 2, duration: Number(seconds), overallRate: Number(rate) });
process.stdout.write(JSON.stringify(r));
