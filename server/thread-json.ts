// A thread tree as JSON without recursion: replies to replies can chain thousands deep,
// and both JSON.stringify and the schema serializer recurse once per level (a
// 10,000-deep chain overflowed the stack with a 500). Same output as JSON.stringify.
import type { ThreadTreeNode } from '../db/threads.ts';

const FIELDS = ['messageId', 'subject', 'from', 'date', 'ghost', 'copies', 'children'] as const;
// Fails the type-check when ThreadTreeNode gains a field head() does not write.
const covered: [Exclude<keyof ThreadTreeNode, (typeof FIELDS)[number]>] extends [never] ? true : false = true;
void covered;

function head(n: ThreadTreeNode): string {
  return (
    `{"messageId":${JSON.stringify(n.messageId)},"subject":${JSON.stringify(n.subject)},` +
    `"from":${n.from === null ? 'null' : JSON.stringify({ name: n.from.name, address: n.from.address })},` +
    `"date":${JSON.stringify(n.date)},"ghost":${n.ghost},"copies":${n.copies},"children":[`
  );
}

export function threadTreeJson(root: ThreadTreeNode): string {
  const out: string[] = [];
  // Each frame: a node whose children are being written, and the next child to write.
  const stack: { node: ThreadTreeNode; next: number }[] = [{ node: root, next: 0 }];
  out.push(head(root));
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.children.length) {
      const child = top.node.children[top.next]!;
      if (top.next > 0) out.push(',');
      top.next++;
      out.push(head(child));
      stack.push({ node: child, next: 0 });
    } else {
      out.push(']}');
      stack.pop();
    }
  }
  return out.join('');
}
