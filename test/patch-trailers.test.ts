import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePerson, parseStableTarget, parseTrailers } from '../domain/patch/trailers.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';
import { readCorpusMbox } from './fixtures/patch/corpus.ts';

const PATCH = `Make the gadget stop leaking.

Fixes: 0123456789ab ("gadget: add the leak")
Reported-by: Some Reporter <reporter@example.org>
Closes: https://lore.kernel.org/r/report@example.org/
Link: https://lore.kernel.org/r/abc@example.org
Cc: stable@vger.kernel.org # v6.6+
Cc: <stable@vger.kernel.org> # 6.1.x: a1f84a3: prereq
Cc: stable@vger.kernel.org # after 4 weeks in mainline
Stable-dep-of: 89abcdef0123 ("gadget: the real fix")
Co-developed-by: Helper Person <helper@example.org>
Signed-off-by: Helper Person <helper@example.org>
Signed-off-by: Main Author <main@example.org>
---
 drivers/gadget.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/drivers/gadget.c b/drivers/gadget.c
+Reviewed-by: Not A Trailer <in-the-diff@example.org>
`;

describe('trailers in a patch', () => {
  const ts = parseTrailers(PATCH);

  it('reads every trailer of the commit message and none from the diff', () => {
    expect(ts.map((t) => t.name)).toEqual([
      'Fixes',
      'Reported-by',
      'Closes',
      'Link',
      'Cc',
      'Cc',
      'Cc',
      'Stable-dep-of',
      'Co-developed-by',
      'Signed-off-by',
      'Signed-off-by',
    ]);
  });

  it('splits Fixes into commit and subject', () => {
    expect(ts[0]).toMatchObject({ commit: '0123456789ab', commitSubject: 'gadget: add the leak' });
    expect(ts.find((t) => t.name === 'Stable-dep-of')).toMatchObject({ commit: '89abcdef0123', commitSubject: 'gadget: the real fix' });
  });

  it('reads the stable comment forms', () => {
    const cc = ts.filter((t) => t.stable);
    expect(cc.map((t) => t.stable)).toEqual([
      { extinfo: 'v6.6+', branches: [], from: '6.6', prereq: null, delay: null },
      { extinfo: '6.1.x: a1f84a3: prereq', branches: ['6.1'], from: null, prereq: 'a1f84a3', delay: null },
      { extinfo: 'after 4 weeks in mainline', branches: [], from: null, prereq: null, delay: 'after 4 weeks in mainline' },
    ]);
  });

  it('reads open ranges for several branches as starting at the lowest', () => {
    expect(parseStableTarget('v6.6.55+, v6.10.14+, v6.11.3+')).toMatchObject({ from: '6.6', branches: [] });
    expect(parseStableTarget('5.4/5.10')).toMatchObject({ branches: ['5.4', '5.10'] });
  });

  it('reads links and people', () => {
    expect(ts.find((t) => t.name === 'Closes')?.url).toBe('https://lore.kernel.org/r/report@example.org/');
    expect(ts.find((t) => t.name === 'Co-developed-by')?.person).toEqual({ name: 'Helper Person', email: 'helper@example.org' });
  });
});

describe('people in trailers', () => {
  it('reads the forms b4 meets', () => {
    expect(parsePerson('Followup Reviewer1 (corporate) <followup-reviewer1@example.com>')).toEqual({ name: 'Followup Reviewer1 (corporate)', email: 'followup-reviewer1@example.com' });
    expect(parsePerson('Tester2, Followup <followup-tester2@example.com>')).toEqual({ name: 'Tester2, Followup', email: 'followup-tester2@example.com' });
    expect(parsePerson('HTML Junker <html-junker@example.com<mailto:html-junker@example.com>>')).toEqual({ name: 'HTML Junker', email: 'html-junker@example.com' });
    expect(parsePerson('bare-address@example.org')).toEqual({ name: '', email: 'bare-address@example.org' });
  });

  it('never throws on arbitrary values', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (v) => void parsePerson(v)));
  });

  it('round-trips generated name and address pairs', () => {
    const word = fc.stringMatching(/^[A-Z][a-z]{1,8}$/);
    const addr = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}[a-z0-9]$/), fc.stringMatching(/^[a-z]{2,8}\.(org|com|de)$/));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), addr, (names, [local, dom]) => {
        const name = names.join(' ');
        const t = parseTrailers(`text\n\nReviewed-by: ${name} <${local}@${dom}>\n`);
        expect(t[0]?.person).toEqual({ name, email: `${local}@${dom}` });
      }),
    );
  });
});

