// `loregraph diff <message-id> [-v A..B] [--json]`: what changed between two versions of a
// series, in git range-diff's notation (server/series-diff.ts makes it).
import { closeDb, openDb } from '../../db/connection.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { seriesRangeDiff, type RangeDiffView, type RangeSide } from '../../server/series-diff.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, printJson, type Command } from '../command.ts';

// Control characters from a mail never reach the terminal.
// eslint-disable-next-line no-control-regex
const clean = (s: string): string => s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ');

const MARK = { unchanged: '=', changed: '!', added: '>', dropped: '<' } as const;

function formatRangeDiff(d: RangeDiffView): string {
  const out = [`range-diff v${d.from}..v${d.to}: ${clean(d.title)}`];
  const side = (s: RangeSide | null) => (s ? String(s.index) : '-');
  for (const p of d.pairs) {
    const s = p.to ?? p.from;
    const how = p.status === 'changed' ? ' (matched by subject)' : p.status === 'unchanged' ? ' (same patch-id)' : ` (${p.status})`;
    out.push(`${side(p.from).padStart(3)}: ${MARK[p.status]} ${side(p.to).padStart(3)}: ${clean(s?.subject ?? '')}${how} <${s?.messageId ?? ''}>`);
    if (p.interdiff) out.push(...clean(p.interdiff).replace(/\n$/, '').split('\n').map((l) => `      ${l}`));
  }
  return out.join('\n') + '\n';
}

export const command: Command = {
  help: `usage: loregraph diff <message-id> [-v A..B] [--db FILE] [--json]
  A range-diff between two versions of the series the message belongs to (default: the
  newest against the one before): each patch matched by patch-id (=, unchanged) or else by
  subject (!, with the interdiff of its commit message and diff), added (>) and dropped (<).`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, version: { type: 'string', short: 'v' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'diff needs exactly one message-id');
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const d = await seriesRangeDiff(db, normalizeMessageId(positionals[0] as string), values.version);
      if (values.json) printJson(io, d);
      else io.out(formatRangeDiff(d));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
