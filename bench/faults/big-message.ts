// Memory per message (issue #13: "bounded at a small multiple of the limit"): one message
// just under the default --max-message-bytes (64 MiB), parsed and stored whole, between two
// small ones, in three shapes: a plain-text log, a patch (every line a diff line, so the
// full-text index splits it into its diff columns), and a base64 attachment. The figure is
// the ingest's peak RSS over the message's size, beside the peak of the same ingest with
// only the two small messages (what the process costs anyway).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENVELOPE, toMboxrd } from '../../ingest/read/index.ts';
import { OUT, runCli } from './common.ts';

const SIZE = 60 * 1024 * 1024;
/** Peak RSS over message size the part accepts. */
const RATIO_BOUND = 4;

function small(id: string): Buffer {
  return Buffer.from(`From: a@big.example\nSubject: small ${id}\nMessage-ID: <${id}@big.example>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\nsmall\n`);
}

function repeatTo(line: string, bytes: number): string {
  return line.repeat(Math.ceil(bytes / line.length));
}

const SHAPES: Record<string, () => Buffer> = {
  log: () =>
    Buffer.from(
      `From: Big <big@big.example>\nSubject: a very large log\nMessage-ID: <log@big.example>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\n${repeatTo('[ 1234.567890] kworker/u8:3 blocked for more than 120 seconds, folio 0xffffea0001234567\n', SIZE)}`,
    ),
  patch: () => {
    const hunk = `@@ -1,4 +1,4 @@ static int big_function(struct folio *folio)\n context line of the function body\n-\told = readahead(mapping, index);\n+\tnew = readahead_folio(mapping, index);\n context line after the change\n`;
    const files = Array.from({ length: 64 }, (_, i) => `diff --git a/mm/big${i}.c b/mm/big${i}.c\n--- a/mm/big${i}.c\n+++ b/mm/big${i}.c\n${repeatTo(hunk, SIZE / 64)}`).join('');
    return Buffer.from(`From: Big <big@big.example>\nSubject: [PATCH] mm: a very large patch\nMessage-ID: <patch@big.example>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\nThe description.\n\nSigned-off-by: Big <big@big.example>\n---\n${files}`);
  },
  base64: () => {
    const payload = Buffer.alloc((SIZE / 4) * 3);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;
    const b64 = payload.toString('base64').replace(/.{76}/g, '$&\n');
    return Buffer.from(
      `From: Big <big@big.example>\nSubject: a very large attachment\nMessage-ID: <base64@big.example>\nDate: Tue, 2 Jan 2024 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"\n\n--zz\nContent-Type: text/plain\n\nsee attached\n--zz\nContent-Type: application/octet-stream; name="core.bin"\nContent-Transfer-Encoding: base64\n\n${b64}\n--zz--\n`,
    );
  },
};

export async function bigMessage(): Promise<void> {
  const dir = join(OUT, 'big');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const baseline = join(dir, 'small.mbox');
  writeFileSync(baseline, Buffer.concat([toMboxrd(small('before'), DEFAULT_ENVELOPE), toMboxrd(small('after'), DEFAULT_ENVELOPE)]));
  const b = runCli(['ingest', baseline, '--db', join(dir, 'small.db')]);
  const base = b.maxRssMB ?? 0;
  console.log(`big: ingest of the two small messages alone: exit ${b.status}, peak RSS ${base.toFixed(0)} MB`);
  const wanted = (process.env.BIG_SHAPES ?? Object.keys(SHAPES).join(',')).split(',');
  let ok = b.status === 0;
  for (const [name, make] of Object.entries(SHAPES)) {
    if (!wanted.includes(name)) continue;
    const msg = make();
    const path = join(dir, `${name}.mbox`);
    writeFileSync(path, Buffer.concat([toMboxrd(small('before'), DEFAULT_ENVELOPE), toMboxrd(msg, DEFAULT_ENVELOPE), toMboxrd(small('after'), DEFAULT_ENVELOPE)]));
    const sizeMB = msg.length / 1024 / 1024;
    const r = runCli(['ingest', path, '--db', join(dir, `${name}.db`)]);
    const peak = r.maxRssMB ?? NaN;
    const ratio = peak / sizeMB;
    const stored = /3 new, 0 duplicate, 0 malformed/.test(r.stdout);
    const good = r.status === 0 && stored && ratio <= RATIO_BOUND;
    ok &&= good;
    console.log(
      `big: ${name}: a ${sizeMB.toFixed(1)} MB message: exit ${r.status} in ${(r.ms / 1000).toFixed(1)} s, ${stored ? 'stored with both neighbours' : `NOT stored as expected: ${r.stdout.trim()} ${r.stderr.trim().slice(0, 200)}`}, peak RSS ${peak.toFixed(0)} MB = ${ratio.toFixed(1)}x its size (${((peak - base) / sizeMB).toFixed(1)}x above the small ingest's ${base.toFixed(0)} MB; bound ${RATIO_BOUND}x): ${good ? 'ok' : 'FAIL'}`,
    );
  }
  if (!ok) process.exitCode = 1;
}
