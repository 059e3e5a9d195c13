// #/search?q=&offset=&sort=&threads=1 : lore's query language over the archive, with
// snippets whose matched words arrive as data (hit: true) and become <mark> nodes.
import { api, el, when, who, fill } from '../lib/dom.js';
import { links, routeOfApiUrl } from '../lib/router.js';
import { knowledgeIndex, searchKnowledge } from '../lib/knowledge.js';

export const PAGE = 20;
/** The most matches /api/search.mbox.gz puts in one file. */
const MBOX_CAP = 200;

function snippetNode(segments) {
  return el('div', { class: 'snippet' }, segments.map((s) => (s.hit ? el('mark', { text: s.text }) : s.text)));
}

function hitNode(h) {
  return el(
    'li',
    { class: 'hit' },
    el('a', { href: links.message(h.messageId), class: 'subject', text: h.subject || '(no subject)' }),
    el('div', { class: 'meta' }, `${who(h.from)} · ${when(h.date)} · `, el('a', { href: links.thread(h.threadId), text: 'thread' })),
    snippetNode(h.snippet),
  );
}

function pager(params, total) {
  const offset = Number(params.get('offset')) || 0;
  const at = (o) => {
    const p = new URLSearchParams(params);
    p.set('offset', String(o));
    return links.search(p);
  };
  return el(
    'nav',
    { class: 'pager', 'aria-label': 'pages' },
    offset > 0 ? el('a', { href: at(Math.max(0, offset - PAGE)), rel: 'prev', text: '← previous' }) : el('span', { class: 'muted', text: '← previous' }),
    el('span', { text: ` ${offset + 1}–${Math.min(offset + PAGE, total)} ` }),
    offset + PAGE < total ? el('a', { href: at(offset + PAGE), rel: 'next', text: 'next →' }) : el('span', { class: 'muted', text: 'next →' }),
  );
}

const KIND_CLASS = { series: 'series', 'stable-fix': 'fix', scenario: 'scenario', race: 'race', fix: 'pfix' };
const KIND_LABEL = { 'stable-fix': 'stable fix', fix: 'proposed fix' };

/** Series, stable fixes, races, proposed fixes and scenarios the words of the query find in the knowledge index. */
export function knowledgeList(docs) {
  return el(
    'ul',
    { class: 'plain knowledge-hits' },
    docs.map((d) => {
      const to = routeOfApiUrl(d.url);
      // The class from a fixed table, never from data; the label says what the entry is.
      const kind = KIND_CLASS[d.kind] ?? 'other';
      const label = KIND_LABEL[d.kind] ?? d.kind;
      return el('li', {}, el('span', { class: `kind k-${kind}`, text: label }), ' ', to ? el('a', { href: to, text: d.title }) : d.title);
    }),
  );
}

async function knowledgeAside(q) {
  try {
    const knowledge = await knowledgeIndex();
    const docs = searchKnowledge(knowledge, q, 6);
    if (!docs.length) return null;
    return el('aside', { class: 'related' }, el('h2', { text: 'Series, races, fixes and scenarios' }), knowledgeList(docs), boundedNote(knowledge.bounded));
  } catch (e) {
    return el('aside', { class: 'related error', text: `knowledge index: ${e.message}` });
  }
}

/** A large archive's index holds only the newest of some kinds: say so, and where the rest are found. */
function boundedNote(bounded) {
  if (!bounded) return null;
  const plural = { series: 'series', 'stable-fix': 'stable fixes', race: 'races' };
  const kinds = Object.entries(bounded).map(([kind, n]) => `${Number(n)} ${plural[kind] ?? kind}`);
  return el('p', { class: 'muted', text: `Only the newest ${kinds.join(', ')} are listed here; the list's search (race:, s:, dfn:) finds the older ones.` });
}

export async function searchView(root, { query }) {
  const q = (query.get('q') || '').trim();
  if (!q) {
    fill(root, el('p', { class: 'muted', text: 'Type a query above: words, "phrases", or lore prefixes such as s: f: dfn: d: status: branch:.' }));
    return;
  }
  const params = new URLSearchParams({
    q,
    offset: String(Number(query.get('offset')) || 0),
    limit: String(PAGE),
    sort: query.get('sort') === 'date' ? 'date' : 'relevance',
  });
  if (query.get('threads') === '1') params.set('threads', '1');
  fill(root, el('p', { class: 'status', role: 'status', text: 'searching…' }));
  // The knowledge index is megabytes the first time: the hits are shown as soon as they are
  // here (milliseconds), the related series, races and fixes beside them when it has loaded.
  const related = knowledgeAside(q);
  const r = await api(`/api/search?${params}`);
  const relatedSlot = el('span', { hidden: true });
  const count = `${r.totalExact ? '' : 'more than '}${r.total} ${params.has('threads') ? 'thread' : 'match'}${r.total === 1 ? '' : params.has('threads') ? 's' : 'es'}`;
  const pageParams = new URLSearchParams(params);
  pageParams.delete('limit');
  fill(root, 
    el(
      'p',
      { class: 'status', role: 'status' },
      `${count} for ${q} (${r.took_ms} ms) · `,
      el('a', { href: `/api/feed.atom?${new URLSearchParams({ q })}`, type: 'application/atom+xml', text: 'Atom feed' }),
      ' · ',
      // The server puts the newest MBOX_CAP matches in the file: the link says so when there are more.
      el('a', {
        href: `/api/search.mbox.gz?${new URLSearchParams({ q })}`,
        type: 'application/gzip',
        text: r.total > MBOX_CAP || !r.totalExact ? `mbox.gz (newest ${MBOX_CAP})` : 'mbox.gz',
      }),
      el('span', { class: 'meta', text: ' · press ? for the query syntax' }),
    ),
    relatedSlot,
    r.hits.length ? el('ol', { class: 'hits', start: String(r.offset + 1) }, r.hits.map(hitNode)) : el('p', { class: 'muted', text: 'Nothing matches.' }),
    r.total > PAGE ? pager(pageParams, r.total) : null,
  );
  const aside = await related;
  if (aside) relatedSlot.replaceWith(aside);
}
