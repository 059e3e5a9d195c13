import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../ingest/parse.ts';
import { messageFromBytes } from '../ingest/read/single.ts';
import { REPO_ROOT } from './helpers/shared.ts';

const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'read', name));
const position = { source: 'fixture', offset: 0, index: 0 };

describe('parsing saved messages that are not clean RFC 5322', () => {
  it('keeps the body of a page whose headers were run together on one line', async () => {
    const parsed = await parseMessage({ ...messageFromBytes(fixture('run-together.txt')), position });
    expect(parsed.messageId).toBe('a1b2c3d4-0001@mail.example.net');
    expect(parsed.subject).toBe('Re: Subject: [RFC PATCH 2/3] blk: drain the queue before resize');
    expect(parsed.body).toContain('Tomas Berg wrote:');
    expect(parsed.body).toContain('Draining first closes the window, yes.');
    expect(parsed.lenient?.kind).toBeTruthy();
  });

  it('keeps the first line of a bare body, the attribution a reader needs', async () => {
    const parsed = await parseMessage({ ...messageFromBytes(fixture('bare-reply.txt')), position });
    expect(parsed.body.startsWith('On 3 Feb 2026, at 08:40, Marta Sol (Lab) wrote:')).toBe(true);
    expect(parsed.body).toContain('Agreed, I will respin with the lock held.');
    expect(parsed.messageIdSynthesized).toBe(true);
  });
});
