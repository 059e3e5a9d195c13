// `loregraph series <message-id> [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { getSeries, type SeriesView, type TrailerView } from '../../db/series.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, printJson, type Command } from '../command.ts';

// Control characters from a mail never reach the terminal.
// eslint-disable-next-line no-control-regex
const clean = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ');

function trailerLine(t: TrailerView): string {
  const how = t.followup ? ` (given in <${t.givenIn}>${t.fromCover ? ', for the whole series' : ''}${t.carriedFrom ? `, on <${t.carriedFrom}>: patch-id unchanged` : ''})` : '';
  return `      ${clean(t.name)}: ${clean(t.value)}${how}`;
}

export function formatSeries(s: SeriesView): string {
  const out: string[] = [`series: ${clean(s.title)}`];
  for (const v of s.versions) {
    const flags = [v.superseded ? 'superseded' : 'latest', v.amends ? `amends v${v.amends}` : ''].filter(Boolean).join(', ');
    out.push(`  v${v.version} (${flags}) ${v.date ?? 'no date'} ${v.sender ?? ''}${v.coverMessageId ? ` cover <${v.coverMessageId}>` : ''}`);
    for (const t of v.coverTrailers) out.push(trailerLine(t));
    for (const p of v.patches) {
      const prev = p.previousMessageId ? ` [same as <${p.previousMessageId}> by ${p.match}]` : '';
      out.push(`    ${p.index}. ${clean(p.subject)} <${p.messageId}>${prev}`);
      for (const t of p.trailers) out.push(trailerLine(t));
    }
  }
  return out.join('\n') + '\n';
}

export const command: Command = {
  help: `usage: loregraph series <message-id> [--db FILE] [--json]
  Every version of the series the message belongs to (a cover letter, a patch, or a
  reply that gave trailers): patches per version, superseded flags, and each patch's
  trailers with the message that gave them.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'series needs exactly one message-id');
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const s = getSeries(db, normalizeMessageId(positionals[0] as string));
      if (values.json) printJson(io, s);
      else io.out(formatSeries(s));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
