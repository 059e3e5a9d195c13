// The knowledge cache reads every source's entities before the builder indexes them: a
// large archive's source is hundreds of thousands of entities, and all of them must arrive.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDb, openDb, type Db } from '../db/connection.ts';
import { loadScenarioFile } from '../sim/index.ts';
import type { KnowledgeEntity } from '../server/knowledge.ts';
import { inlineKnowledgeBuilder, type KnowledgeBuilder } from '../server/knowledge-builder.ts';
import { createKnowledgeCache } from '../server/knowledge-cache.ts';
import { createScenarioStore } from '../server/scenario-store.ts';
import { REPO_ROOT } from './helpers/shared.ts';

/** A builder that indexes nothing and answers how many entities of each kind it was given. */
function countingBuilder(): KnowledgeBuilder {
  return {
    async build(entities) {
      const kinds: Record<string, number> = {};
      for (const e of entities) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
      return JSON.stringify(kinds);
    },
    async buildFromDatabase() {
      throw new Error('given sources are read by the cache, not the builder');
    },
    async search() {
      return [];
    },
    async close() {},
  };
}

const entity = (kind: string, i: number): KnowledgeEntity => ({ id: `${kind}:${i}`, kind, title: `t${i}`, paths: [], body: '', url: `/api/x/${i}` });

describe('the knowledge cache', () => {
  it('hands the builder every entity of a source of 300,000', async () => {
    const db = { path: ':memory:' } as unknown as Db;
    const many = Array.from({ length: 300_000 }, (_, i) => entity('series', i));
    const cache = createKnowledgeCache(db, [() => many, () => [entity('race', 0), entity('race', 1)]], countingBuilder());
    const { body } = await cache.json();
    expect(JSON.parse(body)).toEqual({ series: 300_000, race: 2 });
    await cache.close();
  });

  it("builds from the database with the scenarios the server's store loaded, each file parsed once for every build", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lg-kc-'));
    const db = openDb(join(dir, 'k.db'));
    const loads: string[] = [];
    const scenarios = createScenarioStore(join(REPO_ROOT, 'test/fixtures/sim'), async (file) => {
      loads.push(file);
      return loadScenarioFile(file);
    });
    const cache = createKnowledgeCache(db, { dbPath: db.path, scenarios }, inlineKnowledgeBuilder());
    try {
      const hits = await cache.search('peterson', {});
      expect(hits.map((h) => h.id)).toContain('scenario:peterson');
      const loaded = loads.length;
      expect(loaded).toBe(5);
      cache.invalidate();
      await cache.json();
      expect(loads.length).toBe(loaded);
    } finally {
      await cache.close();
      closeDb(db);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
