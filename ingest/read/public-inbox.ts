// public-inbox git archives: a v2 inbox (epochs git/0.git, git/1.git, ... read in
// epoch order) or one bare epoch repository. Commits are walked oldest first along the
// first-parent line of HEAD; each commit adds blob `m` (a message) or `d` (a
// deletion: the deleted message's bytes). v1 repositories (one file per message,
// named by the Message-ID's SHA-1) come out of the same walk: added files are
// messages, removed files deletions.
//
// Two git processes per epoch, whatever its size: `git log --raw` lists the blobs and
// one long-lived `git cat-file --batch` hands them over.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LoregraphError } from '../../domain/errors.ts';
import type { OnMessage } from '../../domain/message.ts';
import { MessageSink, ProgressMeter, type ReadOptions, type ReadSummary } from './sink.ts';
import { messageFromBytes } from './single.ts';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A bare git repository: objects/ and HEAD. */
export function isBareRepository(path: string): boolean {
  return isDir(join(path, 'objects')) && existsSync(join(path, 'HEAD')) && isDir(join(path, 'refs'));
}

/** The epochs of a v2 inbox in order, or [] when `path` is not one. */
export function v2Epochs(path: string): string[] {
  const gitDir = join(path, 'git');
  if (!isDir(gitDir)) return [];
  return readdirSync(gitDir)
    .map((name) => /^(\d+)\.git$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && isBareRepository(join(gitDir, m[0])))
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join('git', m[0]));
}

export function isPublicInbox(path: string): boolean {
  return v2Epochs(path).length > 0 || isBareRepository(path);
}

/** One long-lived `git cat-file --batch`: request a blob, get its bytes. */
class BlobReader {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly it: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private stderr = '';

