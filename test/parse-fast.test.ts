// The fast path must be invisible: for every message we have (real corpus, seeds, the
// sample archive, a generated archive) and for generated edge cases, parseMessage gives
// the same ParsedMessage (notes included, errors included) with and without it.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateArchive } from '../bench/generate-archive.ts';
import { parseMessage } from '../ingest/parse.ts';
import { parsePlain } from '../ingest/parse-fast.ts';
import { parseInputFor, readArchive } from '../ingest/read/index.ts';
import type { RawMessage } from '../domain/message.ts';
import { HAS_SHARED, REPO_ROOT, sharedPath } from './helpers/shared.ts';

const NOW = Date.UTC(2026, 0, 1);

type Outcome = { ok: unknown } | { error: string };
const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    (ok) => ({ ok }),
    (e: unknown) => ({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
  );

const tookFastPath = (raw: RawMessage): boolean => parsePlain(raw.lenient ? parseInputFor(raw.bytes) : raw.bytes, []) !== null;

/** Both ways, deep-equal; returns whether the fast path was taken, or the two outcomes when they differ. */
async function compare(raw: RawMessage): Promise<{ fast: boolean; diff?: [Outcome, Outcome] }> {
  const fast = await outcome(parseMessage(raw, { now: NOW }));
  const slow = await outcome(parseMessage(raw, { now: NOW, forceMailparser: true }));
  return isDeepStrictEqual(fast, slow) ? { fast: tookFastPath(raw) } : { fast: tookFastPath(raw), diff: [fast, slow] };
}

interface Tally {
  messages: number;
  fast: number;
  diffs: string[];
}

async function compareArchive(path: string): Promise<Tally> {
  const t: Tally = { messages: 0, fast: 0, diffs: [] };
  await readArchive(path, async (raw) => {
    const r = await compare(raw);
    t.messages++;
    if (r.fast) t.fast++;
    if (r.diff) t.diffs.push(`${path}#${raw.position.index}: ${JSON.stringify(r.diff).slice(0, 400)}`);
  });
  return t;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    // git-mailinfo's empty expected-output files are no archive at all (readArchive refuses them)
    else if (e !== 'SOURCES.md' && statSync(p).size > 0) out.push(p);
  }
  return out;
}

const share = (t: Tally): string => `${t.fast}/${t.messages} (${((100 * t.fast) / t.messages).toFixed(1)}%)`;

describe('parseMessage with the fast path equals parseMessage through simpleParser', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loregraph-fastparse-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(!HAS_SHARED)('on every message of ../shared/corpus, and most lore mail takes the fast path', async () => {
    let total: Tally = { messages: 0, fast: 0, diffs: [] };
    const lore: Record<string, Tally> = {};
    for (const f of filesUnder(sharedPath('corpus'))) {
      const t = await compareArchive(f);
      total = { messages: total.messages + t.messages, fast: total.fast + t.fast, diffs: [...total.diffs, ...t.diffs] };
      if (f.includes('/lore-linux-')) lore[f.split('/').pop() as string] = t;
    }
    console.log(`corpus: fast path ${share(total)}; ${Object.entries(lore).map(([k, t]) => `${k} ${share(t)}`).join(', ')}`);
    expect(total.diffs).toEqual([]);
    expect(total.messages).toBeGreaterThan(3400);
    expect(Object.keys(lore).sort()).toEqual(['linux-cifs.2024-01-to-02.mboxrd', 'linux-cifs.stable-threads.mboxrd', 'linux-ppp.vger.kernel.org.0.mboxrd']);
    // the rest is multipart (signed, attached patches, html alternatives): simpleParser's job
    for (const t of Object.values(lore)) expect(t.fast / t.messages).toBeGreaterThan(0.94);
  }, 240_000);

  it.skipIf(!HAS_SHARED)('on every seed, run-together and bare-body ones included', async () => {
    let messages = 0;
    const diffs: string[] = [];
    const files = filesUnder(sharedPath('seeds'));
    for (const f of files) {
      const t = await compareArchive(f);
      messages += t.messages;
      diffs.push(...t.diffs);
    }
    expect(diffs).toEqual([]);
    // one saved message per file
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(messages).toBe(files.length);
  });

  it('on the embedded sample archive, all of it through the fast path', async () => {
    const dir = join(REPO_ROOT, 'ingest', 'sample');
    for (const f of readdirSync(dir).filter((e) => e.endsWith('.mboxrd'))) {
      const t = await compareArchive(join(dir, f));
      expect(t.diffs).toEqual([]);
      expect(t.messages).toBeGreaterThan(0);
      expect(t.fast).toBe(t.messages);
    }
  });

  it('on a generated archive of 3,000 kernel-like messages', async () => {
    const gen = generateArchive(3000, join(tmp, 'generated.mboxrd'));
    const t = await compareArchive(gen.path);
    console.log(`generated: fast path ${share(t)}`);
    expect(t.diffs).toEqual([]);
    expect(t.messages).toBe(3000);
    expect(t.fast / t.messages).toBeGreaterThan(0.95);
  });
});