describe('follow-up trailers in replies', () => {
  it('takes unquoted trailers and stops at the signature', () => {
    const body = '> Reviewed-by: Quoted Person <q@example.org>\n> \nLooks good.\n\nAcked-by: Replier <r@example.org>\n\n-- \nReviewed-by: Sig Person <s@example.org>\n';
    expect(parseTrailers(body, { followup: true }).map((t) => t.person?.email)).toEqual(['r@example.org']);
  });

  it('stops where a top-posted reply pastes the original back unquoted', () => {
    const body = 'Acked-by: Replier <r@example.org>\n\n-----Original Message-----\nFrom: Author <a@example.org>\nSubject: [PATCH] x\n\nReviewed-by: Earlier <e@example.org>\nSigned-off-by: Author <a@example.org>\n';
    expect(parseTrailers(body, { followup: true }).map((t) => t.name)).toEqual(['Acked-by']);
  });

  it('does not take a Signed-off-by from a reply', () => {
    expect(parseTrailers('Signed-off-by: Pasted <p@example.org>\nTested-by: T <t@example.org>\n', { followup: true }).map((t) => t.name)).toEqual(['Tested-by']);
  });

  it('ignores person trailers without an address in a reply', () => {
    expect(parseTrailers('Reviewed-by: the whole team\n', { followup: true })).toEqual([]);
  });
});

describe.skipIf(!HAS_SHARED)('follow-up trailers in b4 samples', () => {
  const followups = async (file: string) => {
    const msgs = await readCorpusMbox(sharedPath('corpus', 'b4', file));
    return msgs.filter((m) => /^re:/i.test(m.subject)).flatMap((m) =>
      parseTrailers(m.body, { followup: true }).map((t) => ({ from: m.messageId, name: t.name, email: t.person?.email, pname: t.person?.name })),
    );
  };

  it('name (parens), [brackets] and "Last, First" forms, never the quoted one', async () => {
    const got = await followups('trailers-followup-name-parens.mbox');
    expect(got.map((t) => [t.name, t.pname, t.email])).toEqual([
      ['Reviewed-by', 'Followup Reviewer1 (corporate)', 'followup-reviewer1@example.com'],
      ['Tested-by', 'Followup Reviewer2', 'followup-reviewer2@example.com'],
      ['Reviewed-by', 'Mismatched Reviewer1', 'mismatched-reviewer1@example.net'],
      ['Tested-by', 'Followup Tester1 [corporate]', 'followup-tester1@example.com'],
      ['Tested-by', 'Tester2, Followup', 'followup-tester2@example.com'],
    ]);
    expect(got.some((t) => t.email === 'reviewer1@example.com')).toBe(false);
  });

  it('cleans Outlook mailto junk', async () => {
    const got = await followups('trailers-followup-htmljunk.mbox');
    expect(got.map((t) => t.email)).toEqual(['html-junker@example.com']);
  });

  it('stops at a "--" signature line', async () => {
    const got = await followups('trailers-followup-with-cover.mbox');
    expect(got.map((t) => [t.from, t.pname])).toEqual([
      ['fwup-message-1@example.com', 'Followup Reviewer1'],
      ['fwup-message-2@example.com', 'Coverletter Reviewer1'],
    ]);
  });
});

describe.skipIf(!HAS_SHARED)('trailers on the real archives', () => {
  it('reads the stable comments of the cifs threads', async () => {
    const msgs = await readCorpusMbox(sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'));
    const stable = msgs.flatMap((m) => parseTrailers(m.body).filter((t) => t.stable));
    const forms = new Set(stable.map((t) => t.stable?.extinfo));
    expect(forms.has('v6.6.55+, v6.10.14+, v6.11.3+')).toBe(true);
    expect(stable.find((t) => t.stable?.extinfo === '6.18.x')?.stable?.branches).toEqual(['6.18']);
    expect(stable.find((t) => t.stable?.extinfo === 'v5.0+')?.stable?.from).toBe('5.0');
    // Every Fixes: trailer in a patch names a commit.
    const fixes = msgs.flatMap((m) => parseTrailers(m.body).filter((t) => t.name === 'Fixes'));
    expect(fixes.length).toBeGreaterThan(250);
    expect(fixes.filter((t) => t.commit === null).map((t) => t.value)).toEqual([]);
  });
});
