import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDb, type Db } from '../db/connection.ts';
import { getFixStatus } from '../db/stable.ts';
import { replyDecisions, stableRequestOf } from '../domain/patch/stable-reply.ts';
import { ingestForPatches } from './fixtures/patch/ingest.ts';

// A request to the stable list naming mainline commits, and the stable team's answer that
// they apply nowhere: written for these tests on the form of such threads.
const A = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567';
const B = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
const link = (c: string): string => `https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=${c}`;
const REQUEST = `Hi stable maintainers,\n\nWe forgot the stable tag on two gadget fixes that went upstream.\nCould you please include them in all the stable trees?\n\n${link(A)}\n${link(B)}\n\n-- \nRegards,\nA. Person\n`;

describe('a request to the stable list', () => {
  it('names each commit it gives whole, and no branch when it asks for every tree', () => {
    expect(stableRequestOf(REQUEST)).toEqual({
      commits: [
        { commit: A, title: null },
        { commit: B, title: null },
      ],
      branches: [],
      sentence: 'Could you please include them in all the stable trees?',
    });
  });

  it('keeps the branches it names and a title given the kernel way', () => {
    const body = `Hello,\n\nplease backport commit ${A.slice(0, 12)} ("gadget: stop the leak") to 6.1.y and 6.6.y.\n\ncommit ${A}\n`;
    expect(stableRequestOf(body)).toMatchObject({ commits: [{ commit: A, title: 'gadget: stop the leak' }], branches: ['6.1', '6.6'] });
  });

  it('is no request without an ask, with only quoted commits, or when it asks not to', () => {
    expect(stableRequestOf(`FYI, these went upstream:\n\n${link(A)}\n`)).toBeNull();
    expect(stableRequestOf(`> Could you please include them in all the stable trees?\n> ${link(A)}\n\nThanks!\n`)).toBeNull();
    expect(stableRequestOf(`Please don't backport this to the stable trees:\n${link(A)}\n`)).toBeNull();
  });

  it('finds exactly the commits linked, whatever the prose around them', () => {
    const sha = fc.stringMatching(/^[0-9a-f]{40}$/).filter((c) => /[a-f]/.test(c));
    const prose = fc.stringMatching(/^[A-Za-z ,]{0,60}$/);
    fc.assert(
      fc.property(fc.uniqueArray(sha, { minLength: 1, maxLength: 4 }), prose, (commits, words) => {
        const body = `${words}\n\nCan you please include these in the stable trees?\n\n${commits.map(link).join('\n')}\n`;
        expect(stableRequestOf(body)?.commits.map((c) => c.commit)).toEqual(commits);
      }),
    );
  });
});

describe("the stable team's 'does not apply to any stable tree'", () => {
  const answer = (s: string): ReturnType<typeof replyDecisions> => replyDecisions(`On Fri, A wrote:\n> ${link(A)}\n\n${s}\n\nthanks,\n\ngreg k-h\n`, { fromStableTeam: true, answersOwnMail: false, stableThread: false });

  it('is a failure naming no branch, also when a question follows it in the same sentence', () => {
    expect(answer('These do not apply properly at all to any stable kernel trees, did you get them to work?  Please send working backports.')).toMatchObject([
      { kind: 'failed', branches: [] },
    ]);
    expect(answer('This does not apply to any of the stable trees.')).toMatchObject([{ kind: 'failed', branches: [] }]);
  });

  it('is nothing from anyone else, nor as a question', () => {
    expect(replyDecisions('These do not apply to any stable kernel trees.', { fromStableTeam: false, answersOwnMail: false, stableThread: false })).toEqual([]);
    expect(answer('Does this not apply to any stable tree?')).toEqual([]);
  });
});

function mail(headers: Record<string, string>, body: string): string {
  return `From mboxrd@z Thu Jan  1 00:00:00 1970\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n${body}\n`;
}

describe('a request and its answer, ingested', () => {
  let db: Db;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loregraph-stable-request-'));
    const file = join(dir, 'request.mbox');
    writeFileSync(
      file,
      mail(
        { From: 'A. Person <a.person@example.org>', To: 'Stable <stable@vger.kernel.org>, gadget list <gadget@example.org>', Subject: 'Request to include two gadget fixes in stable', Date: 'Fri, 23 Feb 2024 13:41:48 +0000', 'Message-ID': '<req-1@example.org>' },
        REQUEST,
      ) +
        mail(
          { From: 'Greg KH <gregkh@linuxfoundation.org>', To: 'A. Person <a.person@example.org>', Cc: 'Stable <stable@vger.kernel.org>', Subject: 'Re: Request to include two gadget fixes in stable', Date: 'Fri, 23 Feb 2024 15:11:28 +0000', 'Message-ID': '<2024022301-answer@gregkh>', 'In-Reply-To': '<req-1@example.org>' },
          `On Fri, Feb 23, 2024 at 01:41:48PM +0000, A. Person wrote:\n> Could you please include them in all the stable trees?\n> ${link(A)}\n> ${link(B)}\n\nThese do not apply properly at all to any stable kernel trees, did you get them\nto work?  How did you test this?\n\nPlease send a set of working backports and we will be glad to apply them.\n\nthanks,\n\ngreg k-h`,
        ) +
        // The same request sent somewhere else than the stable list is not put to the stable team.
        mail({ From: 'B. Other <b.other@example.org>', To: 'gadget list <gadget@example.org>', Subject: 'stable backports?', Date: 'Sat, 24 Feb 2024 10:00:00 +0000', 'Message-ID': '<req-2@example.org>' }, `Can you please include this in the stable trees?\n\n${link('1111111111111111111111111111111111111abc')}\n`),
    );
    db = await ingestForPatches([file]);
  }, 30_000);
  afterAll(() => {
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives each commit failed-to-apply on every branch maintained that day, from the stable team's answer", () => {
    for (const commit of [A, B]) {
      const st = getFixStatus(db, commit);
      expect(Object.keys(st.branches)).toEqual(['6.7', '6.6', '6.1', '5.15', '5.10', '5.4', '4.19']);
      for (const b of Object.values(st.branches)) {
        expect(b.status).toBe('failed-to-apply');
        expect(b.evidence).toEqual(['2024022301-answer@gregkh']);
        expect(b.history.map((h) => h.status)).toEqual(['wanted', 'failed-to-apply']);
      }
    }
  });

  it('takes nothing from a request that did not go to the stable list', () => {
    expect(() => getFixStatus(db, '1111111111111111111111111111111111111abc')).toThrow(/no stable history/);
  });
});
