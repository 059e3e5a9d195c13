// The knowledge cache reads every source's entities before the builder indexes them: a
// large archive's source is hundreds of thousands of entities, and all of them must arrive.
import { describe, expect, it } from 'vitest';
import type { Db } from '../db/connection.ts';
import type { KnowledgeEntity } from '../server/knowledge.ts';
import type { KnowledgeBuilder } from '../server/knowledge-builder.ts';
import { createKnowledgeCache } from '../server/knowledge-cache.ts';

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
});
