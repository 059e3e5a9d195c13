// A directory of mail, walked recursively in a stable order (entries sorted by name,
// byte-wise, at every level): mbox files, single messages (.eml, .patch, maildir
// entries, saved pages), .gz of either, maildirs (cur/ and new/ read, tmp/ ignored:
// a delivery in progress) and public-inbox repositories found inside. Content decides
// what a file is; files that do not look like mail (READMEs, notes) are skipped and
// listed in the summary rather than stored as messages. Hidden entries are skipped.
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isLoregraphError } from '../../domain/errors.ts';
import type { OnMessage } from '../../domain/message.ts';
import { unreadable } from './chunks.ts';
import { readFileSource } from './file.ts';
import type { MboxFormat } from './mbox-splitter.ts';
import { isPublicInbox, readPublicInbox } from './public-inbox.ts';
import { MessageSink, ProgressMeter, type ReadOptions, type ReadSummary, type SkippedEntry } from './sink.ts';

/** Extensions that are mail whatever their content looks like. */
const MAIL_EXTENSIONS = /\.(eml|mbox|mboxrd|mbx|mail|msg|patch)(\.gz)?$/i;

type Entry = { kind: 'file'; path: string; size: number; mail: boolean } | { kind: 'public-inbox'; path: string };

function byName(a: Dirent, b: Dirent): number {
  return Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
}

function isMaildir(dir: string, names: Set<string>): boolean {
  return names.has('cur') && names.has('new') && statSync(join(dir, 'cur')).isDirectory();
}

/** Every entry to read under `dir`, in reading order. */
export function listDirectory(dir: string, skipped: SkippedEntry[] = [], root = dir, inMaildir = false, seen = new Set<string>()): Entry[] {
  let dirents: Dirent[];
  try {
    // Symlinked directories are followed once: a link back up the tree must not loop.
    const real = realpathSync(dir);
    if (seen.has(real)) return [];
    seen.add(real);
    dirents = readdirSync(dir, { withFileTypes: true }).sort(byName);
  } catch (e) {
    throw unreadable(dir, e);
  }
  const maildir = isMaildir(dir, new Set(dirents.map((d) => d.name)));
  const out: Entry[] = [];
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue;
    const path = join(dir, d.name);
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      skipped.push({ file: relative(root, path), reason: `unreadable: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    if (st.isDirectory()) {
      if (maildir && d.name === 'tmp') continue;
      if (isPublicInbox(path)) out.push({ kind: 'public-inbox', path });
      else {
        try {
          out.push(...listDirectory(path, skipped, root, maildir && (d.name === 'cur' || d.name === 'new'), seen));
        } catch (e) {
          skipped.push({ file: relative(root, path), reason: e instanceof Error ? e.message : String(e) });
        }
      }
    } else if (st.isFile()) {
      out.push({ kind: 'file', path, size: st.size, mail: inMaildir || MAIL_EXTENSIONS.test(d.name) });
    }
  }
  return out;
}

export async function readDirectory(dir: string, onMessage: OnMessage, opts: ReadOptions = {}): Promise<ReadSummary> {
  const skipped: SkippedEntry[] = [];
  const entries = listDirectory(dir, skipped);
  const total = entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0);
  const sink = new MessageSink(onMessage, opts.signal, opts.maxMessageBytes);
  const meter = new ProgressMeter(opts.onProgress, total);
  let mboxFormat: MboxFormat | undefined;
  for (const entry of entries) {
    sink.checkAborted();
    const file = relative(dir, entry.path).split(sep).join('/');
    if (entry.kind === 'public-inbox') {
      // Positions name the directory as source and the repository as file.
      await readPublicInbox(entry.path, (m) => sink.emit(m, { ...m.position, source: dir, file: join(file, m.position.file ?? '') }), {
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      continue;
    }
    const outcome = await readFileSource(entry.path, sink, { source: dir, file }, {
      requireMail: !entry.mail,
      onRead: (n) => meter.add(n),
      ...(opts.mboxFormat ? { mboxFormat: opts.mboxFormat } : {}),
    }).catch((e: unknown) => {
      // One bad file must not stop a directory: it is reported, the rest is read.
      // Aborts and the consumer's own failures still stop everything.
      if (sink.consumerFailed || opts.signal?.aborted || !isLoregraphError(e) || (e.code !== 'BAD_INPUT' && e.code !== 'SOURCE_UNREADABLE')) throw e;
      skipped.push({ file, reason: e instanceof Error ? e.message : String(e) });
      return null;
    });
    if (outcome?.kind === 'skipped') skipped.push({ file, reason: outcome.reason });
    if (outcome?.kind === 'mbox' && mboxFormat === undefined) mboxFormat = outcome.mboxFormat;
  }
  meter.done();
  const summary: ReadSummary = { messages: sink.messages, bytes: sink.bytes, kind: 'directory', skipped };
  if (mboxFormat) summary.mboxFormat = mboxFormat;
  return summary;
}
