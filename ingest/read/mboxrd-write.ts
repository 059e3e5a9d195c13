// The export side of the mbox reader: one message as an mboxrd entry.
//
// Round-trip contract with MboxSplitter: the entry is the envelope line, the message
// with every `^>*From ` line quoted by one more `>`, and exactly one "\n". For the
// usual message (ending in a newline) that "\n" is the blank line mbox readers expect
// before the next envelope; a message without a final newline gets no invented one, so
// its next envelope follows its last line directly. The reader strips exactly that one
// "\n" (and recognises an envelope without a blank line before it), so
// read(concat(toMboxrd(m) for m in ms)) gives back ms byte for byte, including empty
// messages and messages with CRLF line ends. This is also exactly what public-inbox
// writes, so lore's mboxrd files re-export identically.
import { DEFAULT_ENVELOPE, isEnvelopeLine } from './envelope.ts';

const NL = 10;
const FROM = Buffer.from('From ');

/** True when `bytes[i..]` is `>*From `. */
function needsQuote(bytes: Buffer, i: number): boolean {
  let k = i;
  while (k < bytes.length && bytes[k] === 0x3e) k++;
  return bytes.length - k >= FROM.length && bytes.compare(FROM, 0, FROM.length, k, k + FROM.length) === 0;
}

/**
 * `envelope` is kept when it is one a reader splits at and that says "mboxrd" (as
 * lore's, b4's and git's mboxrd envelopes do); any other is replaced by
 * DEFAULT_ENVELOPE. A reader can only tell an mboxrd file by its envelope (or a
 * `>>From ` line), and read as mboxo its quotes would stay: the byte contract wins over
 * keeping an envelope, which is delivery metadata and not part of the message.
 */
export function usableEnvelope(envelope: string | undefined): string {
  if (envelope === undefined || /[\r\n]/.test(envelope) || !isEnvelopeLine(envelope) || !/mboxrd/i.test(envelope)) return DEFAULT_ENVELOPE;
  return envelope;
}

export function toMboxrd(bytes: Buffer, envelope?: string): Buffer {
  const quoteAt: number[] = [];
  if (needsQuote(bytes, 0)) quoteAt.push(0);
  for (let nl = bytes.indexOf(NL); nl >= 0; nl = bytes.indexOf(NL, nl + 1)) {
    if (needsQuote(bytes, nl + 1)) quoteAt.push(nl + 1);
  }
  const head = Buffer.from(usableEnvelope(envelope) + '\n', 'latin1');
  const out = Buffer.allocUnsafe(head.length + bytes.length + quoteAt.length + 1);
  let to = head.copy(out, 0);
  let from = 0;
  for (const q of quoteAt) {
    to += bytes.copy(out, to, from, q);
    out[to++] = 0x3e;
    from = q;
  }
  to += bytes.copy(out, to, from);
  out[to] = NL;
  return out;
}
