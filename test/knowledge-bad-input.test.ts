// Mail the knowledge layer must survive: HTML-only, empty bodies, a 10,000-line quoted
// reply, attribution lines broken every way, ragged interleaving diagrams, a megabyte run
// together on one line. Each is ingested (through the parse worker, as the CLI does), keeps
// its reply structure row, and answers /api/messages/:mid/structure; nothing crashes or hangs.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDb, openDb } from '../db/connection.ts';
import { knowledgeCounts, storedReplyBlocks } from '../db/knowledge.ts';
import { storedMessageRows } from '../db/message-view.ts';
import { listIngestErrors } from '../db/ingest-errors.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { toMboxrd } from '../ingest/read/mboxrd-write.ts';
import { mailText, type MailSpec } from './fixtures/ingest/mail.ts';
import { useTestApp } from './helpers/test-app.ts';

const REPORT = 'report@example.org';

const longQuote = Array.from({ length: 10_000 }, (_, i) => `${'> '.repeat(1 + (i % 4))}line ${i} of the quoted discussion about folio_lock() and the race`).join('\n');

const MAILS: Record<string, MailSpec> = {
  html: {
    id: 'html@example.org',
    subject: 'Re: [BUG] race in foo_write()',
    inReplyTo: REPORT,
    references: [REPORT],
    extraHeaders: ['MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8'],
    body: '<html><body><p>I don\'t think your fix works, there is still a <b>race</b> with bar()</p><script>alert(1)</script><blockquote>quoted &lt;text&gt;</blockquote></body></html>\n',
  },
  empty: { id: 'empty@example.org', subject: 'Re: [BUG] race in foo_write()', inReplyTo: REPORT, references: [REPORT], body: '' },
  blank: { id: 'blank@example.org', subject: '', body: '\n\n   \n\t\n' },
  long: {
    id: 'long@example.org',
    subject: 'Re: [BUG] race in foo_write()',
    inReplyTo: REPORT,
    references: [REPORT],
    body: `On Tue, Jun 30, 2026 at 07:31:07PM +0100, Pedro Falcato wrote:\n${longQuote}\n\nNAK, this deadlocks.\n`,
  },
  attributions: {
    id: 'attr@example.org',
    subject: 'Re: [BUG] race in foo_write()',
    inReplyTo: REPORT,
    references: [REPORT],
    body: [
      'On Tue, Jun 30, 2026 at 07:31:07PM +0100, Pedro',
      'Falcato wrote:',
      '> the first half',
      'wrote:',
      '> orphan quote',
      `On ${'x, '.repeat(3000)} wrote:`,
      '>>> On 2024/4/15 20:34, Jan Kara wrote:',
      '>>>> deep',
      'Quoting (2024-01-02 10:00:00)',
      '> Quoting X (',
      'On 1 Apr 2026, at 15:15, wrote:',
      '> ',
      '>',
      'How about taking the lock in foo_write()?',
    ].join('\n'),
  },
  ragged: {
    id: 'ragged@example.org',
    subject: '[BUG] race between foo_write() and bar_truncate()',
    body: [
      'CPU0\t\t\tCPU1        CPU2',
      'foo_write()',
      '   lock(a)                    bar_truncate()',
      '\t\t\t\t\t\t\t\t\t\t\t\t\tunlock(b)',
      `${' '.repeat(3000)}baz()`,
      '                 ',
      'Thread A | Thread B |',
      '| x() | | y() | z() |',
      '=====',
    ].join('\n'),
  },
  runTogether: {
    id: 'run-together@example.org',
    subject: 'Re: [BUG] race in foo_write()',
    inReplyTo: REPORT,
    references: [REPORT],
    // a saved page: a megabyte with its line breaks gone, quote markers and all
    body: `On Mon, Jan 1, 2024 at 10:00 AM Ada wrote: ${Array.from({ length: 20_000 }, (_, i) => `${'> '.repeat(1 + (i % 3))}word${i} race`).join(' ')}`,
  },
};

const t = useTestApp(async (dbPath, dir) => {
  const mbox = join(dir, 'bad.mboxrd');
  const report = mailText({ id: REPORT, subject: '[BUG] race in foo_write()', body: 'foo_write() races with bar() and the data is lost.\n' });
  writeFileSync(mbox, Buffer.concat([report, ...Object.values(MAILS).map((m) => mailText(m))].map((m) => toMboxrd(Buffer.from(m)))));
  const db = openDb(dbPath);
  try {
    await ingestPaths(db, [mbox], { worker: true });
  } finally {
    closeDb(db);
  }
});

describe('bad input for the knowledge layer', () => {
  it('ingests every one of them, each with its reply structure stored', { timeout: 60_000 }, () => {
    expect(listIngestErrors(t.db)).toEqual([]);
    for (const m of Object.values(MAILS)) {
      const [row] = storedMessageRows(t.db, m.id as string);
      expect(row, m.id ?? '').toBeDefined();
      expect(storedReplyBlocks(t.db, row as number), m.id ?? '').not.toBeNull();
    }
    expect(knowledgeCounts(t.db).races).toBeGreaterThanOrEqual(0);
  });

  it('answers the structure of each without a crash, the text plain', { timeout: 60_000 }, async () => {
    for (const m of Object.values(MAILS)) {
      const res = await t.app.inject({ url: `/api/messages/${encodeURIComponent(m.id as string)}/structure` });
      expect(res.statusCode, m.id ?? '').toBe(200);
      const s = res.json() as { blocks: { kind: string; text: string; start: number; end: number }[]; lines: number };
      for (const b of s.blocks) {
        expect(b.start).toBeLessThanOrEqual(b.end);
        expect(b.end).toBeLessThan(s.lines);
      }
    }
  });

  it('keeps an HTML-only mail’s text, never its markup', async () => {
    const s = (await t.app.inject({ url: `/api/messages/${encodeURIComponent('html@example.org')}/structure` })).json();
    const text = s.blocks.map((b: { text: string }) => b.text).join('\n');
    expect(text).toContain("I don't think your fix works, there is still a race with bar()");
    expect(text).not.toMatch(/<\/?(?:p|b|script|html|blockquote)\b/);
  });

  it('gives an empty body no blocks', async () => {
    const s = (await t.app.inject({ url: `/api/messages/${encodeURIComponent('empty@example.org')}/structure` })).json();
    expect(s.blocks).toEqual([]);
  });

  it('reads a 10,000-line quoted reply as a bounded structure, its quotes attributed', async () => {
    const s = (await t.app.inject({ url: `/api/messages/${encodeURIComponent('long@example.org')}/structure` })).json();
    expect(s.blocks[0]).toMatchObject({ kind: 'attribution', author: 'Pedro Falcato' });
    // read up to the structure's cap, never past the body
    expect(s.lines).toBeGreaterThan(1000);
    expect(s.lines).toBeLessThanOrEqual(10_003);
    const outer = s.blocks.filter((b: { kind: string; depth: number }) => b.kind === 'quote' && b.depth === 1);
    expect(outer.length).toBeGreaterThan(100);
    expect(new Set(outer.map((b: { author: string | null }) => b.author))).toEqual(new Set(['Pedro Falcato']));
  });
});
