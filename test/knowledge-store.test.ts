// db/knowledge.ts: race records replaced family by family, the listings and look-ups the
// CLI, the API and the search prefixes read, and the compact block encoding.
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db/connection.ts';
import { runInTransaction } from '../db/ingest-tx.ts';
import { getFix, getRace, knowledgeCounts, listRaces, raceIdsMatching, racesOfMessage, replaceRaces, resolveRaceId } from '../db/knowledge.ts';
import { isLoregraphError, type LoregraphError } from '../domain/errors.ts';
import { decodeBlocks, encodeBlocks } from '../db/knowledge-codec.ts';
import { encodeRaw, messageRow, insertMessage } from '../db/messages.ts';
import { threadMessages, threadRootOf } from '../db/threads.ts';
import type { Block } from '../domain/knowledge/reply.ts';
import type { Fix, RaceRecord } from '../domain/knowledge/types.ts';
import type { ParsedMessage } from '../domain/message.ts';
import { ancestryChain } from '../domain/thread.ts';
import { messageIdOfUrl } from '../domain/patch/lore-link.ts';
import { fileTerms, raceTerm } from '../domain/query/race-term.ts';

function store(db: Db, id: string, parent: string | null, date: number, copy = ''): void {
  const msg: ParsedMessage = {
    messageId: id,
    messageIdSynthesized: false,
    subject: parent ? 'Re: x' : 'x',
    from: { name: 'A', address: 'a@x' },
    to: [],
    cc: [],
    date,
    dateSource: 'date',
    inReplyTo: parent,
    references: parent ? [parent] : [],
    listId: null,
    body: `body of ${id}`,
    attachments: [],
    headers: {},
    notes: [],
    lenient: null,
    contentHash: `hash-${id}${copy}`,
  };
  const row = messageRow(msg, ancestryChain(msg));
  runInTransaction(db, () => {
    insertMessage(db, row, { ...encodeRaw(Buffer.from(id)), size: id.length, envelope: null, position: { source: 't', offset: 0, index: 0 } }, null);
    threadMessages(db, [{ messageId: id, chain: row.chain, subject: row.subject, base: row.baseSubject, isReply: row.isReply }]);
  });
}

const ev = (messageId: string, text = 'there is a race') => ({ messageId, block: 0, text });

function fix(id: string, over: Partial<Fix> = {}): Fix {
  const messageId = id.split('#')[0] as string;
  return {
    id,
    kind: 'patch',
    author: 'Ann',
    messageId,
    date: 1000,
    summary: `fix in ${messageId}`,
    functions: ['collapse_file()'],
    files: ['mm/khugepaged.c'],
    wip: false,
    version: 1,
    lifecycle: 'proposed',
    lifecycleEvidence: null,
    supersededBy: null,
    stances: [{ stance: 'objection', author: 'Bob', messageId: 'r1@x', evidence: ev('r1@x', "I don't think this works"), aimedBy: 'quoted' }],
    evidence: ev(messageId),
    ...over,
  };
}

function race(id: string, threads: string[], over: Partial<RaceRecord> = {}): RaceRecord {
  return {
    id,
    title: `race ${id}`,
    outcome: 'data-loss',
    outcomeEvidence: ev(threads[0] as string, 'the data is lost'),
    status: 'open',
    statusEvidence: null,
    confidence: 0.8,
    reasons: [{ kind: 'race-word', weight: 2, evidence: ev(threads[0] as string) }],
    functions: ['do_dentry_open', 'truncate_inode_pages()'],
    files: ['fs/open.c'],
    locks: ['i_mmap_rwsem', 'folio lock'],
    versions: ['6.12'],
    configs: ['CONFIG_READ_ONLY_THP_FOR_FS'],
    diagram: null,
    threads,
    messages: threads,
    evidence: [threads[0] as string],
    fixes: [],
    firstDate: 1000,
    lastDate: 5000,
    ...over,
  };
}

function withThreads(): Db {
  const db = openDb(':memory:');
  store(db, 'a@x', null, 1000);
  store(db, 'r1@x', 'a@x', 2000);
  store(db, 'b@x', null, 3000);
  store(db, 'c@x', null, 4000);
  return db;
}

