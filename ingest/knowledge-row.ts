// The message_knowledge row (and message_links rows) one analysed message becomes, built
// on the parse worker with every value ready to bind, so the writer thread only inserts.
import { encodeBlocks } from '../db/knowledge-codec.ts';
import type { KnowledgeRow } from '../db/knowledge.ts';
import type { MessageAnalysis } from '../domain/knowledge/message.ts';
import type { PatchAnalysis } from '../domain/patch/analyze.ts';
import { linkedMessageIds } from '../domain/patch/lore-link.ts';

export function knowledgeRow(a: MessageAnalysis, patch: PatchAnalysis | undefined): KnowledgeRow {
  return {
    blocksJson: encodeBlocks(a.blocks),
    restored: a.restored ? 1 : 0,
    knowledgeJson: a.knowledge === null ? null : JSON.stringify(a.knowledge),
    links: patch ? linkedMessageIds(patch.trailers) : [],
  };
}
