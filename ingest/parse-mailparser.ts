// mailparser's simpleParser (3.9.31, lib/simple-parser.js) less what ingest never reads:
// simpleParser buffers every attachment whole and then joins its chunks into a second
// copy, while parse.ts reads only an attachment's name, type and size unless it is a text
// part that joins the body. Here an attachment's content is kept only when `keep` says so;
// the others stream past and are dropped, and their size is still mailparser's own count
// (its hashing stream sets it as the content ends). With the message written in pieces
// (feed), parsing a 60 MB message with a 45 MB base64 attachment went from 340 MB above
// its own bytes to under 50. Everything else follows simpleParser step by step.
import { MailParser, type AttachmentStream, type MailParserOptions, type MessageText, type ParsedMail } from 'mailparser';
import type { Readable } from 'node:stream';
import type { MailFields } from './parse-fast.ts';

/** What is known of an attachment when its content starts: enough to decide whether to keep it. */
export type AttachmentHead = Pick<ParsedMail['attachments'][number], 'contentType' | 'filename'>;

type Attachment = ParsedMail['attachments'][number];

/** How much of a message is written to mailparser at a time (feed). */
export const FEED_BYTES = 1024 * 1024;

/** The content of an attachment that was not kept. */
const DROPPED = Buffer.alloc(0);

/** MailFields of `input`, as simpleParser would give them, with only the attachments `keep` wants holding their content. */
export function parseMail(input: Buffer, options: MailParserOptions, keep: (a: AttachmentHead) => boolean, feedBytes = FEED_BYTES): Promise<MailFields> {
  return new Promise<MailFields>((resolve, reject) => {
    // MailParser may emit a non-fatal 'error' and still reach 'end': the first outcome wins
    let settled = false;
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      // passed on as mailparser threw it: parse.ts reads its code and message
      reject(e as Error);
    };
    const attachments: Attachment[] = [];
    // headerLines stays unset without a 'headers' event, as in simpleParser
    const mail: Partial<MailFields> & { headers?: Map<string, unknown> } = { attachments };
    const parser = new MailParser(options);
    parser.on('error', fail);
    parser.on('headers', (headers: Map<string, unknown>) => {
      mail.headers = headers;
      mail.headerLines = (parser as unknown as { headerLines: ParsedMail['headerLines'] }).headerLines;
    });

    let reading = false;
    const reader = (): void => {
      reading = true;
      const data = parser.read() as AttachmentStream | MessageText | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        if ('text' in data) mail.text = data.text;
        reader();
        return;
      }
      const attachment = data as AttachmentStream;
      const content = attachment.content as Readable;
      const chunks: Buffer[] | null = keep(attachment) ? [] : null;
      let length = 0;
      attachments.push(attachment as unknown as Attachment);
      content.on('readable', () => {
        let chunk: Buffer | null;
        while ((chunk = content.read() as Buffer | null) !== null) {
          if (chunks) {
            chunks.push(chunk);
            length += chunk.length;
          }
        }
      });
      content.on('end', () => {
        (attachment as unknown as Attachment).content = chunks ? Buffer.concat(chunks, length) : DROPPED;
        attachment.release();
        reader();
      });
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });

    parser.on('end', () => {
      const headers = mail.headers;
      if (headers) {
        if (headers.has('subject')) mail.subject = headers.get('subject') as MailFields['subject'];
        if (headers.has('from')) mail.from = headers.get('from') as MailFields['from'];
        if (headers.has('to')) mail.to = headers.get('to') as MailFields['to'];
        if (headers.has('cc')) mail.cc = headers.get('cc') as MailFields['cc'];
      }
      const finish = (): void => {
        if (settled) return;
        settled = true;
        const { headers: _headers, ...fields } = mail;
        resolve(fields as MailFields);
      };
      // simpleParser settles in its updateImageLinks callback: at once when there is HTML
      // (skipImageLinks), else on the next turn, when a late 'error' still wins
      if ((parser as unknown as { html?: unknown }).html) finish();
      else setImmediate(finish);
    });

    feed(parser, input, feedBytes);
  });
}

/**
 * Writes `input` in pieces of about `size` bytes, each ending after a line break, and waits
 * for the parser to drain between them. In one write, a 60 MB message with a base64
 * attachment peaked at 340 MB above its own bytes in mailparser's streams and decoders; in
 * 1 MiB pieces, at under 50. Cut after a line break, no line is split, so mailsplit reads
 * the same lines either way (test/parse-mailparser.test.ts holds both ways equal). A
 * message no larger than one piece is written whole, as before.
 */
function feed(parser: MailParser, input: Buffer, size: number): void {
  if (input.length === 0) {
    parser.end(input);
    return;
  }
  let pos = 0;
  const next = (): void => {
    while (pos < input.length) {
      const nl = input.indexOf(0x0a, Math.min(input.length - 1, pos + size - 1));
      const end = nl < 0 ? input.length : nl + 1;
      const piece = input.subarray(pos, end);
      pos = end;
      if (pos >= input.length) {
        parser.end(piece);
        return;
      }
      if (!parser.write(piece)) {
        parser.once('drain', next);
        return;
      }
    }
  };
  next();
}
