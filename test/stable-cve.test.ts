import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyStableMail } from '../domain/patch/stable-mail.ts';

// CVE announcements as the kernel CVE team's tooling writes them (written for this test).
const MAIN = 'a1a2a3a4a5a6a7a8a9a0b1b2b3b4b5b6b7b8b9b0';
const STABLE = 'c1c2c3c4c5c6c7c8c9c0d1d2d3d4d5d6d7d8d9d0';
const INTRO = 'e1e2e3e4e5e6e7e8e9e0f1f2f3f4f5f6f7f8f9f0';

function cveBody(lines: string[], listed: string[]): string {
  return [
    'Description',
    '===========',
    '',
    'In the Linux kernel, the following vulnerability has been resolved:',
    '',
    'gadget: stop the leak',
    '',
    'Affected and fixed versions',
    '===========================',
    '',
    ...lines.map((l) => `\t${l}`),
    '',
    'Mitigation',
    '==========',
    '',
    'If however, updating to the latest release is impossible, the individual changes to resolve this',
    'issue can be found at these commits:',
    ...listed.map((c) => `\thttps://git.kernel.org/stable/c/${c}`),
    '',
  ].join('\n');
}

describe('CVE announcements', () => {
  it('takes the mainline fix from its own "fixed in" line', () => {
    const body = cveBody(
      [`Issue introduced in 5.4 with commit ${INTRO} and fixed in 6.1.88 with commit ${STABLE}`, `Issue introduced in 5.4 with commit ${INTRO} and fixed in 6.9 with commit ${MAIN}`],
      [STABLE, MAIN],
    );
    expect(classifyStableMail('CVE-2024-90001: gadget: stop the leak', body)).toMatchObject({
      kind: 'released',
      upstreamCommit: MAIN,
      branches: ['6.1'],
      released: [{ branch: '6.1', version: '6.1.88', commit: STABLE }],
    });
  });

  it('takes the mainline fix of a bug a stable backport brought in from the commit no "fixed in" line names', () => {
    // The bug came with 5.13.2, so the only line is a stable release; the list ends with mainline.
    const body = cveBody([`Issue introduced in 5.13.2 with commit ${INTRO} and fixed in 5.13.5 with commit ${STABLE}`], [STABLE, MAIN]);
    expect(classifyStableMail('CVE-2021-90002: gadget: stop the leak', body)).toMatchObject({
      kind: 'released',
      upstreamCommit: MAIN,
      title: 'gadget: stop the leak',
      released: [{ branch: '5.13', version: '5.13.5', commit: STABLE }],
    });
  });

  it('gives no status when the mainline fix cannot be told: no unnamed commit, or more than one', () => {
    const line = `Issue introduced in 5.13.2 with commit ${INTRO} and fixed in 5.13.5 with commit ${STABLE}`;
    expect(classifyStableMail('CVE-2021-90003: gadget: x', cveBody([line], [STABLE]))).toBeNull();
    expect(classifyStableMail('CVE-2021-90004: gadget: x', cveBody([line], [STABLE, MAIN, INTRO]))).toBeNull();
  });

  it('finds the same mainline fix and releases whether or not a line names mainline', () => {
    const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
    const release = fc.tuple(fc.integer({ min: 4, max: 7 }), fc.integer({ min: 0, max: 19 }), fc.integer({ min: 1, max: 300 }), sha);
    fc.assert(
      fc.property(fc.uniqueArray(release, { minLength: 1, maxLength: 6, selector: (r) => `${r[0]}.${r[1]}` }), sha, fc.boolean(), (rels, main, withMainLine) => {
        fc.pre(rels.every((r) => r[3] !== main));
        fc.pre(new Set(rels.map((r) => r[3])).size === rels.length);
        const lines = rels.map(([a, b, c, commit]) => `Issue introduced in 3.1 with commit ${INTRO} and fixed in ${a}.${b}.${c} with commit ${commit}`);
        if (withMainLine) lines.push(`Issue introduced in 3.1 with commit ${INTRO} and fixed in 7.20 with commit ${main}`);
        const got = classifyStableMail('CVE-2025-90005: gadget: x', cveBody(lines, [...rels.map((r) => r[3]), main]));
        expect(got?.upstreamCommit).toBe(main);
        expect(got?.released.map((r) => [r.version, r.commit])).toEqual(rels.map(([a, b, c, commit]) => [`${a}.${b}.${c}`, commit]));
      }),
    );
  });
});
