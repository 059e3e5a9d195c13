// A plain message whose body is far larger than any on lore (past BODY_ANALYSED_BYTES) is
// parsed with only its first part decoded (ingest/parse-fast.ts): the row stores the same
// as for the whole body (read back from the raw bytes, the search index's part), the diff
// summary and patch-id are those of the whole patch (git's), and a note says what was cut.
import { describe, expect, it } from 'vitest';
import { HAS_GIT, gitPatchIdLines } from './helpers/git.ts';
import { ANALYZERS } from '../ingest/analyzers.ts';
import { BODY_ANALYSED_BYTES, headerEnd } from '../ingest/parse-fast.ts';
import { processRaw } from '../ingest/pipeline-process.ts';
import { parseMessage } from '../ingest/parse.ts';
import { bodyCutOf } from '../ingest/parse-body-cut.ts';
import { recoverLenient } from '../ingest/read/lenient.ts';
import { analyzePatchMessage } from '../domain/patch/analyze.ts';
import { patchMsgRow } from '../domain/patch/patch-row.ts';
import { extractSearchDoc } from '../domain/search/extract.ts';
import type { ParsedMessage } from '../domain/message.ts';

const MiB = 1024 * 1024;
const position = { source: 'x', offset: 0, index: 0 };

function repeatTo(line: (i: number) => string, bytes: number): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = line(i);
    out.push(l);
    n += l.length;
  }
  return out.join('');
}

/** A patch of `files` files, each hunk different, `bytes` long in all, with non-ASCII lines. */
function patchBody(bytes: number, files: number): string {
  const per = bytes / files;
  const file = (f: number): string =>
    `diff --git a/mm/big${f}.c b/mm/big${f}.c\nindex 1234567..89abcde 100644\n--- a/mm/big${f}.c\n+++ b/mm/big${f}.c\n` +
    repeatTo((i) => `@@ -${i * 4 + 1},3 +${i * 4 + 1},3 @@ static int f${f}(void)\n context ${i}\n-\told = readahead(m, ${i});\n+\tnew = readahead_folio(m, ${i}); /* Grüße ${f} */\n`, per);
  return `The description.\n\nSigned-off-by: Big <big@big.example>\n---\n${Array.from({ length: files }, (_, f) => file(f)).join('')}-- \n2.43.0\n`;
}

function mail(subject: string, body: string): Buffer {
  return Buffer.from(`From: Big <big@big.example>\nSubject: ${subject}\nMessage-ID: <big@big.example>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n${body}`);
}

describe('a plain body past BODY_ANALYSED_BYTES', () => {
  const body = patchBody(BODY_ANALYSED_BYTES + 3 * MiB, 3);
  const bytes = mail('[PATCH] mm: a very large patch', body);

  it('is parsed as its first whole lines, with a note, and where the whole of it lies', async () => {
    const parsed = await parseMessage({ bytes, position });
    const analysed = Buffer.byteLength(parsed.body);
    expect(analysed).toBeLessThanOrEqual(BODY_ANALYSED_BYTES);
    expect(analysed).toBeGreaterThan(BODY_ANALYSED_BYTES - 200);
    expect(parsed.body.endsWith('\n')).toBe(true);
    expect(body.startsWith(parsed.body)).toBe(true);
    expect(parsed.notes).toContain(`body of ${Buffer.byteLength(body)} bytes: analysed its first ${analysed} bytes (whole lines); stored whole`);
    const cut = bodyCutOf(parsed);
    expect(cut?.span).toEqual({ start: headerEnd(bytes), end: bytes.length });
    expect(cut?.bytes.toString('utf8')).toBe(body);
  });

  it('makes the row and analyses the whole body makes, but for the knowledge read from its first part', async () => {
    const r = await processRaw({ bytes, position }, ANALYZERS);
    if (!r.ok) throw new Error(r.reason);
    const parsed = await parseMessage({ bytes, position });
    const whole: ParsedMessage = { ...parsed, body };
    expect(r.message.bodySpan).toEqual({ start: headerEnd(bytes), end: bytes.length });
    // the body reads back from the raw bytes, and the search doc is made: the row carries none
    expect(r.message.body).toBe('');
    expect(r.message.bodyPacked).toBeNull();
    expect(r.message.headersFromRaw).toBe(true);
    expect(r.analysis['search-index']).toEqual(extractSearchDoc(whole));
    const a = analyzePatchMessage(whole);
    expect(a?.files.map((f) => [f.path, f.added, f.removed])).toEqual([0, 1, 2].map((f) => [`mm/big${f}.c`, expect.any(Number), expect.any(Number)]));
    expect(r.analysis['patches']).toEqual(patchMsgRow(whole, a!));
  });

  it.skipIf(!HAS_GIT)("has git's patch-id", async () => {
    const r = await processRaw({ bytes, position }, ANALYZERS);
    if (!r.ok) throw new Error(r.reason);
    const git = gitPatchIdLines(body)[0]?.split(' ')[0];
    expect((r.analysis['patches'] as { patchId: string }).patchId).toBe(git);
  });

  it('is decoded whole when it is not the raw bytes as they are (CRLF lines)', async () => {
    const crlf = Buffer.from(bytes.toString().replace(/\n/g, '\r\n'));
    const parsed = await parseMessage({ bytes: crlf, position });
    expect(parsed.body).toBe(body);
    expect(bodyCutOf(parsed)).toBeUndefined();
  });
});

describe('the row of an ordinary message whose body the raw bytes hold', () => {
  const bytes = mail('a reply', 'Thanks, applied.\n');

  it('carries no body once the search doc is made, only where it lies', async () => {
    const r = await processRaw({ bytes, position }, ANALYZERS);
    if (!r.ok) throw new Error(r.reason);
    expect(r.message.bodySpan).toEqual({ start: headerEnd(bytes), end: bytes.length });
    expect(r.message.body).toBe('');
    expect((r.analysis['search-index'] as { body_nq: string }).body_nq).toContain('Thanks, applied.');
  });

  it('carries it for the search index to read when the doc was not made here', async () => {
    const r = await processRaw({ bytes, position }, ANALYZERS.filter((a) => a.name !== 'search-index'));
    if (!r.ok) throw new Error(r.reason);
    expect(r.message.body).toBe('Thanks, applied.\n');
  });
});

describe('a saved page past BODY_ANALYSED_BYTES, read leniently', () => {
  it('is decoded whole: it is parsed from a rebuilt copy, so its body is no run of the raw bytes', async () => {
    const text = repeatTo((i) => `line ${i} of a saved page with no headers\n`, BODY_ANALYSED_BYTES + MiB);
    const bytes = Buffer.from(text);
    const recovered = recoverLenient(bytes);
    expect(recovered?.recovery.kind).toBe('no-headers');
    const parsed = await parseMessage({ bytes, position, lenient: recovered!.recovery });
    expect(parsed.body).toBe(text);
    expect(bodyCutOf(parsed)).toBeUndefined();
    expect(parsed.notes.some((n) => n.startsWith('body of '))).toBe(false);
  });
});

describe('a plain body at BODY_ANALYSED_BYTES', () => {
  it('is parsed whole, without a note', async () => {
    const head = mail('a log', '');
    const body = repeatTo((i) => `[${i}] kworker blocked\n`, BODY_ANALYSED_BYTES).slice(0, BODY_ANALYSED_BYTES - 1) + '\n';
    const parsed = await parseMessage({ bytes: Buffer.concat([head, Buffer.from(body)]), position });
    expect(parsed.body).toBe(body);
    expect(parsed.notes).toEqual([]);
    expect(bodyCutOf(parsed)).toBeUndefined();
  });
});
