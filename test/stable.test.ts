import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { closeDb, type Db } from '../db/connection.ts';
import { BRANCH_FIXES_SQL, FIND_FIX_SQL, FIX_PER_ROW_SQL, getFixStatus, listStableBranch } from '../db/stable.ts';
import { classifyStableMail, findUpstreamCommit } from '../domain/patch/stable-mail.ts';
import { expandBranchRange } from '../domain/patch/stable-branches.ts';
import { resolveBranchStatuses, STATUSES, type StableEventInput } from '../domain/patch/stable-status.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';
import { readCorpusMbox } from './fixtures/patch/corpus.ts';
import { planOf } from './helpers/query-plan.ts';
import { ingestForPatches } from './fixtures/patch/ingest.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('stable mail classifier', () => {
  it('reads the "added to the stable tree" note with its upstream commit', () => {
    const body = `This is a note to let you know that I've just added the patch titled\n\n    gadget: stop the leak\n\nto the 6.6-stable tree\n\ncommit ${SHA} upstream.\n`;
    expect(classifyStableMail('Patch "gadget: stop the leak" has been added to the 6.6-stable tree', body)).toMatchObject({
      kind: 'added',
      branches: ['6.6'],
      upstreamCommit: SHA,
      title: 'gadget: stop the leak',
    });
  });

  it('reads both FAILED forms', () => {
    const body = `The patch below does not apply to the 6.1-stable tree.\n\ngit cherry-pick -x ${SHA}\n`;
    expect(classifyStableMail('FAILED: patch "[PATCH] gadget: stop the leak" failed to apply to 6.1-stable tree', body)).toMatchObject({
      kind: 'failed',
      branches: ['6.1'],
      upstreamCommit: SHA,
      title: 'gadget: stop the leak',
    });
    expect(classifyStableMail('FAILED: Patch "gadget: x" failed to apply to 5.15-stable tree', `From ${SHA} Mon Sep 17 00:00:00 2001\n`)).toMatchObject({
      kind: 'failed',
      branches: ['5.15'],
      upstreamCommit: SHA,
    });
  });

  it('reads review patches, the review cover and AUTOSEL mails', () => {
    expect(classifyStableMail('[PATCH 6.12 086/232] gadget: x', `6.12-stable review patch.  If anyone has any objections, please let me know.\n\ncommit ${SHA} upstream.\n`)).toMatchObject({
      kind: 'review-patch',
      branches: ['6.12'],
      upstreamCommit: SHA,
    });
    expect(classifyStableMail('[PATCH 6.14 000/449] 6.14.3-rc1 review', 'This is the start of the stable review cycle')).toMatchObject({ kind: 'review-cover', rc: '6.14.3-rc1' });
    expect(classifyStableMail('[PATCH AUTOSEL 6.12 162/486] gadget: x', `[ Upstream commit ${SHA} ]\n`, { 'x-stable-base': ['Linux 6.12.9'] })).toMatchObject({
      kind: 'autosel',
      branches: ['6.12'],
      base: 'Linux 6.12.9',
    });
  });

  it('spreads an AUTOSEL range over the longterm branches in between', () => {
    expect(expandBranchRange('6.16', '5.4')).toEqual(['6.16', '6.12', '6.6', '6.1', '5.15', '5.10', '5.4']);
    expect(classifyStableMail('[PATCH AUTOSEL 6.16-6.1] gadget: x', `[ Upstream commit ${SHA} ]`)?.branches).toEqual(['6.16', '6.12', '6.6', '6.1']);
  });

  it('treats a person’s [PATCH 6.1.y] as a posted backport', () => {
    expect(classifyStableMail('[PATCH 6.1.y] gadget: x', `From: A <a@example.org>\n\ncommit ${SHA} upstream.\n`)).toMatchObject({ kind: 'backport', branches: ['6.1'] });
  });

  it('is not fooled by look-alikes', () => {
    expect(classifyStableMail('linux-next: manual merge of the mm-stable tree with the cifs tree', 'Today\'s linux-next merge of the mm-stable tree got a conflict')).toBeNull();
    expect(classifyStableMail('Re: FAILED: patch "[PATCH] x" failed to apply to 6.1-stable tree', '')).toBeNull();
    expect(classifyStableMail('[PATCH] mm: add the stable tree helper', `commit ${SHA} upstream.`)).toBeNull();
    expect(classifyStableMail('[REGRESSION 6.1.2] something broke', '')).toBeNull();
  });

  it('finds upstream commits in all the forms the stable scripts write', () => {
    for (const body of [`commit ${SHA} upstream.`, `[ Upstream commit ${SHA} ]`, `upstream ${SHA}`, `(cherry picked from commit ${SHA})`]) {
      expect(findUpstreamCommit(`intro\n\n${body}\n`)).toBe(SHA);
    }
    expect(findUpstreamCommit('This reverts commit 0123456789abcdef0123456789abcdef01234567.')).toBeNull();
  });
});

