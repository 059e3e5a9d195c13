// #/ : where to start: example queries in lore's syntax, the race scenarios, a stable branch.
import { api, el, fill, section } from '../lib/dom.js';
import { links } from '../lib/router.js';

const EXAMPLES = [
  ['dfn:mm/filemap.c', 'mail touching a file in its diff'],
  ['s:truncate race', 'subject words, then anywhere'],
  ['status:released branch:6.6', 'fixes released on a stable branch'],
  ['f:ravi d:2024-09-01..2024-09-30', 'by sender, within dates'],
];

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export async function homeView(root) {
  const list = await api('/api/scenarios').catch(() => ({ scenarios: [] }));
  fill(
    root,
    el('h1', { text: 'Has this race been discussed?' }),
    el('p', { class: 'muted', text: 'Search the archive with lore\'s query syntax; open a patch to see its series, its stable branches and the simulator scenarios that model it.' }),
    section('Try', el('ul', { class: 'plain examples' }, EXAMPLES.map(([q, what]) => el('li', {}, el('a', { href: links.search({ q }) }, el('code', { text: q })), el('span', { class: 'meta', text: ` — ${what}` }))))),
    list.scenarios.length
      ? section(
          'Race scenarios',
          el('ul', { class: 'plain' }, list.scenarios.map((s) => el('li', {}, el('a', { href: links.scenario(s.id), text: s.title || s.id }), el('span', { class: 'meta', text: ` — ${plural(s.variants.filter((v) => v.fix).length, 'proposed fix', 'proposed fixes')}` })))),
        )
      : null,
  );
}
