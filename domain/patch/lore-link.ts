// The Message-ID a lore-style URL points at: what `Link:` and `Closes:` trailers (and
// b4's patch.msgid.link) name. Pure; shared by the knowledge layer's families and the
// message_links rows ingest stores.

// lore.kernel.org/<list>/<mid>/, lore.kernel.org/r/<mid>, lkml.kernel.org/r/<mid>,
// patch.msgid.link/<mid>, patchwork.kernel.org/project/<list>/patch/<mid>/.
const LORE_URL =
  /^<?https?:\/\/(?:(?:lore\.kernel\.org|lkml\.kernel\.org|patch\.msgid\.link|lore\.gnuweeb\.org)\/(?:[^/@\s]+\/)?|patchwork\.kernel\.org\/project\/[^/\s]+\/patch\/)([^/?#\s>]+)/i;

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

/** The Message-IDs the `Link:` and `Closes:` trailers among these point at, deduplicated. */
export function linkedMessageIds(trailers: readonly { name: string; value: string; url?: string | null }[]): string[] {
  const out = new Set<string>();
  for (const t of trailers) {
    if (!/^(?:Link|Closes)$/i.test(t.name)) continue;
    const id = messageIdOfUrl(t.url ?? t.value);
    if (id !== null) out.add(id);
  }
  return [...out];
}
