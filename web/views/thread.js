// #/t/<mid>: a whole thread as a tree, its downloads, and the scenarios linked to it.
import { api, apiOptional, el, enc, errorNode, fill } from '../lib/dom.js';
import { seriesSummary } from './series.js';
import { threadTree } from './thread-tree.js';
import { fixLinks } from './fix-links.js';

export async function threadView(root, { args }) {
  const mid = args[0] ?? '';
  const t = await api(`/api/threads/${enc(mid)}`);
  const [linked, series] = await Promise.all([
    fixLinks(t.threadId).catch((e) => (e.status === 404 ? null : errorNode(e))),
    apiOptional(`/api/series/${enc(t.threadId)}`).then((s) => (s ? seriesSummary(s, t.threadId) : null), errorNode),
  ]);
  fill(root, 
    el('h1', { text: t.root.subject || `<${t.threadId}>` }),
    el(
      'p',
      { class: 'actions' },
      `${t.messages} message${t.messages === 1 ? '' : 's'} · `,
      el('a', { href: `/api/threads/${enc(t.threadId)}/mbox`, text: 'mbox' }),
      ' · ',
      el('a', { href: `/api/threads/${enc(t.threadId)}/mbox?gz=1`, text: 'mbox.gz' }),
    ),
    threadTree(t.root, mid),
    linked,
    series,
  );
}
