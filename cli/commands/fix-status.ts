// `loregraph fix-status <sha-or-message-id> [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { getFixStatus, type FixStatus } from '../../db/stable.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, printJson, type Command } from '../command.ts';

// eslint-disable-next-line no-control-regex
const clean = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ');

export function formatFixStatus(f: FixStatus): string {
  const out = [`fix: ${clean(f.fix.title)}`];
  if (f.fix.upstreamCommit) out.push(`commit: ${f.fix.upstreamCommit}`);
  if (f.fix.author) out.push(`author: ${clean(f.fix.author.name ?? '')} <${f.fix.author.email ?? ''}>`);
  if (f.fix.patchMessageId) out.push(`patch mail: <${f.fix.patchMessageId}> (matched by ${f.fix.patchMatch})`);
  for (const [branch, st] of Object.entries(f.branches)) {
    const extra = [st.rc, st.version].filter(Boolean).join(' ');
    out.push(`  ${branch.padEnd(6)} ${st.status}${extra ? ` (${extra})` : ''}  ${st.evidence.map((e) => `<${e}>`).join(' ')}`);
  }
  return out.join('\n') + '\n';
}

export const command: Command = {
  help: `usage: loregraph fix-status <sha-or-message-id> [--db FILE] [--json]
  The status of an upstream fix on each stable branch (wanted, autosel, failed-to-apply,
  not-needed, backport-posted, queued, in-review, released), each with the messages that
  justify it. Accepts the upstream commit (7+ hex digits) or the message-id of any mail
  about the fix.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'fix-status needs exactly one commit or message-id');
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const f = getFixStatus(db, normalizeMessageId(positionals[0] as string));
      if (values.json) printJson(io, f);
      else io.out(formatFixStatus(f));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
