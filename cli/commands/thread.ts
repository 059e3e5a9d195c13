// `loregraph thread <message-id> [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { getThreadTree, type ThreadTreeNode } from '../../db/threads.ts';
import { LoregraphError } from '../../errors.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, printJson, type Command } from '../command.ts';

/** Indented text tree, two spaces per level; iterative because threads can be very deep. */
export function formatTree(root: ThreadTreeNode): string {
  const lines: string[] = [];
  const stack: [ThreadTreeNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [n, depth] = stack.pop() as [ThreadTreeNode, number];
    const pad = '  '.repeat(depth);
    if (n.ghost) lines.push(`${pad}[not in archive] <${n.messageId}>`);
    else {
      const from = n.from ? (n.from.name || n.from.address) : 'unknown sender';
      const date = n.date ? n.date.slice(0, 16).replace('T', ' ') : 'no date';
      const copies = n.copies > 1 ? ` (${n.copies} copies)` : '';
      // control characters from a mail never reach the terminal
      // eslint-disable-next-line no-control-regex
      const subject = n.subject.replace(/[\x00-\x1f\x7f]/g, ' ');
      lines.push(`${pad}${subject || '(no subject)'} — ${from}, ${date} <${n.messageId}>${copies}`);
    }
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i] as ThreadTreeNode, depth + 1]);
  }
  return lines.join('\n') + '\n';
}

export const command: Command = {
  help: `usage: loregraph thread <message-id> [--db FILE] [--json]
  The whole thread containing the message, as an indented tree (or JSON: each node
  {messageId, subject, from, date, ghost, copies, children}). Angle brackets optional.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'thread needs exactly one message-id');
    const id = normalizeMessageId(positionals[0] as string);
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const tree = getThreadTree(db, id);
      if (!tree) throw new LoregraphError('NOT_FOUND', `no message <${id}> in ${db.path}`);
      if (values.json) printJson(io, tree);
      else io.out(formatTree(tree));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
