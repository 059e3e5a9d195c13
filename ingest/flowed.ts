// format=flowed (RFC 3676) undone as the RFC says. libmime, which both parse paths use
// (parse-fast.ts directly, mailparser through mailsplit's FlowedDecoder), joins a soft
// line break to whatever line follows: a Thunderbird reply's first paragraph was glued
// onto the last "> " line above it, so the reply's own words read as quoted (and its
// quoted paragraphs kept "> " markers in mid-line). Here a soft break joins only lines of
// the same quote depth (RFC 3676 4.5), and a quoted continuation line gives up its markers
// and its stuffed space. Lines without quotes decode exactly as libmime decodes them.
import libmime from 'libmime';

function quoteDepth(line: string): number {
  let d = 0;
  while (line.charCodeAt(d) === 62 /* > */) d++;
  return d;
}

/** The body of a format=flowed part with its soft line breaks removed; delSp for delsp=yes. */
export function decodeFlowed(str: string, delSp = false): string {
  const lines = str.split(/\r?\n/);
  const result: string[] = [];
  // the paragraph as its non-empty pieces, and their length (joined once, when it ends)
  let parts: string[] | null = null;
  let length = 0;
  let depth = 0;
  for (const line of lines) {
    const d = quoteDepth(line);
    const last = parts?.[parts.length - 1] ?? '';
    // a signature separator is never flowed, whatever its trailing space says: a paragraph
    // that reads "-- " so far, pieces joined, as libmime tests it
    const signature = parts !== null && length - depth === 3 && parts.join('').slice(depth) === '-- ';
    const soft = parts !== null && last.endsWith(' ') && !signature && d === depth;
    if (soft && parts) {
      if (delSp) {
        // a piece that was only its space leaves nothing behind, as in libmime: a paragraph
        // of nothing else is no line at the end
        const cut = last.slice(0, -1);
        if (cut) parts[parts.length - 1] = cut;
        else parts.pop();
        length--;
      }
      const text = d === 0 ? line : line.slice(d).replace(/^ /, '');
      if (text) parts.push(text);
      length += text.length;
    } else {
      if (parts !== null) result.push(parts.join(''));
      parts = line ? [line] : [];
      length = line.length;
      depth = d;
    }
  }
  if (parts !== null && parts.length) result.push(parts.join(''));
  // whitespace stuffing (RFC 3676 4.4)
  return result.join('\n').replace(/^ /gm, '');
}

/**
 * Makes every Libmime instance decode flowed text with decodeFlowed: mailparser's decoder
 * builds its own instance inside mailsplit, so the prototype is the one place both parse
 * paths meet (the differential test holds them equal). Idempotent.
 */
export function useQuoteAwareFlowedDecoding(): void {
  const proto = Object.getPrototypeOf(libmime) as { decodeFlowed: (str: unknown, delSp?: boolean) => string };
  proto.decodeFlowed = (str, delSp) => decodeFlowed(String(str ?? ''), Boolean(delSp));
}
