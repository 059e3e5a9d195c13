import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSubject, parseSubject, subjectKey } from '../domain/patch/subject.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';
import { readCorpusMbox } from './fixtures/patch/corpus.ts';

describe('subject tags', () => {
  it('reads a plain patch', () => {
    const s = parseSubject('[PATCH] cifs: fix a leak');
    expect(s).toMatchObject({ isPatch: true, isReply: false, version: null, versionMajor: 1, index: null, normalizedSubject: 'cifs: fix a leak' });
  });

  it('reads version, index and total of a series member', () => {
    expect(parseSubject('[PATCH v3 2/7] smb: client: foo')).toMatchObject({ version: '3', versionMajor: 3, index: 2, total: 7 });
  });

  it('reads an RFC cover letter', () => {
    expect(parseSubject('[RFC PATCH v2 0/4] rework things')).toMatchObject({ rfc: true, version: '2', index: 0, total: 4 });
  });

  it('names the tree of a netdev patch', () => {
    const s = parseSubject('[PATCH net-next v2 1/3] ppp: x');
    expect(s).toMatchObject({ tree: 'net-next', prefixes: ['net-next'], version: '2', index: 1, total: 3 });
  });

  it('reads a stable review patch with a zero-padded index', () => {
    expect(parseSubject('[PATCH 6.6 012/150] cifs: y')).toMatchObject({ stableBranch: '6.6', index: 12, total: 150, autosel: false });
  });

  it('reads a .y backport branch', () => {
    expect(parseSubject('[PATCH 5.15.y 1/4] ksmbd: z')).toMatchObject({ stableBranch: '5.15', stableBranches: ['5.15'], index: 1, total: 4 });
  });

  it('reads AUTOSEL with one branch and with a branch range', () => {
    expect(parseSubject('[PATCH AUTOSEL 6.12 162/486] smb: a')).toMatchObject({ autosel: true, stableBranch: '6.12', index: 162, total: 486 });
    expect(parseSubject('[PATCH AUTOSEL 6.16-5.4] smb: b')).toMatchObject({ autosel: true, stableBranch: null, branchRange: { from: '6.16', to: '5.4' } });
  });

  it('reads several branches named at once', () => {
    expect(parseSubject('[PATCH v2 5.4/5.10/5.15] cifs: c').stableBranches).toEqual(['5.4', '5.10', '5.15']);
  });

  it('reads a partial re-roll version', () => {
    expect(parseSubject('[PATCH v5.1 3/7] x')).toMatchObject({ version: '5.1', versionMajor: 5 });
    expect(parseSubject('[PATCHv4] x')).toMatchObject({ version: '4', isPatch: true });
  });

  it('reads pull requests', () => {
    expect(parseSubject('[GIT PULL] smb3 client fixes')).toMatchObject({ pull: true, isPatch: false, normalizedSubject: 'smb3 client fixes' });
  });

  it('strips reply and forward chains in any case and spacing', () => {
    const s = parseSubject('AW:  re : Fwd: [patch  V2 1/2]   cifs:   d');
    expect(s).toMatchObject({ isReply: true, isForward: true, isPatch: true, version: '2', normalizedSubject: 'cifs: d' });
    expect(parseSubject('答复: [PATCH] net: e')).toMatchObject({ isReply: true, isPatch: true });
    expect(parseSubject('RESEND: [PATCH] pppd: f')).toMatchObject({ resend: true, isReply: false });
  });

  it('keeps a lower-case subsystem behind the tag in the title, even one that looks like a client prefix', () => {
    expect(parseSubject('[PATCH 6.6 012/150] rv: fix the monitor teardown')).toMatchObject({
      isReply: false,
      isForward: false,
      stableBranch: '6.6',
      normalizedSubject: 'rv: fix the monitor teardown',
    });
    expect(parseSubject('[PATCH] tr: keep it')).toMatchObject({ isForward: false, normalizedSubject: 'tr: keep it' });
    expect(parseSubject('[PATCH] Re: fix')).toMatchObject({ isReply: true, normalizedSubject: 'fix' });
  });

  it('does not read branches out of a regression report', () => {
    expect(parseSubject('[Regression 6.1.y] From "cifs: g"')).toMatchObject({ isPatch: false, stableBranch: null });
  });

  it('keeps a title that is only a bracket group', () => {
    expect(parseSubject('[syzbot]').normalizedSubject).toBe('[syzbot]');
  });

  it('gives versions of one patch the same key', () => {
    expect(subjectKey(parseSubject('[PATCH v1] cifs: Fix  X'))).toBe(subjectKey(parseSubject('Re: [PATCH v4 2/3] cifs: fix x')));
  });

  it('round-trips formatted subjects', () => {
    const title = fc.stringMatching(/^[a-z][a-z0-9 :_-]{0,40}[a-z0-9]$/).filter((t) => !/^\w{1,6}\s*:/.test(t) || !/^(re|fwd?|aw|sv|resend|r|vs|wg|tr|rv|enc|antw|odp|ynt|res|ris)\s*:/i.test(t));
    const fields = fc.record(
      {
        rfc: fc.boolean(),
        resend: fc.boolean(),
        autosel: fc.boolean(),
        tree: fc.constantFrom('net-next', 'net', 'pppd', 'bpf-next'),
        stableBranch: fc.tuple(fc.integer({ min: 3, max: 7 }), fc.integer({ min: 0, max: 19 })).map(([a, b]) => `${a}.${b}`),
        version: fc.oneof(fc.integer({ min: 2, max: 30 }).map(String), fc.tuple(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 9 })).map(([a, b]) => `${a}.${b}`)),
        reply: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    const count = fc.integer({ min: 1, max: 500 }).chain((total) => fc.tuple(fc.integer({ min: 0, max: total }), fc.constant(total)));
    fc.assert(
      fc.property(title, fields, fc.option(count), (t, f, c) => {
        const full = { ...f, ...(c ? { index: c[0], total: c[1] } : {}) };
        const s = parseSubject(formatSubject(t, full));
        expect(s.normalizedSubject).toBe(t.replace(/\s+/g, ' ').trim());
        expect(s.isPatch).toBe(true);
        expect(s.isReply).toBe(Boolean(f.reply));
        expect(s.rfc).toBe(Boolean(f.rfc));
        expect(s.resend).toBe(Boolean(f.resend));
        expect(s.autosel).toBe(Boolean(f.autosel));
        expect(s.tree).toBe(f.tree ?? null);
        expect(s.stableBranch).toBe(f.stableBranch ?? null);
        expect(s.version).toBe(f.version ?? null);
        expect(s.index).toBe(c ? c[0] : null);
        expect(s.total).toBe(c ? c[1] : null);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws and always yields a trimmed title', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (raw) => {
        const s = parseSubject(raw);
        expect(s.normalizedSubject).toBe(s.normalizedSubject.trim());
        expect(s.versionMajor).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe.skipIf(!HAS_SHARED)('subject tags on the real archives', () => {
  // SOURCES.md counts "patch" as a non-Re: subject with PATCH inside brackets; the parser
  // differs only where the simple rule is wrong, and the test names each such subject.
  async function counts(file: string) {
    const msgs = await readCorpusMbox(sharedPath('corpus', file));
    const parsed = msgs.map((m) => ({ m, s: parseSubject(m.subject) }));
    const patches = parsed.filter((p) => p.s.isPatch && !p.s.isReply);
    return { msgs, parsed, patches };
  }

  it('finds every patch of the cifs stable threads', async () => {
    const { parsed, patches } = await counts('lore-linux-cifs/linux-cifs.stable-threads.mboxrd');
    // 1,007 by the simple rule, less one discussion whose title quotes "[PATCH]" inside "(was: Re: FAILED: ...)".
    expect(patches.length).toBe(1006);
    expect(parsed.filter((p) => p.s.isReply).length).toBe(126);
    expect(patches.filter((p) => p.s.index === 0).length).toBe(9);
    for (const p of patches) expect(p.s.normalizedSubject.length).toBeGreaterThan(0);
    const autosel = patches.filter((p) => p.s.autosel);
    expect(autosel.every((p) => p.s.stableBranch !== null || p.s.branchRange !== null)).toBe(true);
    expect(autosel.filter((p) => p.s.branchRange !== null).length).toBe(28);
  });

  it('finds every patch of the linux-ppp archive', async () => {
    const { patches } = await counts('lore-linux-ppp/linux-ppp.vger.kernel.org.0.mboxrd');
    const subjects = new Set(patches.map((p) => p.m.subject));
    // 291 by the simple rule + 4 "[BACKPORT 4.14.y ...]" - "答复: [PATCH]" (a reply), with "RESEND: [PATCH]" counted by both.
    expect(patches.length).toBe(294);
    expect(subjects.has('[BACKPORT 4.14.y v2 0/6] Candidates from Spreadtrum 4.14 product kernel')).toBe(true);
    const backport = patches.find((p) => p.m.subject.startsWith('[BACKPORT 4.14.y v2 0/6]'));
    expect(backport?.s).toMatchObject({ stableBranch: '4.14', version: '2', index: 0, total: 6 });
  });

  it('counts the cifs 2024 patches as SOURCES.md does', async () => {
    const { parsed, patches } = await counts('lore-linux-cifs/linux-cifs.2024-01-to-02.mboxrd');
    expect(patches.length).toBe(308);
    expect(parsed.filter((p) => p.s.isReply && /^re:/i.test(p.m.subject)).length).toBe(377);
    expect(patches.filter((p) => p.s.index === 0).length).toBe(14);
  });
});
