// #/watch: the saved searches (`loregraph watch add NAME QUERY`); #/watch/<name>: what it
// matched since its last `loregraph watch up` ("new since your last visit"), with its Atom feed.
import { api, day, el, fill, table } from '../lib/dom.js';
import { href, links } from '../lib/router.js';

async function list(root) {
  const watches = await api('/api/watches');
  if (!watches.length) {
    fill(root, el('h1', { text: 'Saved searches' }), el('p', { class: 'muted', text: "None yet: loregraph watch add NAME 'QUERY' saves one." }));
    return;
  }
  const rows = watches.map((w) => [
    el('a', { href: href(['watch', w.name]), text: w.name }),
    el('a', { href: links.search({ q: w.query }), text: w.query }),
    w.lastRunAt === null ? 'never' : new Date(w.lastRunAt).toISOString().slice(0, 16).replace('T', ' '),
  ]);
  fill(root, el('h1', { text: 'Saved searches' }), table(['name', 'query', 'last watch up'], rows));
}

async function fresh(root, name) {
  const r = await api(`/api/watches/${encodeURIComponent(name)}/new`);
  const w = r.watch;
  const rows = r.new.map((m) => [day(m.date, ''), m.from ? m.from.name || m.from.address : '', el('a', { href: links.message(m.messageId), text: m.subject || '(no subject)' })]);
  fill(
    root,
    el('h1', { text: `Saved search ${w.name}` }),
    el('p', { class: 'meta' }, el('a', { href: links.search({ q: w.query }), text: w.query }), ' · ', el('a', { href: `/api/watches/${encodeURIComponent(w.name)}/feed.atom`, text: 'Atom feed' })),
    el('h2', { text: `New since the last watch up${w.lastRunAt === null ? ' (never run: everything)' : ` (${new Date(w.lastRunAt).toISOString().slice(0, 16).replace('T', ' ')})`}: ${r.new.length}` }),
    rows.length ? table(['date', 'from', 'subject'], rows) : el('p', { class: 'muted', text: 'Nothing new.' }),
  );
}

export async function watchesView(root, { args }) {
  return args[0] ? fresh(root, args[0]) : list(root);
}
