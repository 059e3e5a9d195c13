// Every other file of the real corpus in ../shared (fixtures of b4, git-mailinfo,
// patchwork's fuzz cases, MIME torture tests, public-inbox's test mail) ingests, leniently
// where it must, or is recorded as unreadable; nothing aborts the run.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { listIngestErrors } from '../db/ingest-errors.ts';
import { sourceCounts } from '../db/ingest-sources.ts';
import { hasContentHash } from '../db/messages.ts';
import { contentHash } from '../ingest/parse.ts';
import { readArchive } from '../ingest/read/index.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';

describe.skipIf(!HAS_SHARED)('ingesting every other file of the corpus', () => {
  it('ingests each one (leniently where needed) or records why not, and never aborts', async () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d).sort()) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (e !== 'SOURCES.md' && !p.includes('/lore-linux-')) files.push(p);
      }
    };
    walk(sharedPath('corpus'));
    const dir = mkdtempSync(join(tmpdir(), 'loregraph-corpus-'));
    const db = openDb(join(dir, 'c.db'));
    try {
      const s = await ingestPaths(db, files);
      // the only sources that cannot be read are git-mailinfo's empty expected-output files
      expect(s.failedSources.map((f) => f.path.split('/').slice(-2).join('/'))).toEqual([
        'expected/msg0013',
        'expected/msg0015',
        'expected/patch0007',
        'expected/patch0008',
        'expected/patch0013',
      ]);
      for (const f of s.failedSources) expect(statSync(f.path).size).toBe(0);
      expect(s.stored + s.duplicate + s.malformed).toBe(s.seen);
      expect(s.stored).toBeGreaterThan(300);
      expect(s.lenient).toBeGreaterThan(0);
      const errors = listIngestErrors(db);
      expect(errors.filter((e) => e.reason.startsWith('source failed'))).toHaveLength(5);
      // every fuzzed patchwork message is stored (leniently) or recorded, none is lost
      const fuzz = readdirSync(sharedPath('corpus', 'patchwork', 'fuzz')).map((f) => sharedPath('corpus', 'patchwork', 'fuzz', f));
      expect(fuzz).toHaveLength(17);
      for (const f of fuzz) {
        const c = sourceCounts(db, f);
        expect(c.messages + c.errors, f).toBe(1);
      }
      // and nothing is lost: every message any file holds is stored (maybe from another
      // file with the same bytes) or recorded as an error of its own file
      for (const f of files) {
        if (statSync(f).size === 0) continue;
        const { errors } = sourceCounts(db, f);
        let missing = 0;
        await readArchive(f, (m) => {
          if (!hasContentHash(db, contentHash(m.bytes))) missing++;
        });
        expect(missing, f).toBeLessThanOrEqual(errors);
      }
    } finally {
      closeDb(db);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
