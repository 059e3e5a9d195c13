// `loregraph search QUERY [--json | --mbox | --ids] [--limit N] [--threads]`: lore's query
// language (as the API speaks it, server/search.ts) on the command line, written so the
// results pipe into git am, mutt or jq.
import { closeDb, openDb, type Db } from '../../db/connection.ts';
import { rawCopies } from '../../db/messages.ts';
import { threadMessageIds } from '../../db/threads.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { toMboxrd } from '../../ingest/read/mboxrd-write.ts';
import { MAX_LIMIT, searchMessages, type SearchHit } from '../../server/search.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type CliIO, type Command } from '../command.ts';
import { clean } from '../race-format.ts';

const MAX_CLI_LIMIT = 10_000;

/** Up to `limit` hits, fetched a page (the API's largest) at a time. */
function searchAll(db: Db, query: string, limit: number, threads: boolean, sort: 'relevance' | 'date'): { total: number; totalExact: boolean; hits: SearchHit[] } {
  const hits: SearchHit[] = [];
  let total = 0;
  let totalExact = true;
  while (hits.length < limit) {
    const want = Math.min(MAX_LIMIT, limit - hits.length);
    const r = searchMessages(db, query, { offset: hits.length, limit: want, threads, sort });
    total = r.total;
    totalExact = r.totalExact;
    hits.push(...r.hits);
    // a short page is the last; a total the search stopped counting at (totalExact false) is no end
    if (r.hits.length < want || (r.totalExact && hits.length >= r.total)) break;
  }
  return { total, totalExact, hits };
}

/** The Message-IDs to write: the hits, or with `threads` every message of their threads. */
function idsToWrite(db: Db, hits: readonly SearchHit[], threads: boolean): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const h of hits) {
    for (const id of threads ? threadMessageIds(db, h.threadId) : [h.messageId]) {
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

function writeMbox(db: Db, io: CliIO, ids: readonly string[]): void {
  for (const c of rawCopies(db, ids)) io.writeBytes(c.envelope ? toMboxrd(c.bytes, c.envelope) : toMboxrd(c.bytes));
}

export function formatHit(h: SearchHit): string {
  const from = h.from ? h.from.name || h.from.address : '';
  return `${h.date?.slice(0, 10) ?? 'undated   '}  ${clean(from).slice(0, 24).padEnd(24)}  ${clean(h.subject)}  <${h.messageId}>`;
}

export const command: Command = {
  help: `usage: loregraph search QUERY [--json | --mbox | --ids] [--limit N] [--threads] [--sort relevance|date] [--db FILE]
  Searches with lore's query language (s: f: b: dfn: d: rt: m: ... as /api/search does).
    --json      the hits as JSON (subject, from, date, thread, snippet)
    --mbox      the matching messages as mboxrd, byte-exact (pipe to git am, mutt -f -)
    --ids       one Message-ID a line
    --threads   one hit per thread; with --mbox/--ids every message of those threads
    --limit N   at most N hits (default 20, at most ${MAX_CLI_LIMIT})`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      db: { type: 'string' },
      json: { type: 'boolean' },
      mbox: { type: 'boolean' },
      ids: { type: 'boolean' },
      limit: { type: 'string' },
      threads: { type: 'boolean' },
      sort: { type: 'string' },
    });
    if (positionals.length === 0) throw new LoregraphError('USAGE', 'search needs a query');
    const query = positionals.join(' ');
    if ([values.json, values.mbox, values.ids].filter(Boolean).length > 1) throw new LoregraphError('USAGE', 'choose one of --json, --mbox, --ids');
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLI_LIMIT) throw new LoregraphError('USAGE', `--limit must be an integer from 1 to ${MAX_CLI_LIMIT}`);
    const sort = values.sort ?? 'relevance';
    if (sort !== 'relevance' && sort !== 'date') throw new LoregraphError('USAGE', `--sort is relevance or date, not '${sort}'`);
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const threads = values.threads ?? false;
      const r = searchAll(db, query, limit, threads, sort);
      if (values.json) printJson(io, r);
      else if (values.ids) io.out(idsToWrite(db, r.hits, threads).map((id) => `${id}\n`).join(''));
      else if (values.mbox) writeMbox(db, io, idsToWrite(db, r.hits, threads));
      else {
        io.out(r.hits.map((h) => formatHit(h) + '\n').join(''));
        io.err(`${r.hits.length} shown of ${r.totalExact ? '' : 'more than '}${r.total} ${threads ? 'threads' : 'messages'}\n`);
      }
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