describe('race records in the database', () => {
  it('stores a race whole and lists it with what the listing shows', () => {
    const db = withThreads();
    const r = race('r-1', ['a@x', 'b@x'], { fixes: [fix('b@x#0')], messages: ['a@x', 'r1@x', 'b@x'] });
    runInTransaction(db, () => replaceRaces(db, ['a@x', 'b@x'], [r]));
    expect(getRace(db, 'r-1')).toEqual(r);
    expect(listRaces(db)).toEqual({
      total: 1,
      races: [{ id: 'r-1', title: 'race r-1', outcome: 'data-loss', confidence: 0.8, status: 'open', firstDate: 1000, lastDate: 5000, evidence: ['a@x'], fixes: 1 }],
    });
    expect(getFix(db, 'b@x#0')).toEqual({ race: listRaces(db).races[0], fix: r.fixes[0] });
    expect(getFix(db, 'b@x#1')).toBeNull();
    expect(getRace(db, 'nope')).toBeNull();
    // every message of the race's family belongs to it, the reply too
    expect(racesOfMessage(db, 'r1@x').map((x) => x.id)).toEqual(['r-1']);
    expect(racesOfMessage(db, 'c@x')).toEqual([]);
    expect(knowledgeCounts(db)).toMatchObject({ races: 1, fixes: 1, stances: 1 });
  });

  it('filters by the function, file and lock a race or its fixes name, written as people write them', () => {
    const db = withThreads();
    runInTransaction(db, () =>
      replaceRaces(db, ['a@x', 'c@x'], [race('r-1', ['a@x'], { fixes: [fix('a@x#0')] }), race('r-2', ['c@x'], { outcome: 'deadlock', status: 'confirmed', locks: ['mmap_lock'], functions: [], files: [], firstDate: 9000, lastDate: 9500 })]),
    );
    const ids = (f: Parameters<typeof listRaces>[1]): string[] => listRaces(db, f).races.map((r) => r.id);
    expect(ids({})).toEqual(['r-2', 'r-1']);
    expect(ids({ function: 'truncate_inode_pages()' })).toEqual(['r-1']);
    expect(ids({ function: 'Collapse_File' })).toEqual(['r-1']);
    expect(ids({ file: 'khugepaged.c' })).toEqual(['r-1']);
    expect(ids({ file: 'a/fs/open.c' })).toEqual(['r-1']);
    expect(ids({ lock: 'folio lock' })).toEqual(['r-1']);
    expect(ids({ lock: 'MMAP_LOCK' })).toEqual(['r-2']);
    expect(ids({ outcome: 'deadlock' })).toEqual(['r-2']);
    expect(ids({ status: 'open' })).toEqual(['r-1']);
    expect(ids({ from: 6000 })).toEqual(['r-2']);
    expect(ids({ to: 6000 })).toEqual(['r-1']);
    expect(ids({ from: 5500, to: 6000 })).toEqual([]);
    expect(listRaces(db, { limit: 1, offset: 1 })).toMatchObject({ total: 2, races: [{ id: 'r-1' }] });
  });

  it('replaces the races of the threads it is given and leaves the others', () => {
    const db = withThreads();
    runInTransaction(db, () => replaceRaces(db, ['a@x', 'b@x', 'c@x'], [race('r-1', ['a@x', 'b@x'], { fixes: [fix('b@x#0')] }), race('r-2', ['c@x'])]));
    // b's thread was re-assembled on its own: the family race touching it goes, c's stays
    runInTransaction(db, () => replaceRaces(db, ['b@x'], [race('r-3', ['b@x'])]));
    expect(listRaces(db).races.map((r) => r.id).sort()).toEqual(['r-2', 'r-3']);
    expect(getFix(db, 'b@x#0')).toBeNull();
    expect(racesOfMessage(db, 'r1@x')).toEqual([]);
    expect(knowledgeCounts(db)).toMatchObject({ races: 2, fixes: 0, stances: 0 });
  });

  it('replaces a race stored under a root that a later message threaded below another', () => {
    const db = withThreads();
    runInTransaction(db, () => replaceRaces(db, ['c@x'], [race('r-2', ['c@x'])]));
    // a second copy of c@x declares a parent: c's thread is now a's, and c no root
    store(db, 'c@x', 'a@x', 4000, '-copy');
    expect(threadRootOf(db, 'c@x')).toBe('a@x');
    runInTransaction(db, () => replaceRaces(db, ['a@x'], [race('r-1', ['a@x'])]));
    expect(listRaces(db).races.map((r) => r.id)).toEqual(['r-1']);
  });
});

