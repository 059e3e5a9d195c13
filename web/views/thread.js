// #/t/<mid>: a whole thread as a tree, its downloads, and the scenarios linked to it.
import { api, el, enc, errorNode, fill } from '../lib/dom.js';
import { threadTree } from './thread-tree.js';
import { fixLinks } from './fix-links.js';

export async function threadView(root, { args }) {
  const mid = args[0] ?? '';
  const t = await api(`/api/threads/${enc(mid)}`);
  const linked = await fixLinks(t.threadId).catch((e) => (e.status === 404 ? null : errorNode(e)));
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
  );
}
