// `loregraph am <message-id> [-v N] [-o DIR] [--add-link] ...`: one version of a series
// as an mbox `git am` applies, trailers from the review folded in as b4 does, and a
// report of what was added and from which mail (domain/patch/am.ts makes it; this reads
// the store and writes the files).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeDb, openDb } from '../../db/connection.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { buildAm, DEFAULT_AM_OPTIONS, type AmOptions, type AmResult, type ReportedTrailer } from '../../domain/patch/am.ts';
import { parseSubject } from '../../domain/patch/subject.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, printJson, type CliIO, type Command } from '../command.ts';
import { seriesMails, type SeriesMails } from '../../db/series-mails.ts';
import { clean } from '../race-format.ts';

/** git's user.name and user.email, as b4 takes them for "your own Signed-off-by". */
function gitIdentity(): string | null {
  try {
    const get = (key: string) => execFileSync('git', ['config', '--get', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const name = get('user.name');
    const email = get('user.email');
    return email ? `${name} <${email}>` : null;
  } catch {
    return null;
  }
}

/** "v3_20240130_fix_the_thing": a file name that sorts by version and says what it is. */
function slugOf(s: SeriesMails): string {
  const first = s.input.cover ?? s.input.patches[0]?.mail;
  const title = parseSubject(first?.subject ?? s.version.title).normalizedSubject || 'series';
  const date = s.version.date ? s.version.date.slice(0, 10).replace(/-/g, '') : 'undated';
  const words = title.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `v${s.version.version}_${date}_${words}`.slice(0, 100);
}

function sourceText(t: ReportedTrailer): string {
  switch (t.source) {
    case 'reply':
      return `from <${t.givenIn}>`;
    case 'cover':
      return `from <${t.givenIn}>, on the cover letter`;
    case 'earlier-version':
      return `from <${t.givenIn}>, on <${t.via}> of an earlier version, patch-id unchanged`;
    default:
      return 'added';
  }
}

function formatAmReport(s: SeriesMails, r: AmResult, files: string[]): string {
  const v = s.version;
  const out = [`v${v.version} ${clean(s.series.title)}: ${r.patches.length} of ${s.input.total} patches${s.input.cover ? ', cover letter' : ''}`];
  for (const p of r.patches) {
    out.push(`  [${p.index}/${s.input.total}] ${clean(p.subject)}`);
    for (const t of p.added) out.push(`    + ${clean(t.trailer)} (${clean(sourceText(t))})`);
    for (const t of p.ignored) out.push(`    x ${clean(t.trailer)} (${clean(sourceText(t))}, ignored)`);
  }
  const missing = s.input.total - r.patches.length;
  if (missing > 0) out.push(`  WARNING: ${missing} patch(es) of v${v.version} are not in the store; git am gets the ones that are`);
  if (r.refused.length > 0) {
    out.push('  refused (the trailer names someone other than the reply\'s sender; --sloppy-trailers takes them):');
    for (const x of r.refused) out.push(`    - ${clean(x.trailer)} in <${x.givenIn}> from ${clean(x.sender)}`);
  }
  for (const f of files) out.push(`  wrote ${f}`);
  return out.join('\n') + '\n';
}

function amOptionsFrom(values: {
  'add-link'?: boolean;
  'add-my-sob'?: boolean;
  identity?: string;
  'copy-ccs'?: boolean;
  'no-trailers'?: boolean;
  'sloppy-trailers'?: boolean;
  'trailer-order'?: string;
  'ignore-trailers-from'?: string[];
  'link-mask'?: string;
}): AmOptions {
  const identity = values.identity ?? gitIdentity();
  if (values['add-my-sob'] && !identity) throw new LoregraphError('USAGE', '--add-my-sob needs --identity "Name <address>" or git config user.name/user.email');
  return {
    ...DEFAULT_AM_OPTIONS,
    addTrailers: !values['no-trailers'],
    identity,
    addMySob: values['add-my-sob'] ?? false,
    addLink: values['add-link'] ?? false,
    linkMask: values['link-mask'] ?? DEFAULT_AM_OPTIONS.linkMask,
    copyCcs: values['copy-ccs'] ?? false,
    trailerOrder: values['trailer-order'] ?? '*',
    sloppy: values['sloppy-trailers'] ?? false,
    ignoreFrom: values['ignore-trailers-from'] ?? [],
  };
}

function write(io: CliIO, outdir: string, s: SeriesMails, r: AmResult): string[] {
  if (outdir === '-') {
    io.writeBytes(Buffer.from(r.mbox, 'utf8'));
    return [];
  }
  mkdirSync(outdir, { recursive: true });
  const slug = slugOf(s);
  const mbx = join(outdir, `${slug}.mbx`);
  writeFileSync(mbx, r.mbox);
  const files = [mbx];
  if (r.cover !== null) {
    const cover = join(outdir, `${slug}.cover`);
    writeFileSync(cover, r.cover);
    files.push(cover);
  }
  return files;
}

export const command: Command = {
  help: `usage: loregraph am <message-id> [-v N] [-o DIR|-] [--add-link] [--db FILE] [options]
  One version of the series the message belongs to (newest unless -v N), as an mbox that
  'git am' applies: patches in order, the cover letter written beside it (DIR/<slug>.cover),
  trailers from the review folded in as b4 does (replies, the cover letter for every patch,
  earlier versions when the patch-id is unchanged), with a report on stderr of each trailer
  added and the mail it came from. -o - writes the mbox to stdout (default: DIR is .).
    -l, --add-link             add "Link: https://patch.msgid.link/<message-id>" (b4 -l)
    -s, --add-my-sob           add your Signed-off-by (from --identity or git config)
    --identity "Name <addr>"   who you are (default: git config user.name/user.email)
    --copy-ccs                 the patch mail's To:/Cc: as Cc: trailers
    --no-trailers              the patches as sent, nothing folded in
    -S, --sloppy-trailers      accept trailers naming someone other than the reply's sender
    --trailer-order LIST       e.g. "Cc,Tested*,Reviewed*,*" (within your chain of custody)
    --ignore-trailers-from A   leave out trailers from this address (repeatable)
    --link-mask MASK           the link trailer, e.g. "Message-ID: <%s>"
    --json                     the report as JSON on stdout (files still written)`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      db: { type: 'string' },
      version: { type: 'string', short: 'v' },
      outdir: { type: 'string', short: 'o' },
      'add-link': { type: 'boolean', short: 'l' },
      'add-my-sob': { type: 'boolean', short: 's' },
      identity: { type: 'string' },
      'copy-ccs': { type: 'boolean' },
      'no-trailers': { type: 'boolean' },
      'sloppy-trailers': { type: 'boolean', short: 'S' },
      'trailer-order': { type: 'string' },
      'ignore-trailers-from': { type: 'string', multiple: true },
      'link-mask': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'am needs exactly one message-id');
    if (values.json && values.outdir === '-') throw new LoregraphError('USAGE', '--json prints the report on stdout; it cannot share stdout with -o -');
    const opts = amOptionsFrom(values);
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const s = seriesMails(db, normalizeMessageId(positionals[0] as string), values.version);
      if (s.input.patches.length === 0) throw new LoregraphError('NOT_FOUND', `no patch of v${s.version.version} is in the store`);
      const r = buildAm(s.input, opts);
      const files = write(io, values.outdir ?? '.', s, r);
      if (values.json) printJson(io, { version: s.version.version, title: s.series.title, files, patches: r.patches, refused: r.refused });
      else io.err(formatAmReport(s, r, files));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