describe('a race named by a unique prefix of its id, as git takes an abbreviated hash', () => {
  function withIds(...ids: string[]): Db {
    const db = withThreads();
    runInTransaction(db, () => replaceRaces(db, ['a@x', 'b@x', 'c@x'], ids.map((id, i) => race(id, [(['a@x', 'b@x', 'c@x'] as const)[i]!]))));
    return db;
  }

  it('finds a race by its exact id, or by a prefix of r- and at least 8 characters that one id starts with', () => {
    const db = withIds('r-abcdefgh1x', 'r-abcdefgh2y', 'r-zz');
    expect(resolveRaceId(db, 'r-abcdefgh1x')).toBe('r-abcdefgh1x');
    expect(resolveRaceId(db, 'r-abcdefgh1')).toBe('r-abcdefgh1x');
    expect(resolveRaceId(db, ' R-ABCDEFGH2 ')).toBe('r-abcdefgh2y');
    // ids shorter than the prefix minimum still match exactly (stores older tests write)
    expect(resolveRaceId(db, 'r-zz')).toBe('r-zz');
    // too short to abbreviate: no scan for everything starting 'r-abc'
    expect(resolveRaceId(db, 'r-abcdefg')).toBeNull();
    expect(resolveRaceId(db, 'r-abcdefgh3')).toBeNull();
    expect(resolveRaceId(db, 'r-abcdefgh1x0')).toBeNull();
  });

  it('prefers an exact id over the longer ids it is a prefix of', () => {
    const db = withIds('r-09rr8sx5', 'r-09rr8sx5ab');
    expect(raceIdsMatching(db, 'r-09rr8sx5')).toEqual(['r-09rr8sx5']);
    expect(resolveRaceId(db, 'r-09rr8sx5a')).toBe('r-09rr8sx5ab');
  });

  function refusal(db: Db, text: string): LoregraphError {
    try {
      resolveRaceId(db, text);
    } catch (e) {
      if (isLoregraphError(e)) return e;
      throw e;
    }
    throw new Error(`${text} resolved`);
  }

  it('refuses an ambiguous prefix with AMBIGUOUS, naming the ids it starts', () => {
    const db = withIds('r-abcdefgh1x', 'r-abcdefgh2y', 'r-zz');
    const e = refusal(db, 'r-abcdefgh');
    expect(e.code).toBe('AMBIGUOUS');
    expect(e.httpStatus).toBe(400);
    expect(e.details).toEqual({ candidates: ['r-abcdefgh1x', 'r-abcdefgh2y'] });
    expect(e.message).toBe("race id 'r-abcdefgh' is ambiguous: it begins r-abcdefgh1x, r-abcdefgh2y; give more of it");
  });

  it('names at most ten candidates, and says there are more', () => {
    const db = withThreads();
    const ids = Array.from({ length: 12 }, (_, i) => `r-abcdefgh${i.toString(36)}z`);
    runInTransaction(db, () => replaceRaces(db, ids.map((_, i) => `t${i}@x`), ids.map((id, i) => race(id, [`t${i}@x`]))));
    const e = refusal(db, 'r-abcdefgh');
    expect(e.details).toEqual({ candidates: ids.slice(0, 10) });
    expect(e.message).toBe(`race id 'r-abcdefgh' is ambiguous: it begins ${ids.slice(0, 10).join(', ')} and more; give more of it`);
  });
});

describe('the compact reply blocks', () => {
  it('decode to the blocks they encode, and an unreadable row to none', () => {
    const blocks: Block[] = [
      { kind: 'attribution', depth: 0, start: 0, end: 0, author: 'Jan Kara', answers: null },
      { kind: 'quote', depth: 1, start: 1, end: 3, author: 'Jan Kara', answers: null },
      { kind: 'own', depth: 0, start: 5, end: 6, author: null, answers: 1 },
      { kind: 'diff', depth: 0, start: 8, end: 20, author: null, answers: null },
      { kind: 'signature', depth: 0, start: 22, end: 23, author: null, answers: null },
    ];
    expect(decodeBlocks(encodeBlocks(blocks))).toEqual(blocks);
    expect(decodeBlocks('not json')).toEqual([]);
    expect(decodeBlocks('[[99,0,0,0,null,null],"x",[0,0,1,2,null,null]]')).toEqual([{ kind: 'own', depth: 0, start: 1, end: 2, author: null, answers: null }]);
  });
});

describe('race terms and link targets', () => {
  it('writes functions, files and locks one way for storage and search', () => {
    expect(raceTerm('collapse_file()')).toBe('collapse_file');
    expect(raceTerm(' Folio  Lock ')).toBe('folio_lock');
    expect(fileTerms('b/mm/khugepaged.c')).toEqual(['mm/khugepaged.c', 'khugepaged.c']);
    expect(fileTerms('Makefile')).toEqual(['makefile']);
  });

  it('reads the Message-ID out of the lore URLs Link: and Closes: carry', () => {
    expect(messageIdOfUrl('https://lore.kernel.org/linux-mm/20240101.123-1-a@b.org/')).toBe('20240101.123-1-a@b.org');
    expect(messageIdOfUrl('https://lore.kernel.org/r/abc%2Bdef@x.org')).toBe('abc+def@x.org');
    expect(messageIdOfUrl('https://lore.kernel.org/all/a@b/T/#u')).toBe('a@b');
    expect(messageIdOfUrl('https://patch.msgid.link/x@y.z')).toBe('x@y.z');
    expect(messageIdOfUrl('https://lore.kernel.org/r/%E0%A4%A@x')).toBe('%E0%A4%A@x');
    expect(messageIdOfUrl('https://syzkaller.appspot.com/bug?extid=1234')).toBeNull();
    expect(messageIdOfUrl('https://lore.kernel.org/linux-mm/')).toBeNull();
  });
});

describe('the trailers a family is joined by', () => {
  it('reads Link: and Closes: through the one lore URL reader, patchwork links included, Reported-by not', async () => {
    const { linkedMessageIds } = await import('../domain/patch/lore-link.ts');
    expect(
      linkedMessageIds([
        { name: 'Link', value: 'https://lore.kernel.org/r/a@x/' },
        { name: 'Closes', value: 'https://patchwork.kernel.org/project/linux-mm/patch/b@y/' },
        { name: 'Link', value: 'https://lore.kernel.org/r/a@x/' },
        { name: 'Reported-by', value: 'Rita <rita@example.org>' },
        { name: 'Link', value: 'https://bugzilla.kernel.org/show_bug.cgi?id=1' },
      ]),
    ).toEqual(['a@x', 'b@y']);
  });
});
