// The knowledge index (series, stable fixes, scenarios) searched in the page as you type:
// /api/index/knowledge.json is lunr's serialized index, fetched once (the server sends an
// ETag), queried the way server/knowledge.ts does: each word exact, as a prefix, and with
// one typo for longer words; '-word' excludes.

let loading = null;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

async function load() {
  if (!window.lunr) await loadScript('/vendor/lunr.js');
  const res = await fetch('/api/index/knowledge.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`knowledge index: HTTP ${res.status}`);
  const body = await res.json();
  // bounded: the kinds of which the server indexed only the newest (server/knowledge.ts)
  return { index: window.lunr.Index.load(body.index), docs: body.docs, bounded: body.bounded ?? null };
}

export function knowledgeIndex() {
  loading ??= load().catch((e) => {
    loading = null; // try again next time
    throw e;
  });
  return loading;
}

/** Lore's field prefixes (s:, f:, dfn: ...) mean nothing here: keep their values as words. */
export function knowledgeWords(q) {
  const include = [];
  const exclude = [];
  for (let raw of q.split(/\s+/)) {
    raw = raw.replace(/^[a-z]+:/i, '').replace(/^"|"$/g, '');
    if (!raw || /^(AND|OR|NOT)$/.test(raw) || raw.includes('..')) continue;
    const neg = raw.startsWith('-') && raw.length > 1;
    for (const t of window.lunr.tokenizer(neg ? raw.slice(1) : raw)) {
      const w = t.toString().replace(/^[^\p{L}\p{N}_./]+|[^\p{L}\p{N}_]+$/gu, '');
      if (w) (neg ? exclude : include).push(w);
    }
  }
  return { include: include.slice(0, 32), exclude: exclude.slice(0, 8) };
}

export function searchKnowledge({ index, docs }, q, limit = 10) {
  const { include, exclude } = knowledgeWords(q);
  if (include.length === 0) return [];
  const lunr = window.lunr;
  const results = index.query((query) => {
    for (const term of include) {
      query.term(term, { boost: 10 });
      query.term(term, { boost: 3, usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING });
      if (term.length >= 4) query.term(term, { boost: 1, usePipeline: false, editDistance: 1 });
    }
    for (const term of exclude) query.term(term, { presence: lunr.Query.presence.PROHIBITED });
  });
  return results
    .slice(0, limit)
    .map((r) => docs[r.ref])
    .filter(Boolean);
}
