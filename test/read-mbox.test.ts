import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMbox, splitOnly } from '../ingest/read/mbox.ts';
import { MboxSplitter, type SplitMessage } from '../ingest/read/mbox-splitter.ts';
import type { RawMessage } from '../domain/message.ts';
import { HAS_SHARED, sharedPath } from './helpers/shared.ts';

function split(text: string | Buffer, opts: ConstructorParameters<typeof MboxSplitter>[0] = {}, chunkSize = 1 << 20): SplitMessage[] {
  const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const s = new MboxSplitter(opts);
  const out: SplitMessage[] = [];
  for (let i = 0; i < data.length; i += chunkSize) out.push(...s.push(data.subarray(i, i + chunkSize)));
  out.push(...s.end());
  return out;
}

const texts = (ms: SplitMessage[]): string[] => ms.map((m) => m.bytes.toString('latin1'));

async function collect(path: string): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  await readMbox(path, (m) => void out.push(m));
  return out;
}

describe('mbox splitter', () => {
  const lore = 'From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: one\n\n>From the start\n>>From quoted\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: two\n\nbye\n\n';

  it('unquotes one > from mboxrd From lines and drops the separating newline', () => {
    const ms = split(lore);
    expect(texts(ms)).toEqual(['Subject: one\n\nFrom the start\n>From quoted\n', 'Subject: two\n\nbye\n']);
    expect(ms.map((m) => m.envelope)).toEqual(['From mboxrd@z Thu Jan  1 00:00:00 1970', 'From mboxrd@z Thu Jan  1 00:00:00 1970']);
  });

  it('records the byte offset of each envelope line', () => {
    const ms = split(lore);
    expect(ms.map((m) => m.offset)).toEqual([0, lore.indexOf('From mboxrd', 1)]);
  });

  it('gives the same messages whatever the chunk size, down to one byte', () => {
    const whole = texts(split(lore));
    for (const size of [1, 2, 3, 5, 7, 13, 64]) expect(texts(split(lore, {}, size))).toEqual(whole);
  });

  it('leaves >From alone in mboxo, where the original cannot be known', () => {
    const mboxo = 'From a@b Mon Jan  1 10:00:00 2024\nSubject: x\n\n>From here\n\nFrom a@b Mon Jan  1 10:00:01 2024\nSubject: y\n\nz\n';
    const ms = split(mboxo);
    expect(texts(ms)).toEqual(['Subject: x\n\n>From here\n', 'Subject: y\n\nz']);
  });

  it('splits only at From lines that look like envelopes', () => {
    const text = 'From a@b Mon Jan  1 10:00:00 2024\nSubject: x\n\nFrom what I saw, it works\nFrom xl.org, list@example.org,\n\nFrom a@b Tue Jan  2 10:00:00 2024\nSubject: y\n\n';
    expect(texts(split(text))).toEqual(['Subject: x\n\nFrom what I saw, it works\nFrom xl.org, list@example.org,\n', 'Subject: y\n']);
  });

  it('strips CR LF between messages of a CRLF file and keeps CRLF inside', () => {
    const text = 'From a@b Mon Jan  1 10:00:00 2024\r\nSubject: x\r\n\r\nline\r\n\r\nFrom a@b Mon Jan  1 10:00:01 2024\r\nSubject: y\r\n\r\nz\r\n\r\n';
    const ms = split(text);
    expect(texts(ms)).toEqual(['Subject: x\r\n\r\nline\r\n', 'Subject: y\r\n\r\nz\r\n']);
    expect(ms[1]?.envelope).toBe('From a@b Mon Jan  1 10:00:01 2024');
  });

  it('takes mboxcl2 bodies by Content-Length, so unquoted From lines inside do not split', () => {
    const body1 = 'From here on it is a body\nFrom a@b Mon Jan  1 10:00:09 2024\nend\n';
    const text =
      `From a@b Mon Jan  1 10:00:00 2024\nSubject: x\nContent-Length: ${body1.length}\n\n${body1}\n` +
      'From a@b Mon Jan  1 10:00:01 2024\nSubject: y\nContent-Length: 3\n\nabc\n';
    const s = new MboxSplitter();
    const ms = [...s.push(Buffer.from(text)), ...s.end()];
    expect(texts(ms)).toEqual([`Subject: x\nContent-Length: ${body1.length}\n\n${body1}`, 'Subject: y\nContent-Length: 3\n\nabc']);
    expect(s.detectedFormat).toBe('mboxcl2');
  });

  it('falls back to separators when a Content-Length is stale', () => {
    const text = 'From a@b Mon Jan  1 10:00:00 2024\nContent-Length: 999\n\nshort\n\nFrom a@b Mon Jan  1 10:00:01 2024\nSubject: y\n\nz\n';
    expect(texts(split(text))).toEqual(['Content-Length: 999\n\nshort\n', 'Subject: y\n\nz']);
  });

  it('skips whitespace before the first envelope, as git mailsplit does', () => {
    expect(texts(split('  \n\t\n\nFrom a@b Mon Jan  1 10:00:00 2024\nSubject: x\n\nbody\n'))).toEqual(['Subject: x\n\nbody']);
  });

  it('reads empty messages between envelopes', () => {
    const text = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\nX: 1\n';
    expect(texts(split(text))).toEqual(['', '', 'X: 1']);
  });

  it('refuses a stream that does not start with an envelope', () => {
    expect(() => split('Subject: not an mbox\n\nhello\n', { label: 'x.eml' })).toThrow(/x\.eml is not an mbox/);
  });
});

