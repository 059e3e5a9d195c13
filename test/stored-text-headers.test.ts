// headerFieldsOf reads rows written since migration 011 (headers_from_raw = 1), each checked
// at write time against the function of its day: any later version must read every header
// block exactly as the first one did. The first one is kept here as the reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerFieldsOf } from '../domain/stored-text.ts';

function unfold(v: string): string {
  if (!v.includes('\n') && !v.includes('\r')) return v.trim();
  return v.replace(/\r?\n[ \t]+/g, ' ').replace(/[\r\n]+/g, ' ').trim();
}

/** headerFieldsOf as migration 011 shipped it (commit 3908e84). */
function firstHeaderFieldsOf(raw: Uint8Array, drop: RegExp): Record<string, string[]> {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: Record<string, string[]> = {};
  let pos = 0;
  let current: string | null = null;
  const flush = (line: string | null): void => {
    if (line === null) return;
    const colon = line.indexOf(':');
    const key = (colon < 0 ? '' : line.slice(0, colon)).toLowerCase().trim();
    if (drop.test(key)) return;
    (out[key] ??= []).push(unfold(colon < 0 ? '' : line.slice(colon + 1)));
  };
  let first = true;
  while (pos < bytes.length) {
    let nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) nl = bytes.length;
    let lineEnd = nl;
    if (lineEnd > pos && bytes[lineEnd - 1] === 0x0d) lineEnd--;
    if (lineEnd === pos) break;
    const line = bytes.toString('latin1', pos, lineEnd);
    pos = nl + 1;
    if ((line[0] === ' ' || line[0] === '\t') && current !== null) current += '\r\n' + line;
    else if (first && /^(From |POST )/i.test(line)) current = null;
    else {
      flush(current);
      current = line;
    }
    first = false;
  }
  flush(current);
  return out;
}

const DROP = /^(received|dkim-signature|x-.*)$/;

describe('headers read from the raw bytes', () => {
  it('read every header block as the first version did: folds, CRLF, colonless lines, dropped keys, a From line, 8-bit bytes', () => {
    const piece = fc.constantFrom(
      'Subject: a', 'subject:b', 'Received: from x', 'DKIM-Signature: v=1;', 'X-Thing : y', ' folded', '\tfolded tab', ' ', 'no colon here',
      ': empty key', 'From mboxrd@z Thu Jan  1 00:00:00 1970', 'POST /x', 'To: Zoë <z@x>', 'Cc: a@x,', 'received:', '',
    );
    const eol = fc.constantFrom('\n', '\r\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, eol), { maxLength: 14 }), fc.string(), (lines, body) => {
        const raw = Buffer.from(lines.map(([l, e]) => l + e).join('') + body, 'utf8');
        expect(JSON.stringify(headerFieldsOf(raw, DROP))).toBe(JSON.stringify(firstHeaderFieldsOf(raw, DROP)));
      }),
      { numRuns: 3000 },
    );
  });
});
