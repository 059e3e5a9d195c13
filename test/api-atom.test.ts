import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { xmlEscape } from '../server/xml.ts';
import { atomFeed, type FeedEntry } from '../server/atom.ts';
import { assertWellFormedXml } from './helpers/xml-check.ts';

const meta = { title: 'loregraph search: s:folio', selfUrl: 'http://h/api/feed.atom?q=s%3Afolio&x=1', baseUrl: 'http://h/', now: Date.UTC(2024, 5, 1) };

describe('XML escaping and the Atom feed', () => {
  it('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape(`<script>alert("x&y")</script>'`)).toBe('&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&apos;');
    expect(xmlEscape('a\u0000b\u000cc\td\ne')).toBe('a\uFFFDb\uFFFDc\td\ne');
    expect(xmlEscape('lone \uD800 high, pair \uD83D\uDE00 ok, lone \uDC00 low')).toBe('lone \uFFFD high, pair \uD83D\uDE00 ok, lone \uFFFD low');
  });

  it('never lets markup characters through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const out = xmlEscape(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(out).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
        expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
      }),
      { numRuns: 500 },
    );
  });

  it('builds a well-formed feed from hostile mail text, newest entry first dating the feed', () => {
    const entries: FeedEntry[] = [
      {
        messageId: 'a&b<c>@x',
        subject: '<![CDATA[ ]]> </title><script>x</script>',
        from: { name: 'Eve "<evil>" & co', address: 'eve@x' },
        date: Date.UTC(2024, 4, 2),
        summary: 'text with \u0007 bell and ]]> and &amp; literally',
      },
      { messageId: 'old@x', subject: '', from: null, date: null, summary: '' },
    ];
    const xml = [...atomFeed(meta, entries)].join('');
    assertWellFormedXml(xml);
    expect(xml).toContain('<updated>2024-05-02T00:00:00.000Z</updated>\n<entry>');
    expect(xml).toContain('<id>http://h/api/messages/a%26b%3Cc%3E%40x</id>');
    expect(xml).toContain('<title type="text">&lt;![CDATA[ ]]&gt; &lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>');
    expect(xml).toContain('<name>Eve &quot;&lt;evil&gt;&quot; &amp; co</name>');
    expect(xml).toContain('&amp;amp; literally');
    expect(xml).toContain('<title type="text">(no subject)</title><updated>2024-06-01T00:00:00.000Z</updated><author><name>unknown</name></author>');
    expect(xml).not.toContain('<script>');
  });

  it('is a valid empty feed when nothing matched', () => {
    const xml = [...atomFeed(meta, [])].join('');
    assertWellFormedXml(xml);
    expect(xml).not.toContain('<entry>');
    expect(xml).toContain('<updated>2024-06-01T00:00:00.000Z</updated>');
  });
});

describe('coalescing stream pieces', () => {
  it('joins pieces into chunks of at least the given size without changing the bytes', async () => {
    const { coalesce } = await import('../server/coalesce.ts');
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a))), { maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (pieces, size) => {
        const out = [...coalesce(pieces, size)];
        const expected = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
        expect(Buffer.concat(out).equals(expected)).toBe(true);
        out.slice(0, -1).forEach((c) => expect(c.length).toBeGreaterThanOrEqual(size));
        for (const c of out) expect(c.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('buffer or stream', () => {
  it('returns one buffer when everything fits the limit and an equal stream otherwise', async () => {
    const { bufferOrStream } = await import('../server/mbox-stream.ts');
    const { Readable } = await import('node:stream');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }).map((a) => Buffer.from(a)), { maxLength: 40 }), fc.integer({ min: 1, max: 600 }), async (pieces, limit) => {
        const total = pieces.reduce((n, p) => n + p.length, 0);
        const out = bufferOrStream(pieces, limit);
        const expected = Buffer.concat(pieces);
        if (total <= limit) {
          expect(Buffer.isBuffer(out)).toBe(true);
          expect((out as Buffer).equals(expected)).toBe(true);
        } else {
          expect(out).toBeInstanceOf(Readable);
          const got: Buffer[] = [];
          for await (const c of out as InstanceType<typeof Readable>) got.push(c as Buffer);
          expect(Buffer.concat(got).equals(expected)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
