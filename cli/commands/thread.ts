// `loregraph thread <message-id> [--db FILE] [--json]`
import { closeDb, openDb } from '../../db/connection.ts';
import { getThreadTree, type ThreadTreeNode } from '../../db/threads.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, normalizeMessageId, parseCommandArgs, type Command } from '../command.ts';

/** Indented text tree, two spaces per level (the depth is written out past MAX_INDENT_DEPTH); iterative because threads can be very deep. */
export function formatTree(root: ThreadTreeNode): string {
  const lines: string[] = [];
  const stack: [ThreadTreeNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [n, depth] = stack.pop() as [ThreadTreeNode, number];
    const pad = depth <= MAX_INDENT_DEPTH ? '  '.repeat(depth) : `${'  '.repeat(MAX_INDENT_DEPTH)}[depth ${depth}] `;
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

/** Beyond this depth indentation stops growing: a deep chain's output stays linear in size. */
export const MAX_INDENT_DEPTH = 64;

/**
 * The same text as JSON.stringify(tree, null, 2) for the first 16 levels (deeper levels
 * keep that indentation, still valid JSON), written with an explicit stack: a
 * 10,000-deep reply chain overflows the recursive serializer.
 */
export function treeToJson(root: ThreadTreeNode): string {
  const out: string[] = [];
  const stack: (string | [ThreadTreeNode, number])[] = [[root, 0]];
  while (stack.length > 0) {
    const item = stack.pop() as string | [ThreadTreeNode, number];
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const [n, depth] = item;
    // JSON nests two levels per tree level; 16 tree levels of indentation is plenty to read
    const pad = '  '.repeat(Math.min(depth, 32));
    const field = (k: string, v: unknown) => `${pad}  ${JSON.stringify(k)}: ${JSON.stringify(v, null, 2).replace(/\n/g, `\n${pad}  `)},\n`;
    out.push(`{\n${field('messageId', n.messageId)}${field('subject', n.subject)}${field('from', n.from)}${field('date', n.date)}${field('ghost', n.ghost)}${field('copies', n.copies)}`);
    if (n.children.length === 0) {
      out.push(`${pad}  "children": []\n${pad}}`);
      continue;
    }
    out.push(`${pad}  "children": [\n`);
    const tail: (string | [ThreadTreeNode, number])[] = [];
    n.children.forEach((c, i) => {
      tail.push(`${pad}    `, [c, depth + 2], i < n.children.length - 1 ? ',\n' : '\n');
    });
    tail.push(`${pad}  ]\n${pad}}`);
    for (let i = tail.length - 1; i >= 0; i--) stack.push(tail[i] as string | [ThreadTreeNode, number]);
  }
  return out.join('') + '\n';
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
      if (values.json) io.out(treeToJson(tree));
      else io.out(formatTree(tree));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
