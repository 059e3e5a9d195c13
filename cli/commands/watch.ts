// `loregraph watch add NAME QUERY | list | up [NAME] [--mbox FILE | --maildir DIR] | rm NAME`:
// saved searches that update, as lei's `up` does. Each run delivers only what arrived
// since the last one (db/watches.ts keeps how far each got), printed or written to an
// mbox (appended) or a Maildir.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../../db/connection.ts';
import { rawCopies } from '../../db/messages.ts';
import { addWatch, getWatch, listWatches, markWatchRead, newestRow, removeWatch, type Watch } from '../../db/watches.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { toMboxrd } from '../../ingest/read/mboxrd-write.ts';
import { checkWatchQuery, watchMatches, type WatchMatch } from '../../server/watch-search.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type CliIO, type Command } from '../command.ts';
import { formatHit } from './search.ts';

/** Most messages one run delivers per saved search; the rest come with the next run. */
const MAX_PER_RUN = 10_000;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The exact stored bytes of these rows (a duplicate Message-ID's other copy is another row, delivered on its own). */
function rawOf(db: Db, matches: readonly WatchMatch[]): Buffer[] {
  const want = new Set(matches.map((m) => m.rowId));
  return rawCopies(db, [...new Set(matches.map((m) => m.messageId))])
    .filter((c) => want.has(c.rowId))
    .sort((a, b) => a.rowId - b.rowId)
    .map((c) => c.bytes);
}

function writeMaildir(dir: string, messages: readonly Buffer[]): void {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true });
  for (const bytes of messages) {
    // the Maildir spec's unique name; written to tmp/ first so a reader never sees half a message
    const name = `${Date.now()}.${process.pid}_${randomBytes(6).toString('hex')}.${hostname().replace(/[/:]/g, '_')}`;
    writeFileSync(join(dir, 'tmp', name), bytes);
    renameSync(join(dir, 'tmp', name), join(dir, 'new', name));
  }
}

interface UpResult {
  watch: Watch;
  matches: WatchMatch[];
  /** The row this run read up to: the next run starts after it. */
  readTo: number;
}

function up(db: Db, w: Watch, now: number): UpResult {
  const upTo = newestRow(db);
  const matches = watchMatches(db, w.query, w.seenRow, upTo, MAX_PER_RUN, now);
  // a capped run resumes after the last row it delivered
  const readTo = matches.length >= MAX_PER_RUN ? (matches[matches.length - 1]?.rowId ?? upTo) : upTo;
  return { watch: w, matches, readTo };
}

// the line `loregraph search` prints for a hit
function line(m: WatchMatch): string {
  return `  ${formatHit({ ...m, date: m.date === null ? null : new Date(m.date).toISOString(), threadId: '', snippet: [] })}`;
}

function deliver(db: Db, io: CliIO, r: UpResult, out: { mbox?: string; maildir?: string; json?: boolean }): void {
  if (out.mbox) {
    for (const b of rawOf(db, r.matches)) appendFileSync(out.mbox, toMboxrd(b));
  } else if (out.maildir) writeMaildir(out.maildir, rawOf(db, r.matches));
  if (out.json) return;
  const where = out.mbox ? ` -> ${out.mbox}` : out.maildir ? ` -> ${out.maildir}` : '';
  io.out(`${r.watch.name}: ${r.matches.length} new${where}\n`);
  if (!out.mbox && !out.maildir) for (const m of r.matches) io.out(line(m) + '\n');
}

export const command: Command = {
  help: `usage: loregraph watch add NAME QUERY | list | up [NAME] [--mbox FILE | --maildir DIR] [--json] | rm NAME   [--db FILE]
  Saved searches that update (lei's up). 'up' delivers only the messages that arrived
  since the last 'up' of that search (all of them the first time): printed, appended to
  an mbox, or written to a Maildir (new/). The API serves each one as an Atom feed at
  /api/watches/NAME/feed.atom and what is new since the last run at /api/watches/NAME/new.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      db: { type: 'string' },
      mbox: { type: 'string' },
      maildir: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [verb, ...rest] = positionals;
    const now = Date.now();
    if (values.mbox && values.maildir) throw new LoregraphError('USAGE', 'choose one of --mbox and --maildir');
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: verb === 'list' });
    try {
      switch (verb) {
        case 'add': {
          const [name, ...words] = rest;
          if (!name || words.length === 0) throw new LoregraphError('USAGE', 'watch add needs a NAME and a QUERY');
          if (!NAME_RE.test(name)) throw new LoregraphError('USAGE', `a saved search's name is letters, digits, '.', '_' and '-' (up to 64), not '${name}'`);
          const query = words.join(' ');
          checkWatchQuery(query, now);
          const w = addWatch(db, name, query, now);
          if (values.json) printJson(io, w);
          else io.out(`saved '${w.name}': ${w.query}\n`);
          return 0;
        }
        case 'list': {
          const ws = listWatches(db);
          if (values.json) printJson(io, ws);
          else for (const w of ws) io.out(`${w.name}\t${w.lastRunAt === null ? 'never run' : `last up ${new Date(w.lastRunAt).toISOString()}`}\t${w.query}\n`);
          return 0;
        }
        case 'rm': {
          if (rest.length !== 1) throw new LoregraphError('USAGE', 'watch rm needs one NAME');
          removeWatch(db, rest[0] as string);
          return 0;
        }
        case 'up': {
          if (rest.length > 1) throw new LoregraphError('USAGE', 'watch up takes at most one NAME');
          const ws = rest[0] ? [getWatch(db, rest[0])] : listWatches(db);
          const results: UpResult[] = [];
          for (const w of ws) {
            const r = up(db, w, now);
            deliver(db, io, r, { mbox: values.mbox, maildir: values.maildir, json: values.json });
            // marked only once delivered: a failed write leaves them for the next run
            markWatchRead(db, w.name, r.readTo, now);
            results.push(r);
          }
          if (values.json) printJson(io, results.map((r) => ({ name: r.watch.name, query: r.watch.query, new: r.matches })));
          return 0;
        }
        default:
          throw new LoregraphError('USAGE', `watch needs add, list, up or rm${verb ? `, not '${verb}'` : ''}`);
      }
    } finally {
      closeDb(db);
    }
  },
};
