// `loregraph ingest <path>... [--db FILE] [--jobs N] [--json] [--subject-threading]`
import { getPriority, setPriority } from 'node:os';
import { closeDb, openDb } from '../../db/connection.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { ingestPaths, type IngestProgress, type IngestSummary } from '../../ingest/pipeline.ts';
import { defaultWorkers } from '../../ingest/pipeline-processor.ts';
import { tightenHeapGrowth } from '../../ingest/heap-growth.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';

const MB = 1024 * 1024;

export function formatProgress(p: IngestProgress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.bytes / MB / secs : 0;
  // The bar and ETA follow the readers through the sources as stored (a .gz file's
  // compressed bytes); the rate is of mail read.
  const pct = p.totalBytes > 0 ? Math.min(1, p.readBytes / p.totalBytes) : null;
  const width = 24;
  const bar = pct === null ? '' : `[${'#'.repeat(Math.round(pct * width)).padEnd(width, '.')}] ${(pct * 100).toFixed(0).padStart(3)}% `;
  const readRate = secs > 0 ? p.readBytes / secs : 0;
  const eta = pct !== null && pct > 0 && readRate > 0 ? ` ETA ${Math.max(0, Math.round((p.totalBytes - p.readBytes) / readRate))}s` : '';
  return `${bar}${p.seen} messages, ${rate.toFixed(1)} MB/s${eta}`;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function formatSummary(s: IngestSummary): string {
  const skipped = s.skipped > 0 ? `, ${s.skipped} already stored` : '';
  const suspicious = s.suspicious > 0 ? `, ${s.suspicious} suspicious` : '';
  const p = s.phases;
  const parse = p.workers > 0 ? `waiting for ${p.workers} parse worker${p.workers === 1 ? '' : 's'} ${seconds(p.parseMs)} (they parsed for ${seconds(p.parseBusyMs)})` : `parse ${seconds(p.parseMs)}`;
  return (
    `ingested ${s.seen} messages from ${s.sources} source${s.sources === 1 ? '' : 's'}: ` +
    `${s.stored} new, ${s.duplicate} duplicate, ${s.malformed} malformed, ${s.lenient} lenient${suspicious}${skipped}; ` +
    `${(s.bytes / MB).toFixed(1)} MB in ${seconds(s.elapsedMs)}, ${s.rates.messagesPerSec.toFixed(0)} msg/s, ${s.rates.mbPerSec.toFixed(1)} MB/s\n` +
    `time: start ${seconds(p.startMs)}, read ${seconds(p.readMs)}, ${parse}, write ${seconds(p.writeMs)}, ` +
    `index ${seconds(p.indexMs)}, end-of-run passes ${seconds(p.finishMs)}\n` +
    peakMemory(p.peakRssMB)
  );
}

/**
 * The run's peak memory and the phase that set it: each figure is the process's peak as that
 * phase ended, so the first phase whose figure is the last one's reached it.
 */
export function peakMemory(m: IngestSummary['phases']['peakRssMB']): string {
  const head = `peak memory: ${m.finish} MB, reached`;
  if (m.load === m.finish) return `${head} by the end of the load`;
  if (m.index === m.finish) return `${head} in the index build (${m.load} MB by the end of the load)`;
  const index = m.index > m.load ? `, ${m.index} MB by the end of the index build` : '';
  return `${head} in the end-of-run passes (${m.load} MB by the end of the load${index})`;
}

/** --jobs: a whole number of parse workers, at least 1. */
function parseJobs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !(n >= 1 && n <= 256)) throw new LoregraphError('USAGE', `--jobs must be a positive whole number (parse workers, at most 256), not '${raw}'`);
  return n;
}

/** Below the server's query processes (server/query-process.ts QUERY_NICE 5). */
export const INGEST_NICE = 10;

/**
 * Ingest is batch work: a server answering on the same machine comes first when the cores
 * are short. Set before the parse workers start, so they inherit it (Linux keeps a nice
 * value per thread). Alone on a machine, a lower priority costs nothing.
 */
function lowerPriority(): void {
  try {
    if (getPriority() < INGEST_NICE) setPriority(INGEST_NICE);
  } catch {
    // not permitted or not supported: ingest runs at the priority it was given
  }
}

export const command: Command = {
  help: `usage: loregraph ingest <path>... [--db FILE] [--jobs N] [--json] [--subject-threading] [--batch-size N] [--max-message-bytes N]
  Reads mbox/mboxrd files (also .gz), maildir or message directories, public-inbox git
  archives and saved messages; parses, threads and stores them. Safe to rerun: stored
  messages are skipped, an interrupted run resumes. Ends with msg/s, MB/s and where the
  time went.
  --db FILE             database (default ${DEFAULT_DB})
  --jobs N              parse workers (default ${defaultWorkers()} here: one per core beyond the
                        writer's, at most 4); the database is the same whatever N is
  --json                the summary as JSON (counts, rates, phases in milliseconds)
  --subject-threading   also thread replies that lost their headers by subject
  --batch-size N        messages per transaction (default 500)
  --max-message-bytes N a larger message is recorded in ingest_errors (position, hash,
                        reason), never parsed; the run goes on (default 64 MiB)`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      db: { type: 'string' },
      jobs: { type: 'string' },
      json: { type: 'boolean' },
      'subject-threading': { type: 'boolean' },
      'batch-size': { type: 'string' },
      'max-message-bytes': { type: 'string' },
    });
    const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0 && batchSize <= 100_000)) {
      throw new LoregraphError('USAGE', `--batch-size must be a whole number from 1 to 100000, not '${values['batch-size']}'`);
    }
    const maxRaw = values['max-message-bytes'];
    const maxMessageBytes = maxRaw === undefined ? undefined : Number(maxRaw);
    if (maxMessageBytes !== undefined && !(/^\d+$/.test(maxRaw ?? '') && maxMessageBytes >= 1024 && maxMessageBytes <= 1024 * MB)) {
      throw new LoregraphError('USAGE', `--max-message-bytes must be a whole number of bytes from 1024 to ${1024 * MB}, not '${maxRaw}'`);
    }
    const jobs = parseJobs(values.jobs);
    if (positionals.length === 0) throw new LoregraphError('USAGE', 'ingest needs at least one path');
    lowerPriority();
    tightenHeapGrowth();
    const db = openDb(values.db ?? DEFAULT_DB);
    let lastDraw = 0;
    try {
      const summary = await ingestPaths(db, positionals, {
        subjectThreading: values['subject-threading'] ?? false,
        ...(batchSize !== undefined ? { batchSize } : {}),
        ...(jobs !== undefined ? { workers: jobs } : {}),
        ...(maxMessageBytes !== undefined ? { maxMessageBytes } : {}),
        onProgress: io.isTTY
          ? (p) => {
              const now = Date.now();
              if (now - lastDraw < 200) return;
              lastDraw = now;
              io.err(`\r\x1b[2K${formatProgress(p)}`);
            }
          : undefined,
      });
      if (io.isTTY) io.err('\r\x1b[2K');
      if (values.json) printJson(io, summary);
      else io.out(formatSummary(summary) + '\n');
      for (const w of summary.warnings) io.err(`loregraph: warning: ${w}\n`);
      if (summary.suspicious > summary.warnings.length) io.err(`loregraph: warning: ${summary.suspicious - summary.warnings.length} more suspicious messages\n`);
      for (const f of summary.failedSources) io.err(`loregraph: ${f.path}: ${f.reason}\n`);
      return summary.failedSources.length > 0 ? 1 : 0;
    } finally {
      closeDb(db);
    }
  },
};
