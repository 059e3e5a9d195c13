import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAttributions } from '../ingest/read/attribution.ts';
import { startsWithEnvelope } from '../ingest/read/envelope.ts';
import { readArchive } from '../ingest/read/index.ts';
import { isCleanMessage, parseInputFor, rebuildLenientMessage, recoverLenient } from '../ingest/read/lenient.ts';
import type { RawMessage } from '../domain/message.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';

const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', 'read', name);

async function readOne(path: string): Promise<RawMessage> {
  const out: RawMessage[] = [];
  await readArchive(path, (m) => void out.push(m));
  expect(out).toHaveLength(1);
  return out[0] as RawMessage;
}

describe('lenient reader on our own fixtures', () => {
  it('leaves a clean RFC 5322 message alone', async () => {
    const m = await readOne(fixture('clean.eml'));
    expect(m.lenient).toBeUndefined();
    expect(m.bytes.equals(readFileSync(fixture('clean.eml')))).toBe(true);
  });

  it('splits a header block run together on one line and stops at the body', async () => {
    const m = await readOne(fixture('run-together.txt'));
    expect(m.bytes.equals(readFileSync(fixture('run-together.txt')))).toBe(true);
    expect(m.lenient?.kind).toBe('headers-run-together');
    expect(m.lenient?.headers).toEqual({
      date: 'Mon, 2 Mar 2026 10:14:55 +0100',
      from: 'Greta Lindqvist',
      to: 'Tomas Berg',
      cc: 'Ida Holm , Nils Ek , storage@lists.example.org',
      subject: 'Re: Subject: [RFC PATCH 2/3] blk: drain the queue before resize',
      'message-id': '<a1b2c3d4-0001@mail.example.net>',
      'in-reply-to': '<20260301120000.77@example.org>',
      references: '<20260301110000.11@example.org> <20260301120000.77@example.org>',
      'mime-version': '1.0',
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(m.lenient?.guessed).toMatchObject({
      'body-start': 'attribution line',
      from: 'name only: the address was lost',
      attribution: 'On Sun, Mar 01, 2026 at 01:00:00PM +0100, Tomas Berg wrote:',
      'attribution-author': 'Tomas Berg',
      'attribution-date': '2026-03-01T13:00:00+01:00',
    });
  });

  it('rebuilds a clean message whose body starts at the attribution', () => {
    const bytes = readFileSync(fixture('run-together.txt'));
    const r = recoverLenient(bytes);
    expect(r).not.toBeNull();
    const clean = rebuildLenientMessage(bytes, r!).toString('utf8');
    expect(isCleanMessage(Buffer.from(clean))).toBe(true);
    expect(clean).toContain('\nMessage-ID: <a1b2c3d4-0001@mail.example.net>\n');
    expect(clean).toContain('\n\nOn Sun, Mar 01, 2026 at 01:00:00PM +0100, Tomas Berg wrote: > We resize');
    expect(clean.endsWith('From: my own notes -- Greta')).toBe(true);
  });

  it('hands the parser the bytes of a clean message and a rebuilt copy of a bare body', () => {
    const clean = readFileSync(fixture('clean.eml'));
    expect(parseInputFor(clean)).toBe(clean);
    const bare = readFileSync(fixture('bare-oneline.txt'));
    expect(parseInputFor(bare).toString()).toBe(`From: Petra Vik\n\n${bare.toString()}`);
  });

  it('guesses In-Reply-To from References when the field itself is empty', () => {
    const text = 'Date: Mon, 2 Mar 2026 10:00:00 +0000 From: A B Subject: Re: x In-Reply-To: Message-ID: <r@x> References: <p1@x> <p2@x> On Mon, 2 Mar 2026, C D wrote: > y';
    const r = recoverLenient(Buffer.from(text));
    expect(r?.recovery.headers['in-reply-to']).toBe('<p2@x>');
    expect(r?.recovery.guessed['in-reply-to']).toBe('last References entry');
  });

  it('records the attribution of a bare multi-line body and leaves its headers empty', async () => {
    const m = await readOne(fixture('bare-reply.txt'));
    expect(m.lenient).toEqual({
      kind: 'no-headers',
      headers: {},
      guessed: {
        attribution: 'On 3 Feb 2026, at 08:40, Marta Sol (Lab) wrote:',
        'attribution-author': 'Marta Sol (Lab)',
        'attribution-date': '2026-02-03T08:40',
      },
    });
  });

  it('takes the author of a bare body from its signature, but not an obfuscated address', async () => {
    const m = await readOne(fixture('bare-oneline.txt'));
    expect(m.lenient?.kind).toBe('no-headers');
    expect(m.lenient?.headers).toEqual({ from: 'Petra Vik' });
    expect(m.lenient?.guessed).toMatchObject({
      from: 'signature',
      'attribution-author': 'Rolf Dahl <rolf@example.com>',
      'attribution-date': '2026-01-14T16:05',
    });
  });

  it('takes a short header block run onto an envelope line for one lenient message, not an mbox', () => {
    const bytes = Buffer.from('From mboxrd@z Thu Jan 1 00:00:00 1970 Date: Mon, 2 Mar 2026 10:00:00 +0000 From: A B Subject: hi Message-ID: <s@x> On Sun, 1 Mar 2026, C D wrote: > q');
    expect(startsWithEnvelope(bytes)).toBe(false);
    expect(startsWithEnvelope(Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: hi\n'))).toBe(true);
    expect(recoverLenient(bytes)?.recovery.headers).toMatchObject({ subject: 'hi', 'message-id': '<s@x>', date: 'Mon, 2 Mar 2026 10:00:00 +0000' });
  });

  it('guesses In-Reply-To only when the attribution shows a Message-ID', () => {
    const r = recoverLenient(Buffer.from('On Tue, 3 Feb 2026, Ann wrote in <q@example.org>:\n> hi\n\nhello\n'));
    expect(r?.recovery.headers).toEqual({ 'in-reply-to': '<q@example.org>' });
    expect(r?.recovery.guessed['in-reply-to']).toBe('attribution line');
  });
});

describe('attribution lines', () => {
  const one = (line: string) => {
    const [a] = findAttributions(line);
    return a ? { author: a.author, date: a.date, address: a.address } : null;
  };

  it('reads the common mailer forms', () => {
    expect(one('On 4/1/26 17:32, Zi Yan wrote:')).toEqual({ author: 'Zi Yan', date: '2026-04-01T17:32', address: null });
    expect(one('On Mon 15-04-24 12:28:01, Jan Kara wrote:')).toEqual({ author: 'Jan Kara', date: '2024-04-15T12:28:01', address: null });
    expect(one('On 2024/4/15 20:34, Jan Kara wrote:')).toEqual({ author: 'Jan Kara', date: '2024-04-15T20:34', address: null });
    expect(one('On Tue, 4 Apr 2023, Peter Xu wrote:')).toEqual({ author: 'Peter Xu', date: '2023-04-04', address: null });
    expect(one('On Sat, Sep 12, 2020 at 12:41 AM Dave C <d@example.com> wrote:')).toEqual({ author: 'Dave C', date: '2020-09-12T00:41', address: 'd@example.com' });
  });

  it('does not start an attribution at an earlier "On" in the prose', () => {
    expect(findAttributions('On second thought, see this. On Mon, 2 Mar 2026, Ann Bee wrote:').map((a) => [a.author, a.date])).toEqual([['Ann Bee', '2026-03-02']]);
  });

  it('keeps the author of an unknown date form and marks quoted attributions', () => {
    const all = findAttributions('On the 3rd of May, Ann Bee wrote:\n> On 1 May 2026, Cy wrote:\n');
    expect(all.map((a) => [a.author, a.date, a.quoted])).toEqual([
      ['Ann Bee', null, false],
      ['Cy', '2026-05-01', true],
    ]);
  });
});

describe.skipIf(!HAS_SHARED)('lenient reader on the real saved messages in ../shared/seeds', () => {
  const seed = (name: string): string => sharedPath('seeds', name);

  it('000: headers run together after an envelope, addresses and Message-ID eaten', async () => {
    const m = await readOne(seed('000_08dc131e08dd57f0.txt'));
    expect(m.lenient?.kind).toBe('headers-run-together');
    expect(m.lenient?.headers).toMatchObject({
      subject: 'Re: Subject: [BUG/RFC] write-open file THP cache purge can discard dirty page cache',
      date: 'Tue, 30 Jun 2026 19:49:09 +0100',
      from: 'Pedro Falcato',
      to: 'Gregg Leventhal',
    });
    expect(m.lenient?.headers['message-id']).toBeUndefined();
    expect(m.lenient?.guessed).toMatchObject({
      'attribution-author': 'Pedro Falcato',
      'attribution-date': '2026-06-30T19:31:07+01:00',
    });
  });

  it('001: run-together headers without an envelope; In-Reply-To guessed from References', async () => {
    const m = await readOne(seed('001_9badc1d4d1894dfe.txt'));
    expect(m.lenient?.kind).toBe('headers-run-together');
    expect(m.lenient?.headers).toMatchObject({
      'message-id': '<2c32b136-f17c-8362-a9ec-4490b35be1c0@google.com>',
      subject: 'Re: [PATCH v6 4/4] mm/khugepaged: maintain page cache uptodate flag',
      date: 'Tue, 18 Apr 2023 21:37:38 -0700 (PDT)',
      from: 'Hugh Dickins',
      references: '<20230404120117.2562166-1-stevensd@google.com> <20230404120117.2562166-5-stevensd@google.com>',
      'in-reply-to': '<20230404120117.2562166-5-stevensd@google.com>',
    });
    expect(m.lenient?.guessed).toMatchObject({ 'in-reply-to': 'last References entry', 'attribution-author': 'Peter Xu', 'attribution-date': '2023-04-04' });
  });

  it('002: a bare multi-line body keeps only its attribution', async () => {
    const m = await readOne(seed('002_1db7a2900f7ee80b.txt'));
    expect(m.lenient?.kind).toBe('no-headers');
    expect(m.lenient?.headers).toEqual({});
    expect(m.lenient?.guessed).toMatchObject({ 'attribution-author': 'David Hildenbrand (Arm)', 'attribution-date': '2026-04-01T15:15' });
  });

  it('003: run-together headers with real In-Reply-To and Message-ID', async () => {
    const m = await readOne(seed('003_cfb678a06e01bd71.txt'));
    expect(m.lenient?.headers).toMatchObject({
      'message-id': '<96557c0e-7db4-856c-40eb-e51ca138883b@huawei.com>',
      'in-reply-to': '<20240415123405.htw6vqbzsb3speor@quack3>',
      subject: 'Re: [PATCH v2] ext4: fix race condition between buffer write and page_mkwrite',
      date: 'Mon, 15 Apr 2024 22:07:42 +0800',
      from: 'Baokun Li',
    });
    expect(m.lenient?.headers.references?.split(' ')).toHaveLength(8);
    expect(m.lenient?.guessed['in-reply-to']).toBeUndefined();
  });

  it('004: a bare one-line body: attribution to Linus Torvalds, author from the signature', async () => {
    const m = await readOne(seed('004_795f6e94928eeaa3.txt'));
    expect(m.lenient?.kind).toBe('no-headers');
    expect(m.lenient?.headers).toEqual({ from: 'Dave Chinner' });
    expect(m.lenient?.guessed).toMatchObject({ 'attribution-author': 'Linus Torvalds', 'attribution-date': '2020-09-12T19:39:31-07:00' });
  });

  it('keeps every seed byte for byte', async () => {
    const out: RawMessage[] = [];
    await readArchive(sharedPath('seeds'), (m) => void out.push(m));
    expect(out.map((m) => m.position.file)).toEqual(['000_08dc131e08dd57f0.txt', '001_9badc1d4d1894dfe.txt', '002_1db7a2900f7ee80b.txt', '003_cfb678a06e01bd71.txt', '004_795f6e94928eeaa3.txt']);
    for (const m of out) expect(m.bytes.equals(readFileSync(sharedPath('seeds', m.position.file ?? '')))).toBe(true);
  });
});
