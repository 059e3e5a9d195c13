// parseMail must read a message as simpleParser does: the fields parse.ts reads are the same,
// an attachment it does not keep still has mailparser's size, and writing a large message
// in pieces (each ending after a line break) changes nothing against writing it whole.
import fc from 'fast-check';
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { makeIconv } from '../ingest/parse-charset.ts';
import { parseMail, type AttachmentHead } from '../ingest/parse-mailparser.ts';
import type { MailFields } from '../ingest/parse-fast.ts';

const OPTIONS = { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true } as const;

function options(): Parameters<typeof parseMail>[1] {
  return { ...OPTIONS, Iconv: makeIconv([]) as unknown as NonNullable<Parameters<typeof parseMail>[1]['Iconv']> };
}

/** What parse.ts reads of a parse, attachments' contents included when `withContent`. */
function fields(m: MailFields | ParsedMail, withContent: (a: AttachmentHead) => boolean): unknown {
  return {
    headerLines: m.headerLines,
    subject: m.subject,
    from: m.from?.value,
    to: [m.to ?? []].flat().map((a) => a.value),
    cc: [m.cc ?? []].flat().map((a) => a.value),
    text: m.text,
    attachments: m.attachments.map((a) => ({
      contentType: a.contentType,
      filename: a.filename,
      size: a.size,
      content: withContent(a) ? a.content.toString('latin1') : null,
    })),
  };
}

const textLine = fc.stringMatching(/^[ -~\u00e9\u00fc\u4e2d]{0,90}$/);
const bytes = fc.uint8Array({ minLength: 0, maxLength: 700 });
/** base64 as mailers write it, with now and then what they should not: padding mid-way, stray characters. */
const base64Body = fc.tuple(bytes, fc.integer({ min: 4, max: 100 }), fc.constantFrom('', '==', '=', '!', 'QQ==', ' \t'), fc.nat(1000)).map(([b, width, odd, at]) => {
  const text = Buffer.from(b).toString('base64');
  const cut = text.length === 0 ? 0 : at % text.length;
  const marred = text.slice(0, cut) + odd + text.slice(cut);
  return marred.replace(new RegExp(`.{1,${width}}`, 'g'), '$&\n');
});
const qpBody = fc.array(textLine, { maxLength: 12 }).map((lines) =>
  lines
    .map((l) => Buffer.from(l, 'utf8').toString('latin1').replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`))
    .map((l) => (l.length > 70 ? `${l.slice(0, 70)}=\n${l.slice(70)}` : l))
    .join('\n'),
);
const plainBody = fc.array(textLine, { maxLength: 12 }).map((lines) => lines.join('\n'));

const part = fc.oneof(
  fc.tuple(fc.constantFrom('utf-8', 'iso-8859-1', 'us-ascii'), plainBody).map(([cs, body]) => `Content-Type: text/plain; charset=${cs}\n\n${body}`),
  qpBody.map((body) => `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n${body}`),
  fc.tuple(fc.constantFrom('text/x-patch', 'application/octet-stream', 'image/png', 'text/plain'), fc.constantFrom('fix.patch', 'core.bin', 'a.png', ''), base64Body).map(
    ([type, name, body]) =>
      `Content-Type: ${type}${name ? `; name="${name}"` : ''}\nContent-Disposition: attachment${name ? `; filename="${name}"` : ''}\nContent-Transfer-Encoding: base64\n\n${body}`,
  ),
  fc.tuple(fc.constantFrom('text/x-patch', 'application/octet-stream'), plainBody).map(([type, body]) => `Content-Type: ${type}; name="x.diff"\nContent-Disposition: attachment; filename="x.diff"\n\n${body}`),
);

const message = fc.tuple(fc.array(part, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.boolean()).map(([parts, crlf, nested]) => {
  const body = parts.map((p) => `--b1\n${p}\n`).join('');
  const inner = nested ? `Content-Type: multipart/mixed; boundary="b1"\n\n${body}--b1--\n` : '';
  const text = nested
    ? `From: A <a@x>\nTo: b@y, C <c@z>\nSubject: =?utf-8?q?caf=C3=A9?= parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n\n--b0\nContent-Type: text/plain\n\nouter\n--b0\n${inner}--b0--\n`
    : `From: A <a@x>\nCc: d@w\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\npreamble\n${body}--b1--\nepilogue\n`;
  return Buffer.from(crlf ? text.replace(/\n/g, '\r\n') : text, 'utf8');
});

const keepText = (a: AttachmentHead): boolean => /^text\//i.test(a.contentType) || /\.(patch|diff)$/i.test(a.filename ?? '');

describe('parseMail', () => {
  it('reads what simpleParser reads, keeping only the contents asked for, with every size', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (input) => {
        const ours = await parseMail(input, options(), keepText);
        const theirs = await simpleParser(input, options());
        expect(fields(ours, keepText)).toEqual(fields(theirs, keepText));
        for (const a of ours.attachments) if (!keepText(a)) expect(a.content.length).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same fields written whole or in pieces that end after a line break, whatever their size', async () => {
    await fc.assert(
      fc.asyncProperty(message, fc.integer({ min: 1, max: 300 }), async (input, piece) => {
        const whole = await parseMail(input, options(), () => true, Infinity);
        const pieces = await parseMail(input, options(), () => true, piece);
        expect(fields(pieces, () => true)).toEqual(fields(whole, () => true));
      }),
      { numRuns: 200 },
    );
  });

  it('drops a large base64 attachment it does not keep but counts its decoded bytes', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024, 7);
    const b64 = payload.toString('base64').replace(/.{76}/g, '$&\n');
    const input = Buffer.from(
      `From: a@x\nSubject: core\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"\n\n--zz\nContent-Type: text/plain\n\nsee attached\n--zz\nContent-Type: application/octet-stream; name="core.bin"\nContent-Transfer-Encoding: base64\n\n${b64}\n--zz--\n`,
    );
    const mail = await parseMail(input, options(), keepText);
    expect(mail.text).toBe('see attached');
    expect(mail.attachments.map((a) => [a.filename, a.size, a.content.length])).toEqual([['core.bin', payload.length, 0]]);
  });
});
