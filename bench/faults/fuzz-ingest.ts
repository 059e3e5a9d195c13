// Fuzzed ingest: at least 20,000 messages, random and mutated from real mail (../shared,
// else the generated archive), a few past the message limit and past mailsplit's limits,
// written as mboxrd archives (one gzipped) and ingested by the real command. Every input
// must be accounted for by its hash: in messages (content_hash) or in ingest_errors
// (raw_hash). Prints the counts, the run's exit status and its peak memory.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { closeDb, openDb } from '../../db/connection.ts';
import { contentHashesInOrder } from '../../db/messages.ts';
import { listIngestErrors } from '../../db/ingest-errors.ts';
import { MboxSplitter } from '../../ingest/read/mbox-splitter.ts';
import { DEFAULT_ENVELOPE, toMboxrd } from '../../ingest/read/index.ts';
import { HAS_SHARED, sharedPath } from '../../test/helpers/shared.ts';
import { generateArchive } from '../generate-archive.ts';
import { OUT, rng, runCli, sha256 } from './common.ts';

const TOTAL = 20_400;
const ARCHIVES = 4;
// Above mailsplit's 1 MiB of headers, so a message over that limit is parsed (truncated), not just recorded.
const LIMIT = 2 * 1024 * 1024;

/** Real (or generated) messages to mutate. */
function seeds(): { label: string; messages: Buffer[] } {
  const files = HAS_SHARED
    ? [sharedPath('corpus', 'lore-linux-cifs', 'linux-cifs.2024-01-to-02.mboxrd'), sharedPath('corpus', 'lore-linux-ppp', 'linux-ppp.vger.kernel.org.0.mboxrd')]
    : [generateArchive(3000).path];
  const messages: Buffer[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const s = new MboxSplitter({ format: 'mboxrd' });
    for (const m of [...s.push(readFileSync(f)), ...s.end()]) messages.push(m.bytes);
  }
  return { label: HAS_SHARED ? 'real lore mail from ../shared' : 'the generated archive (../shared absent)', messages };
}

type Mutation = (b: Buffer, r: () => number) => Buffer;

const pickOf = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const MUTATIONS: Record<string, Mutation> = {
  flipBytes: (b, r) => {
    const c = Buffer.from(b);
    for (let i = 0; i < 1 + r() * 20; i++) c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
    return c;
  },
  truncate: (b, r) => b.subarray(0, Math.floor(r() * b.length)),
  dropRange: (b, r) => {
    const a = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, a), b.subarray(Math.min(b.length, a + Math.floor(r() * 2000)))]);
  },
  noBlankLine: (b) => Buffer.from(b.toString('latin1').replace(/\r?\n\r?\n/, '\n'), 'latin1'),
  nulAndFF: (b, r) => {
    const i = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, i), Buffer.from([0, 0xff, 0xfe, 0, 0x1b]), b.subarray(i)]);
  },
  longHeader: (b, r) => Buffer.concat([Buffer.from(`X-Long: ${'x'.repeat(Math.floor(r() * 200_000))}\n`), b]),
  badMime: (b) =>
    Buffer.concat([Buffer.from('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"\nContent-Transfer-Encoding: base64\n'), b, Buffer.from('\n--zz\nContent-Type: text/plain; charset=x-unknown\n\n=?=?==\n--zz')]),
  crlfMix: (b) => Buffer.from(b.toString('latin1').replace(/\n/g, (m, off: number) => (off % 3 === 0 ? '\r\n' : m)), 'latin1'),
  splice: (b, r) => Buffer.concat([b.subarray(0, Math.floor(r() * b.length)), Buffer.from('\nFrom someone@example.org Mon Jan  1 00:00:00 2024\n'), b.subarray(Math.floor(r() * b.length))]),
  idChaos: (b, r) =>
    Buffer.concat([Buffer.from(`Message-ID: <${pickOf(r, ['', '<<>>', 'a b@c', 'x'.repeat(2000), 'dup@fuzz.example'])}>\nReferences: <${'r@x> <'.repeat(Math.floor(r() * 500))}>\n`), b]),
  encodedWords: (b) => Buffer.concat([Buffer.from('Subject: =?utf-8?B?8J+Yg/CfmIM=?= =?iso-8859-1?Q?caf=E9?= =?bogus?X?zz?=\nFrom: =?utf-8?Q?=E2=80=AE?= <"a\\"b"@x>\n'), b]),
};

