// The fast part of the fuzzed ingest (the 20,000-message run is `npm run bench -- faults`):
// a few hundred generated inputs, from random bytes to near-mail with broken MIME, ids and
// line endings, and some past the message limit, go through the real pipeline; every one
// must be accounted for by its hash, in messages or in ingest_errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { closeDb, openDb } from '../db/connection.ts';
import { contentHashesInOrder } from '../db/messages.ts';
import { listIngestErrors } from '../db/ingest-errors.ts';
import { ingestPaths } from '../ingest/pipeline.ts';
import { DEFAULT_ENVELOPE, toMboxrd } from '../ingest/read/index.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const LIMIT = 64 * 1024;

const headerName = fc.constantFrom('From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References', 'Content-Type', 'Content-Transfer-Encoding', 'MIME-Version', 'X-Fuzz', 'Received');
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom('<a@b>', '<<>>', '=?utf-8?B?8J+Yg/CfmIM=?=', '=?bogus?X?zz?=', 'multipart/mixed; boundary="b"', 'base64', 'quoted-printable', 'text/plain; charset=x-unknown', 'Tue, 2 Jan 2024 10:00:00 +0000', 'not a date'),
);
const bodyLine = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('From the start', '>From quoted', '>>From twice', '--b', '--b--', 'diff --git a/x b/x', '=E9=', 'Zm9v', ''));
const nearMail = fc
  .tuple(fc.array(fc.tuple(headerName, fc.boolean(), headerValue), { maxLength: 12 }), fc.array(bodyLine, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([headers, body, eol, blank]) => Buffer.from(`${headers.map(([n, space, v]) => `${n}:${space ? ' ' : ''}${v}`).join(eol)}${blank ? eol + eol : eol}${body.join(eol)}`, 'utf8'));
const randomBytes = fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u));
const oversized = fc.integer({ min: LIMIT + 1, max: 3 * LIMIT }).map((n) => Buffer.from(`Subject: big\nMessage-ID: <big.${n}@x>\n\n${'y'.repeat(n)}\n`));
const input = fc.oneof({ arbitrary: nearMail, weight: 6 }, { arbitrary: randomBytes, weight: 3 }, { arbitrary: oversized, weight: 1 });

describe('fuzzed ingest', () => {
  it('accounts for every input by its hash, in messages or ingest_errors, and exits cleanly', async () => {
    const inputs = fc.sample(input, { numRuns: 400, seed: 13 });
    const dir = mkdtempSync(join(tmpdir(), 'lg-fuzz-'));
    try {
      const half = inputs.length / 2;
      const a = join(dir, 'a.mboxrd.gz');
      const b = join(dir, 'b.mboxrd');
      writeFileSync(a, gzipSync(Buffer.concat(inputs.slice(0, half).map((m) => toMboxrd(m, DEFAULT_ENVELOPE)))));
      writeFileSync(b, Buffer.concat(inputs.slice(half).map((m) => toMboxrd(m, DEFAULT_ENVELOPE))));
      const db = openDb(join(dir, 'f.db'));
      try {
        const s = await ingestPaths(db, [a, b], { maxMessageBytes: LIMIT });
        expect(s.failedSources).toEqual([]);
        expect(s.seen).toBe(inputs.length);
        const stored = new Set(contentHashesInOrder(db));
        const recorded = new Set(listIngestErrors(db, 1e9).map((e) => e.rawHash));
        const unaccounted = inputs.filter((m) => {
          const asFiled = toMboxrd(m, DEFAULT_ENVELOPE).subarray(DEFAULT_ENVELOPE.length + 1, -1);
          return ![sha(m), sha(asFiled)].some((h) => stored.has(h) || recorded.has(h));
        });
        expect(unaccounted.map((m) => m.toString('latin1', 0, 80))).toEqual([]);
        expect(recorded.size).toBeGreaterThan(0);
      } finally {
        closeDb(db);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
