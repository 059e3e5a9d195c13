// Slowloris (headers a line every 2 s) and stalled bodies (100 bytes announced, 10 sent)
// against `loregraph serve` with its default timeouts: every such connection must be
// closed by the server within its timeout plus a margin, while healthz stays fast.
import { connect } from 'node:net';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { servedArchive } from './hostile.ts';
import { fmt, percentile, probe, serve, untilWarm } from './common.ts';

const SLOWLORIS = 100;
const STALLED = 20;
/** Node checks the request timeouts every second (server/app.ts); two seconds of margin. */
const MARGIN_MS = 2_000;

/** Opens a connection that sends `first`, then `drip` every 2 s; resolves with when the server closed it (or null). */
function slowClient(port: number, first: string, drip: string | null, giveUpMs: number): Promise<{ closedMs: number | null; status: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = connect(port, '127.0.0.1');
    let got = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      sock.destroy();
      resolve({ closedMs: null, status: 'still open' });
    }, giveUpMs);
    sock.on('connect', () => {
      sock.write(first);
      if (drip !== null) timer = setInterval(() => sock.writable && sock.write(drip), 2_000);
    });
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedMs: performance.now() - t0, status: got.split('\r\n')[0] || 'closed without an answer' });
    });
  });
}

export async function slowClients(): Promise<void> {
  const s = await serve(await servedArchive());
  const port = Number(new URL(s.url).port);
  // A cold server's start-up stall would delay every timeout check by as much.
  await untilWarm(s, 'slow');
  const health = probe(`${s.url}api/healthz`);
  try {
    const headerBound = DEFAULT_LIMITS.headersTimeoutMs + MARGIN_MS;
    const bodyBound = DEFAULT_LIMITS.requestTimeoutMs + MARGIN_MS;
    const lorises = Array.from({ length: SLOWLORIS }, (_, i) => slowClient(port, `GET /api/healthz?i=${i} HTTP/1.1\r\nHost: x\r\n`, 'X-Slow: y\r\n', headerBound + 20_000));
    const stalled = Array.from({ length: STALLED }, () =>
      slowClient(port, 'POST /api/scenarios/x/replay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"steps":[', null, bodyBound + 20_000),
    );
    const report = (name: string, rs: { closedMs: number | null; status: string }[], bound: number): boolean => {
      const closed = rs.filter((r) => r.closedMs !== null).map((r) => r.closedMs as number);
      const late = rs.filter((r) => r.closedMs === null || r.closedMs > bound).length;
      const statuses = [...new Set(rs.map((r) => r.status))].join(', ');
      console.log(`slow: ${name}: ${closed.length} of ${rs.length} closed by the server, the last after ${fmt(Math.max(0, ...closed))} (bound ${bound} ms), ${late} late; answers: ${statuses}`);
      return late === 0;
    };
    const okHeaders = report('slowloris', await Promise.all(lorises), headerBound);
    const okBodies = report('stalled body', await Promise.all(stalled), bodyBound);
    const { latencies, failures } = await health.stop();
    console.log(`slow: healthz meanwhile: ${latencies.length} probes, p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}, ${failures} failed`);
    if (!okHeaders || !okBodies || failures > 0) process.exitCode = 1;
  } finally {
    await health.stop();
    await s.stop();
  }
}
