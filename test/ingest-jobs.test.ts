// `ingest --jobs N`: however many parse workers, results are written in archive order, so
// the database is the same; and the summary says where the time went.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeDb, openDb } from '../db/connection.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { inFlightLimits } from '../ingest/pipeline-writer.ts';
import { SAMPLE_DIR } from '../ingest/seed.ts';
import { generateArchive } from '../bench/generate-archive.ts';
import { main } from '../cli/main.ts';
import { captureIO } from './helpers/cli-io.ts';

/** Tables whose rows say what was stored; `sources` and `meta` hold paths and run state. */
const TABLES = [
  'messages',
  'message_addresses',
  'message_refs',
  'thread_nodes',
  'patch_msgs',
  'trailers',
  'series',
  'series_patches',
  'stable_events',
  'message_knowledge',
  'message_links',
  'races',
  'race_threads',
  'race_messages',
  'race_stances',
  'race_terms',
  'race_fixes',
  'fixes',
  'fix_links',
  'ingest_errors',
  'search_fts_data',
  'search_fts_idx',
  'search_fts_docsize',
];

/** One hash per table, of every row in a fixed order, and its row count. */
function tableHashes(path: string): Record<string, { rows: number; sha: string }> {
  const sql = new Database(path, { readonly: true });
  try {
    const out: Record<string, { rows: number; sha: string }> = {};
    for (const t of TABLES) {
      const rows = (sql.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][]).map((r) =>
        JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? String(v) : v)),
      );
      rows.sort();
      out[t] = { rows: rows.length, sha: createHash('sha256').update(rows.join('\n')).digest('hex') };
    }
    return out;
  } finally {
    sql.close();
  }
}

describe('ingest with N parse workers', () => {
  let dir: string;
  let sources: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-jobs-'));
    // several sources: two generated lists (patches, series, stable mails, replies), the
    // sample archive (races, fixes, stable), and one file read twice under another name
    const a = generateArchive(300, join(dir, 'a.mboxrd'), 3).path;
    const b = generateArchive(200, join(dir, 'b.mboxrd'), 5).path;
    const again = join(dir, 'a-again.mboxrd');
    copyFileSync(a, again);
    sources = [a, join(SAMPLE_DIR, 'linux-mm.mboxrd'), join(SAMPLE_DIR, 'linux-fsdevel.mboxrd'), b, join(SAMPLE_DIR, 'stable.mboxrd'), again];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the same rows with 1 worker and with 3', async () => {
    const hashes = [];
    for (const workers of [1, 3]) {
      const path = join(dir, `jobs-${workers}.db`);
      const db = openDb(path);
      const s = await ingestPaths(db, sources, { workers, batchSize: 64 });
      closeDb(db);
      expect(s.phases.workers).toBe(workers);
      expect(s.stored).toBe(500 + 23 + 8 + 9);
      expect(s.duplicate).toBe(300);
      hashes.push(tableHashes(path));
    }
    const [one, three] = hashes;
    expect(one?.messages?.rows).toBe(540);
    expect(one?.series?.rows).toBeGreaterThan(50);
    expect(one?.message_knowledge?.rows).toBe(540);
    expect(one?.races?.rows).toBeGreaterThan(0);
    expect(three).toEqual(one);
  });

  it('caps what is in flight in proportion to the workers', () => {
    expect(inFlightLimits(1)).toEqual({ messages: 1024, bytes: 32 * 1024 * 1024 });
    expect(inFlightLimits(3)).toEqual({ messages: 2048, bytes: 64 * 1024 * 1024 });
    expect(inFlightLimits(0)).toEqual(inFlightLimits(1));
  });
});

async function cli(...argv: string[]) {
  const c = captureIO();
  const code = await main(argv, c);
  return { code, out: c.stdout(), err: c.stderr() };
}

describe('loregraph ingest --jobs / --json', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-jobs-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['0', '-1', 'two', '1.5', ''])('refuses --jobs %j as a usage error naming the flag', async (n) => {
    const r = await cli('ingest', join(SAMPLE_DIR, 'linux-mm.mboxrd'), '--db', join(dir, 'refused.db'), `--jobs=${n}`);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--jobs');
    expect(r.out).toBe('');
  });

  it('ends with the summary as JSON: counts, rates, and phases that add up to the run', async () => {
    const archive = generateArchive(200, join(dir, 'g.mboxrd'), 9).path;
    const r = await cli('ingest', archive, join(SAMPLE_DIR, 'linux-mm.mboxrd'), '--db', join(dir, 'json.db'), '--jobs', '2', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({ seen: 223, stored: 223, sources: 2, failedSources: [] });
    const p = s.phases;
    for (const k of ['startMs', 'readMs', 'parseMs', 'writeMs', 'loadMs', 'indexMs', 'finishMs', 'parseBusyMs']) {
      expect(typeof p[k]).toBe('number');
      expect(p[k]).toBeGreaterThanOrEqual(0);
    }
    expect(p.workers).toBe(2);
    // the workers did the parsing, the writer stored rows
    expect(p.parseBusyMs).toBeGreaterThan(0);
    expect(p.writeMs).toBeGreaterThan(0);
    const load = p.startMs + p.readMs + p.parseMs + p.writeMs;
    expect(Math.abs(load - p.loadMs)).toBeLessThan(0.05 * p.loadMs + 20);
    const whole = p.loadMs + p.indexMs + p.finishMs;
    expect(Math.abs(whole - s.elapsedMs)).toBeLessThan(0.05 * s.elapsedMs + 20);
    expect(s.rates.messagesPerSec).toBeCloseTo(s.seen / (s.elapsedMs / 1000), 3);
    expect(s.rates.mbPerSec).toBeCloseTo(s.bytes / 1048576 / (s.elapsedMs / 1000), 3);
    // the peak memory as each phase ended: it can only rise, and a node process holds tens of MB
    const peak = p.peakRssMB;
    expect(peak.load).toBeGreaterThan(30);
    expect(peak.index).toBeGreaterThanOrEqual(peak.load);
    expect(peak.finish).toBeGreaterThanOrEqual(peak.index);
    expect(peak.finish).toBeLessThan(4096);
  });
});