describe.skipIf(!HAS_SHARED)("git's t5100 split expectations", () => {
  const dir = (...p: string[]): string => sharedPath('corpus', 'git-mailinfo', ...p);

  it('splits sample.mbox into the 18 messages git mailsplit finds', async () => {
    const ms = await collect(dir('sample.mbox'));
    expect(ms).toHaveLength(18);
    let checked = 0;
    // Each split message is what git mailinfo was run on: its patchNNNN is part of it
    // for every message not transfer-encoded (plus the blank line git keeps and we strip).
    for (let i = 1; i <= 18; i++) {
      const n = String(i).padStart(4, '0');
      const patch = readFileSync(dir('expected', `patch${n}`));
      const msg = Buffer.concat([ms[i - 1]?.bytes ?? Buffer.alloc(0), Buffer.from('\n')]);
      if (patch.length === 0 || /content-transfer-encoding:\s*(base64|quoted-printable)/i.test(msg.toString('latin1'))) continue;
      expect(msg.includes(patch), `patch${n} inside message ${i}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('splits sample.mboxrd into the two messages whose bodies are 0001mboxrd and 0002mboxrd', async () => {
    const ms = await collect(dir('sample.mboxrd'));
    expect(ms).toHaveLength(2);
    for (const [i, name] of [[0, '0001mboxrd'], [1, '0002mboxrd']] as const) {
      const bytes = ms[i]?.bytes ?? Buffer.alloc(0);
      const body = bytes.subarray(bytes.indexOf('\n\n') + 2);
      // git mailsplit keeps the separating blank line that our reader strips.
      expect(Buffer.concat([body, Buffer.from('\n')]).toString()).toBe(readFileSync(dir(name), 'utf8'));
    }
  });
});

describe.skipIf(!HAS_SHARED)('lore archives', () => {
  const files = [
    ['lore-linux-cifs', 'linux-cifs.stable-threads.mboxrd', 1274],
    ['lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd', 731],
    ['lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd', 1046],
  ] as const;

  for (const [folder, name, expected] of files) {
    it(`reads every message of ${name}, as many as grep counts separators`, async () => {
      const path = sharedPath('corpus', folder, name);
      const grep = Number(execFileSync('grep', ['-c', '^From mboxrd@z', path]).toString().trim());
      expect(grep).toBe(expected);
      const data = readFileSync(path);
      const ms = await collect(path);
      expect(ms).toHaveLength(grep);
      expect((await splitOnly(path)).messages).toBe(grep);
      // Offsets point at the envelope lines, and unquoting removed exactly one byte per quoted line.
      for (const m of ms) expect(data.toString('latin1', m.position.offset, m.position.offset + 14)).toBe('From mboxrd@z ');
      const quoted = (data.toString('latin1').match(/^>+From /gm) ?? []).length;
      const total = ms.reduce((n, m) => n + m.bytes.length + (m.envelope?.length ?? 0) + 2, 0);
      expect(total + quoted).toBe(data.length);
      expect(ms.map((m) => m.position.index)).toEqual(ms.map((_, i) => i));
    });
  }

  it('keeps both copies of the reply the archive holds twice', async () => {
    const ms = await collect(sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'));
    const twice = ms.filter((m) => m.bytes.includes('<CA+icZUUc_0M_6JU3dZzVqrUUrWJceY1uD8dO2yFMCwtHtkaa_Q@mail.gmail.com>'));
    expect(twice.length).toBeGreaterThanOrEqual(2);
  });
});

describe('messages of megabytes', () => {
  // Past the size the splitter hands a message over in its own buffer instead of copying it.
  const big = (tag: string, quoted: boolean): string =>
    `From: a@x\nSubject: ${tag}\n\n${`${tag} line of a long log 0123456789\n`.repeat(150_000)}${quoted ? '>From the middle of a line\n' : ''}${tag} end\n`;

  for (const format of ['mboxo', 'mboxrd'] as const) {
    it(`come out whole and stay so while the splitter goes on (${format}, any chunking)`, () => {
      const messages = ['From: s@x\nSubject: small\n\nsmall\n', big('first', false), 'From: t@x\nSubject: between\n\nbetween\n', big('second', true), big('third', false)];
      const quote = (m: string) => (format === 'mboxrd' ? m.replace(/^(>*From )/gm, '>$1') : m);
      const file = Buffer.from(messages.map((m) => `From x@y Thu Jan  1 00:00:00 1970\n${quote(m)}\n`).join(''));
      for (const chunk of [4096, 65_536, 3_000_001]) {
        const s = new MboxSplitter({ format });
        const out: SplitMessage[] = [];
        for (let pos = 0; pos < file.length; pos += chunk) out.push(...s.push(file.subarray(pos, pos + chunk)));
        out.push(...s.end());
        // checked after the last push: a message handed over early was not written over since
        expect(out.map((m) => m.bytes.toString())).toEqual(messages);
      }
    });
  }
});
