import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ThreadTreeNode } from '../db/threads.ts';
import { threadTreeJson } from '../server/thread-json.ts';

const node = (id: string, children: ThreadTreeNode[] = []): ThreadTreeNode => ({
  messageId: id,
  subject: `re: "${id}" \\ \u2028`,
  from: id.length % 2 ? { name: 'A "q"', address: 'a@x' } : null,
  date: id.length % 3 ? '2024-01-01T00:00:00.000Z' : null,
  ghost: id.length % 5 === 0,
  copies: id.length % 4,
  children,
});

// Any tree shape: node i (i > 0) hangs under a random earlier node.
const tree: fc.Arbitrary<ThreadTreeNode> = fc
  .array(fc.tuple(fc.string({ maxLength: 12 }), fc.nat()), { minLength: 1, maxLength: 60 })
  .map((specs) => {
    const nodes = specs.map(([id]) => node(id));
    specs.forEach(([, p], i) => {
      if (i > 0) nodes[p % i]!.children.push(nodes[i]!);
    });
    return nodes[0]!;
  });

describe('thread tree JSON', () => {
  it('writes exactly what JSON.stringify writes', () => {
    fc.assert(
      fc.property(tree, (t) => {
        expect(threadTreeJson(t)).toBe(JSON.stringify(t));
      }),
      { numRuns: 300 },
    );
  });

  it('writes a reply chain 50,000 deep without overflowing the stack', () => {
    const root = node('r');
    let cur = root;
    for (let i = 0; i < 50_000; i++) {
      const c = node(`m${i}`);
      cur.children.push(c);
      cur = c;
    }
    const json = threadTreeJson(root);
    expect(json.startsWith('{"messageId":"r"')).toBe(true);
    expect(json.endsWith(']}'.repeat(50_001))).toBe(true);
    expect(json.split('"messageId"').length - 1).toBe(50_001);
  });
});
