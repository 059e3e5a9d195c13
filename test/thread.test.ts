import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openDb, closeDb } from '../db/connection.ts';
import { threadAssignments, getThreadTree, threadRootOf, countThreads, countGhosts } from '../db/threads.ts';
import { ancestryChain, baseSubject, chooseParent, findRoot } from '../domain/thread.ts';
import { processRaw, type Processed } from '../ingest/pipeline-process.ts';
import { storeBatch } from '../ingest/pipeline-store.ts';
import { rawMail, type MailSpec } from './fixtures/ingest/mail.ts';

async function processAll(specs: MailSpec[]): Promise<Processed[]> {
  const out: Processed[] = [];
  for (const s of specs) out.push(await processRaw(rawMail(s), []));
  return out;
}

function storeRuns(runs: Processed[][], subjectThreading = false) {
  const db = openDb(':memory:');
  for (const run of runs) storeBatch(db, null, run, { subjectThreading });
  return db;
}

describe('thread core', () => {
  it('puts In-Reply-To after References when it is not among them, and drops self references', () => {
    expect(ancestryChain({ messageId: 'c', inReplyTo: 'b', references: ['a'] })).toEqual(['a', 'b']);
    expect(ancestryChain({ messageId: 'c', inReplyTo: 'a', references: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(ancestryChain({ messageId: 'c', inReplyTo: null, references: ['a', 'c', 'b'] })).toEqual(['a', 'b']);
  });

  it('chooses the parent with most votes, ties to the smallest id', () => {
    expect(chooseParent(['b', 'a', 'b'])).toBe('b');
    expect(chooseParent(['b', 'a'])).toBe('a');
    expect(chooseParent([])).toBeNull();
  });

  it('roots a cycle at its smallest id, from wherever the walk starts', () => {
    const parents = new Map([['x', 'y'], ['y', 'z'], ['z', 'x'], ['w', 'x']]);
    for (const start of ['x', 'y', 'z', 'w']) expect(findRoot(start, (n) => parents.get(n) ?? null)).toBe('x');
  });

  it('walks a 100000-deep chain without recursion', () => {
    const parent = (n: string) => (n === 'n0' ? null : `n${Number(n.slice(1)) - 1}`);
    expect(findRoot('n100000', parent)).toBe('n0');
  });

  it('strips reply prefixes for the base subject', () => {
    expect(baseSubject('Re: RE: Fwd:  [PATCH] mm: fix  it')).toEqual({ base: '[patch] mm: fix it', isReply: true });
    expect(baseSubject('[PATCH] mm: fix it')).toEqual({ base: '[patch] mm: fix it', isReply: false });
  });
});

describe('threading in the store', () => {
  it('threads a reply whose parent is missing under a ghost, and the ghost becomes real when it arrives', async () => {
    const [root, reply] = await processAll([
      { id: 'root@x', subject: 'original' },
      { id: 'reply@x', subject: 'Re: original', inReplyTo: 'root@x', references: ['root@x'] },
    ]);
    const db = storeRuns([[reply!]]);
    expect(threadAssignments(db)).toEqual([
      { messageId: 'reply@x', parent: 'root@x', root: 'root@x', ghost: false },
      { messageId: 'root@x', parent: null, root: 'root@x', ghost: true },
    ]);
    expect(countGhosts(db)).toBe(1);
    storeBatch(db, null, [root!]);
    expect(countGhosts(db)).toBe(0);
    expect(threadRootOf(db, 'reply@x')).toBe('root@x');
    closeDb(db);
  });

  it('lets a late parent adopt orphans that arrived first, and re-roots their whole subtree', async () => {
    const msgs = await processAll([
      { id: 'a@x', subject: 'a' },
      { id: 'b@x', inReplyTo: 'a@x', references: ['a@x'] },
      { id: 'c@x', inReplyTo: 'b@x' },
      { id: 'd@x', inReplyTo: 'c@x' },
    ]);
    const db = storeRuns([[msgs[3]!], [msgs[2]!], [msgs[0]!], [msgs[1]!]]);
    for (const id of ['a@x', 'b@x', 'c@x', 'd@x']) expect(threadRootOf(db, id)).toBe('a@x');
    expect(countThreads(db)).toBe(1);
    closeDb(db);
  });

  it('links ghosts to each other from the References chain', async () => {
    const msgs = await processAll([{ id: 'leaf@x', references: ['g1@x', 'g2@x', 'g3@x'] }]);
    const db = storeRuns([msgs]);
    expect(threadAssignments(db).map((n) => [n.messageId, n.parent, n.root])).toEqual([
      ['g1@x', null, 'g1@x'],
      ['g2@x', 'g1@x', 'g1@x'],
      ['g3@x', 'g2@x', 'g1@x'],
      ['leaf@x', 'g3@x', 'g1@x'],
    ]);
    closeDb(db);
  });

  it('survives forged references that form a cycle', async () => {
    const msgs = await processAll([
      { id: 'p@x', inReplyTo: 'q@x' },
      { id: 'q@x', inReplyTo: 'p@x' },
    ]);
    const db = storeRuns([msgs]);
    expect(threadRootOf(db, 'p@x')).toBe('p@x');
    expect(threadRootOf(db, 'q@x')).toBe('p@x');
    const tree = getThreadTree(db, 'q@x');
    expect(tree?.messageId).toBe('p@x');
    expect(tree?.children.map((c) => c.messageId)).toEqual(['q@x']);
    closeDb(db);
  });

  it('keeps a duplicate Message-ID with different content as a second copy in the same thread', async () => {
    const msgs = await processAll([
      { id: 'a@x' },
      { id: 'dup@x', inReplyTo: 'a@x', body: 'first copy\n' },
      { id: 'dup@x', inReplyTo: 'a@x', body: 'second copy\n' },
    ]);
    const db = storeRuns([msgs]);
    const tree = getThreadTree(db, 'dup@x');
    expect(tree?.children).toHaveLength(1);
    expect(tree?.children[0]?.copies).toBe(2);
    closeDb(db);
  });

  it('threads by subject only when asked to', async () => {
    const msgs = await processAll([
      { id: 'orig@x', subject: 'mm: a question', date: 'Tue, 2 Jan 2024 10:00:00 +0000' },
      { id: 'lost@x', subject: 'Re: mm: a question', date: 'Tue, 2 Jan 2024 11:00:00 +0000' },
    ]);
    const off = storeRuns([msgs]);
    expect(threadRootOf(off, 'lost@x')).toBe('lost@x');
    // reply first, original second: the original still adopts it
    const on = storeRuns([[msgs[1]!], [msgs[0]!]], true);
    expect(threadRootOf(on, 'lost@x')).toBe('orig@x');
    closeDb(off);
    closeDb(on);
  });
});

// Random small archives: ids drawn from a pool that also holds never-sent (ghost) ids,
// random References/In-Reply-To (cycles and self-references included), duplicate ids.
const specArb = fc
  .record({
    n: fc.integer({ min: 1, max: 10 }),
    seed: fc.array(
      fc.record({
        id: fc.integer({ min: 0, max: 12 }),
        refs: fc.array(fc.integer({ min: 0, max: 14 }), { maxLength: 4 }),
        irt: fc.option(fc.integer({ min: 0, max: 14 })),
        body: fc.constantFrom('a\n', 'b\n'),
      }),
      { minLength: 1, maxLength: 10 },
    ),
  })
  .map(({ seed }) =>
    seed.map(
      (s): MailSpec => ({
        id: `m${s.id}@x`,
        references: s.refs.map((r) => `m${r}@x`),
        inReplyTo: s.irt === null ? null : `m${s.irt}@x`,
        body: s.body,
        subject: s.id % 3 === 0 ? 'topic' : 'Re: topic',
      }),
    ),
  );

describe('threading is independent of input order', () => {
  it('gives the same parents, roots and ghosts for any permutation and split into runs', async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.infiniteStream(fc.nat()), fc.boolean(), async (specs, rnd, subject) => {
        const msgs = await processAll(specs);
        const reference = storeRuns([msgs], subject);
        const expected = threadAssignments(reference);
        closeDb(reference);
        // roots agree with a from-scratch walk over the final parent links
        const parents = new Map(expected.map((n) => [n.messageId, n.parent]));
        for (const n of expected) expect(n.root).toBe(findRoot(n.messageId, (id) => parents.get(id)));
        // a random permutation, cut into random runs
        const it = rnd[Symbol.iterator]();
        const next = () => it.next().value as number;
        const shuffled = [...msgs];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = next() % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const runs: Processed[][] = [];
        let cur: Processed[] = [];
        for (const m of shuffled) {
          cur.push(m);
          if (next() % 3 === 0) {
            runs.push(cur);
            cur = [];
          }
        }
        if (cur.length) runs.push(cur);
        const db = storeRuns(runs, subject);
        expect(threadAssignments(db)).toEqual(expected);
        closeDb(db);
      }),
      { numRuns: 150 },
    );
  });
});
