// The header block of a message mailsplit refuses (over 1 MiB of headers, or over 1,000
// MIME parts), cut down to what threading and display read, so that the message keeps
// its headers and its place in a thread instead of becoming a raw-bytes-only error.
// Pure: bytes in, bytes out.
import { headerEnd } from './parse-fast.ts';

/** Fields kept, in the order they appear; everything else (relay noise, X- headers) goes. */
const ESSENTIAL = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'list-id', 'sender', 'reply-to']);
/** Kept too when the body is to be parsed. */
const BODY_FIELDS = new Set(['mime-version', 'content-type', 'content-transfer-encoding']);
/** Longest value kept of one field. */
export const MAX_KEPT_FIELD = 64 * 1024;

/** A field's value cut to MAX_KEPT_FIELD: References keeps its end (the parent is last), the rest their start. */
function cut(name: string, value: string): string {
  if (value.length <= MAX_KEPT_FIELD) return value;
  if (name === 'references') {
    const tail = value.slice(value.length - MAX_KEPT_FIELD);
    const first = tail.indexOf('<');
    return first < 0 ? tail : tail.slice(first);
  }
  return value.slice(0, MAX_KEPT_FIELD);
}

/**
 * The message rebuilt from its essential header fields (unfolded, each cut), plus its
 * MIME fields and body when `withBody`, else an empty body.
 */
export function truncatedInput(bytes: Buffer, withBody: boolean): Buffer {
  // The block with its blank line: that line, like any without a colon, adds no field.
  const bodyStart = headerEnd(bytes);
  const lines: string[] = [];
  let name = '';
  let value = '';
  const flush = (): void => {
    if (name && (ESSENTIAL.has(name.toLowerCase()) || (withBody && BODY_FIELDS.has(name.toLowerCase())))) {
      lines.push(`${name}: ${cut(name.toLowerCase(), value.trim())}`);
    }
    name = '';
    value = '';
  };
  // latin1 keeps every byte as one character, so 8-bit header text survives unchanged.
  for (const line of bytes.toString('latin1', 0, bodyStart).split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && name) {
      value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon > 0 && !/[\s]/.test(line.slice(0, colon))) {
      name = line.slice(0, colon);
      value = line.slice(colon + 1);
    }
  }
  flush();
  const head = Buffer.from(`${lines.join('\n')}\n\n`, 'latin1');
  return withBody ? Buffer.concat([head, bytes.subarray(bodyStart)]) : head;
}
