// A thread as an mboxrd download, produced one message at a time so a thread of any
// size streams in constant memory. Order is by date (then storage order), as lore's
// t.mbox.gz is; every stored copy of each Message-ID is included.
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import type { Db } from '../db/connection.ts';
import { rawCopies } from '../db/messages.ts';
import type { ThreadTreeNode } from '../db/threads.ts';
import { DEFAULT_ENVELOPE, isEnvelopeLine } from '../ingest/read/envelope.ts';
import { toMboxrd } from '../ingest/read/mboxrd-write.ts';
import { coalesce } from './coalesce.ts';

/** Non-ghost Message-IDs of a thread tree, oldest first (undated last), ties by id. */
export function messageIdsByDate(tree: ThreadTreeNode): string[] {
  const found: { id: string; date: string | null }[] = [];
  const stack = [tree];
  while (stack.length > 0) {
    const n = stack.pop() as ThreadTreeNode;
    if (!n.ghost) found.push({ id: n.messageId, date: n.date });
    for (const c of n.children) stack.push(c);
  }
  return idsByDate(found);
}

/** Ids oldest first (undated last), ties by id: the order an mbox download lists. */
export function idsByDate(found: readonly { id: string; date: string | null }[]): string[] {
  const sorted = [...found].sort((a, b) => {
    if (a.date !== b.date) {
      if (a.date === null) return 1;
      if (b.date === null) return -1;
      return a.date < b.date ? -1 : 1;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return sorted.map((f) => f.id);
}

const GZIP_LEVEL = 3;

/** Ids read per query: few enough to keep memory flat, enough to amortise the query. */
const BATCH = 32;

/**
 * mboxrd entries for the given ids (already in date order), read in small batches.
 * rawCopies orders a batch by date then storage order, which keeps the callers' order.
 */
export function* mboxrdEntries(db: Db, messageIds: readonly string[]): Generator<Buffer> {
  for (let i = 0; i < messageIds.length; i += BATCH) {
    for (const copy of rawCopies(db, messageIds.slice(i, i + BATCH))) {
      // An envelope the reader kept is reused; one we could not write back safely is replaced.
      const envelope = copy.envelope && isEnvelopeLine(copy.envelope) && !/[\r\n]/.test(copy.envelope) ? copy.envelope : DEFAULT_ENVELOPE;
      yield toMboxrd(copy.bytes, envelope);
    }
  }
}

/**
 * The first `limit` bytes of the chunks as one buffer when that is all of them, or a
 * stream of everything (the bytes already read included) when there are more. Small
 * threads, the common case, then go out with a Content-Length in one write.
 */
export function bufferOrStream(chunks: Iterable<Buffer>, limit: number): Buffer | Readable {
  const it = chunks[Symbol.iterator]();
  const head: Buffer[] = [];
  let bytes = 0;
  for (;;) {
    const n = it.next();
    if (n.done) return Buffer.concat(head, bytes);
    head.push(n.value);
    bytes += n.value.length;
    if (bytes > limit) break;
  }
  function* rest(): Generator<Buffer> {
    yield* head;
    for (let n = it.next(); !n.done; n = it.next()) yield n.value;
  }
  return Readable.from(coalesce(rest()), { objectMode: false });
}

/**
 * The thread's mboxrd bytes, optionally gzipped: a buffer for small threads (a stream
 * costs more per request than it saves there), a stream for big ones.
 */
export function mboxBody(db: Db, messageIds: readonly string[], gzip: boolean, bufferUpTo: number): Buffer | Readable {
  const body = bufferOrStream(mboxrdEntries(db, messageIds), bufferUpTo);
  if (!gzip) return body;
  // Level 3: on mbox text about a third faster than the default 6 for 10% larger output.
  return Buffer.isBuffer(body) ? gzipSync(body, { level: GZIP_LEVEL }) : body.pipe(createGzip({ level: GZIP_LEVEL }));
}
