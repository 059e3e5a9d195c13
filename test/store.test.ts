import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { allRawInRowOrder, contentHashesInOrder, countMessages } from '../db/messages.ts';
import { listIngestErrors } from '../db/ingest-errors.ts';
import { getSource, sourceCounts } from '../db/ingest-sources.ts';
import { threadAssignments } from '../db/threads.ts';
import { collectStats } from '../db/stats.ts';
import { ingestPaths, type IngestProgress, type ReadArchive } from '../ingest/pipeline.ts';
import { readArchive, toMboxrd } from '../ingest/read/index.ts';
import { samplePaths, ensureSeeded } from '../ingest/seed.ts';
import { mailText } from './fixtures/ingest/mail.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const inline = { worker: false } as const;
/** Counted independently of the reader: one envelope line per message. */
const sampleCount = () => samplePaths().reduce((n, f) => n + (readFileSync(f, 'latin1').match(/^From mboxrd@z /gm)?.length ?? 0), 0);

describe('storing messages', () => {
  it('exports the sample archive back to the identical file bytes', async () => {
    for (const file of samplePaths()) {
      const db = openDb(join(dir, 'a.db'));
      await ingestPaths(db, [file], inline);
      const out = Buffer.concat([...allRawInRowOrder(db)].map((c) => toMboxrd(c.bytes, c.envelope ?? undefined)));
      expect(out.equals(readFileSync(file))).toBe(true);
      closeDb(db);
      rmSync(join(dir, 'a.db'));
    }
  });

  it('gives identical raw bytes after export and re-ingest, for messages with From lines and no final newline', async () => {
    const bodyArb = fc.array(fc.constantFrom('From here on\n', '>From quoted\n', '>>From twice\n', 'plain line\n', '\n', 'no newline at end'), { maxLength: 6 }).map((l) => l.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(bodyArb, { minLength: 1, maxLength: 5 }), async (bodies) => {
        const mbox = join(dir, 'in.mboxrd');
        const msgs = bodies.map((b, i) => Buffer.from(mailText({ id: `p${i}@x`, body: b })));
        writeFileSync(mbox, Buffer.concat(msgs.map((m) => toMboxrd(m))));
        const db1 = openDb(join(dir, 'one.db'));
        await ingestPaths(db1, [mbox], inline);
        const exported = join(dir, 'out.mboxrd');
        writeFileSync(exported, Buffer.concat([...allRawInRowOrder(db1)].map((c) => toMboxrd(c.bytes, c.envelope ?? undefined))));
        const db2 = openDb(join(dir, 'two.db'));
        await ingestPaths(db2, [exported], inline);
        const a = [...allRawInRowOrder(db1)].map((c) => c.bytes.toString('latin1'));
        const b = [...allRawInRowOrder(db2)].map((c) => c.bytes.toString('latin1'));
        expect(b).toEqual(a);
        expect(a).toEqual(msgs.map((m) => m.toString('latin1')));
        closeDb(db1);
        closeDb(db2);
        for (const f of ['one.db', 'two.db']) rmSync(join(dir, f));
      }),
      { numRuns: 15 },
    );
  });

  it('adds nothing when the same archive is ingested twice', async () => {
    const db = openDb(join(dir, 'twice.db'));
    const first = await ingestPaths(db, samplePaths(), inline);
    const hashes = contentHashesInOrder(db);
    const second = await ingestPaths(db, samplePaths(), inline);
    expect(first.stored).toBe(sampleCount());
    expect(first.stored).toBeGreaterThanOrEqual(30);
    expect(second.stored).toBe(0);
    expect(second.skipped).toBe(first.stored);
    expect(contentHashesInOrder(db)).toEqual(hashes);
    closeDb(db);
  });

  it('gives each archive its own batches and resume point while the next archive is already being parsed', async () => {
    // 7 per batch: batches would straddle the boundaries between the three sample archives
    // if the writer mixed sources; in the parse worker, as `loregraph ingest` runs.
    const db = openDb(join(dir, 'sources.db'));
    await ingestPaths(db, samplePaths(), { batchSize: 7 });
    for (const file of samplePaths()) {
      const count = readFileSync(file, 'latin1').match(/^From mboxrd@z /gm)?.length ?? 0;
      expect(sourceCounts(db, file)).toEqual({ messages: count, errors: 0 });
      expect(getSource(db, file)).toMatchObject({ doneIndex: count - 1, completed: true });
    }
    // the same rows, in the same order, as one archive at a time
    const hashes = contentHashesInOrder(db);
    closeDb(db);
    const one = openDb(join(dir, 'one-by-one.db'));
    for (const file of samplePaths()) await ingestPaths(one, [file], inline);
    expect(contentHashesInOrder(one)).toEqual(hashes);
    closeDb(one);
  });

  it('reports progress in the bytes of the sources as stored: a .gz file compressed, a directory once listed', async () => {
    const [first, ...rest] = samplePaths();
    const gz = join(dir, 'thread.mbox.gz');
    writeFileSync(gz, gzipSync(readFileSync(first!)));
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    for (const [i, f] of rest.entries()) writeFileSync(join(folder, `${i}.mbox`), readFileSync(f));
    const stored = statSync(gz).size + rest.reduce((n, f) => n + statSync(f).size, 0);
    const seen: IngestProgress[] = [];
    const db = openDb(join(dir, 'progress.db'));
    const s = await ingestPaths(db, [gz, folder], { batchSize: 3, onProgress: (p) => seen.push({ ...p }) });
    closeDb(db);
    // the mail inside the .gz is larger than the file: counted in it, the bar would pass 100%
    expect(s.bytes).toBeGreaterThan(stored);
    expect(seen.every((p) => p.readBytes <= p.totalBytes)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ readBytes: stored, totalBytes: stored });
  });

  it('records an empty message in ingest_errors with its position and goes on', async () => {
    const mbox = join(dir, 'bad.mboxrd');
    const good = (id: string) => toMboxrd(Buffer.from(mailText({ id })));
    writeFileSync(mbox, Buffer.concat([good('g1@x'), toMboxrd(Buffer.alloc(0)), good('g2@x')]));
    const db = openDb(join(dir, 'bad.db'));
    const s = await ingestPaths(db, [mbox], inline);
    expect([s.stored, s.malformed]).toEqual([2, 1]);
    expect(listIngestErrors(db)).toEqual([{ id: 1, source: mbox, index: 1, offset: expect.any(Number), reason: 'empty message', rawSize: 0, rawHash: expect.any(String) }]);
    const again = await ingestPaths(db, [mbox], inline);
    expect(again.malformed).toBe(0);
    expect(listIngestErrors(db)).toHaveLength(1);
    expect(collectStats(db)).toMatchObject({ messages: 2, malformed: 1, sources: 1 });
    closeDb(db);
  });

  it('resumes after an interrupted run and ends with what one clean run stores', async () => {
    // the sample archive with more than the 10 messages the interrupted run stores
    const file = samplePaths().find((f) => f.endsWith('linux-mm.mboxrd'));
    // a run that stops after 10 messages, as a kill between batches would
    const stopping: ReadArchive = async (path, onMessage, opts) => {
      let n = 0;
      await readArchive(path, async (m) => {
        if (n++ < 10) await onMessage(m);
      }, opts);
    };
    const db = openDb(join(dir, 'resume.db'));
    await ingestPaths(db, [file!], { ...inline, read: stopping, batchSize: 4 });
    expect(getSource(db, file!)?.doneIndex).toBe(9);
    const rest = await ingestPaths(db, [file!], { ...inline, batchSize: 4 });
    expect(rest.skipped).toBe(10);
    const clean = openDb(join(dir, 'clean.db'));
    await ingestPaths(clean, [file!], inline);
    expect(contentHashesInOrder(db)).toEqual(contentHashesInOrder(clean));
    expect(threadAssignments(db)).toEqual(threadAssignments(clean));
    closeDb(db);
    closeDb(clean);
  });

  it('re-reads an archive whose contents changed under the resume point', async () => {
    const mbox = join(dir, 'changing.mboxrd');
    const mk = (ids: string[]) => Buffer.concat(ids.map((id) => toMboxrd(Buffer.from(mailText({ id })))));
    writeFileSync(mbox, mk(['a@x', 'b@x']));
    const db = openDb(join(dir, 'c.db'));
    await ingestPaths(db, [mbox], inline);
    writeFileSync(mbox, mk(['c@x', 'd@x', 'e@x']));
    await ingestPaths(db, [mbox], inline);
    expect(countMessages(db)).toBe(5);
    closeDb(db);
  });

  it('stops with the writer\'s error instead of hanging, and keeps the batches committed before it', async () => {
    const db = openDb(join(dir, 'fail.db'));
    let calls = 0;
    const failing = {
      name: 'failing',
      analyze: () => 1,
      store: () => {
        if (++calls === 6) throw new Error('disk on fire');
      },
    };
    await expect(ingestPaths(db, samplePaths(), { ...inline, batchSize: 5, analyzers: [failing] })).rejects.toThrow('disk on fire');
    expect(countMessages(db)).toBe(5);
    closeDb(db);
  });

  it('seeds an empty database with the sample, once', async () => {
    const path = join(dir, 'seed.db');
    expect(await ensureSeeded(path, inline)).toEqual({ seeded: true });
    expect(await ensureSeeded(path, inline)).toEqual({ seeded: false });
    const db = openDb(path, { readonly: true });
    expect(collectStats(db)).toMatchObject({ messages: sampleCount(), ghosts: 0, malformed: 0, sources: samplePaths().length });
    closeDb(db);
  });
});