describe('stable mail classifier properties', () => {
  const branch = fc.tuple(fc.integer({ min: 4, max: 7 }), fc.integer({ min: 0, max: 19 })).map(([a, b]) => `${a}.${b}`);
  const title = fc.stringMatching(/^[a-z][a-z0-9_]{1,10}: [a-z][a-z0-9 _-]{0,40}[a-z0-9]$/);
  const sha = fc.stringMatching(/^[0-9a-f]{40}$/);

  it('reads back the branch, title and commit of every form the stable scripts write', () => {
    fc.assert(
      fc.property(branch, title, sha, fc.integer({ min: 1, max: 400 }), (br, t, c, n) => {
        const total = n + 10;
        const cases: [string, string, string][] = [
          [`Patch "${t}" has been added to the ${br}-stable tree`, `commit ${c} upstream.`, 'added'],
          [`FAILED: patch "[PATCH] ${t}" failed to apply to ${br}-stable tree`, `git cherry-pick -x ${c}`, 'failed'],
          [`[PATCH ${br} ${n}/${total}] ${t}`, `${br}-stable review patch.  If anyone has any objections, please let me know.\n\ncommit ${c} upstream.`, 'review-patch'],
          [`[PATCH AUTOSEL ${br} ${n}/${total}] ${t}`, `[ Upstream commit ${c} ]`, 'autosel'],
          [`[PATCH ${br}.y] ${t}`, `commit ${c} upstream.`, 'backport'],
        ];
        for (const [subject, body, kind] of cases) {
          expect(classifyStableMail(subject, body)).toMatchObject({ kind, branches: [br], title: t.replace(/\s+/g, ' '), upstreamCommit: c });
          // The same words in a reply are discussion, not a status.
          expect(classifyStableMail(`Re: ${subject}`, body)?.kind).not.toBe(kind);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('status precedence', () => {
  const ev = (status: StableEventInput['status'], branch: string, messageId: string, date = 0): StableEventInput => ({ status, branch, messageId, date, rc: null, version: null });

  it('is defined once, in progress order', () => {
    expect(STATUSES).toEqual(['wanted', 'autosel', 'failed-to-apply', 'not-needed', 'backport-posted', 'queued', 'in-review', 'released']);
  });

  it('keeps the furthest status per branch with the messages that justify it', () => {
    const r = resolveBranchStatuses([ev('failed-to-apply', '6.1', 'f', 1), ev('backport-posted', '6.1', 'b', 2), ev('autosel', '6.6', 'a', 1)]);
    expect(r['6.1']).toMatchObject({ status: 'backport-posted', evidence: ['b'] });
    expect(r['6.6']).toMatchObject({ status: 'autosel', evidence: ['a'] });
  });

  it('reads each branch as a timeline: the latest decisive event wins, a wish never undoes what happened', () => {
    const r = resolveBranchStatuses([ev('wanted', '6.6', 'p', 1), ev('autosel', '6.6', 'a', 2), ev('not-needed', '6.6', 'nak', 3), ev('wanted', '6.6', 'quote', 4)]);
    expect(r['6.6']).toMatchObject({ status: 'not-needed', evidence: ['nak'], since: 3, firstDate: 1, lastDate: 4 });
    expect(r['6.6']?.history.map((h) => h.messageId)).toEqual(['p', 'a', 'nak', 'quote']);
    expect(resolveBranchStatuses([ev('wanted', '*', 'p')])).toEqual({});
    const late = [ev('in-review', '6.1', 'r', 1), ev('released', '6.1', 'cve', 2), ev('autosel', '6.1', 'again', 3)];
    expect(resolveBranchStatuses(late)['6.1']).toMatchObject({ status: 'released', evidence: ['cve'] });
    expect(resolveBranchStatuses([...late, { ...ev('not-needed', '6.1', 'revert', 4), kind: 'revert' }])['6.1']?.status).toBe('not-needed');
  });
});

describe('end-of-ingest fix linking', () => {
  it.each(Object.entries(FIX_PER_ROW_SQL))('%s seeks an index instead of scanning a table per fix', (_name, query) => {
    const plan = planOf(query);
    expect(plan.some((step) => step.startsWith('SEARCH'))).toBe(true);
    expect(plan.filter((step) => step.startsWith('SCAN'))).toEqual([]);
  });

  it.each(Object.entries(FIND_FIX_SQL))('finding a fix %s seeks an index instead of scanning every fix', (_name, query) => {
    const plan = planOf(query);
    expect(plan.some((step) => step.startsWith('SEARCH'))).toBe(true);
    expect(plan.filter((step) => step.startsWith('SCAN'))).toEqual([]);
  });

  it("lists a branch's fixes without reading every release a synced stable tree holds", () => {
    expect(planOf(BRANCH_FIXES_SQL).filter((step) => /stable_releases|\br\b/.test(step))).toEqual([
      'SEARCH r USING PRIMARY KEY (upstream_commit=? AND branch=?)',
    ]);
  });

  it('reads the newest same-titled patch straight from an index, with no sort of every patch of that title', () => {
    for (const query of [FIX_PER_ROW_SQL.byTitle, FIX_PER_ROW_SQL.byTitleAuthor]) {
      expect(planOf(query)).toEqual(['SEARCH patch_msgs USING INDEX patch_msgs_newest_patch (title_key=?)']);
    }
  });
});
