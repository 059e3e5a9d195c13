// How a message's reply blocks are kept in message_knowledge.blocks: one compact JSON
// array per block, [kind, depth, start, end, author, answers], without the text (the API
// re-derives the lines from the stored body). Written on the parse worker, read by the API.
import type { Block, BlockKind } from '../domain/knowledge/reply.ts';

const KINDS: readonly BlockKind[] = ['own', 'quote', 'attribution', 'code', 'diff', 'signature'];

type Packed = [number, number, number, number, string | null, number | null];

export function encodeBlocks(blocks: readonly Block[]): string {
  return JSON.stringify(blocks.map((b): Packed => [KINDS.indexOf(b.kind), b.depth, b.start, b.end, b.author, b.answers]));
}

/** Blocks as encodeBlocks wrote them; a row it cannot read gives no blocks rather than an error. */
export function decodeBlocks(json: string): Block[] {
  let packed: unknown;
  try {
    packed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(packed)) return [];
  const out: Block[] = [];
  for (const p of packed as unknown[]) {
    if (!Array.isArray(p)) continue;
    const [k, depth, start, end, author, answers] = p as Partial<Packed>;
    const kind = KINDS[k ?? -1];
    if (kind === undefined || typeof depth !== 'number' || typeof start !== 'number' || typeof end !== 'number') continue;
    out.push({ kind, depth, start, end, author: typeof author === 'string' ? author : null, answers: typeof answers === 'number' ? answers : null });
  }
  return out;
}
