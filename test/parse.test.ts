import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { extractIds, MessageParseError, parseDateValue, parseMessage, SYNTHETIC_ID_DOMAIN } from '../ingest/parse.ts';
import type { RawMessage } from '../domain/message.ts';
import { mailText } from './fixtures/ingest/mail.ts';

const NOW = Date.UTC(2026, 0, 1);
const raw = (text: string | Buffer, extra: Partial<RawMessage> = {}): RawMessage => ({
  bytes: typeof text === 'string' ? Buffer.from(text, 'latin1') : text,
  position: { source: 'fixture', offset: 0, index: 0 },
  ...extra,
});
const parse = (text: string | Buffer, extra: Partial<RawMessage> = {}) => parseMessage(raw(text, extra), { now: NOW });

describe('parseMessage', () => {
  it('decodes RFC 2047 subjects and a quoted-printable latin1 body', async () => {
    const m = await parse(
      'From: =?iso-8859-1?q?Tom=E1s?= <t@example.com>\nSubject: =?iso-8859-1?q?caf=E9_=E0_la_J=F6rg?=\n' +
        'Message-ID: <q@x>\nDate: Sat, 14 Sep 2024 10:00:00 +0200\nContent-Type: text/plain; charset=iso-8859-1\n' +
        'Content-Transfer-Encoding: quoted-printable\n\nJ=F6rg says hi=\n there\n',
    );
    expect(m.subject).toBe('café à la Jörg');
    expect(m.from).toEqual({ name: 'Tomás', address: 't@example.com' });
    expect(m.body).toBe('Jörg says hi there\n');
    expect(m.date).toBe(Date.UTC(2024, 8, 14, 8, 0, 0));
    expect(m.dateSource).toBe('date');
  });

  it('keeps headers named like Object properties (Constructor, __proto__, toString) as headers', async () => {
    for (const body of ['plain text\n', 'caf=C3=A9\n']) {
      const qp = body.includes('=') ? 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n' : '';
      const m = await parse(`Message-ID: <proto@x>\nSubject: s\nConstructor: c1\n__proto__: p1\ntoString: t1\nConstructor: c2\n${qp}\n${body}`);
      expect(m.headers.constructor).toEqual(['c1', 'c2']);
      expect(Object.getOwnPropertyDescriptor(m.headers, '__proto__')?.value).toEqual(['p1']);
      expect(m.headers.tostring).toEqual(['t1']);
    }
  });

  it('decodes a base64 utf-8 body', async () => {
    const body = Buffer.from('Grüße — ok\n').toString('base64');
    const m = await parse(`Message-ID: <b@x>\nSubject: s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${body}\n`);
    expect(m.body).toBe('Grüße — ok\n');
  });

  it('decodes a bogus charset as latin1 when the bytes are not utf-8, and says so', async () => {
    const bytes = Buffer.concat([Buffer.from('Message-ID: <c@x>\nSubject: s\nContent-Type: text/plain; charset=y\n\nna'), Buffer.from([0xef]), Buffer.from('ve\n')]);
    const m = await parse(bytes);
    expect(m.body).toBe('naïve\n');
    expect(m.notes).toContain("unknown charset 'y', decoded as latin1");
  });

  it('decodes a bogus charset as utf-8 when the bytes are valid utf-8', async () => {
    const m = await parse(Buffer.from('Message-ID: <d@x>\nSubject: s\nContent-Type: text/plain; charset=x-unknown\nContent-Transfer-Encoding: 8bit\n\nnaïve\n', 'utf8'));
    expect(m.body).toBe('naïve\n');
    expect(m.notes).toContain("unknown charset 'x-unknown', decoded as utf-8");
  });

  it('falls back to the newest plausible Received date when Date is missing', async () => {
    const m = await parse(
      'Received: from a by b; Tue, 3 Sep 2024 10:00:00 +0000\nReceived: from c by a; Tue, 3 Sep 2024 09:59:00 +0000\n' +
        'Received: from bogus; Thu, 1 Jan 2099 00:00:00 +0000\nMessage-ID: <e@x>\nSubject: s\n\nb\n',
    );
    expect(m.date).toBe(Date.UTC(2024, 8, 3, 10, 0, 0));
    expect(m.dateSource).toBe('received');
  });

  it('unfolds a folded Received line for its date, and keeps only the headers worth storing, in order', async () => {
    const m = await parse(
      'DKIM-Signature: v=1; a=rsa-sha256;\n\tb=abc\nReceived: from a by b\n\t(envelope);\n Tue, 3 Sep 2024 10:00:00 +0000\n' +
        'X-Mailer: git-send-email\nARC-Seal: i=1;\n cv=none\nMessage-ID: <r@x>\nX-Stable:  review\n  folded\nSubject: s\n\nb\n',
    );
    expect(m.date).toBe(Date.UTC(2024, 8, 3, 10, 0, 0));
    expect(m.dateSource).toBe('received');
    expect(m.headers).toEqual({ 'x-mailer': ['git-send-email'], 'message-id': ['<r@x>'], 'x-stable': ['review folded'], subject: ['s'] });
    expect(Object.keys(m.headers)).toEqual(['x-mailer', 'message-id', 'x-stable', 'subject']);
  });

  it('treats a Date before 1990 or in the future as absent', async () => {
    for (const d of ['Thu, 1 Jan 1970 00:00:00 +0000', 'Mon, 1 Jan 2090 00:00:00 +0000']) {
      const m = await parse(`Date: ${d}\nReceived: x; Wed, 4 Sep 2024 12:00:00 +0000\nMessage-ID: <f@x>\n\nb\n`);
      expect(m.dateSource).toBe('received');
      expect(m.date).toBe(Date.UTC(2024, 8, 4, 12));
      expect(m.notes.some((n) => n.startsWith('implausible Date'))).toBe(true);
    }
  });

  it('synthesizes a stable Message-ID from the content hash when there is none', async () => {
    const text = 'Subject: no id\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\nhello\n';
    const a = await parse(text);
    const b = await parse(text);
    const c = await parse(text.replace('hello', 'hullo'));
    expect(a.messageIdSynthesized).toBe(true);
    expect(a.messageId).toBe(`${a.contentHash.slice(0, 32)}@${SYNTHETIC_ID_DOMAIN}`);
    expect(b.messageId).toBe(a.messageId);
    expect(c.messageId).not.toBe(a.messageId);
    const empty = await parse('Message-ID: <>\nSubject: x\n\nb\n');
    expect(empty.messageIdSynthesized).toBe(true);
  });

  it('reads In-Reply-To, deduplicated References oldest first, and List-Id', async () => {
    const m = await parse(
      mailText({ id: 'me@x', inReplyTo: 'p@x', references: ['r1@x', 'r2@x', 'r1@x', 'p@x'], extraHeaders: ['List-Id: Linux MM <linux-mm.kvack.org>'] }),
    );
    expect(m.messageId).toBe('me@x');
    expect(m.inReplyTo).toBe('p@x');
    expect(m.references).toEqual(['r1@x', 'r2@x', 'p@x']);
    expect(m.listId).toBe('linux-mm.kvack.org');
    expect(m.to).toEqual([{ name: '', address: 'list@vger.example.org' }]);
  });

  it('keeps the first id of an In-Reply-To that names several, and ignores attribution text', async () => {
    const m = await parse('Message-ID: <g@x>\nIn-Reply-To: <one@x> (Ada\'s message of "Tue, 2 Jan") <two@x>\n\nb\n');
    expect(m.inReplyTo).toBe('one@x');
  });

  it('appends a text/x-patch attachment to the body and lists it', async () => {
    const m = await parse(
      'Message-ID: <h@x>\nSubject: [PATCH] x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\n' +
        'Content-Type: text/plain\n\nSee attached.\n--B\nContent-Type: text/x-patch; name="fix.patch"\nContent-Disposition: attachment; filename="fix.patch"\n\n' +
        'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n--B--\n',
    );
    expect(m.body).toContain('See attached.');
    expect(m.body).toContain('diff --git a/x b/x\n');
    expect(m.attachments).toEqual([{ filename: 'fix.patch', contentType: 'text/x-patch', size: 52 }]);
  });

  it('uses headers the lenient reader recovered when mailparser sees none', async () => {
    const m = await parse('just some text that was pasted\nwithout headers\n', {
      lenient: { kind: 'no-headers', guessed: { subject: 'first line' }, headers: { subject: 'Re: pasted', 'in-reply-to': '<orig@x>', date: 'Tue, 3 Sep 2024 10:00:00 +0000' } },
    });
    expect(m.subject).toBe('Re: pasted');
    expect(m.inReplyTo).toBe('orig@x');
    expect(m.dateSource).toBe('lenient');
    expect(m.lenient?.kind).toBe('no-headers');
  });

  it('rejects an empty message with a typed error that says where it was', async () => {
    await expect(parse('')).rejects.toBeInstanceOf(MessageParseError);
    await expect(parse('')).rejects.toMatchObject({ reason: 'empty message', position: { source: 'fixture', index: 0 } });
  });
});

