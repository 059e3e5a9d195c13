// The message_knowledge row (and message_links rows) one analysed message becomes, built
// on the parse worker with every value ready to bind, so the writer thread only inserts.
import { encodeBlocks } from '../db/knowledge-codec.ts';
import type { KnowledgeRow } from '../db/knowledge.ts';
import type { MessageAnalysis } from '../domain/knowledge/message.ts';
import type { PatchAnalysis } from '../domain/patch/analyze.ts';

// lore.kernel.org/<list>/<mid>/, lore.kernel.org/r/<mid>, lkml.kernel.org/r/<mid>,
// patch.msgid.link/<mid>: the forms Link: and Closes: trailers take.
const LORE_URL = /^<?https?:\/\/(?:lore\.kernel\.org|lkml\.kernel\.org|patch\.msgid\.link|lore\.gnuweeb\.org)\/(?:[^/@\s]+\/)?([^/?#\s>]+)/i;

/** The Message-ID a lore URL points at, or null when it points at none. */
export function messageIdOfUrl(url: string): string | null {
  const m = LORE_URL.exec(url.trim());
  if (!m?.[1]) return null;
  let id = m[1];
  try {
    id = decodeURIComponent(id);
  } catch {
    // a malformed escape: keep the text as written
  }
  id = id.replace(/^<|>$/g, '');
  return id.includes('@') && id.length <= 500 ? id : null;
}

/** Link:/Closes: targets of the message's trailers, deduplicated. */
export function linkTargets(patch: PatchAnalysis | undefined): string[] {
  if (!patch) return [];
  const out = new Set<string>();
  for (const t of patch.trailers) {
    if (t.name !== 'Link' && t.name !== 'Closes') continue;
    const id = messageIdOfUrl(t.url ?? t.value);
    if (id !== null) out.add(id);
  }
  return [...out];
}

export function knowledgeRow(a: MessageAnalysis, patch: PatchAnalysis | undefined): KnowledgeRow {
  return {
    blocksJson: encodeBlocks(a.blocks),
    restored: a.restored ? 1 : 0,
    knowledgeJson: a.knowledge === null ? null : JSON.stringify(a.knowledge),
    links: linkTargets(patch),
  };
}