// ---- generated edge cases ----

const EOLS = ['\n', '\r\n'] as const;
const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.'-]{0,9}$/);
const unicodeText = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'z', ' ', '.', 'é', 'ü', 'ß', '€', '—', 'ж', '中', '😀', '=', '_', '?'), fc.stringMatching(/^[ -~]$/)), maxLength: 30 });

/** An RFC 2047 word for `text`, Q or B, utf-8 or (when it fits) latin1. */
const encodedWord = (text: string, enc: 'Q' | 'B', latin1: boolean): string => {
  const charset = latin1 && /^[\x00-\xff]*$/.test(text) ? 'iso-8859-1' : 'utf-8';
  const bytes = Buffer.from(text, charset === 'utf-8' ? 'utf8' : 'latin1');
  if (enc === 'B') return `=?${charset}?B?${bytes.toString('base64')}?=`;
  let q = '';
  for (const b of bytes) q += (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? String.fromCharCode(b) : b === 0x20 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return `=?${charset}?Q?${q}?=`;
};

const phrase = fc.oneof(
  word,
  unicodeText,
  fc.tuple(unicodeText, fc.constantFrom<'Q' | 'B'>('Q', 'B'), fc.boolean()).map(([t, e, l]) => encodedWord(t, e, l)),
  fc.tuple(word, unicodeText, fc.constantFrom<'Q' | 'B'>('Q', 'B')).map(([w, t, e]) => `${w} ${encodedWord(t, e, false)} ${encodedWord(t, e, false)}`),
);

const mailbox = fc.oneof(
  fc.tuple(word, word).map(([l, d]) => `${l}@${d}.org`),
  fc.tuple(phrase, word, word).map(([n, l, d]) => `${n} <${l}@${d}.org>`),
  fc.tuple(phrase, word, word).map(([n, l, d]) => `"${n.replace(/["\\]/g, '')}" <${l}@${d}.org>`),
  fc.tuple(word, word, word).map(([l, d, c]) => `${l}@${d}.org (${c})`),
  fc.tuple(word, word, word).map(([g, l, d]) => `${g}: ${l}@${d}.org;`),
);
const addressList = fc.array(mailbox, { minLength: 0, maxLength: 3 }).map((a) => a.join(', '));

const charset = fc.constantFrom(null, 'utf-8', 'UTF-8', '"utf-8"', 'us-ascii', 'iso-8859-1', 'windows-1252', 'koi8-r', 'y', 'x-unknown', 'ks_c_5601-1987');
const cte = fc.constantFrom(null, '7bit', '8bit', '8BIT', 'binary', 'quoted-printable', 'Quoted-Printable', 'base64', 'x-uuencode', '8bit (comment)');
// mostly what the fast path takes, with enough of the rest to check it declines them
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('text/plain', 'TEXT/PLAIN', 'text/plain; format=flowed', 'text/plain; format=flowed; delsp=yes', '') },
  { weight: 1, arbitrary: fc.constantFrom('text/html', 'application/octet-stream', 'text/x-patch', 'multipart/mixed; boundary=b0') },
);
const disposition = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(null, 'inline', 'INLINE') },
  { weight: 1, arbitrary: fc.constantFrom('attachment', 'inline; filename="fix.patch"', 'attachment; filename=x.diff') },
);