function randomMessage(r: () => number): Buffer {
  const kind = r();
  if (kind < 0.3) {
    const n = Math.floor(r() * 4096);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
    return b;
  }
  const fields = ['From', 'To', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References', 'Content-Type', 'X-Random', 'Received'];
  const lines: string[] = [];
  for (let i = 0; i < r() * 12; i++) {
    const v = Array.from({ length: Math.floor(r() * 80) }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join('');
    lines.push(`${pickOf(r, fields)}:${r() < 0.8 ? ' ' : ''}${v}`);
  }
  const body = Array.from({ length: Math.floor(r() * 40) }, () => pickOf(r, ['From the start', '>From quoted', 'diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -1 +1 @@', '', 'text', 'Signed-off-by: A <a@b>', '.']));
  return Buffer.from(`${lines.join(r() < 0.5 ? '\n' : '\r\n')}\n\n${body.join('\n')}\n`);
}

/** A message past the limit: headers and a long plain body (no line a mbox would quote). */
function oversized(i: number, bytes: number): Buffer {
  const line = 'an oversized log line 0123456789 0123456789 0123456789 0123456789\n';
  return Buffer.from(`From: Big <big@fuzz.example>\nSubject: oversized ${i}\nMessage-ID: <oversized.${i}@fuzz.example>\n\n${line.repeat(Math.ceil(bytes / line.length))}`);
}

/** Past mailsplit's limits: 1 MiB of one header, or 1,001 parts. */
function overMailsplit(i: number): Buffer {
  if (i % 2 === 0) return Buffer.from(`From: a@fuzz.example\nSubject: huge header ${i}\nMessage-ID: <hdr.${i}@fuzz.example>\nX-Junk: ${'j'.repeat(1100 * 1024)}\n\nbody\n`);
  const parts = Array.from({ length: 1001 }, (_, k) => `--b\nContent-Type: text/plain\n\npart ${k}\n`).join('');
  return Buffer.from(`From: a@fuzz.example\nSubject: many parts ${i}\nMessage-ID: <parts.${i}@fuzz.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n${parts}--b--\n`);
}

export async function fuzzIngest(): Promise<void> {
  const dir = join(OUT, 'fuzz');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = rng(20261207);
  const { label, messages: pool } = seeds();
  const inputs: Buffer[] = [];
  const kinds: Record<string, number> = { random: 0, oversized: 0, overMailsplit: 0, unmutated: 0 };
  for (let i = 0; i < 6; i++) inputs.push(oversized(i, LIMIT + 1 + Math.floor(r() * 3 * LIMIT)));
  kinds['oversized'] = 6;
  for (let i = 0; i < 4; i++) inputs.push(overMailsplit(i));
  kinds['overMailsplit'] = 4;
  const names = Object.keys(MUTATIONS);
  while (inputs.length < TOTAL) {
    const x = r();
    if (x < 0.35 || pool.length === 0) {
      inputs.push(randomMessage(r));
      kinds['random']!++;
    } else if (x < 0.45) {
      inputs.push(pickOf(r, pool));
      kinds['unmutated']!++;
    } else {
      let b = pickOf(r, pool);
      const rounds = 1 + Math.floor(r() * 3);
      for (let k = 0; k < rounds; k++) {
        const name = pickOf(r, names);
        b = (MUTATIONS[name] as Mutation)(b, r);
        kinds[name] = (kinds[name] ?? 0) + 1;
      }
      inputs.push(b);
    }
  }
  // Shuffled, so the extremes land anywhere in the archives.
  for (let i = inputs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [inputs[i], inputs[j]] = [inputs[j] as Buffer, inputs[i] as Buffer];
  }
  const paths: string[] = [];
  const per = Math.ceil(inputs.length / ARCHIVES);
  for (let a = 0; a < ARCHIVES; a++) {
    const body = Buffer.concat(inputs.slice(a * per, (a + 1) * per).map((m) => toMboxrd(m, DEFAULT_ENVELOPE)));
    const path = join(dir, `fuzz-${a}.mboxrd${a === 0 ? '.gz' : ''}`);
    writeFileSync(path, a === 0 ? gzipSync(body) : body);
    paths.push(path);
  }
  console.log(`fuzz: ${inputs.length} inputs from ${label} (${pool.length} seeds) in ${ARCHIVES} archives; kinds ${JSON.stringify(kinds)}`);

  const db = join(dir, 'fuzz.db');
  const run = runCli(['ingest', ...paths, '--db', db, '--max-message-bytes', String(LIMIT)]);
  console.log(`fuzz: ingest exit ${run.status} in ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.maxRssMB?.toFixed(0) ?? '?'} MB`);
  console.log(`fuzz: ${run.stdout.trim()}`);
  if (run.stderr.trim()) console.log(`fuzz: stderr: ${run.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);

  const h = openDb(db, { readonly: true });
  let stored = 0;
  let errored = 0;
  const missing: number[] = [];
  try {
    const inMessages = new Set(contentHashesInOrder(h));
    const errors = listIngestErrors(h, 1e9);
    const inErrors = new Set(errors.map((e) => e.rawHash));
    inputs.forEach((m, i) => {
      // An oversized message is hashed as the file holds it (mboxrd quoting included).
      const quoted = toMboxrd(m, DEFAULT_ENVELOPE).subarray(DEFAULT_ENVELOPE.length + 1, -1);
      const hashes = [sha256(m), sha256(quoted)];
      if (hashes.some((x) => inMessages.has(x))) stored++;
      else if (hashes.some((x) => inErrors.has(x))) errored++;
      else missing.push(i);
    });
    const reasons = new Map<string, number>();
    for (const e of errors) reasons.set(e.reason.replace(/\d+/g, 'N').slice(0, 70), (reasons.get(e.reason.replace(/\d+/g, 'N').slice(0, 70)) ?? 0) + 1);
    console.log(`fuzz: accounted ${stored + errored} of ${inputs.length}: ${stored} in messages, ${errored} in ingest_errors, ${missing.length} unaccounted`);
    console.log(`fuzz: ingest_errors by reason: ${JSON.stringify(Object.fromEntries(reasons))}`);
    if (missing.length > 0) {
      const first = inputs[missing[0] as number] as Buffer;
      console.log(`fuzz: FAIL first unaccounted input #${missing[0]} (${first.length} bytes): ${JSON.stringify(first.toString('latin1', 0, 160))}`);
    }
  } finally {
    closeDb(h);
  }
  if (run.status !== 0 || missing.length > 0) process.exitCode = 1;
}

/**
 * Issue #13's reproducer at full size: a .gz of a few MB holding a 600 MB message between
 * two small ones, with a second archive after it, at the default limit. The run must
 * exit 0, store the other three, record the big one, and stay far below its size in memory.
 */
export async function gzipBomb(): Promise<void> {
  const dir = join(OUT, 'bomb');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'bomb.mbox.gz');
  const gz = createGzip({ level: 9 });
  const file = createWriteStream(path);
  gz.pipe(file);
  const write = async (s: string | Buffer): Promise<void> => {
    if (!gz.write(s)) await once(gz, 'drain');
  };
  await write(toMboxrd(Buffer.from('From: a@x\nSubject: before\nMessage-ID: <before@bomb.example>\n\nsmall\n'), DEFAULT_ENVELOPE));
  await write(`${DEFAULT_ENVELOPE}\nFrom: b@x\nSubject: huge\nMessage-ID: <huge@bomb.example>\n\n`);
  const block = Buffer.alloc(1024 * 1024, 'all work and no play makes a very long log line\n');
  for (let i = 0; i < 600; i++) await write(block);
  await write('\n');
  await write(toMboxrd(Buffer.from('From: c@x\nSubject: after\nMessage-ID: <after@bomb.example>\n\nsmall\n'), DEFAULT_ENVELOPE));
  gz.end();
  await once(file, 'close');
  const other = join(dir, 'other.mbox');
  writeFileSync(other, toMboxrd(Buffer.from('From: d@x\nSubject: other\nMessage-ID: <other@bomb.example>\n\nsmall\n'), DEFAULT_ENVELOPE));
  const run = runCli(['ingest', path, other, '--db', join(dir, 'bomb.db')]);
  const gzMB = (readFileSync(path).length / 1024 / 1024).toFixed(1);
  console.log(`bomb: a ${gzMB} MB .gz holding a 600 MB message, then another archive: exit ${run.status} in ${(run.ms / 1000).toFixed(1)} s, peak RSS ${run.maxRssMB?.toFixed(0) ?? '?'} MB`);
  console.log(`bomb: ${run.stdout.trim()}`);
  if (run.stderr.trim()) console.log(`bomb: stderr: ${run.stderr.trim().slice(0, 300)}`);
  if (run.status !== 0 || !/3 new, 0 duplicate, 1 malformed/.test(run.stdout)) process.exitCode = 1;
}
