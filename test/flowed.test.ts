// format=flowed undone as RFC 3676 says: a soft line break joins lines of one quote depth
// only, so a Thunderbird reply stays apart from the quote above it.
import { describe, expect, it } from 'vitest';
import { decodeFlowed } from '../ingest/flowed.ts';
import { parseMessage } from '../ingest/parse.ts';

// A Thunderbird reply: the empty quoted line ("> ", its space a soft break) just above the reply.
const REPLY = ['On 2024/6/25 22:29, Ana Author wrote:', '> If lfs mode is on, buffered read may race w/ OPU dio ', '> write, and hit unwritten data.', '> ', 'Hi Ana,', 'A little doubt: should it return true?', '', 'Thanks!', ''].join('\r\n');

describe('format=flowed', () => {
  it('keeps a reply apart from the empty quoted line above it, and joins a quoted paragraph without its markers', () => {
    expect(decodeFlowed(REPLY)).toBe(
      ['On 2024/6/25 22:29, Ana Author wrote:', '> If lfs mode is on, buffered read may race w/ OPU dio write, and hit unwritten data.', '> ', 'Hi Ana,', 'A little doubt: should it return true?', '', 'Thanks!'].join('\n'),
    );
  });

  it('joins soft breaks of unquoted text, drops the space with delsp=yes, and keeps a signature separator', () => {
    expect(decodeFlowed('one \r\ntwo\r\n-- \r\nsig\r\n')).toBe('one two\n-- \nsig');
    expect(decodeFlowed('one \r\ntwo\r\n', true)).toBe('onetwo');
    expect(decodeFlowed(' From the stuffed line\r\n')).toBe('From the stuffed line');
  });

  it('reads the reply as the reply in a parsed message, on both parse paths', async () => {
    const raw = Buffer.from(
      ['Message-ID: <r@x>', 'From: Bo <bo@example.org>', 'Subject: Re: [PATCH] foo', 'Date: Tue, 25 Jun 2024 23:00:00 +0800', 'Content-Type: text/plain; charset=UTF-8; format=flowed', 'Content-Transfer-Encoding: 8bit', '', REPLY].join('\r\n'),
    );
    for (const forceMailparser of [false, true]) {
      const msg = await parseMessage({ bytes: raw, position: { source: 't', offset: 0, index: 0 } }, { forceMailparser });
      expect(msg.body).toContain('\n> \nHi Ana,\n');
      expect(msg.body).not.toContain('> Hi Ana');
    }
  });
});