  constructor(private readonly repo: string) {
    this.proc = spawn('git', ['--git-dir', repo, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.proc.stdin.on('error', () => undefined);
    this.proc.on('error', (e) => (this.stderr += e.message));
    this.it = this.proc.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(): Promise<void> {
    const r = await this.it.next();
    if (r.done) throw new LoregraphError('SOURCE_UNREADABLE', `git cat-file ended early in ${this.repo}: ${this.stderr.trim()}`);
    this.pending = this.pending.length === 0 ? r.value : Buffer.concat([this.pending, r.value]);
  }

  /**
   * Asks for a blob now and answers in request order, so several requests can be in
   * flight: one round trip per message would make a large epoch latency-bound.
   */
  request(sha: string): Promise<Buffer> {
    this.proc.stdin.write(sha + '\n');
    const answer = this.chain.then(() => this.readOne(sha));
    this.chain = answer.then(
      () => undefined,
      () => undefined,
    );
    return answer;
  }

  private chain: Promise<void> = Promise.resolve();

  private async readOne(sha: string): Promise<Buffer> {
    let nl: number;
    while ((nl = this.pending.indexOf(10)) < 0) await this.fill();
    const header = this.pending.toString('latin1', 0, nl);
    const m = /^(\S+) (\S+) (\d+)$/.exec(header);
    if (!m) throw new LoregraphError('SOURCE_UNREADABLE', `${this.repo}: object ${sha}: ${header}`);
    const size = Number(m[3]);
    while (this.pending.length < nl + 1 + size + 1) await this.fill();
    const blob = Buffer.from(this.pending.subarray(nl + 1, nl + 1 + size));
    this.pending = this.pending.subarray(nl + 1 + size + 1);
    return blob;
  }

  close(): void {
    this.proc.stdin.end();
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

/** Blob requests kept in flight ahead of the consumer. */
const READ_AHEAD = 32;

interface Change {
  status: string;
  srcBlob: string;
  dstBlob: string;
  path: string;
}

/** What a commit's changes mean for the archive: messages added and deleted. */
function planCommit(changes: Change[]): { blob: string; deleted: boolean }[] {
  const out: { blob: string; deleted: boolean }[] = [];
  for (const c of changes) {
    const added = c.status === 'A' || c.status === 'M';
    if (c.path === 'm') {
      if (added) out.push({ blob: c.dstBlob, deleted: false });
    } else if (c.path === 'd') {
      if (added) out.push({ blob: c.dstBlob, deleted: true });
    } else if (added) {
      out.push({ blob: c.dstBlob, deleted: false });
    } else if (c.status === 'D') {
      out.push({ blob: c.srcBlob, deleted: true });
    }
  }
  return out;
}

/** false for an epoch with no commits yet; git's own failures (not a repository, unsafe ownership) throw. */
function hasCommits(repo: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const p = spawn('git', ['--git-dir', repo, 'rev-parse', '--verify', '-q', 'HEAD^{commit}'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => {
      if (code === 0) resolve(true);
      else if (code === 1 && stderr.trim() === '') resolve(false);
      else reject(new LoregraphError('SOURCE_UNREADABLE', `cannot read git repository ${repo}: ${stderr.trim() || `git exited with ${code}`}`, { path: repo }));
    });
    p.on('error', (e) => reject(new LoregraphError('SOURCE_UNREADABLE', `cannot run git for ${repo}: ${e.message}`, { path: repo })));
  });
}

async function readEpoch(
  repo: string,
  source: string,
  file: string | undefined,
  sink: MessageSink,
  meter: ProgressMeter,
): Promise<void> {
  if (!(await hasCommits(repo))) return;
  const log = spawn(
    'git',
    ['--git-dir', repo, '-c', 'log.showRoot=true', 'log', '--reverse', '--first-parent', '--raw', '--no-abbrev', '--no-renames', '--format=%H', 'HEAD'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  log.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    log.on('close', (code) => resolve(code));
    log.on('error', (e) => {
      stderr += e.message;
      resolve(-1);
    });
  });
  const blobs = new BlobReader(repo);
  let commit: string | null = null;
  let changes: Change[] = [];
  // Blobs requested ahead of the consumer, oldest first; bounded, so memory stays flat.
  const inFlight: { blob: Promise<Buffer>; deleted: boolean; commit: string }[] = [];
  const emitOldest = async (): Promise<void> => {
    const next = inFlight.shift();
    if (!next) return;
    const bytes = await next.blob;
    meter.add(bytes.length);
    const msg = next.deleted ? { bytes, deleted: true } : messageFromBytes(bytes);
    await sink.emit(msg, { source, offset: 0, commit: next.commit, ...(file !== undefined ? { file } : {}) });
  };
  const flush = async (): Promise<void> => {
    if (commit === null) return;
    for (const { blob, deleted } of planCommit(changes)) {
      const request = blobs.request(blob);
      // If we stop early (abort, consumer error) requests still in flight fail unobserved.
      request.catch(() => undefined);
      inFlight.push({ blob: request, deleted, commit });
      if (inFlight.length >= READ_AHEAD) await emitOldest();
    }
    changes = [];
  };
  try {
    const lines = createInterface({ input: log.stdout, crlfDelay: Infinity });
    for await (const line of lines) {
      if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(line)) {
        await flush();
        commit = line;
      } else if (line.startsWith(':')) {
        const m = /^:\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*\t(.*)$/.exec(line);
        if (m) changes.push({ srcBlob: m[1] ?? '', dstBlob: m[2] ?? '', status: m[3] ?? '', path: m[4] ?? '' });
      }
    }
    await flush();
    while (inFlight.length > 0) await emitOldest();
    const code = await exited;
    if (code !== 0) throw new LoregraphError('SOURCE_UNREADABLE', `git log failed in ${repo}: ${stderr.trim()}`, { path: repo });
  } finally {
    blobs.close();
    if (log.exitCode === null) log.kill();
  }
}

/** Reads a v2 inbox directory or one bare epoch repository. */
export async function readPublicInbox(path: string, onMessage: OnMessage, opts: ReadOptions = {}): Promise<ReadSummary> {
  const sink = new MessageSink(onMessage, opts.signal, opts.maxMessageBytes);
  const meter = new ProgressMeter(opts.onProgress, null);
  const epochs = v2Epochs(path);
  if (epochs.length > 0) {
    for (const epoch of epochs) await readEpoch(join(path, epoch), path, epoch, sink, meter);
  } else if (isBareRepository(path)) {
    await readEpoch(path, path, undefined, sink, meter);
  } else {
    throw new LoregraphError('SOURCE_UNREADABLE', `${path} is neither a public-inbox v2 directory (git/N.git) nor a bare git repository`, { path });
  }
  meter.done();
  return { messages: sink.messages, bytes: sink.bytes, kind: 'public-inbox', skipped: [] };
}
