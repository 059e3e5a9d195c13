// #/t/<mid>[?order=date|tree&m=<mid>&b=<block>]: a whole thread as a conversation (every
// message inline, nested by reply or flat by date), how to reply, its downloads, its
// outline as a tree, its series and the scenarios linked to it. ?m= lands on a message,
// ?b= on one block of it, ?w= on the words in that block (a race's evidence links here).
import { api, apiOptional, el, enc, errorNode, fill } from '../lib/dom.js';
import { href } from '../lib/router.js';
import { seriesSummary } from './series.js';
import { threadTree } from './thread-tree.js';
import { fixLinks } from './fix-links.js';
import { raceList } from './races.js';
import { conversation, conversationKeys, landOn } from './conversation.js';

export async function threadView(root, { args, query }) {
  const mid = args[0] ?? '';
  const order = query.get('order') === 'date' ? 'date' : 'tree';
  const t = await api(`/api/threads/${enc(mid)}`);
  const conv = conversation(t.root, t.threadId, order);
  const other = new URLSearchParams(query);
  other.set('order', order === 'date' ? 'tree' : 'date');
  other.delete('b');
  const aside = el('div', { class: 'thread-extras' });
  // Filled when the races answer: the conversation does not wait for them.
  const races = el('div', { class: 'thread-races' });
  fill(
    root,
    el('h1', { text: t.root.subject || `<${t.threadId}>` }),
    el(
      'p',
      { class: 'actions' },
      `${t.messages} message${t.messages === 1 ? '' : 's'} · `,
      order === 'date' ? 'flat, by date · ' : 'nested by reply · ',
      el('a', { href: href(['t', t.threadId], other), text: order === 'date' ? 'show nested' : 'show flat by date' }),
      ' · ',
      el('a', { href: `/api/threads/${enc(t.threadId)}/mbox`, text: 'mbox' }),
      ' · ',
      el('a', { href: `/api/threads/${enc(t.threadId)}/mbox?gz=1`, text: 'mbox.gz' }),
      el('span', { class: 'meta', text: ' · keys: j/k next/previous message, n/p next/previous hunk' }),
    ),
    races,
    el('details', { class: 'thread' }, el('summary', { text: 'outline' }), threadTree(t.root, mid)),
    conv.list,
    aside,
  );
  conversationKeys(conv.list);
  const at = query.get('m');
  if (at) {
    await conv.ready();
    await landOn(conv.list, at, query.get('b'), query.get('w'));
  }
  void api(`/api/threads/${enc(t.threadId)}/races`).then(
    (r) => fill(races, r.races.length ? [el('div', { class: 'meta', text: r.races.length === 1 ? 'This thread is read as a race:' : 'This thread is read as races:' }), raceList(r.races)] : null),
    (e) => fill(races, errorNode(e)),
  );
  // The side panels arrive after the conversation has painted.
  void Promise.all([
    fixLinks(t.threadId).catch((e) => (e.status === 404 ? null : errorNode(e))),
    apiOptional(`/api/series/${enc(t.threadId)}?optional=1`).then((s) => (s ? seriesSummary(s, t.threadId) : null), errorNode),
  ]).then(([linked, series]) => fill(aside, linked, series));
}