describe('header value parsers (properties)', () => {
  const idArb = fc.stringMatching(/^[A-Za-z0-9._%+-]{1,20}@[a-z0-9.-]{1,15}$/);

  it('extractIds returns the bracketed ids in order whatever the folding and separators', () => {
    fc.assert(
      fc.property(fc.array(idArb, { maxLength: 8 }), fc.array(fc.constantFrom(' ', '\n ', '\n\t', ',', ', '), { minLength: 8, maxLength: 8 }), (ids, seps) => {
        const value = ids.map((id, i) => `<${id}>${seps[i]}`).join('');
        expect(extractIds(value)).toEqual(ids);
      }),
    );
  });

  it('parseDateValue reads back any RFC 5322 date with any zone offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (secs, off) => {
        const t = secs * 1000;
        const local = new Date(t + off * 60_000);
        const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
        const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
        const p = (n: number) => String(n).padStart(2, '0');
        const sign = off < 0 ? '-' : '+';
        const a = Math.abs(off);
        const s = `${days[local.getUTCDay()]}, ${local.getUTCDate()} ${months[local.getUTCMonth()]} ${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())} ${sign}${p(Math.floor(a / 60))}${p(a % 60)} (XYZ)`;
        expect(parseDateValue(s)).toBe(t);
      }),
    );
  });

  it('parseMessage never fails with anything but MessageParseError, and a result always has an id and hash', async () => {
    const headerish = fc.array(
      fc.oneof(
        fc.constantFrom('Subject: ', 'Message-ID: <', 'References: <a@b> <', 'In-Reply-To: ', 'Date: ', 'Content-Type: multipart/mixed; boundary=x\n', 'Content-Transfer-Encoding: base64\n', '\n--x\n', '\n\n', '=?utf-8?b?', '=?x?q?=FF', '>', ':'),
        fc.string({ maxLength: 20 }),
      ),
      { maxLength: 20 },
    );
    await fc.assert(
      fc.asyncProperty(headerish, async (parts) => {
        try {
          const m = await parse(Buffer.from(parts.join(''), 'utf8'));
          expect(m.messageId.length).toBeGreaterThan(0);
          expect(m.contentHash).toMatch(/^[0-9a-f]{64}$/);
        } catch (e) {
          expect(e).toBeInstanceOf(MessageParseError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
