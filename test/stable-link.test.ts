import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, type Db } from '../db/connection.ts';
import { getFixStatus } from '../db/stable.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';
import { ingestForPatches } from './fixtures/patch/ingest.ts';

// The original patch mails are in the 2024 window; the stable mails about them in the
// stable threads. Ingested together, each upstream fix finds the mail it came from.
describe.skipIf(!HAS_SHARED)('upstream fixes linked to their original patch mail', () => {
  let db: Db;
  beforeAll(async () => {
    db = await ingestForPatches([
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd'),
      sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'),
    ]);
  }, 90_000);
  afterAll(() => closeDb(db));

  it('by patch-id equality between the AUTOSEL backports and the posted patch', () => {
    const f = getFixStatus(db, 'a68106a6928e');
    expect(f.fix).toMatchObject({
      upstreamCommit: 'a68106a6928e0a6680f12bcc7338c0dddcfe4d11',
      title: 'cifs: translate network errors on send to -ECONNABORTED',
      patchMessageId: '20240121033248.125282-4-sprasad@microsoft.com',
      patchMatch: 'patch-id',
    });
    expect(Object.fromEntries(Object.entries(f.branches).map(([b, s]) => [b, [s.status, s.evidence]]))).toEqual({
      '6.7': ['autosel', ['20240202183926.540467-13-sashal@kernel.org']],
      '6.6': ['autosel', ['20240202184015.540966-12-sashal@kernel.org']],
      '6.1': ['autosel', ['20240202184057.541411-9-sashal@kernel.org']],
    });
  });

  it('by subject and author when the diffs differ', () => {
    expect(getFixStatus(db, '3fc74c65b367').fix).toMatchObject({
      title: 'ksmbd: send lease break notification on FILE_RENAME_INFORMATION',
      author: { email: 'linkinjeon@kernel.org' },
      patchMessageId: '20240107130814.7247-2-linkinjeon@kernel.org',
      patchMatch: 'subject+author',
    });
  });

  it('answers for the original patch mail as for the commit', () => {
    expect(getFixStatus(db, '<20240121033248.125282-4-sprasad@microsoft.com>').fix.upstreamCommit).toBe('a68106a6928e0a6680f12bcc7338c0dddcfe4d11');
  });
});