/** Bytes of `text` in `cs` (the parser's view of the same label), raw bytes for labels Buffer cannot write. */
function inCharset(text: string, cs: string | null): Buffer {
  const label = (cs ?? 'utf-8').replace(/"/g, '').toLowerCase();
  if (label === 'iso-8859-1' || label === 'windows-1252') return Buffer.from(text, 'latin1');
  return Buffer.from(text, 'utf8');
}

function transferEncode(body: Buffer, enc: string | null, eol: string, garble: boolean): Buffer {
  const e = (enc ?? '').toLowerCase();
  if (e === 'base64') {
    const b64 = body.toString('base64').replace(/.{1,76}/g, (l) => l + eol);
    return Buffer.from(garble ? b64.replace(/A/g, '=A').replace(/Q/g, '*') : b64, 'latin1');
  }
  if (e === 'quoted-printable') {
    let qp = '';
    for (const b of body) qp += b === 0x0a ? eol : b === 0x0d ? '' : (b >= 0x21 && b <= 0x7e && b !== 0x3d) || b === 0x20 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    qp = qp.replace(/([^\r\n]{60})/g, `$1=${eol}`);
    return Buffer.from(garble ? qp.replace(/=/g, '= ') : qp, 'latin1');
  }
  return Buffer.from(body.toString('latin1').replace(/\r?\n/g, eol), 'latin1');
}

/** Folds a header line at spaces with LF/CRLF and a space or tab, as long headers are folded. */
const fold = (line: string, eol: string, ws: string, every: number): string => {
  let n = 0;
  return line.replace(/ /g, (m) => (++n % every === 0 ? `${eol}${ws}` : m));
};

const message = fc
  .record({
    eol: fc.constantFrom(...EOLS),
    foldWs: fc.constantFrom(' ', '\t'),
    foldEvery: fc.integer({ min: 1, max: 6 }),
    colonSpace: fc.constantFrom(': ', ':', ':  ', ':\t'),
    subject: fc.option(phrase),
    from: fc.option(mailbox),
    to: fc.array(addressList, { maxLength: 2 }),
    cc: fc.option(addressList),
    ct: fc.option(contentType),
    cs: charset,
    cte,
    disposition,
    body: fc.array(fc.oneof(unicodeText, fc.constant('-- '), fc.constant('> quoted line ending in space '), fc.constant('')), { maxLength: 8 }),
    bodyEndsWithEol: fc.boolean(),
    garble: fc.boolean(),
    noBlankLine: fc.boolean(),
  })
  .map((m) => {
    const { eol } = m;
    const h: string[] = [`Message-ID${m.colonSpace}<p${m.foldEvery}@example.org>`];
    if (m.subject !== null) h.push(`Subject${m.colonSpace}${m.subject}`);
    if (m.from !== null) h.push(`From${m.colonSpace}${m.from}`);
    for (const t of m.to) h.push(`To${m.colonSpace}${t}`);
    if (m.cc !== null) h.push(`Cc${m.colonSpace}${m.cc}`);
    if (m.ct !== null) h.push(`Content-Type${m.colonSpace}${m.ct}${m.cs ? `; charset=${m.cs}` : ''}`);
    if (m.cte !== null) h.push(`Content-Transfer-Encoding${m.colonSpace}${m.cte}`);
    if (m.disposition !== null) h.push(`Content-Disposition${m.colonSpace}${m.disposition}`);
    const head = h.map((l) => fold(l, eol, m.foldWs, m.foldEvery)).join(eol) + eol;
    const text = m.body.join('\n') + (m.bodyEndsWithEol ? '\n' : '');
    const body = transferEncode(inCharset(text, m.cs), m.cte, eol, m.garble);
    const bytes = m.noBlankLine ? Buffer.from(head, 'utf8') : Buffer.concat([Buffer.from(head + eol, 'utf8'), body]);
    return bytes;
  });

describe('generated messages parse the same with and without the fast path', () => {
  it('headers with encoded words, folding and odd spacing; QP, base64 and 8bit bodies; LF and CRLF', async () => {
    let fast = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(message, async (bytes) => {
        const raw: RawMessage = { bytes, position: { source: 'generated', offset: 0, index: 0 } };
        const r = await compare(raw);
        runs++;
        if (r.fast) fast++;
        expect(r.diff).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    // the property means something only if the fast path ran on a good part of the cases
    expect(fast).toBeGreaterThan(runs / 3);
  });

  it('well-formed base64 bodies, whatever the line width, line ending and last line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 400 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        async (data, width, eol, lastEol) => {
          const lines = Buffer.from(data).toString('base64').match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
          // utf-8: the bytes are what is compared here, not a charset's mapping of them
          const head = ['Message-ID: <b64@x>', 'Subject: s', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', ''].join(eol);
          const raw: RawMessage = { bytes: Buffer.from(head + lines.join(eol) + (lastEol ? eol : ''), 'latin1'), position: { source: 'generated', offset: 0, index: 0 } };
          const r = await compare(raw);
          expect(r.diff).toBeUndefined();
          expect(r.fast).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parsePlain', () => {
  const head = 'Message-ID: <k@x>\nFrom: =?utf-8?q?J=C3=B6rg?= <j@example.org>\nSubject: =?utf-8?b?R3LDvMOfZQ==?= [PATCH]\n';

  it('decodes well-formed base64 bodies itself, line breaks and padding included', () => {
    const body = Buffer.from('kernel: folio refcount\n').toString('base64').replace(/(.{8})/g, '$1\n');
    const mail = parsePlain(Buffer.from(`${head}Content-Transfer-Encoding: base64\n\n${body}\n`), []);
    expect(mail?.text).toBe('kernel: folio refcount\n');
  });

  it('takes a plain utf-8 message and decodes its words and body', () => {
    const mail = parsePlain(Buffer.from(`${head}To: a@x, B <b@y>\nContent-Type: text/plain; charset=utf-8\n\nnaïve\r\nline\n`), []);
    expect(mail?.subject).toBe('Grüße [PATCH]');
    expect(mail?.from).toEqual({ value: [{ name: 'Jörg', address: 'j@example.org' }] });
    expect(mail?.to).toEqual({ value: [{ name: '', address: 'a@x' }, { name: 'B', address: 'b@y' }] });
    expect(mail?.text).toBe('naïve\nline\n');
    expect(mail?.headerLines.map((l) => l.key)).toEqual(['message-id', 'from', 'subject', 'to', 'content-type']);
  });

  it('undoes format=flowed and takes an explicit inline disposition', () => {
    const mail = parsePlain(Buffer.from(`${head}Content-Type: text/plain; format=flowed\nContent-Disposition: inline\n\nsoft \nwrapped\n`), []);
    // libmime's decodeFlowed drops the final line break, and simpleParser's text with it
    expect(mail?.text).toBe('soft wrapped');
  });

  it('reads a body labelled iso-8859-1 as windows-1252, as stock mailparser does, on both paths', async () => {
    // Outlook's curly quotes and euro sign, sent as iso-8859-1: 0x93 0x94 0x80 0x82
    const bytes = Buffer.concat([Buffer.from(`${head}Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n`), Buffer.from([0x93, 0x41, 0x94, 0x20, 0x35, 0x80, 0x82, 0x0a])]);
    const want = '\u201cA\u201d 5\u20ac\u201a\n';
    expect(parsePlain(bytes, [])?.text).toBe(want);
    const raw = { bytes, position: { source: 't', offset: 0, index: 0 } };
    expect((await parseMessage(raw, { now: NOW })).body).toBe(want);
    expect((await parseMessage(raw, { now: NOW, forceMailparser: true })).body).toBe(want);
  });

  it('writes the unknown-charset note the mailparser path writes', () => {
    const notes: string[] = [];
    const mail = parsePlain(Buffer.concat([Buffer.from(`${head}Content-Type: text/plain; charset=y\n\nna`), Buffer.from([0xef]), Buffer.from('ve\n')]), notes);
    expect(mail?.text).toBe('naïve\n');
    expect(notes).toEqual(["unknown charset 'y', decoded as latin1"]);
  });

  it.each([
    ['multipart', 'Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n'],
    ['an attachment', 'Content-Disposition: attachment\n\nx\n'],
    ['an inline part with a filename', 'Content-Disposition: inline; filename=fix.patch\n\nx\n'],
    ['html', 'Content-Type: text/html\n\n<p>x</p>\n'],
    ['an unknown transfer encoding', 'Content-Transfer-Encoding: x-uuencode\n\nx\n'],
    ['a punycode address', 'Cc: a@xn--bcher-kva.example\n\nx\n'],
    ['an encoded-word address', 'Cc: =?utf-8?q?a?=@x.org\n\nx\n'],
    // found by the property test: libbase64 decodes this differently depending on chunking
    ['base64 with padding inside the data', 'Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: base64\n\nI=AoK\n'],
  ])('leaves %s to simpleParser', (_what, rest) => {
    expect(parsePlain(Buffer.from(head + rest), [])).toBeNull();
    // the verdict is remembered with the line: asking again gives the same answer
    expect(parsePlain(Buffer.from(head + rest), [])).toBeNull();
  });

  it('gives a repeated address line the same addresses, shared and read-only', () => {
    const msg = (id: string) => Buffer.from(`Message-ID: <${id}@x>\nFrom: A <a@x>\nTo: =?utf-8?q?J=C3=B6rg?= <j@y>, list:  <l@z>;\nCc: B <b@x>\n\nx\n`);
    const first = parsePlain(msg('1'), []);
    const second = parsePlain(msg('2'), []);
    expect(second?.to).toEqual({ value: [{ name: 'Jörg', address: 'j@y' }, { name: 'list', group: [{ name: '', address: 'l@z' }] }] });
    expect(second?.to).toEqual(first?.to);
    expect(Object.isFrozen(second?.to)).toBe(true);
    expect(() => {
      (second?.cc as { value: { name: string }[] }).value[0]!.name = 'changed';
    }).toThrow(TypeError);
    expect(parsePlain(msg('3'), [])?.cc).toEqual({ value: [{ name: 'B', address: 'b@x' }] });
  });
});
